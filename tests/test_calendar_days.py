"""Calendar-day periods (PDPA s.30: 30 days), beside the working-day ones:
the day of receipt is not counted, weekends and holidays are, and the period
ends at the end of the agency's day."""

from datetime import date
from datetime import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from suggestion.calendar.workdays import add_calendar_days
from suggestion.deadlines.computation import calendar_deadlines

BANGKOK = ZoneInfo("Asia/Bangkok")


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (date(2026, 1, 31), 30, date(2026, 3, 2)),  # over February (28 days)
        (date(2028, 1, 31), 30, date(2028, 3, 1)),  # a leap February
        (date(2026, 12, 15), 30, date(2027, 1, 14)),  # over New Year
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # New Year's Day counts
        (date(2026, 4, 10), 30, date(2026, 5, 10)),  # Songkran counts, a Sunday ends it
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_calendar_days_count_every_day(start: date, n: int, end: date) -> None:
    assert add_calendar_days(start, n) == end


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_calendar_days(date(2026, 1, 1), -1)


def test_a_late_evening_request_counts_from_the_local_day() -> None:
    # 20:00 UTC on 31 Dec is 03:00 on 1 Jan in Bangkok: the day of receipt is 1 Jan.
    received = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    due = calendar_deadlines(received, 30, BANGKOK, now=received)
    assert due.due_at == datetime(2027, 1, 31, 23, 59, 59, tzinfo=BANGKOK)
    assert due.remind_at == datetime(2027, 1, 24, 0, 0, tzinfo=BANGKOK)
    assert due.final_remind_at == datetime(2027, 1, 29, 0, 0, tzinfo=BANGKOK)
    assert due.escalate_at == datetime(2027, 2, 1, 0, 0, tzinfo=BANGKOK)


def test_thresholds_already_past_are_now() -> None:
    received = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    now = datetime(2026, 1, 30, 0, 0, tzinfo=UTC)
    due = calendar_deadlines(received, 30, BANGKOK, now=now)
    assert due.remind_at == now
    assert due.final_remind_at == now
    assert due.due_at > now
