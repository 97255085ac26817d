"""The figures behind the indicators (DESIGN §1.6), each one aggregate SQL
over indexed columns; no case is loaded into Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from suggestion.auth.models import Division
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.models import OutcomeAnswer
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.reports.periods import Period
from suggestion.reports.results import OpenNow
from suggestion.reports.results import OverdueCase
from suggestion.reports.scope import Scope


def _count(*conditions: Any) -> int:
    return int(
        db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions)) or 0
    )


def missed_deadlines(period: Period, kinds: Sequence[str], scope: Scope = ()) -> int:
    """The cases due in the period (and already past) that had no outcome by its
    end, or by now if it is running: the strict variant's extra denominator."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    return _count(
        Case.kind.in_(kinds),
        *scope,
        Case.status != Status.MERGED.value,
        Case.due_at >= start,
        Case.due_at < cutoff,
        sa.or_(Case.resolved_at.is_(None), Case.resolved_at >= cutoff),
    )


def count_received(period: Period, kinds: Sequence[str], scope: Scope = ()) -> int:
    start, end = period.bounds()
    # A duplicate merged into another case counts once, as that case.
    return _count(
        Case.kind.in_(kinds),
        *scope,
        Case.status != Status.MERGED.value,
        Case.received_at >= start,
        Case.received_at < end,
    )


def open_now(kinds: Sequence[str], scope: Scope = ()) -> OpenNow:
    now = utcnow()
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Case.due_at < now)).where(
            Case.kind.in_(kinds), *scope, Case.status.in_([s.value for s in OPEN_STATES])
        )
    ).one()
    return OpenNow(open=int(row[0]), overdue=int(row[1]))


