"""The indicators of DESIGN §1.6, against cases whose outcome we know."""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.reports.indicators import fiscal_year_indicators
from tests.factories import make_case

DAY = timedelta(days=1)


def at(year, month, day):
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


def set_(case: Case, **values) -> None:
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(**values))


@pytest.fixture
def year_2563(ctx):
    """FY 2563 (1 Oct 2019 – 30 Sep 2020): 25 complaints; FY 2562: 42."""
    for n in range(42):
        case = make_case(received_at=at(2018, 10, 1) + n * 5 * DAY).case
        set_(case, status="resolved", resolved_at=case.received_at + DAY)
    cases = [make_case(received_at=at(2019, 10, 1) + n * 8 * DAY).case for n in range(25)]
    for n, case in enumerate(cases):
        if n < 20:
            set_(
                case,
                status="resolved",
                resolved_at=case.received_at + DAY,
                satisfaction=5 if n < 8 else (2 if n < 10 else None),
            )
        elif n < 23:
            set_(case, status="resolved", resolved_at=case.due_at + DAY)
        # the last two have no outcome, and their deadlines have passed
    keeper = cases[0]
    duplicate = make_case(received_at=at(2020, 1, 6)).case
    set_(duplicate, status="merged", merged_into_id=keeper.id)
    other_kind = make_case(kind="suggestion", received_at=at(2020, 2, 3)).case
    set_(other_kind, status="resolved", resolved_at=other_kind.due_at + 5 * DAY)
    db.session.flush()


def test_the_annual_report_figures(year_2563):
    data = fiscal_year_indicators(2563).to_json()
    assert (data["start"], data["end"]) == ("2019-10-01", "2020-09-30")
    assert data["kinds"] == ["complaint", "corruption"]
    assert data["resolved_within_deadline"] == {"on_time": 20, "resolved": 23, "percent": 87.0}
    assert data["resolved_within_deadline_strict"] == {"on_time": 20, "total": 25, "percent": 80.0}
    assert data["received"] == {"count": 25, "previous": 42, "change": -17, "change_percent": -40.5}
    assert data["satisfaction"] == {"satisfied": 8, "ratings": 10, "percent": 80.0}
    assert {row["key"]: row["received"] for row in data["by_kind"]} == {"complaint": 25}


def test_other_kinds_and_all_kinds(year_2563):
    suggestion = fiscal_year_indicators(2563, ["suggestion"]).indicators
    assert suggestion.resolved_within_deadline.to_json() == {
        "on_time": 0,
        "resolved": 1,
        "percent": 0.0,
    }
    everything = fiscal_year_indicators(
        2563, ["complaint", "corruption", "suggestion", "compliment", "inquiry"]
    )
    assert everything.received.count == 26


def test_a_percentage_of_nothing_is_null(ctx):
    data = fiscal_year_indicators(2540).to_json()
    assert data["resolved_within_deadline"]["percent"] is None
    assert data["received"]["change_percent"] is None


