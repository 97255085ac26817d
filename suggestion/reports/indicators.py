"""The indicators the agency publishes (DESIGN §1.6), assembled as the typed
values of suggestion.reports.results from the figures of
suggestion.reports.figures. The kinds default to {complaint, corruption}."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from suggestion.auth.models import Division
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.reports.figures import codes_of
from suggestion.reports.figures import count_received
from suggestion.reports.figures import missed_deadlines
from suggestion.reports.figures import open_now
from suggestion.reports.figures import overdue_cases
from suggestion.reports.figures import period_figures
from suggestion.reports.figures import PeriodFigures
from suggestion.reports.figures import Tally
from suggestion.reports.periods import month_periods
from suggestion.reports.periods import Period
from suggestion.reports.periods import today
from suggestion.reports.results import BreakdownRow
from suggestion.reports.results import Breakdowns
from suggestion.reports.results import Change
from suggestion.reports.results import ChangeSoFar
from suggestion.reports.results import DisputedOutcomes
from suggestion.reports.results import FiscalYearIndicators
from suggestion.reports.results import ItaFigures
from suggestion.reports.results import MonthFigures
from suggestion.reports.results import MonthlyReport
from suggestion.reports.results import OnTimeShare
from suggestion.reports.results import PeriodIndicators
from suggestion.reports.results import ResolvedOnTime
from suggestion.reports.results import Satisfaction
from suggestion.reports.results import SlaFigures
from suggestion.reports.scope import Scope

DEFAULT_KINDS = (Kind.COMPLAINT.value, Kind.CORRUPTION.value)
# The ITA publication counts each of these apart.
ITA_KINDS = ((Kind.COMPLAINT.value,), (Kind.CORRUPTION.value,))


def sla_figures(tally: Tally) -> SlaFigures:
    return SlaFigures(
        received=tally.received,
        resolved=tally.resolved,
        on_time=tally.on_time,
        open_at_end=tally.open_at_end,
        overdue_at_end=tally.overdue_at_end,
        median_working_days=tally.median_working_days,
    )


def disputed_outcomes(tally: Tally) -> DisputedOutcomes:
    return DisputedOutcomes(disputed=tally.disputed, answers=tally.answers)


def breakdown(
    figures: PeriodFigures, dimension: str, labels: Mapping[Any, str] | None = None
) -> tuple[BreakdownRow[Any], ...]:
    """Per kind, channel, category or division: received, resolved, resolved
    on time, the cases overdue and still open at the end of the period, and
    the median working days to an outcome (the monthly SLA report's columns),
    in the order of the value or its label, the unknown last."""

    def shown(value: Any) -> str | None:
        return labels.get(value) if labels is not None else value

    def order(value: Any) -> tuple[bool, str]:
        label = shown(value)
        return label is None, label if label is not None else ""

    groups = figures.by[dimension]
    return tuple(
        BreakdownRow(
            key=shown(value),
            id=value,
            received=tally.received,
            resolved=tally.resolved,
            on_time=tally.on_time,
            open_at_end=tally.open_at_end,
            overdue_at_end=tally.overdue_at_end,
            median_working_days=tally.median_working_days,
        )
        for value, tally in sorted(groups.items(), key=lambda item: order(item[0]))
    )


def monthly_report(period: Period, kinds: Sequence[str], scope: Scope = ()) -> MonthlyReport:
    """The monthly SLA report: per division and per category, the total, and
    the overdue cases."""
    figures = period_figures(period, kinds, scope)
    return MonthlyReport(
        period=period,
        kinds=tuple(kinds),
        total=sla_figures(figures.total),
        by_division=breakdown(figures, "division", codes_of(Division)),
        by_category=breakdown(figures, "category", codes_of(Category)),
        overdue=overdue_cases(period, kinds, scope),
        disputed_outcomes=disputed_outcomes(figures.total),
    )


def period_indicators(
    period: Period, kinds: Sequence[str], scope: Scope = (), *, breakdowns: bool = True
) -> PeriodIndicators:
    """The indicators of any period (a month, an ITA half, a date range)."""
    figures = period_figures(period, kinds, scope)
    whole = figures.total
    return PeriodIndicators(
        period=period,
        kinds=tuple(kinds),
        resolved_within_deadline=ResolvedOnTime(on_time=whole.on_time, resolved=whole.resolved),
        # The strict variant also counts, in the denominator only, the cases
        # due in the period that had no outcome by its end (or by now).
        resolved_within_deadline_strict=OnTimeShare(
            on_time=whole.on_time, total=whole.resolved + missed_deadlines(period, kinds, scope)
        ),
        received=whole.received,
        satisfaction=Satisfaction(satisfied=whole.satisfied, ratings=whole.ratings),
        acknowledged_on_time=OnTimeShare(
            on_time=whole.acknowledged_on_time, total=whole.acknowledgements
        ),
        median_working_days_to_outcome=whole.median_working_days,
        now=open_now(kinds, scope),
        disputed_outcomes=disputed_outcomes(whole),
        breakdowns=Breakdowns(
            by_kind=breakdown(figures, "kind"),
            by_channel=breakdown(figures, "channel"),
            by_category=breakdown(figures, "category", codes_of(Category)),
            by_division=breakdown(figures, "division", codes_of(Division)),
        )
        if breakdowns
        else None,
    )


def fiscal_year_indicators(
    fiscal_year: int, kinds: Sequence[str] | None = None, scope: Scope = ()
) -> FiscalYearIndicators:
    """Every indicator for a fiscal year (B.E.), with what DESIGN §2 promises."""
    kinds = tuple(kinds or DEFAULT_KINDS)
    period = Period.fiscal_year(fiscal_year)
    indicators = period_indicators(period, kinds, scope)
    return FiscalYearIndicators(
        fiscal_year=fiscal_year,
        running=period.first <= today() <= period.last,
        indicators=indicators,
        received=Change(
            count=indicators.received,
            previous=count_received(period.year_before(), kinds, scope),
        ),
        received_year_to_date=received_year_to_date(fiscal_year, kinds, scope),
    )


def received_year_to_date(fiscal_year: int, kinds: Sequence[str], scope: Scope = ()) -> ChangeSoFar:
    """Received from 1 October to today (or the year's end), against the same
    dates a year earlier."""
    year = Period.fiscal_year(fiscal_year)
    so_far = Period(year.first, min(today(), year.last))
    return ChangeSoFar(
        count=count_received(so_far, kinds, scope),
        previous=count_received(so_far.year_before(), kinds, scope),
        until=so_far.last,
    )


def ita_figures(fiscal_year: int, scope: Scope, kinds: Sequence[str]) -> ItaFigures:
    """The first half (October–March) and the whole year, for some kinds."""
    return ItaFigures(
        half=period_indicators(Period.first_half(fiscal_year), kinds, scope, breakdowns=False),
        year=period_indicators(Period.fiscal_year(fiscal_year), kinds, scope, breakdowns=False),
    )


def monthly_sla(fiscal_year: int, kinds: Sequence[str], scope: Scope = ()) -> list[MonthFigures]:
    """The monthly SLA report: received, resolved, on time, per month."""
    rows = []
    for month in month_periods(fiscal_year):
        whole = period_figures(month, kinds, scope).total
        rows.append(
            MonthFigures(
                month=month, received=whole.received, resolved=whole.resolved, on_time=whole.on_time
            )
        )
    return rows
