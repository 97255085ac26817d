"""The rules that need no service: working days, fiscal years, dates, codes."""

from datetime import date
from datetime import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

import holidays
import pytest

from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import working_days_between
from suggestion.cases import codes
from suggestion.core.time import fiscal_year_bounds
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import format_date
from suggestion.core.time import format_datetime
from suggestion.core.time import parse_fiscal_year

BANGKOK = ZoneInfo("Asia/Bangkok")
TH_2026 = set(holidays.country_holidays("TH", years=2026, categories=("public", "government")))


def test_design_example_fifteen_working_days_over_songkran():
    # Received Friday 10 April 2026; Songkran 13–15 April, Labour Day 1 May and
    # Coronation Day 4 May are not counted → Friday 8 May 2026.
    assert add_working_days(date(2026, 4, 10), 15, TH_2026) == date(2026, 5, 8)


def test_day_of_receipt_is_not_counted_and_weekends_roll_forward():
    assert add_working_days(date(2026, 11, 23), 1, set()) == date(2026, 11, 24)  # Mon → Tue
    assert add_working_days(date(2026, 11, 28), 1, set()) == date(2026, 11, 30)  # Sat → Mon
    assert add_working_days(date(2026, 11, 27), 0, set()) == date(2026, 11, 27)


def test_royal_ploughing_day_is_a_government_day_off():
    assert date(2026, 5, 13) in TH_2026
    assert add_working_days(date(2026, 5, 12), 1, TH_2026) == date(2026, 5, 14)


def test_working_days_between_counts_after_until_inclusive():
    # Pause on Friday 10 April, resume Friday 17 April: 16 and 17 April count.
    assert working_days_between(date(2026, 4, 10), date(2026, 4, 17), TH_2026) == 2
    assert working_days_between(date(2026, 4, 17), date(2026, 4, 17), TH_2026) == 0


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [(date(2019, 10, 1), 2563), (date(2020, 9, 30), 2563), (date(2026, 11, 25), 2570)],
)
def test_fiscal_year_runs_october_to_september_in_buddhist_era(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2563) == (date(2019, 10, 1), date(2020, 9, 30))


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2569", 2569),
        ("2500", 2500),
        ("2700", 2700),
        ("02563", 2563),
        ("2499", None),
        ("2701", None),
        ("2026", None),  # C.E.
        ("", None),
        ("25x9", None),
        ("-2569", None),
        ("²²", None),
        ("2" * 5000, None),
    ],
)
def test_a_fiscal_year_is_buddhist_era_digits_within_the_bounds(text, year):
    assert parse_fiscal_year(text) == year


def test_thai_dates_are_buddhist_era_and_english_common_era():
    moment = datetime(2026, 5, 8, 16, 59, 59, tzinfo=UTC)
    assert format_date(moment, "th", BANGKOK) == "8 พฤษภาคม 2569"
    assert format_date(moment, "en", BANGKOK) == "8 May 2026"
    assert format_datetime(moment, "th", BANGKOK) == "8 พฤษภาคม 2569 เวลา 23:59 น."


def test_access_keys_have_fifty_bits_without_look_alikes():
    keys = {codes.new_access_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert len(key) == 11 and key[5] == "-"
        assert not set(key.replace("-", "")) & set("01ILOU")
    # Typed in lower case with spaces, the key still matches.
    key = next(iter(keys))
    assert codes.access_key_digest(key.lower().replace("-", " ")) == codes.access_key_digest(key)
    assert codes.access_key_digest("AAAAA-AAAAA") != codes.access_key_digest(key)


def test_secret_links_carry_at_least_128_bits():
    assert len(codes.new_track_token()) >= 32  # 24 random bytes, URL-safe


@pytest.mark.parametrize(
    ("typed", "code"),
    [(" 2569-000123 ", "2569-000123"), ("2569-12", None), ("../etc", None), ("x" * 300, None)],
)
def test_tracking_codes_are_checked_before_any_lookup(typed, code):
    assert codes.normalise_tracking_code(typed) == code
