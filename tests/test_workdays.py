"""The law's counting (DESIGN §1.4) over the real Thai calendar."""

from datetime import date

import holidays
import pytest

from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import is_working_day
from suggestion.calendar.workdays import subtract_working_days
from suggestion.calendar.workdays import working_days_between

TH = set(
    holidays.country_holidays("TH", years=(2025, 2026, 2027), categories=("public", "government"))
)


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        (date(2026, 4, 10), 15, date(2026, 5, 8)),  # DESIGN's example over Songkran
        (date(2026, 4, 10), 1, date(2026, 4, 16)),  # Songkran 13–15 April
        (date(2026, 5, 29), 1, date(2026, 6, 2)),  # Visakha Bucha in lieu, Monday 1 June
        (date(2026, 12, 4), 1, date(2026, 12, 8)),  # 5 Dec is a Saturday, in lieu Monday 7 Dec
        (date(2026, 5, 12), 1, date(2026, 5, 14)),  # Royal Ploughing Day, government only
        (date(2025, 12, 30), 1, date(2026, 1, 5)),  # year end: 31 Dec, 1–2 Jan, weekend
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # filed on a Saturday
        (date(2026, 4, 13), 1, date(2026, 4, 16)),  # filed on a holiday
    ],
)
def test_deadlines_follow_the_thai_calendar(received, n, due):
    assert add_working_days(received, n, TH) == due


def test_a_cabinet_special_day_added_by_an_administrator_is_not_counted():
    special = TH | {date(2026, 11, 27)}  # a Friday declared a holiday
    assert add_working_days(date(2026, 11, 26), 1, TH) == date(2026, 11, 27)
    assert add_working_days(date(2026, 11, 26), 1, special) == date(2026, 11, 30)
    assert not is_working_day(date(2026, 11, 27), special)


def test_pause_and_resume_move_the_deadline_by_the_working_days_between():
    # Paused Thursday 9 April, resumed Monday 20 April: 10, 16, 17, 20 April count.
    assert working_days_between(date(2026, 4, 9), date(2026, 4, 20), TH) == 4
    # Paused and resumed the same day: nothing moves.
    assert working_days_between(date(2026, 4, 9), date(2026, 4, 9), TH) == 0
    # Paused on a Friday, resumed the next Monday: only the Monday counts.
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30), TH) == 1


def test_reminders_count_back_over_holidays():
    # Three working days before Friday 8 May 2026: Monday 4 May is Coronation Day.
    assert subtract_working_days(date(2026, 5, 8), 3, TH) == date(2026, 5, 5)
    with pytest.raises(ValueError):
        subtract_working_days(date(2026, 5, 8), -1, TH)
