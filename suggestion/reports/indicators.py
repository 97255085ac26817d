"""The indicators the agency publishes (DESIGN §1.6), each one aggregate SQL
over indexed columns; no case is loaded into Python.

A period is a pair of local dates, inclusive; the kinds default to
{complaint, corruption}. Percentages are rounded to one decimal, and a
percentage of nothing is None (null in JSON).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from suggestion.auth.models import Division
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.core.time import fiscal_year_bounds
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.core.time import zone
from suggestion.reports.scope import Scope

DEFAULT_KINDS = (Kind.COMPLAINT.value, Kind.CORRUPTION.value)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        tz = zone(current_app.config["AGENCY_TIMEZONE"])
        return start_of_day(self.first, tz), start_of_day(self.last + timedelta(days=1), tz)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls(date(year, month, 1), nxt - timedelta(days=1))

    @classmethod
    def fiscal_year(cls, fiscal_year: int) -> Period:
        return cls(*fiscal_year_bounds(fiscal_year))

    @classmethod
    def first_half(cls, fiscal_year: int) -> Period:
        """The ITA's first round: October to March."""
        first, _ = fiscal_year_bounds(fiscal_year)
        return cls(first, date(first.year + 1, 3, 31))

    def year_before(self) -> Period:
        """The same span a year earlier (29 February becomes the 28th)."""

        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        return Period(back(self.first), back(self.last))


def _count(*conditions: Any) -> int:
    return int(
        db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions)) or 0
    )


def resolved_within_deadline_strict(
    period: Period, kinds: list[str], plain: dict[str, Any], scope: Scope = ()
) -> dict[str, Any]:
    """Also counts, in the denominator only, the cases due in the period (and
    already past) that had no outcome by its end, or by now if it is running."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    missed = _count(
        Case.kind.in_(kinds),
        *scope,
        Case.status != Status.MERGED.value,
        Case.due_at >= start,
        Case.due_at < cutoff,
        sa.or_(Case.resolved_at.is_(None), Case.resolved_at >= cutoff),
    )
    total = plain["resolved"] + missed
    return {
        "on_time": plain["on_time"],
        "total": total,
        "percent": percent(plain["on_time"], total),
    }


def received(period: Period, kinds: list[str], scope: Scope = ()) -> int:
    start, end = period.bounds()
    # A duplicate merged into another case counts once, as that case.
    return _count(
        Case.kind.in_(kinds),
        *scope,
        Case.status != Status.MERGED.value,
        Case.received_at >= start,
        Case.received_at < end,
    )


def change(now_count: int, before: int) -> dict[str, Any]:
    return {
        "count": now_count,
        "previous": before,
        "change": now_count - before,
        "change_percent": percent(now_count - before, before),
    }


def open_now(kinds: list[str], scope: Scope = ()) -> dict[str, int]:
    now = utcnow()
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Case.due_at < now)).where(
            Case.kind.in_(kinds), *scope, Case.status.in_([s.value for s in OPEN_STATES])
        )
    ).one()
    return {"open": int(row[0]), "overdue": int(row[1])}


def _no_outcome_by(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Open at ``cutoff``: no outcome and not closed (withdrawn) by then."""
    return sa.and_(
        Case.status != Status.MERGED.value,
        sa.or_(Case.resolved_at.is_(None), Case.resolved_at >= cutoff),
        sa.or_(Case.closed_at.is_(None), Case.closed_at >= cutoff),
    )


