"""How much time the open cases have left, in one aggregate query."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import add_working_days
from suggestion.cases.models import Case
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Status
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import end_of_day
from suggestion.core.time import local_date
from suggestion.core.time import utcnow


def open_cases_by_time_left() -> list[tuple[str, int]]:
    tz = agency_zone()
    now = utcnow()
    today = local_date(now, tz)
    holidays = holiday_dates(today, today + timedelta(days=60))
    end_today = end_of_day(today, tz)
    in_three = end_of_day(add_working_days(today, 3, holidays), tz)
    bucket = sa.case(
        (Case.status == Status.AWAITING_INFO.value, "paused (awaiting information)"),
        (Case.due_at < now, "overdue"),
        (Case.due_at <= end_today, "due today"),
        (Case.due_at <= in_three, "due within 3 working days"),
        else_="later",
    )
    query = (
        sa.select(bucket, sa.func.count())
        .where(Case.status.in_(values(OPEN_STATES)))
        .group_by(bucket)
    )
    rows: dict[str, int] = {label: count for label, count in db.session.execute(query)}
    order = [
        "overdue",
        "due today",
        "due within 3 working days",
        "later",
        "paused (awaiting information)",
    ]
    return [(label, int(rows.get(label, 0))) for label in order]
