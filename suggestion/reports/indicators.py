"""The indicators the agency publishes (DESIGN §1.6), each one aggregate SQL
over indexed columns; no case is loaded into Python.

A period is a pair of local dates, inclusive; the kinds default to
{complaint, corruption}. Percentages are rounded to one decimal, and a
percentage of nothing is None (null in JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
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
from suggestion.core.time import fiscal_year_bounds
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.core.time import zone
from suggestion.extensions import db

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


Scope = tuple[Any, ...]  # extra WHERE conditions, e.g. a manager's division


def _count(*conditions: Any) -> int:
    return int(
        db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*conditions)) or 0
    )


def resolved_within_deadline(period: Period, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    start, end = period.bounds()
    in_period = [Case.kind.in_(kinds), *scope, Case.resolved_at >= start, Case.resolved_at < end]
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Case.resolved_at <= Case.due_at),
        ).where(*in_period)
    ).one()
    resolved, on_time = int(row[0]), int(row[1])
    return {"on_time": on_time, "resolved": resolved, "percent": percent(on_time, resolved)}


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


def satisfaction(period: Period, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    start, end = period.bounds()
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Case.satisfaction >= 4)).where(
            Case.kind.in_(kinds),
            *scope,
            Case.resolved_at >= start,
            Case.resolved_at < end,
            Case.satisfaction.is_not(None),
        )
    ).one()
    ratings, satisfied = int(row[0]), int(row[1])
    return {"satisfied": satisfied, "ratings": ratings, "percent": percent(satisfied, ratings)}


def acknowledged_on_time(period: Period, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    """Of the cases received in the period whose acknowledgement was due by
    its end (or by now) or that have been acknowledged, those acknowledged by
    the acknowledgement deadline."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    row = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.count().filter(Case.acknowledged_at <= Case.ack_due_at)
        ).where(
            Case.kind.in_(kinds),
            *scope,
            Case.received_at >= start,
            Case.received_at < end,
            Case.status != Status.MERGED.value,
            sa.or_(Case.acknowledged_at.is_not(None), Case.ack_due_at < cutoff),
        )
    ).one()
    total, on_time = int(row[0]), int(row[1])
    return {"on_time": on_time, "total": total, "percent": percent(on_time, total)}


def median_working_days(period: Period, kinds: list[str], scope: Scope = ()) -> float | None:
    """The median working days from receipt to outcome, of the outcomes given
    in the period: two indexed queries (a count, then the middle rows)."""
    start, end = period.bounds()
    where = (
        Case.kind.in_(kinds),
        *scope,
        Case.resolved_at >= start,
        Case.resolved_at < end,
        Case.outcome_working_days.is_not(None),
    )
    n = _count(*where)
    if not n:
        return None
    middle = list(
        db.session.scalars(
            sa.select(Case.outcome_working_days)
            .where(*where)
            .order_by(Case.outcome_working_days)
            .offset((n - 1) // 2)
            .limit(2 - n % 2)
        )
    )
    return round(sum(v or 0 for v in middle) / len(middle), 1)


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


def _group_medians(
    period: Period, kinds: list[str], key: Any, scope: Scope
) -> dict[Any, float | None]:
    """The median working days to an outcome per group, in one query: each
    group's middle row (or two) found by a window function."""
    start, end = period.bounds()
    if db.session.get_bind().dialect.name == "postgresql":
        # One ordered aggregate per group, read from the outcome index: a
        # quarter of the window functions' time at 1,000,000 cases.
        days = Case.outcome_working_days
        found = db.session.execute(
            sa.select(key, sa.func.percentile_cont(0.5).within_group(days))
            .where(
                Case.kind.in_(kinds),
                *scope,
                Case.resolved_at >= start,
                Case.resolved_at < end,
                days.is_not(None),
            )
            .group_by(key)
        )
        return {k: round(float(v), 1) for k, v in found}
    ranked = (
        sa.select(
            key.label("key"),
            Case.outcome_working_days.label("days"),
            sa.func.row_number()
            .over(partition_by=key, order_by=Case.outcome_working_days)
            .label("rn"),
            sa.func.count().over(partition_by=key).label("n"),
        )
        .select_from(Case)
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(Division, Division.id == Case.division_id)
        .where(
            Case.kind.in_(kinds),
            *scope,
            Case.resolved_at >= start,
            Case.resolved_at < end,
            Case.outcome_working_days.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.key, sa.func.avg(ranked.c.days))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) / 2, (ranked.c.n + 2) / 2]))
        .group_by(ranked.c.key)
    )
    return {k: round(float(v), 1) for k, v in rows}


