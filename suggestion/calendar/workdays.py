"""Working-day arithmetic, as the law counts it (DESIGN §1.4).

Pure functions over plain dates and a set of holidays: the day of receipt is not
counted, and a period of N working days ends at the end of the N-th working day
after it (Civil and Commercial Code s.193/3, s.193/8).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from datetime import timedelta

ONE_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Container[date]) -> bool:
    """Monday to Friday, and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays: Container[date]) -> date:
    """The N-th working day after ``start`` (``start`` itself is never counted).

    A start on a weekend or holiday counts from the next working day, which
    this gives naturally: only working days after ``start`` are counted.
    """
    if n < 0:
        raise ValueError("a period of working days cannot be negative")
    day = start
    remaining = n
    while remaining:
        day += ONE_DAY
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def subtract_working_days(end: date, n: int, holidays: Container[date]) -> date:
    """The N-th working day before ``end`` (``end`` itself is not counted)."""
    if n < 0:
        raise ValueError("a period of working days cannot be negative")
    day = end
    remaining = n
    while remaining:
        day -= ONE_DAY
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def working_days_between(after: date, until: date, holidays: Container[date]) -> int:
    """The number of working days d with ``after < d <= until`` (0 if none)."""
    count = 0
    day = after + ONE_DAY
    while day <= until:
        if is_working_day(day, holidays):
            count += 1
        day += ONE_DAY
    return count


def add_calendar_days(start: date, n: int) -> date:
    """The N-th calendar day after ``start`` (``start`` itself is never
    counted, s.193/3): a period of days that the law counts without setting
    weekends and holidays aside, such as a data-subject request's 30 days
    (PDPA s.30)."""
    if n < 0:
        raise ValueError("a period of calendar days cannot be negative")
    return start + timedelta(days=n)
