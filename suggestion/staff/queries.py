"""The queue: the cases an account may see, filtered, searched and paged by keyset."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import working_days_between
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.forms import is_id
from suggestion.core.settings import agency_zone
from suggestion.core.time import end_of_day
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.sla.models import SlaAlert

PAGE_SIZE = 50


def search_text() -> sa.ColumnElement[str]:
    """The text the queue searches; PostgreSQL indexes exactly this expression
    with pg_trgm, so a substring search in Thai uses the index."""
    return Case.tracking_code + " " + Case.subject + " " + Case.description


@dataclass
class QueueFilters:
    statuses: list[str] = field(default_factory=lambda: values(OPEN_STATES))
    kinds: list[str] = field(default_factory=list)
    category_id: int | None = None
    division_id: int | None = None
    assignee: str | None = None  # "mine", "unassigned" or a user id
    channel: str | None = None
    due_within: int | None = None  # working days
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    on_time: bool | None = None  # outcome given by the deadline (True) or after it
    q: str | None = None


def where(
    access: StaffAccess, f: QueueFilters, *, with_status: bool = True
) -> list[sa.ColumnElement[bool]]:
    """The WHERE conditions of a queue view: what the account may see, filtered."""
    tz = agency_zone()
    now = utcnow()
    conditions: list[sa.ColumnElement[bool]] = [access.clause()]
    if with_status and f.statuses:
        conditions.append(Case.status.in_(f.statuses))
    if f.kinds:
        conditions.append(Case.kind.in_(f.kinds))
    if f.category_id:
        conditions.append(Case.category_id == f.category_id)
    if f.division_id:
        conditions.append(Case.division_id == f.division_id)
    if f.assignee == "mine":
        conditions.append(Case.assignee_id == access.user.id)
    elif f.assignee == "unassigned":
        conditions.append(Case.assignee_id.is_(None))
    elif f.assignee and is_id(f.assignee):
        conditions.append(Case.assignee_id == int(f.assignee))
    if f.channel:
        conditions.append(Case.channel == f.channel)
    if f.due_within is not None:
        today = local_date(now, tz)
        holidays = holiday_dates(today, today + timedelta(days=2 * f.due_within + 60))
        limit = end_of_day(add_working_days(today, f.due_within, holidays), tz)
        conditions.append(Case.due_at <= limit)
    if f.overdue:
        conditions.append(Case.due_at < now)
    if f.received_from:
        conditions.append(Case.received_at >= start_of_day(f.received_from, tz))
    if f.received_to:
        conditions.append(Case.received_at < start_of_day(f.received_to + timedelta(days=1), tz))
    if f.resolved_from:
        conditions.append(Case.resolved_at >= start_of_day(f.resolved_from, tz))
    if f.resolved_to:
        conditions.append(Case.resolved_at < start_of_day(f.resolved_to + timedelta(days=1), tz))
    if f.on_time is not None:
        conditions.append(
            Case.resolved_at <= Case.due_at if f.on_time else Case.resolved_at > Case.due_at
        )
    if f.q:
        escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(search_text().ilike(f"%{escaped}%", escape="\\"))
    return conditions


def encode_cursor(case: Case) -> str:
    raw = f"{case.due_at.isoformat()}|{case.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due, _, case_id = raw.partition("|")
        moment = datetime.fromisoformat(due)
        if moment.tzinfo is None:
            return None
        return moment, int(case_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None
    counts: dict[str, int]


def queue_page(access: StaffAccess, filters: QueueFilters, cursor: str | None = None) -> QueuePage:
    """One page of the queue, nearest deadline first, and the counts per state."""
    conditions = where(access, filters)
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        conditions.append(sa.tuple_(Case.due_at, Case.id) > sa.tuple_(*after))
    rows = list(
        db.session.scalars(
            sa.select(Case)
            .where(*conditions)
            .order_by(Case.due_at, Case.id)
            .limit(PAGE_SIZE + 1)
            # The rows show the division and the assignee: load them with the
            # page, not one query per row.
            .options(selectinload(Case.division), selectinload(Case.assignee))
        )
    )
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    # The counts are of the open states, the queue's work, and of the states
    # asked for: counting every finished case in reach would read the agency's
    # whole history on each page (the open states are read from their own
    # partial index, which stays small however many years are kept).
    # With "all states" asked for, every state is counted.
    counted = [Case.status.in_(sorted(set(values(OPEN_STATES)) | set(filters.statuses)))]
    counts: dict[str, int] = dict(
        db.session.execute(
            sa.select(Case.status, sa.func.count())
            .where(
                *where(access, filters, with_status=False), *(counted if filters.statuses else [])
            )
            .group_by(Case.status)
        ).all()
    )
    return QueuePage(cases=rows[:PAGE_SIZE], next_cursor=next_cursor, counts=counts)


def working_days_left(cases: list[Case]) -> dict[int, int]:
    """Working days until each case's deadline (negative when overdue), from
    one read of the holiday table for the whole page."""
    if not cases:
        return {}
    tz = agency_zone()
    today = local_date(utcnow(), tz)
    days = [local_date(c.due_at, tz) for c in cases]
    holidays = holiday_dates(min([today, *days]), max([today, *days]))
    left = {}
    for case, due in zip(cases, days, strict=True):
        if due >= today:
            left[case.id] = working_days_between(today, due, holidays)
        else:
            left[case.id] = -working_days_between(due, today, holidays)
    return left


def is_overdue(case: Case) -> bool:
    return case.status in OPEN_STATES and case.due_at < utcnow()


def alerts_of(case_ids: list[int]) -> dict[int, list[SlaAlert]]:
    """The deadline alerts sent for these cases, oldest first, in one query."""
    found: dict[int, list[SlaAlert]] = {}
    if not case_ids:
        return found
    for alert in db.session.scalars(
        sa.select(SlaAlert).where(SlaAlert.case_id.in_(case_ids)).order_by(SlaAlert.id)
    ):
        found.setdefault(alert.case_id, []).append(alert)
    return found
