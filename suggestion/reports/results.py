"""The indicators as typed values: what the API, the command, the pages, the
documents and the e-mail read, so that a renamed figure fails type checking
rather than a reader.

``to_json()`` writes the JSON of DESIGN §2 (``flask reports indicators
--format json`` and ``/api/v1/stats``): its keys, their nesting and order, and
the rounding are a contract, pinned by tests/test_indicators.py. Percentages
are rounded to one decimal, and a percentage of nothing is None (null).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from typing import Generic
from typing import TypeVar

from suggestion.reports.periods import Period

Json = dict[str, Any]


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


class Ratio:
    """A part of a whole, printed as the annual report does: ``100% (54/54)``.
    Each figure below names its part and whole in its own words."""

    @property
    def part(self) -> int:
        raise NotImplementedError

    @property
    def whole(self) -> int:
        raise NotImplementedError

    @property
    def percent(self) -> float | None:
        return percent(self.part, self.whole)


@dataclass(frozen=True)
class ResolvedOnTime(Ratio):
    """Of the outcomes in a period, those given by their deadline."""

    on_time: int
    resolved: int

    @property
    def part(self) -> int:
        return self.on_time

    @property
    def whole(self) -> int:
        return self.resolved

    def to_json(self) -> Json:
        return {"on_time": self.on_time, "resolved": self.resolved, "percent": self.percent}


@dataclass(frozen=True)
class OnTimeShare(Ratio):
    """Of a total, those on time: the strict variant of resolved within the
    deadline, and the acknowledgements."""

    on_time: int
    total: int

    @property
    def part(self) -> int:
        return self.on_time

    @property
    def whole(self) -> int:
        return self.total

    def to_json(self) -> Json:
        return {"on_time": self.on_time, "total": self.total, "percent": self.percent}


@dataclass(frozen=True)
class Satisfaction(Ratio):
    """Of the ratings given, those of 4 or 5."""

    satisfied: int
    ratings: int

    @property
    def part(self) -> int:
        return self.satisfied

    @property
    def whole(self) -> int:
        return self.ratings

    def to_json(self) -> Json:
        return {"satisfied": self.satisfied, "ratings": self.ratings, "percent": self.percent}


@dataclass(frozen=True)
class DisputedOutcomes(Ratio):
    """Of the filers' answers to "was your problem solved?" given in a period,
    those "not yet": outcomes disputed, each of which reopened its case."""

    disputed: int
    answers: int

    @property
    def part(self) -> int:
        return self.disputed

    @property
    def whole(self) -> int:
        return self.answers

    def to_json(self) -> Json:
        return {"disputed": self.disputed, "answers": self.answers, "percent": self.percent}


@dataclass(frozen=True)
class Change:
    """A count against the same span a year earlier: ``42 → 25 (−17, −40.5%)``."""

    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def change_percent(self) -> float | None:
        return percent(self.change, self.previous)

    def to_json(self) -> Json:
        return {
            "count": self.count,
            "previous": self.previous,
            "change": self.change,
            "change_percent": self.change_percent,
        }


@dataclass(frozen=True)
class ChangeSoFar(Change):
    """Received from 1 October until a day, against the same dates a year earlier."""

    until: date

    def to_json(self) -> Json:
        return {**super().to_json(), "until": self.until.isoformat()}


@dataclass(frozen=True)
class OpenNow:
    """Cases open now, and of them those past their deadline."""

    open: int
    overdue: int

    def to_json(self) -> Json:
        return {"open": self.open, "overdue": self.overdue}


@dataclass(frozen=True)
class SlaFigures(Ratio):
    """The monthly SLA report's columns for a group of cases in a period:
    received, resolved and resolved on time, overdue and open at the end, and
    the median working days to an outcome."""

    received: int
    resolved: int
    on_time: int
    open_at_end: int
    overdue_at_end: int
    median_working_days: float | None

    @property
    def part(self) -> int:
        return self.on_time

    @property
    def whole(self) -> int:
        return self.resolved

    def to_json(self) -> Json:
        return {
            "received": self.received,
            "resolved": self.resolved,
            "on_time": self.on_time,
            "open_at_end": self.open_at_end,
            "overdue_at_end": self.overdue_at_end,
            "percent": self.percent,
            "median_working_days": self.median_working_days,
        }


GroupId = TypeVar("GroupId", str, int)


@dataclass(frozen=True)
class BreakdownRow(SlaFigures, Generic[GroupId]):
    """The figures of one kind or channel (``str``), category or division
    (``int``): ``id`` is its value (None: not set), ``key`` its code."""

    key: str | None
    id: GroupId | None

    def to_json(self) -> Json:
        return {
            "key": self.key,
            "id": self.id,
            "received": self.received,
            "resolved": self.resolved,
            "on_time": self.on_time,
            "percent": self.percent,
            "open_at_end": self.open_at_end,
            "overdue_at_end": self.overdue_at_end,
            "median_working_days": self.median_working_days,
        }


@dataclass(frozen=True)
class Breakdowns:
    by_kind: tuple[BreakdownRow[str], ...]
    by_channel: tuple[BreakdownRow[str], ...]
    by_category: tuple[BreakdownRow[int], ...]
    by_division: tuple[BreakdownRow[int], ...]

    def to_json(self) -> Json:
        return {
            "by_kind": [row.to_json() for row in self.by_kind],
            "by_channel": [row.to_json() for row in self.by_channel],
            "by_category": [row.to_json() for row in self.by_category],
            "by_division": [row.to_json() for row in self.by_division],
        }


@dataclass(frozen=True)
class PeriodIndicators:
    """The indicators of any period (a month, an ITA half, a date range)."""

    period: Period
    kinds: tuple[str, ...]
    resolved_within_deadline: ResolvedOnTime
    resolved_within_deadline_strict: OnTimeShare
    received: int
    satisfaction: Satisfaction
    acknowledged_on_time: OnTimeShare
    median_working_days_to_outcome: float | None
    now: OpenNow
    disputed_outcomes: DisputedOutcomes
    breakdowns: Breakdowns | None = None

    def to_json(self) -> Json:
        data: Json = {
            "start": self.period.first.isoformat(),
            "end": self.period.last.isoformat(),
            "kinds": list(self.kinds),
            "resolved_within_deadline": self.resolved_within_deadline.to_json(),
            "resolved_within_deadline_strict": self.resolved_within_deadline_strict.to_json(),
            "received": self.received,
            "satisfaction": self.satisfaction.to_json(),
            "acknowledged_on_time": self.acknowledged_on_time.to_json(),
            "median_working_days_to_outcome": self.median_working_days_to_outcome,
            "now": self.now.to_json(),
            "disputed_outcomes": self.disputed_outcomes.to_json(),
        }
        if self.breakdowns is not None:
            data.update(self.breakdowns.to_json())
        return data


@dataclass(frozen=True)
class FiscalYearIndicators:
    """Every indicator of a fiscal year (B.E.): the period's, with the received
    count against the year before and so far against the same span of it."""

    fiscal_year: int
    running: bool  # today falls in the year
    indicators: PeriodIndicators
    received: Change
    received_year_to_date: ChangeSoFar

    def to_json(self) -> Json:
        return {
            **self.indicators.to_json(),
            "fiscal_year": self.fiscal_year,
            "running": self.running,
            "received": self.received.to_json(),  # in the period's place: a count there
            "received_year_to_date": self.received_year_to_date.to_json(),
        }


@dataclass(frozen=True)
class ItaFigures:
    """The ITA's two rounds for some kinds: October–March and the whole year."""

    half: PeriodIndicators
    year: PeriodIndicators

    def to_json(self) -> Json:
        return {"half": self.half.to_json(), "year": self.year.to_json()}