def overdue_at_end(period: Period) -> sa.ColumnElement[bool]:
    """Received before the end of the period, past its deadline then, and still
    without an outcome then (or now, for a period still running)."""
    _, end = period.bounds()
    cutoff = min(end, utcnow())
    return sa.and_(Case.received_at < cutoff, Case.due_at < cutoff, _no_outcome_by(cutoff))


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
    overdue_at_end: int = 0
    # Received cases whose acknowledgement is due by the cutoff or was given,
    # and of those, acknowledged by the acknowledgement deadline.
    acknowledgements: int = 0
    acknowledged_on_time: int = 0
    # Outcomes the filer rated, and rated 4 or 5.
    ratings: int = 0
    satisfied: int = 0
    # Working days from receipt to outcome → how many outcomes took that long.
    days: Counter[int] = field(default_factory=Counter)

    def add(self, row: Any) -> None:
        """Add a row of sums (PostgreSQL sums integers as numerics)."""
        self.received += int(row.received)
        self.resolved += int(row.resolved)
        self.on_time += int(row.on_time)
        self.overdue_at_end += int(row.overdue)
        self.acknowledgements += int(row.acknowledgements)
        self.acknowledged_on_time += int(row.acknowledged_on_time)
        self.ratings += int(row.ratings)
        self.satisfied += int(row.satisfied)
        if row.days is not None:
            self.days[row.days] += int(row.resolved)

    def merge(self, other: Tally) -> None:
        for name in (
            "received", "resolved", "on_time", "overdue_at_end", "acknowledgements",
            "acknowledged_on_time", "ratings", "satisfied",
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
    """The received, resolved, on-time and overdue counts of a period and the
    outcomes' working days, in total and by kind, channel, category and
    division, from one statement."""

    total: Tally
    by: dict[str, dict[Any, Tally]]


def period_figures(period: Period, kinds: list[str], scope: Scope = ()) -> PeriodFigures:
    """One statement: four indexed reads added up per kind, channel, category,
    division and working days to the outcome (a few thousand rows at most),
    instead of one read per figure and breakdown. Each read is a range of the
    receipt or the outcome index, which carry the columns grouped here; an
    overdue case has no outcome yet, or one after the cutoff. A case in
    several parts counts once in each column."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    overdue = overdue_at_end(period)

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
    late = {"overdue": sa.literal(1)}
    parts = [
        (sa.and_(Case.received_at >= start, Case.received_at < end,
                 Case.status != Status.MERGED.value), receipt),
        (sa.and_(Case.resolved_at >= start, Case.resolved_at < end), outcome),
        (sa.and_(overdue, Case.resolved_at.is_(None)), late),
        (sa.and_(overdue, Case.resolved_at >= cutoff), late),
    ]  # fmt: skip
    counted = ("received", "resolved", "on_time", "overdue", "acknowledgements",
               "acknowledged_on_time", "ratings", "satisfied")  # fmt: skip
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
            .where(Case.kind.in_(kinds), *scope, condition)
            .group_by(*dimensions, *([figures["days"]] if "days" in figures else []))
            for condition, figures in parts
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


def breakdown(
    figures: PeriodFigures, dimension: str, labels: dict[Any, str] | None = None
) -> list[dict[str, Any]]:
    """Per kind, channel, category or division: received, resolved, resolved
    on time, the cases overdue and still open at the end of the period, and
    the median working days to an outcome (the monthly SLA report's columns),
    in the order of the key or its label, the unknown last."""

    def order(key: Any) -> tuple[bool, Any]:
        shown = labels.get(key) if labels is not None else key
        return shown is None, shown if shown is not None else ""

    groups = figures.by[dimension]
    return [
        {
            "key": labels.get(key) if labels is not None else key,
            "id": key,
            "received": tally.received,
            "resolved": tally.resolved,
            "on_time": tally.on_time,
            "percent": percent(tally.on_time, tally.resolved),
            "overdue_at_end": tally.overdue_at_end,
            "median_working_days": tally.median_working_days,
        }
        for key, tally in sorted(groups.items(), key=lambda item: order(item[0]))
    ]


def codes_of(model: type[Category] | type[Division]) -> dict[int, str]:
    return {row.id: row.code for row in db.session.execute(sa.select(model.id, model.code))}


def overdue_cases(period: Period, kinds: list[str], scope: Scope = (), limit: int = 200) -> Any:
    """The cases overdue and without an outcome at the end of the period, the
    longest overdue first (at most ``limit``; the count is in the breakdowns).
    Corruption reports are counted there but never listed: a report is seen
    case by case only by integrity officers (and administrators who give a
    reason), and this list is e-mailed."""
    return db.session.execute(
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
    ).all()


def monthly_report(period: Period, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    """The monthly SLA report: per division and per category, the total, and
    the overdue cases."""
    figures = period_figures(period, kinds, scope)
    whole = figures.total
    total = {
        "received": whole.received,
        "resolved": whole.resolved,
        "on_time": whole.on_time,
        "overdue_at_end": whole.overdue_at_end,
        "percent": percent(whole.on_time, whole.resolved),
        "median_working_days": whole.median_working_days,
    }
    return {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "kinds": kinds,
        "total": total,
        "by_division": breakdown(figures, "division", codes_of(Division)),
        "by_category": breakdown(figures, "category", codes_of(Category)),
        "overdue": overdue_cases(period, kinds, scope),
    }


def period_indicators(
    period: Period, kinds: list[str], scope: Scope = (), *, breakdowns: bool = True
) -> dict[str, Any]:
    """The indicators of any period (a month, an ITA half, a date range)."""
    figures = period_figures(period, kinds, scope)
    whole = figures.total
    plain = {
        "on_time": whole.on_time,
        "resolved": whole.resolved,
        "percent": percent(whole.on_time, whole.resolved),
    }
    data = {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "kinds": kinds,
        "resolved_within_deadline": plain,
        "resolved_within_deadline_strict": resolved_within_deadline_strict(
            period, kinds, plain, scope
        ),
        "received": whole.received,
        "satisfaction": {
            "satisfied": whole.satisfied,
            "ratings": whole.ratings,
            "percent": percent(whole.satisfied, whole.ratings),
        },
        "acknowledged_on_time": {
            "on_time": whole.acknowledged_on_time,
            "total": whole.acknowledgements,
            "percent": percent(whole.acknowledged_on_time, whole.acknowledgements),
        },
        "median_working_days_to_outcome": whole.median_working_days,
        "now": open_now(kinds, scope),
    }
    if breakdowns:
        data["by_kind"] = breakdown(figures, "kind")
        data["by_channel"] = breakdown(figures, "channel")
        data["by_category"] = breakdown(figures, "category", codes_of(Category))
        data["by_division"] = breakdown(figures, "division", codes_of(Division))
    return data


def fiscal_year_indicators(
    fiscal_year: int, kinds: list[str] | None = None, scope: Scope = ()
) -> dict[str, Any]:
    """Every indicator for a fiscal year (B.E.), with the keys DESIGN §2 promises."""
    kinds = list(kinds or DEFAULT_KINDS)
    period = Period.fiscal_year(fiscal_year)
    today = local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"]))
    data = period_indicators(period, kinds, scope)
    return {
        **data,
        "fiscal_year": fiscal_year,
        "running": period.first <= today <= period.last,
        "received": change(data["received"], received(period.year_before(), kinds, scope)),
        "received_year_to_date": received_year_to_date(fiscal_year, kinds, scope),
    }


def received_year_to_date(fiscal_year: int, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    """Received from 1 October to today (or the year's end), against the same
    dates a year earlier."""
    first, last = fiscal_year_bounds(fiscal_year)
    today = local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"]))
    so_far = Period(first, min(today, last))
    counts = change(received(so_far, kinds, scope), received(so_far.year_before(), kinds, scope))
    return {**counts, "until": so_far.last.isoformat()}


def month_periods(fiscal_year: int) -> list[Period]:
    """The twelve months of a fiscal year, October first."""
    first, _ = fiscal_year_bounds(fiscal_year)
    return [
        Period.month(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
        for i in range(12)
    ]


def previous_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period.month(last.year, last.month)


def monthly_sla(fiscal_year: int, kinds: list[str], scope: Scope = ()) -> list[dict[str, Any]]:
    """The monthly SLA report: received, resolved, on time, per month."""
    rows = []
    for month in month_periods(fiscal_year):
        whole = period_figures(month, kinds, scope).total
        rows.append(
            {
                "month": month.first,
                "last": month.last,
                "received": whole.received,
                "on_time": whole.on_time,
                "resolved": whole.resolved,
                "percent": percent(whole.on_time, whole.resolved),
            }
        )
    return rows


def current_fiscal_year() -> int:
    return fiscal_year_of(local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"])))
