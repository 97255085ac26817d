"""The indicators the agency publishes (DESIGN §1.6), assembled from the
figures of suggestion.reports.figures.

The kinds default to {complaint, corruption}. Percentages are rounded to one
decimal, and a percentage of nothing is None (null in JSON).
"""

from __future__ import annotations

from typing import Any

from suggestion.auth.models import Division
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.core.time import fiscal_year_bounds
from suggestion.reports.figures import codes_of
from suggestion.reports.figures import missed_deadlines
from suggestion.reports.figures import open_now
from suggestion.reports.figures import overdue_cases
from suggestion.reports.figures import period_figures
from suggestion.reports.figures import PeriodFigures
from suggestion.reports.figures import received
from suggestion.reports.periods import month_periods
from suggestion.reports.periods import Period
from suggestion.reports.periods import today
from suggestion.reports.scope import Scope

DEFAULT_KINDS = (Kind.COMPLAINT.value, Kind.CORRUPTION.value)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def resolved_within_deadline_strict(
    period: Period, kinds: list[str], plain: dict[str, Any], scope: Scope = ()
) -> dict[str, Any]:
    """Also counts, in the denominator only, the cases due in the period (and
    already past) that had no outcome by its end, or by now if it is running."""
    total = plain["resolved"] + missed_deadlines(period, kinds, scope)
    return {
        "on_time": plain["on_time"],
        "total": total,
        "percent": percent(plain["on_time"], total),
    }


def change(now_count: int, before: int) -> dict[str, Any]:
    return {
        "count": now_count,
        "previous": before,
        "change": now_count - before,
        "change_percent": percent(now_count - before, before),
    }


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
    data = period_indicators(period, kinds, scope)
    return {
        **data,
        "fiscal_year": fiscal_year,
        "running": period.first <= today() <= period.last,
        "received": change(data["received"], received(period.year_before(), kinds, scope)),
        "received_year_to_date": received_year_to_date(fiscal_year, kinds, scope),
    }


def received_year_to_date(fiscal_year: int, kinds: list[str], scope: Scope = ()) -> dict[str, Any]:
    """Received from 1 October to today (or the year's end), against the same
    dates a year earlier."""
    first, last = fiscal_year_bounds(fiscal_year)
    so_far = Period(first, min(today(), last))
    counts = change(received(so_far, kinds, scope), received(so_far.year_before(), kinds, scope))
    return {**counts, "until": so_far.last.isoformat()}


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
