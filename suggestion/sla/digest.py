"""The morning digest, on working days: each officer's cases due soon and
overdue, and each manager's division's overdue cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import is_working_day
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import end_of_day
from suggestion.core.time import format_date
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import OutboxRow
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email

DUE_SOON_DAYS = 3
LOCALE = "th"  # for an account that never chose a language


def send_digest(today: date) -> int:
    """Queue the digests of ``today`` (once per person and day); returns how many."""
    holidays = holiday_dates(
        today - timedelta(days=1), today + timedelta(days=3 * DUE_SOON_DAYS + 60)
    )
    if not is_working_day(today, holidays):
        return 0
    tz = agency_zone()
    now = utcnow()
    soon = end_of_day(add_working_days(today, DUE_SOON_DAYS, holidays), tz)

    def line(case: Case) -> tuple[str, str, datetime]:
        return case.tracking_code, case.subject, case.due_at

    def shown(lines: Iterable[tuple[str, str, datetime]], locale: str) -> list[str]:
        return [
            f"{code} {subject} ({format_date(due, locale, tz)})" for code, subject, due in lines
        ]

    overdue_of: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    soon_of: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    division_overdue: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.status.in_(values(OPEN_STATES)), Case.due_at <= soon)
        .order_by(Case.due_at)
    )
    for case in cases:
        if case.assignee_id is not None:
            (overdue_of if case.due_at < now else soon_of)[case.assignee_id].append(line(case))
        if case.due_at < now and case.division_id is not None and case.kind != Kind.CORRUPTION:
            division_overdue[case.division_id].append(line(case))

    rows: list[OutboxRow] = []
    people = db.session.scalars(sa.select(User).where(User.is_active.is_(True)))
    for user in people:
        overdue = list(overdue_of.get(user.id, []))
        due_soon = soon_of.get(user.id, [])
        if user.role == Role.MANAGER:
            overdue = sorted({*overdue, *division_overdue.get(user.division_id, [])})
        if not overdue and not due_soon:
            continue
        locale = user.locale or LOCALE  # the language the account chose
        rendered = render_email(
            "digest",
            locale,
            date=format_date(today, locale),
            overdue=shown(overdue, locale),
            due_soon=shown(due_soon, locale),
            days=DUE_SOON_DAYS,
            queue_url=public_url("/staff/"),
        )
        rows.append(
            outbox_row(
                "digest", user.email, rendered, dedupe_key=f"digest:{today.isoformat()}:{user.id}"
            )
        )
    already = set(
        db.session.scalars(
            sa.select(Notification.dedupe_key).where(
                Notification.dedupe_key.startswith(f"digest:{today.isoformat()}:")
            )
        )
    )
    rows = [r for r in rows if r["dedupe_key"] not in already]
    queue_emails(rows)
    return len(rows)
