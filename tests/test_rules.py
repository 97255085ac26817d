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
HOLIDAYS_2026 = frozenset(TH_2026)


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


def test_access_keys_have_fifty_bits_without_look_alikes(app):
    keys = {codes.new_access_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert len(key) == 11 and key[5] == "-"
        assert not set(key.replace("-", "")) & set("01ILOU")
    # Typed in lower case with spaces, the key still matches.
    key = next(iter(keys))
    with app.app_context():  # the digest is keyed with the site's DIGEST_KEY
        assert codes.access_key_digest(key.lower().replace("-", " ")) == codes.access_key_digest(
            key
        )
        assert codes.access_key_digest("AAAAA-AAAAA") != codes.access_key_digest(key)


def test_secret_links_carry_at_least_128_bits():
    assert len(codes.new_track_token()) >= 32  # 24 random bytes, URL-safe


@pytest.mark.parametrize(
    ("typed", "code"),
    [(" 2569-000123 ", "2569-000123"), ("2569-12", None), ("../etc", None), ("x" * 300, None)],
)
def test_tracking_codes_are_checked_before_any_lookup(typed, code):
    assert codes.normalise_tracking_code(typed) == code


# --- One deadline computation (suggestion.deadlines.computation) ---------------


def _terms(**kwargs):
    from suggestion.deadlines.computation import PolicyTerms

    return PolicyTerms(**kwargs)


def test_case_deadlines_count_working_days_and_move_by_the_days_paused():
    from suggestion.deadlines.computation import case_deadlines

    received = datetime(2026, 4, 10, 15, 0, tzinfo=BANGKOK)  # Friday, before Songkran
    now = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)
    deadlines = case_deadlines(received, _terms(), HOLIDAYS_2026, BANGKOK, now=now)
    assert deadlines.due_at.astimezone(BANGKOK).date() == date(2026, 5, 8)  # DESIGN §1.4
    assert deadlines.ack_due_at.astimezone(BANGKOK).date() == date(2026, 4, 16)
    assert deadlines.final_remind_at.astimezone(BANGKOK).date() == date(2026, 5, 8)
    assert deadlines.remind_at.astimezone(BANGKOK).date() == date(2026, 5, 5)
    assert deadlines.escalate_at.astimezone(BANGKOK).date() == date(2026, 5, 11)
    paused = case_deadlines(received, _terms(), HOLIDAYS_2026, BANGKOK, now=now, paused_days=2)
    assert paused.due_at.astimezone(BANGKOK).date() == date(2026, 5, 12)


def test_a_threshold_already_past_is_now_and_a_finished_case_has_none():
    """Two decisions (docs/decisions.md, "One deadline computation"): a case
    registered late is still seen by the next sweep; a case that already had
    its outcome (imported history) has no threshold at all, so the sweep
    never reads it."""
    from suggestion.deadlines.computation import case_deadlines

    received = datetime(2026, 4, 10, 15, 0, tzinfo=BANGKOK)
    later = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    late = case_deadlines(received, _terms(), HOLIDAYS_2026, BANGKOK, now=later)
    assert late.remind_at == late.final_remind_at == late.escalate_at == later
    assert late.progress_due_at == later
    done = case_deadlines(
        received, _terms(), HOLIDAYS_2026, BANGKOK, now=later, clock_running=False
    )
    assert done.due_at == late.due_at and done.ack_due_at == late.ack_due_at
    assert (done.remind_at, done.final_remind_at, done.escalate_at, done.progress_due_at) == (
        None, None, None, None,
    )  # fmt: skip


def test_the_open_states_index_predicate_names_exactly_the_open_states():
    """The partial index's SQL was written by a migration; it must keep naming
    the open states (cases/states.py) that the queue filters on."""
    import re as regex

    from suggestion.cases.models import OPEN_STATES_SQL
    from suggestion.cases.states import OPEN_STATES

    assert set(regex.findall(r"'(\w+)'", OPEN_STATES_SQL)) == {s.value for s in OPEN_STATES}