@dataclass(frozen=True)
class MonthFigures(Ratio):
    """One month's row of a fiscal year's monthly SLA table."""

    month: Period
    received: int
    resolved: int
    on_time: int

    @property
    def part(self) -> int:
        return self.on_time

    @property
    def whole(self) -> int:
        return self.resolved


@dataclass(frozen=True)
class OverdueCase:
    """A case overdue and without an outcome at the end of a period: what the
    monthly report lists of it (no personal data)."""

    tracking_code: str
    kind: str
    subject: str
    received_at: datetime
    due_at: datetime
    division_id: int | None
    category_id: int | None


@dataclass(frozen=True)
class MonthlyReport:
    """The monthly SLA report: per division and per category, the total, and
    the overdue cases (corruption reports counted but never listed)."""

    period: Period
    kinds: tuple[str, ...]
    total: SlaFigures
    by_division: tuple[BreakdownRow[int], ...]
    by_category: tuple[BreakdownRow[int], ...]
    overdue: tuple[OverdueCase, ...]
    disputed_outcomes: DisputedOutcomes


@dataclass(frozen=True)
class PublishedIndicators:
    """What the agency publishes to everyone for a fiscal year: its indicators,
    and the ITA's two rounds for each kind the ITA counts apart (``ita``:
    kind → figures, complaints first). ``/api/v1/stats`` writes it as JSON,
    ``/stats`` as a page and CSV. No personal data."""

    indicators: FiscalYearIndicators
    ita: tuple[tuple[str, ItaFigures], ...]

    def to_json(self) -> Json:
        data = self.indicators.to_json()
        data["ita"] = {kind: figures.to_json() for kind, figures in self.ita}
        return data
