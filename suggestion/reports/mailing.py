"""The monthly SLA report by e-mail: from the first working day of a month,
each manager gets the previous month's report for their division, and each
administrator the whole agency's. Once per person and month: a day missed
(the worker or the broker down) is caught up by the next day's run."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.auth.permissions import reports_cover_agency
from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import is_working_day
from suggestion.core.extensions import db
from suggestion.core.settings import public_url
from suggestion.core.time import format_month
from suggestion.notify.models import Notification
from suggestion.notify.outbox import outbox_row
from suggestion.notify.outbox import OutboxRow
from suggestion.notify.outbox import queue_emails
from suggestion.notify.outbox import render_email
from suggestion.reports import publications
from suggestion.reports.documents import to_text
from suggestion.reports.indicators import DEFAULT_KINDS
from suggestion.reports.indicators import monthly_report
from suggestion.reports.periods import previous_month
from suggestion.reports.scope import report_scope

LOCALE = "th"  # for an account that never chose a language


def first_working_day(day: date) -> date:
    """The first working day of ``day``'s month."""
    first = day.replace(day=1)
    holidays = holiday_dates(first, first + timedelta(days=31))
    while not is_working_day(first, holidays):
        first += timedelta(days=1)
    return first


def send_monthly_reports(today: date) -> int:
    """Queue the reports due by ``today`` and not yet sent; returns how many."""
    if today < first_working_day(today):
        return 0
    period = previous_month(today)
    prefix = f"monthly:{period.first:%Y-%m}:"
    already = set(
        db.session.scalars(
            sa.select(Notification.dedupe_key).where(Notification.dedupe_key.startswith(prefix))
        )
    )
    month_key = f"{period.first:%Y-%m}"
    kinds = list(DEFAULT_KINDS)
    # One report per division (None: all) and language.
    bodies: dict[tuple[int | None, str], tuple[str, str]] = {}
    rows: list[OutboxRow] = []
    people = db.session.scalars(
        sa.select(User)
        .where(User.is_active.is_(True), User.role.in_([Role.MANAGER, Role.ADMIN]))
        .order_by(User.id)
    )
    for user in people:
        key = f"{prefix}{user.id}"
        if key in already:
            continue
        division = None if reports_cover_agency(user) else user.division_id
        locale = user.locale or LOCALE  # the language the account chose
        if (division, locale) not in bodies:
            scope = report_scope(user)
            with force_locale(locale):
                where = (
                    user.division.name(locale) if division is not None else _("the whole agency")
                )
                document = publications.monthly_document(
                    monthly_report(period, kinds, scope), where
                )
            bodies[division, locale] = render_email(
                "monthly_report",
                locale,
                month=format_month(period.first, locale),
                report=to_text(document),
                page_url=public_url("/reports/monthly", month=month_key),
                pdf_url=public_url("/reports/monthly.pdf", month=month_key),
            )
        rows.append(
            outbox_row("monthly_report", user.email, bodies[division, locale], dedupe_key=key)
        )
    # A run at the same moment elsewhere may have queued some: skip those.
    return len(queue_emails(rows, skip_duplicates=True))
