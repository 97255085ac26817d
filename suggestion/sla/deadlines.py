"""The deadlines of a case, from its policy and the holiday table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import subtract_working_days
from suggestion.core.time import end_of_day
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import zone
from suggestion.extensions import db
from suggestion.sla.models import SlaPolicy


@dataclass(frozen=True)
class PolicyTerms:
    """The working-day terms that apply to one case."""

    ack_days: int = 1
    info_request_days: int = 7
    outcome_days: int = 15
    progress_interval_days: int = 15
    remind_before_days: int = 3
    escalate_after_days: int = 1

    @classmethod
    def of(cls, policy: SlaPolicy) -> PolicyTerms:
        return cls(
            ack_days=policy.ack_days,
            info_request_days=policy.info_request_days,
            outcome_days=policy.outcome_days,
            progress_interval_days=policy.progress_interval_days,
            remind_before_days=policy.remind_before_days,
            escalate_after_days=policy.escalate_after_days,
        )


DEFAULT_TERMS = PolicyTerms()


def terms_for(kind: str, category_id: int | None) -> PolicyTerms:
    """The category's policy if it has one, else the kind's, else the defaults."""
    conditions = [SlaPolicy.kind == kind]
    if category_id is not None:
        conditions.append(SlaPolicy.category_id == category_id)
    policies = db.session.scalars(sa.select(SlaPolicy).where(sa.or_(*conditions))).all()
    by_category = [p for p in policies if p.category_id is not None]
    chosen = by_category[0] if by_category else (policies[0] if policies else None)
    return PolicyTerms.of(chosen) if chosen else DEFAULT_TERMS


def deadline(
    received_at: datetime, working_days: int, holidays: frozenset[date] | None = None
) -> datetime:
    """The end of the N-th working day after the local day of receipt, in UTC.
    ``holidays``, when given, must cover the days counted (see case_holidays)."""
    tz = zone(current_app.config["AGENCY_TIMEZONE"])
    received_day = local_date(received_at, tz)
    if holidays is None:
        # Generous window: N working days never span more than 2N + 60 calendar
        # days in Thailand (the longest run of holidays is under a fortnight).
        horizon = received_day + timedelta(days=2 * working_days + 60)
        holidays = holiday_dates(received_day, horizon)
    return end_of_day(add_working_days(received_day, working_days, holidays), tz)


def shift_deadline(
    due_at: datetime, working_days: int, holidays: frozenset[date] | None = None
) -> datetime:
    """A deadline moved forward by N working days (after a pause)."""
    tz = zone(current_app.config["AGENCY_TIMEZONE"])
    day = local_date(due_at, tz)
    if holidays is None:
        holidays = holiday_dates(day, day + timedelta(days=2 * working_days + 60))
    return end_of_day(add_working_days(day, working_days, holidays), tz)


def case_holidays(received_at: datetime, terms: PolicyTerms, paused_days: int) -> frozenset[date]:
    """One read of the holidays that every deadline and threshold of a case
    received at ``received_at`` can touch (the same generous windows as the
    functions above, joined), so that setting them costs one query, not four."""
    day = local_date(received_at, zone(current_app.config["AGENCY_TIMEZONE"]))
    around = max(terms.remind_before_days, terms.escalate_after_days)
    longest = max(terms.outcome_days, terms.ack_days, terms.progress_interval_days)
    return holiday_dates(
        day - timedelta(days=2 * around + 60),
        day + timedelta(days=2 * (longest + paused_days + around) + 240),
    )


@dataclass(frozen=True)
class Thresholds:
    """The moments at which the sweep acts on a case with a given deadline."""

    remind_at: datetime
    final_remind_at: datetime
    escalate_at: datetime


def thresholds(
    due_at: datetime, terms: PolicyTerms, holidays: frozenset[date] | None = None
) -> Thresholds:
    """Reminders at the start of the working day N working days before the due
    day and at the start of the due day; escalation at the end of the N-th
    working day after it."""
    tz = zone(current_app.config["AGENCY_TIMEZONE"])
    due_day = local_date(due_at, tz)
    if holidays is None:
        span = 2 * max(terms.remind_before_days, terms.escalate_after_days) + 60
        holidays = holiday_dates(due_day - timedelta(days=span), due_day + timedelta(days=span))
    return Thresholds(
        remind_at=start_of_day(
            subtract_working_days(due_day, terms.remind_before_days, holidays), tz
        ),
        final_remind_at=start_of_day(due_day, tz),
        escalate_at=end_of_day(add_working_days(due_day, terms.escalate_after_days, holidays), tz),
    )
