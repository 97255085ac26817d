"""The periods reports are over: months, fiscal years (B.E.) and their halves,
any dates; a pair of local dates, inclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from suggestion.core.settings import agency_today
from suggestion.core.settings import agency_zone
from suggestion.core.time import fiscal_year_bounds
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import start_of_day


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        tz = agency_zone()
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


def today() -> date:
    """Today in the agency's zone."""
    return agency_today()


def current_fiscal_year() -> int:
    return fiscal_year_of(today())


def month_periods(fiscal_year: int) -> list[Period]:
    """The twelve months of a fiscal year, October first."""
    first, _ = fiscal_year_bounds(fiscal_year)
    return [
        Period.month(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
        for i in range(12)
    ]


def previous_month(day: date) -> Period:
    last = day.replace(day=1) - timedelta(days=1)
    return Period.month(last.year, last.month)