def test_the_command_prints_json_with_the_promised_keys(app, year_2563):
    result = app.test_cli_runner().invoke(
        args=["reports", "indicators", "--fiscal-year", "2563", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {
        "fiscal_year",
        "start",
        "end",
        "kinds",
        "resolved_within_deadline",
        "resolved_within_deadline_strict",
        "received",
        "satisfaction",
    } <= set(data)
    table = app.test_cli_runner().invoke(args=["reports", "indicators", "--fiscal-year", "2563"])
    assert "87% (20/23)" in table.output and "42 → 25 (−17, −40.5%)" in table.output
    bad = app.test_cli_runner().invoke(
        args=["reports", "indicators", "--fiscal-year", "2563", "--kind", "gossip"]
    )
    assert bad.exit_code != 0
    for year in ("2026", "2499", "2701", "abc"):  # the pages' and the API's rule
        bad = app.test_cli_runner().invoke(args=["reports", "indicators", "--fiscal-year", year])
        assert bad.exit_code == 2 and "not a fiscal year in the Buddhist Era" in bad.output, year


def test_open_data_has_no_personal_data(client, file_a_case):
    file_a_case()
    response = client.get("/api/v1/stats?fiscal_year=2570")
    assert response.status_code == 200 and response.json["fiscal_year"] == 2570
    assert "somchai" not in response.get_data(as_text=True)
    assert client.get("/api/v1/stats?fiscal_year=20x").status_code == 400
    assert client.get("/api/v1/stats?fiscal_year=%C2%B2").status_code == 400


def test_the_median_working_days_to_an_outcome(ctx):
    from suggestion.cases.states import Status
    from suggestion.cases.workflow import transition

    # Received Friday 10 April 2026; outcomes after 2, 5 and 15 working days
    # (Songkran 13–15 April is not counted).
    received = at(2026, 4, 10)
    for outcome in (at(2026, 4, 17), at(2026, 4, 22), at(2026, 5, 8)):
        case = make_case(received_at=received).case
        transition(case, Status.IN_PROGRESS, at=received)
        transition(case, Status.RESOLVED, at=outcome)
    db.session.flush()
    days = sorted(db.session.scalars(sa.select(Case.outcome_working_days)))
    assert days == [2, 5, 15]
    assert fiscal_year_indicators(2569).indicators.median_working_days_to_outcome == 5.0
    case = make_case(received_at=received).case
    transition(case, Status.IN_PROGRESS, at=received)
    transition(case, Status.RESOLVED, at=at(2026, 5, 11))  # 16
    db.session.flush()
    assert fiscal_year_indicators(2569).indicators.median_working_days_to_outcome == 10.0


BANGKOK = timedelta(hours=7)


def bangkok(year, month, day, hour, minute):
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - BANGKOK


def test_a_case_belongs_to_the_fiscal_year_of_its_bangkok_date(ctx):
    make_case(received_at=bangkok(2020, 9, 30, 23, 30))  # FY 2563's last half hour
    make_case(received_at=bangkok(2020, 10, 1, 0, 10))  # FY 2564's first minutes
    make_case(received_at=bangkok(2019, 10, 1, 0, 0))  # FY 2563's first moment
    db.session.flush()
    assert fiscal_year_indicators(2563).received.count == 2
    assert fiscal_year_indicators(2564).received.to_json() == {
        "count": 1,
        "previous": 2,
        "change": -1,
        "change_percent": -50.0,
    }


def test_reopened_and_paused_cases(ctx):
    from suggestion.cases.states import Status
    from suggestion.cases.workflow import transition

    # Reopened: on time first, reopened, then given a late outcome; counted
    # once, by its last outcome.
    received = at(2026, 1, 5)
    reopened = make_case(received_at=received).case
    transition(reopened, Status.IN_PROGRESS, at=received)
    transition(reopened, Status.RESOLVED, at=received + 2 * DAY)
    transition(reopened, Status.IN_PROGRESS, at=received + 3 * DAY)
    transition(reopened, Status.RESOLVED, at=reopened.due_at + DAY)
    # Paused: waiting for the filer moves the deadline, so an outcome after
    # the first deadline but before the moved one is on time.
    paused = make_case(received_at=received).case
    first_due = paused.due_at
    transition(paused, Status.IN_PROGRESS, at=received)
    transition(paused, Status.AWAITING_INFO, at=received + DAY)
    transition(paused, Status.IN_PROGRESS, at=received + 15 * DAY)
    assert paused.due_at > first_due + 7 * DAY
    transition(paused, Status.RESOLVED, at=first_due + 2 * DAY)
    db.session.flush()
    data = fiscal_year_indicators(2569)
    assert data.received.count == 2
    assert data.indicators.resolved_within_deadline.to_json() == {
        "on_time": 1,
        "resolved": 2,
        "percent": 50.0,
    }


def test_year_to_date_against_the_same_span_of_last_year(ctx):
    from suggestion.core.time import utcnow

    now = utcnow()
    this_year = fiscal_year_indicators(2570)  # today is in FY 2570 (from October 2026)
    if not this_year.running:
        pytest.skip("the calendar has moved past FY 2570")  # pragma: no cover
    make_case(received_at=now - 2 * DAY)  # this year, so far
    make_case(received_at=now - 370 * DAY)  # last year, before today's date of last year
    make_case(received_at=now - 367 * DAY)  # … and again
    make_case(received_at=now - 345 * DAY)  # last year, after it: not in the same span
    db.session.flush()
    data = fiscal_year_indicators(2570)
    assert data.received_year_to_date.count == 1
    assert data.received_year_to_date.previous == 2
    assert data.received.previous == 3


def test_the_monthly_report_counts_overdue_cases_and_medians_per_division(ctx):
    from suggestion.reports.indicators import monthly_report
    from suggestion.reports.periods import Period

    june = Period.month(2026, 6)
    late = make_case(received_at=at(2026, 5, 4)).case  # due in May, still open
    open_in_time = make_case(received_at=at(2026, 6, 25)).case  # due in July
    done = [make_case(received_at=at(2026, 6, 1)).case for _ in range(3)]
    for case, days in zip(done, (2, 3, 10), strict=True):
        set_(case, status="resolved", resolved_at=at(2026, 6, 20), outcome_working_days=days)
    resolved_later = make_case(received_at=at(2026, 5, 1)).case  # overdue at June's end
    set_(resolved_later, status="resolved", resolved_at=at(2026, 7, 20), outcome_working_days=40)
    db.session.flush()
    report = monthly_report(june, ["complaint", "corruption"])
    [row] = report.by_division
    assert (row.received, row.resolved, row.overdue_at_end) == (4, 3, 2)
    assert row.median_working_days == 3.0
    assert {c.tracking_code for c in report.overdue} == {
        late.tracking_code,
        resolved_later.tracking_code,
    }
    assert open_in_time.tracking_code not in {c.tracking_code for c in report.overdue}


def test_an_acknowledgement_not_yet_due_is_not_counted_late(ctx):
    from suggestion.core.time import utcnow
    from suggestion.reports.indicators import period_indicators
    from suggestion.reports.periods import Period

    today = utcnow().date()
    waiting = make_case(received_at=utcnow() - timedelta(minutes=5)).case  # due tomorrow or later
    done = make_case(received_at=utcnow() - timedelta(minutes=5)).case
    set_(done, acknowledged_at=utcnow())
    late = make_case(received_at=utcnow() - 20 * DAY).case  # never acknowledged, long due
    db.session.flush()
    assert waiting.ack_due_at > utcnow()
    period = Period(today - 30 * DAY, today)
    result = period_indicators(period, ["complaint", "corruption"]).acknowledged_on_time
    assert result.to_json() == {"on_time": 1, "total": 2, "percent": 50.0}
    assert late.acknowledged_at is None


def test_a_case_reopened_after_it_was_closed_is_open_again(ctx):
    from suggestion.cases.states import Status
    from suggestion.cases.workflow import transition

    received = at(2026, 1, 5)
    case = make_case(received_at=received).case
    transition(case, Status.IN_PROGRESS, at=received)
    transition(case, Status.RESOLVED, at=received + DAY)
    transition(case, Status.CLOSED, at=received + 2 * DAY)  # e.g. the filer's rating
    transition(case, Status.IN_PROGRESS, at=received + 3 * DAY)
    db.session.flush()
    assert case.resolved_at is None and case.outcome_working_days is None
    data = fiscal_year_indicators(2569).indicators
    assert data.resolved_within_deadline.resolved == 0
    assert data.now.open == 1


@pytest.mark.parametrize(
    ("days", "median"),
    [
        ({}, None),
        ({7: 3}, 7.0),
        ({1: 1, 4: 1, 9: 1}, 4.0),  # odd: the middle one
        ({1: 1, 2: 1}, 1.5),  # even: the mean of the middle two
        ({3: 1, 5: 2, 10: 1}, 5.0),
        ({2: 2, 6: 1, 15: 1}, 4.0),  # the middle two fall on different values
    ],
)
def test_the_median_of_working_days_is_read_from_their_counts(days, median):
    from collections import Counter

    from suggestion.reports.figures import Tally

    assert Tally(days=Counter(days)).median_working_days == median


# The exact keys of the indicators' JSON: DESIGN §2's, and those beside them
# today. A key renamed or dropped in the code fails here, not in someone's script.
RESOLVED = {"on_time": None, "resolved": None, "percent": None}
SHARE = {"on_time": None, "total": None, "percent": None}
CHANGE = {"count": None, "previous": None, "change": None, "change_percent": None}
ROW = dict.fromkeys(
    ("key", "id", "received", "resolved", "on_time", "percent", "open_at_end", "overdue_at_end",
     "median_working_days")
)  # fmt: skip
PERIOD = {
    "start": None,
    "end": None,
    "kinds": None,
    "resolved_within_deadline": RESOLVED,
    "resolved_within_deadline_strict": SHARE,
    "received": None,
    "satisfaction": {"satisfied": None, "ratings": None, "percent": None},
    "acknowledged_on_time": SHARE,
    "median_working_days_to_outcome": None,
    "now": {"open": None, "overdue": None},
    "disputed_outcomes": {"disputed": None, "answers": None, "percent": None},
}
BREAKDOWNS = {"by_kind": [ROW], "by_channel": [ROW], "by_category": [ROW], "by_division": [ROW]}
FISCAL_YEAR = {
    **PERIOD,
    **BREAKDOWNS,
    "fiscal_year": None,
    "running": None,
    "received": CHANGE,
    "received_year_to_date": {**CHANGE, "until": None},
}
STATS = {
    **FISCAL_YEAR,
    "ita": {kind: {"half": PERIOD, "year": PERIOD} for kind in ("complaint", "corruption")},
}


def shape(value):
    """The keys of a JSON value, nested; a list of objects by the keys they all share."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        shapes = [shape(item) for item in value]
        assert all(s == shapes[0] for s in shapes), shapes
        return shapes[:1]
    return None


def test_the_json_of_the_command_and_the_api_has_exactly_these_keys(app, client, year_2563):
    result = app.test_cli_runner().invoke(
        args=["reports", "indicators", "--fiscal-year", "2563", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    assert shape(cli) == FISCAL_YEAR
    assert cli["fiscal_year"] == 2563 and cli["running"] is False
    assert cli["received_year_to_date"]["until"] == "2020-09-30"
    stats = client.get("/api/v1/stats?fiscal_year=2563").json
    assert shape(stats) == STATS
    assert {k: v for k, v in stats.items() if k != "ita"} == cli
    assert stats["ita"]["complaint"]["half"]["end"] == "2020-03-31"
    assert stats["ita"]["complaint"]["year"]["kinds"] == ["complaint"]


def test_the_typed_values_write_design_s_json():
    """DESIGN §2's example, from the values alone: rounding to one decimal,
    null for a percentage of nothing."""
    from suggestion.reports.results import Change
    from suggestion.reports.results import OnTimeShare
    from suggestion.reports.results import ResolvedOnTime
    from suggestion.reports.results import Satisfaction

    assert ResolvedOnTime(on_time=54, resolved=54).to_json() == {
        "on_time": 54,
        "resolved": 54,
        "percent": 100.0,
    }
    assert Change(count=25, previous=42).to_json() == {
        "count": 25,
        "previous": 42,
        "change": -17,
        "change_percent": -40.5,
    }
    assert Satisfaction(satisfied=83, ratings=84).to_json()["percent"] == 98.8
    assert OnTimeShare(on_time=0, total=0).to_json() == {"on_time": 0, "total": 0, "percent": None}
    assert Change(count=3, previous=0).change_percent is None