def _no_outcome_by(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Open at ``cutoff``: no outcome and not closed (withdrawn) by then."""
    return sa.and_(
        Case.status != Status.MERGED.value,
        sa.or_(Case.resolved_at.is_(None), Case.resolved_at >= cutoff),
        sa.or_(Case.closed_at.is_(None), Case.closed_at >= cutoff),
    )


def open_at_end(period: Period) -> sa.ColumnElement[bool]:
    """Received before the end of the period and still without an outcome
    then (or now, for a period still running)."""
    _, end = period.bounds()
    cutoff = min(end, utcnow())
    return sa.and_(Case.received_at < cutoff, _no_outcome_by(cutoff))


def overdue_at_end(period: Period) -> sa.ColumnElement[bool]:
    """Open at the end of the period (:func:`open_at_end`) and past its
    deadline then."""
    _, end = period.bounds()
    return sa.and_(open_at_end(period), Case.due_at < min(end, utcnow()))


# The four breakdowns of a period, by these columns of a case.
DIMENSIONS = {
    "kind": Case.kind,
    "channel": Case.channel,
    "category": Case.category_id,
    "division": Case.division_id,
}


@dataclass
class Tally:
    """The figures of one group of cases in a period."""

    received: int = 0
    resolved: int = 0
    on_time: int = 0
    open_at_end: int = 0
    overdue_at_end: int = 0
    # Received cases whose acknowledgement is due by the cutoff or was given,
    # and of those, acknowledged by the acknowledgement deadline.
    acknowledgements: int = 0
    acknowledged_on_time: int = 0
    # Outcomes the filer rated, and rated 4 or 5.
    ratings: int = 0
    satisfied: int = 0
    # The filers' answers to "was your problem solved?" given in the period,
    # and of them "not yet" (a disputed outcome, which reopened its case).
    answers: int = 0
    disputed: int = 0
    # Working days from receipt to outcome → how many outcomes took that long.
    days: Counter[int] = field(default_factory=Counter)

    def add(self, row: Any) -> None:
        """Add a row of sums (PostgreSQL sums integers as numerics)."""
        self.received += int(row.received)
        self.resolved += int(row.resolved)
        self.on_time += int(row.on_time)
        self.open_at_end += int(row.open)
        self.overdue_at_end += int(row.overdue)
        self.acknowledgements += int(row.acknowledgements)
        self.acknowledged_on_time += int(row.acknowledged_on_time)
        self.ratings += int(row.ratings)
        self.satisfied += int(row.satisfied)
        self.answers += int(row.answers)
        self.disputed += int(row.disputed)
        if row.days is not None:
            self.days[row.days] += int(row.resolved)

    def merge(self, other: Tally) -> None:
        for name in (
            "received", "resolved", "on_time", "open_at_end", "overdue_at_end", "acknowledgements",
            "acknowledged_on_time", "ratings", "satisfied", "answers", "disputed",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days.update(other.days)

    @property
    def median_working_days(self) -> float | None:
        """The median of the outcomes' working days (the mean of the middle two
        when their number is even), from the counts of each value."""
        n = self.days.total()
        if not n:
            return None
        wanted = {(n - 1) // 2, n // 2}  # the middle one or two, counted from 0
        middle, seen = [], 0
        for value in sorted(self.days):
            count = self.days[value]
            middle += [value for i in wanted if seen <= i < seen + count]
            seen += count
        return round(sum(middle) / len(middle), 1)


@dataclass
class PeriodFigures:
    """The received, resolved, on-time, open and overdue counts of a period and the
    outcomes' working days, in total and by kind, channel, category and
    division, from one statement."""

    total: Tally
    by: dict[str, dict[Any, Tally]]


def period_figures(period: Period, kinds: Sequence[str], scope: Scope = ()) -> PeriodFigures:
    """One statement: four indexed reads added up per kind, channel, category,
    division and working days to the outcome (a few thousand rows at most),
    instead of one read per figure and breakdown. Each read is a range of the
    receipt or the outcome index, which carry the columns grouped here; a
    case open at the end has no outcome yet, or one after the cutoff. A case
    in several parts counts once in each column."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    still_open = open_at_end(period)

    def when(condition: Any) -> Any:
        return sa.case((condition, 1), else_=0)

    # Each part's figures; 0 where a part does not count one.
    receipt = {
        "received": sa.literal(1),
        "acknowledgements": when(
            sa.or_(Case.acknowledged_at.is_not(None), Case.ack_due_at < cutoff)
        ),
        "acknowledged_on_time": when(Case.acknowledged_at <= Case.ack_due_at),
    }
    outcome = {
        "resolved": sa.literal(1),
        "on_time": when(Case.resolved_at <= Case.due_at),
        "ratings": when(Case.satisfaction.is_not(None)),
        "satisfied": when(Case.satisfaction >= 4),
        "days": Case.outcome_working_days,
    }
    at_end = {"open": sa.literal(1), "overdue": when(Case.due_at < cutoff)}
    answer = {"answers": sa.literal(1), "disputed": when(OutcomeAnswer.is_solved.is_(False))}
    cases = Case.__table__
    answered = sa.join(OutcomeAnswer, Case, OutcomeAnswer.case_id == Case.id)
    parts = [
        (sa.and_(Case.received_at >= start, Case.received_at < end,
                 Case.status != Status.MERGED.value), receipt, cases),
        (sa.and_(Case.resolved_at >= start, Case.resolved_at < end), outcome, cases),
        (sa.and_(still_open, Case.resolved_at.is_(None)), at_end, cases),
        (sa.and_(still_open, Case.resolved_at >= cutoff), at_end, cases),
        # Answers by when they were given (an outcome disputed is no longer
        # the case's outcome: its resolved_at was cleared on reopening).
        (sa.and_(OutcomeAnswer.answered_at >= start, OutcomeAnswer.answered_at < end),
         answer, answered),
    ]  # fmt: skip
    counted = ("received", "resolved", "on_time", "open", "overdue", "acknowledgements",
               "acknowledged_on_time", "ratings", "satisfied", "answers",
               "disputed")  # fmt: skip
    # Each part is added up on its own (a few thousand groups at most, in
    # memory), then the parts together.
    dimensions = list(DIMENSIONS.values())
    both = sa.union_all(
        *(
            sa.select(
                *(column.label(name) for name, column in DIMENSIONS.items()),
                figures.get("days", sa.null().cast(sa.Integer)).label("days"),
                *(sa.func.sum(figures.get(name, sa.literal(0))).label(name) for name in counted),
            )
            .select_from(source)
            .where(Case.kind.in_(kinds), *scope, condition)
            .group_by(*dimensions, *([figures["days"]] if "days" in figures else []))
            for condition, figures, source in parts
        )
    ).subquery()
    keys = [both.c[name] for name in DIMENSIONS]
    rows = db.session.execute(
        sa.select(
            *keys,
            both.c.days,
            *(sa.func.sum(both.c[name]).label(name) for name in counted),
        ).group_by(*keys, both.c.days)
    )
    # Rows are per kind, channel, category, division and working days: first
    # per case of the four (a few dozen), then rolled up per value of each.
    combinations: dict[tuple[Any, ...], Tally] = {}
    for row in rows:
        key = tuple(row[: len(DIMENSIONS)])
        tally = combinations.get(key)
        if tally is None:
            tally = combinations[key] = Tally()
        tally.add(row)
    figures = PeriodFigures(total=Tally(), by={name: {} for name in DIMENSIONS})
    for key, tally in combinations.items():
        figures.total.merge(tally)
        for name, value in zip(DIMENSIONS, key, strict=True):
            figures.by[name].setdefault(value, Tally()).merge(tally)
    return figures


def codes_of(model: type[Category] | type[Division]) -> dict[int, str]:
    return {row.id: row.code for row in db.session.execute(sa.select(model.id, model.code))}


def overdue_cases(
    period: Period, kinds: Sequence[str], scope: Scope = (), limit: int = 200
) -> tuple[OverdueCase, ...]:
    """The cases overdue and without an outcome at the end of the period, the
    longest overdue first (at most ``limit``; the count is in the breakdowns).
    Corruption reports are counted there but never listed: a report is seen
    case by case only by integrity officers (and administrators who give a
    reason), and this list is e-mailed."""
    rows = db.session.execute(
        sa.select(
            Case.tracking_code,
            Case.kind,
            Case.subject,
            Case.received_at,
            Case.due_at,
            Case.division_id,
            Case.category_id,
        )
        .where(
            Case.kind.in_(kinds),
            Case.kind != Kind.CORRUPTION.value,
            *scope,
            overdue_at_end(period),
        )
        .order_by(Case.due_at, Case.id)
        .limit(limit)
    )
    return tuple(OverdueCase(**row._mapping) for row in rows)
