"""The indicators of DESIGN §1.6, against cases whose outcome we know."""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.extensions import db
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
    data = fiscal_year_indicators(2563)
    assert (data["start"], data["end"]) == ("2019-10-01", "2020-09-30")
    assert data["kinds"] == ["complaint", "corruption"]
    assert data["resolved_within_deadline"] == {"on_time": 20, "resolved": 23, "percent": 87.0}
    assert data["resolved_within_deadline_strict"] == {"on_time": 20, "total": 25, "percent": 80.0}
    assert data["received"] == {"count": 25, "previous": 42, "change": -17, "change_percent": -40.5}
    assert data["satisfaction"] == {"satisfied": 8, "ratings": 10, "percent": 80.0}
    assert {row["key"]: row["received"] for row in data["by_kind"]} == {"complaint": 25}


def test_other_kinds_and_all_kinds(year_2563):
    suggestion = fiscal_year_indicators(2563, ["suggestion"])
    assert suggestion["resolved_within_deadline"] == {"on_time": 0, "resolved": 1, "percent": 0.0}
    everything = fiscal_year_indicators(
        2563, ["complaint", "corruption", "suggestion", "compliment", "inquiry"]
    )
    assert everything["received"]["count"] == 26


def test_a_percentage_of_nothing_is_null(ctx):
    data = fiscal_year_indicators(2540)
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


def test_open_data_has_no_personal_data(client, file_a_case):
    file_a_case()
    response = client.get("/api/v1/stats?fiscal_year=2570")
    assert response.status_code == 200 and response.json["fiscal_year"] == 2570
    assert "somchai" not in response.get_data(as_text=True)
    assert client.get("/api/v1/stats?fiscal_year=20x").status_code == 400


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
    assert fiscal_year_indicators(2569)["median_working_days_to_outcome"] == 5.0
    case = make_case(received_at=received).case
    transition(case, Status.IN_PROGRESS, at=received)
    transition(case, Status.RESOLVED, at=at(2026, 5, 11))  # 16
    db.session.flush()
    assert fiscal_year_indicators(2569)["median_working_days_to_outcome"] == 10.0
