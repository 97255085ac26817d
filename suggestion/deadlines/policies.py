"""The policy that applies to a case, and deadlines read against the holiday
table (the computation itself is pure: suggestion.deadlines.computation)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from suggestion.calendar.services import holiday_dates
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import local_date
from suggestion.deadlines.computation import deadline
from suggestion.deadlines.computation import PolicyTerms
from suggestion.deadlines.computation import window_for
from suggestion.deadlines.models import SlaPolicy

DEFAULT_TERMS = PolicyTerms()
# The terms of a policy and the working days each may take, for the form and
# the service that saves it (the table's check constraint holds the signs).
POLICY_BOUNDS = {
    "ack_days": (0, 60),
    "info_request_days": (0, 60),
    "outcome_days": (1, 365),
    "progress_interval_days": (1, 365),
    "remind_before_days": (0, 60),
    "escalate_after_days": (0, 60),
}
POLICY_FIELDS = tuple(POLICY_BOUNDS)


def terms_of(policy: SlaPolicy) -> PolicyTerms:
    return PolicyTerms(**{name: getattr(policy, name) for name in POLICY_FIELDS})


def terms_for(kind: str, category_id: int | None) -> PolicyTerms:
    """The category's policy if it has one, else the kind's, else the defaults."""
    conditions = [SlaPolicy.kind == kind]
    if category_id is not None:
        conditions.append(SlaPolicy.category_id == category_id)
    policies = db.session.scalars(sa.select(SlaPolicy).where(sa.or_(*conditions))).all()
    by_category = [p for p in policies if p.category_id is not None]
    chosen = by_category[0] if by_category else (policies[0] if policies else None)
    return terms_of(chosen) if chosen else DEFAULT_TERMS


def deadline_after(moment: datetime, working_days: int) -> datetime:
    """The end of the N-th working day after ``moment``'s local day, read
    against the holiday table (the command line, a progress update owed)."""
    tz = agency_zone()
    holidays = holiday_dates(*window_for(local_date(moment, tz), working_days))
    return deadline(moment, working_days, holidays, tz)