def breakdown(
    period: Period, kinds: list[str], column: Any, label: Any = None, scope: Scope = ()
) -> list[dict[str, Any]]:
    """Per value of ``column``: received, resolved, resolved on time, the cases
    overdue and still open at the end of the period, and the median working
    days to an outcome (the monthly SLA report's columns)."""
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    overdue = overdue_at_end(period)
    # Four indexed reads added up per value, instead of one read with an OR
    # that no index serves (which read the whole table: 0.2 s a breakdown at
    # 1,000,000 cases). Each is a range of the receipt or the outcome index,
    # which carry the columns counted here; an overdue case has no outcome
    # yet, or one after the cutoff. A case in several parts counts once in
    # each column, as it did.
    common = (Case.kind.in_(kinds), *scope)
    parts = [
        (sa.and_(Case.received_at >= start, Case.received_at < end,
                 Case.status != Status.MERGED.value), 1, 0, 0, 0),
        (sa.and_(Case.resolved_at >= start, Case.resolved_at < end), 0, 1, None, 0),
        (sa.and_(overdue, Case.resolved_at.is_(None)), 0, 0, 0, 1),
        (sa.and_(overdue, Case.resolved_at >= cutoff), 0, 0, 0, 1),
    ]  # fmt: skip
    both = sa.union_all(
        *(
            sa.select(
                column.label("key"),
                sa.literal(r).label("received"),
                sa.literal(s).label("resolved"),
                (
                    sa.case((Case.resolved_at <= Case.due_at, 1), else_=0)
                    if o is None
                    else sa.literal(o)
                ).label("on_time"),
                sa.literal(d).label("overdue"),
            ).where(*common, condition)
            for condition, r, s, o, d in parts
        )
    ).subquery()
    totals = (
        sa.select(
            both.c.key,
            sa.func.sum(both.c.received).label("received"),
            sa.func.sum(both.c.resolved).label("resolved"),
            sa.func.sum(both.c.on_time).label("on_time"),
            sa.func.sum(both.c.overdue).label("overdue"),
        )
        .group_by(both.c.key)
        .subquery()
    )
    figures = (totals.c.received, totals.c.resolved, totals.c.on_time, totals.c.overdue)
    if label is None:
        query = sa.select(totals.c.key, *figures).order_by(totals.c.key)
    else:
        named = label.class_
        query = (
            sa.select(totals.c.key, label, *figures)
            .select_from(totals.outerjoin(named, named.id == totals.c.key))
            .order_by(label)
        )
    rows = db.session.execute(query)
    medians = _group_medians(period, kinds, column, scope)
    return [
        {
            "key": row[-5],
            "id": row[0],
            "received": int(row[-4]),
            "resolved": int(row[-3]),
            "on_time": int(row[-2]),
            "percent": percent(int(row[-2]), int(row[-3])),
            "overdue_at_end": int(row[-1]),
            "median_working_days": medians.get(row[0]),
        }
        for row in rows
    ]


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
    by_division = breakdown(period, kinds, Case.division_id, Division.code, scope=scope)
    total = {
        name: sum(row[name] for row in by_division)
        for name in ("received", "resolved", "on_time", "overdue_at_end")
    }
    total["percent"] = percent(total["on_time"], total["resolved"])
    total["median_working_days"] = median_working_days(period, kinds, scope)
    return {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "kinds": kinds,
        "total": total,
        "by_division": by_division,
        "by_category": breakdown(period, kinds, Case.category_id, Category.code, scope=scope),
        "overdue": overdue_cases(period, kinds, scope),
    }


def period_indicators(
    period: Period, kinds: list[str], scope: Scope = (), *, breakdowns: bool = True
) -> dict[str, Any]:
    """The indicators of any period (a month, an ITA half, a date range)."""
    plain = resolved_within_deadline(period, kinds, scope)
    data = {
        "start": period.first.isoformat(),
        "end": period.last.isoformat(),
        "kinds": kinds,
        "resolved_within_deadline": plain,
        "resolved_within_deadline_strict": resolved_within_deadline_strict(
            period, kinds, plain, scope
        ),
        "received": received(period, kinds, scope),
        "satisfaction": satisfaction(period, kinds, scope),
        "acknowledged_on_time": acknowledged_on_time(period, kinds, scope),
        "median_working_days_to_outcome": median_working_days(period, kinds, scope),
        "now": open_now(kinds, scope),
    }
    if breakdowns:
        data["by_kind"] = breakdown(period, kinds, Case.kind, scope=scope)
        data["by_channel"] = breakdown(period, kinds, Case.channel, scope=scope)
        data["by_category"] = breakdown(period, kinds, Case.category_id, Category.code, scope=scope)
        data["by_division"] = breakdown(period, kinds, Case.division_id, Division.code, scope=scope)
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
        resolved = resolved_within_deadline(month, kinds, scope)
        rows.append(
            {
                "month": month.first,
                "last": month.last,
                "received": received(month, kinds, scope),
                **resolved,
            }
        )
    return rows


def current_fiscal_year() -> int:
    return fiscal_year_of(local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"])))
