"""Importing historical cases from CSV: the whole file or nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.reports.indicators import fiscal_year_indicators
from tests.helpers import login

HEADER = "reference,kind,category,channel,subject,description,received_at,due_at,resolved_at,closed_at,status,division,satisfaction\n"


def write(tmp_path, body: str, name="cases.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_good_file_is_imported_with_its_outcomes(app, db_session, tmp_path):
    path = write(
        tmp_path,
        (
            "NSO-63/001,complaint,data-service,letter,ข้อมูลล่าช้า,รายละเอียด,2020-01-06,,2020-01-10,,,,5\n"
            "NSO-63/002,complaint,,phone,ติดต่อไม่ได้,,2020-02-03T09:30:00+07:00,2020-02-05,2020-03-01,2020-03-02,,SERVICE,3\n"
            "NSO-63/003,inquiry,,,สอบถาม,,2020-03-02,,,,,,\n"
        ),
    )
    result = app.test_cli_runner().invoke(args=["cases", "import", path])
    assert result.exit_code == 0, result.output
    assert "3 cases imported" in result.output
    cases = {c.subject: c for c in db.session.scalars(sa.select(Case))}
    assert cases["ข้อมูลล่าช้า"].status == "resolved" and cases["ข้อมูลล่าช้า"].fiscal_year == 2563
    assert cases["ติดต่อไม่ได้"].status == "closed" and cases["ติดต่อไม่ได้"].division.code == "SERVICE"
    assert cases["สอบถาม"].status == "received" and cases["สอบถาม"].due_at is not None
    assert cases["ข้อมูลล่าช้า"].due_at.date().isoformat() == "2020-01-27"  # computed: 15 working days
    assert count(CaseEvent) == 3
    with app.app_context():
        data = fiscal_year_indicators(2563).to_json()
    assert data["resolved_within_deadline"] == {"on_time": 1, "resolved": 2, "percent": 50.0}
    assert data["satisfaction"] == {"satisfied": 1, "ratings": 2, "percent": 50.0}


def test_every_bad_row_is_reported_and_nothing_is_written(app, db_session, tmp_path):
    path = write(
        tmp_path,
        (
            "1,complaint,data-service,,fine,,2020-01-06,,,,,,\n"
            "2,lottery,,,x,,2020-01-06,,,,,,\n"
            "3,complaint,,,,,,,,,,,\n"
            "4,complaint,nope,fax,y,,06/01/2020,,,,resolved,MARS,9\n"
            "5,complaint,,,z,,2020-01-06,,2019-12-01,,,,\n"
        ),
    )
    result = app.test_cli_runner().invoke(args=["cases", "import", path])
    assert result.exit_code != 0
    output = result.output
    assert "line 3: kind 'lottery'" in output
    assert "line 4: subject is empty" in output and "received_at is empty" in output
    assert "line 5:" in output and "category 'nope'" in output and "channel 'fax'" in output
    assert "division 'MARS'" in output and "satisfaction" in output and "06/01/2020" in output
    assert "line 6: resolved_at is before received_at" in output
    assert "nothing was imported" in output
    assert count(Case) == 0


def test_a_dry_run_writes_nothing(app, db_session, tmp_path):
    path = write(tmp_path, "1,complaint,,,a,,2020-01-06,,,,,,\n")
    result = app.test_cli_runner().invoke(args=["cases", "import", path, "--dry-run"])
    assert result.exit_code == 0 and "1 row checked" in result.output
    assert count(Case) == 0


def test_a_wrong_header_or_encoding_is_refused(app, db_session, tmp_path):
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("kind,subject,colour\ncomplaint,a,red\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["cases", "import", str(bad_header)])
    assert result.exit_code != 0 and "line 1: the header lacks received_at" in result.output
    tis = tmp_path / "t.csv"
    tis.write_bytes((HEADER + "1,complaint,,,เรื่อง,,2020-01-06,,,,,,\n").encode("tis-620"))
    result = app.test_cli_runner().invoke(args=["cases", "import", str(tis)])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert count(Case) == 0


def _history_csv() -> str:
    """The agency's FY 2561-2563 (DESIGN §1.6), as it would come from its spreadsheets.

    Some cases run over the year end: 29 received in each September are
    resolved the next October (their deadlines, extended, are in the file).
    Suggestions are in the file too, and are not counted by default."""
    rows = []

    def add(kind, received, resolved, due=""):
        n = len(rows) + 1
        rows.append(f"OLD-{n:04d},{kind},,letter,เรื่องที่ {n},,{received},{due},{resolved},,,,")

    def spread(year_ce, month, count, kind="complaint", carried=False):
        for i in range(count):
            day = 1 + i % 25
            received = f"{year_ce}-{month:02d}-{day:02d}"
            if carried:  # resolved in October, next fiscal year, before an extended deadline
                add(kind, received, f"{year_ce}-10-{day:02d}", f"{year_ce}-10-{day + 3:02d}")
            else:
                add(kind, received, f"{year_ce}-{month:02d}-{day + 3:02d}")

    spread(2017, 9, 29, carried=True)  # FY 2560 → resolved in FY 2561
    spread(2017, 11, 4)
    spread(2018, 2, 2, kind="corruption")  # FY 2561: 6 resolved within it
    spread(2018, 9, 29, carried=True)  # … and 29 more received, resolved in FY 2562
    spread(2019, 1, 13)  # FY 2562: 13 resolved within it
    spread(2019, 9, 29, carried=True)  # … and 29 more, resolved in FY 2563
    spread(2020, 3, 25)  # FY 2563: 25 received and resolved
    spread(2020, 4, 5, kind="suggestion")  # not a complaint: not counted
    return "".join(f"{row}\n" for row in rows)


def test_an_import_of_past_years_reproduces_the_annual_report(app, db_session, tmp_path):
    """DESIGN §1.6: 100% (35/35), (42/42), (54/54); received 35, 42, 25."""
    path = write(tmp_path, _history_csv())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cases", "import", path])
    assert result.exit_code == 0 and "136 cases imported" in result.output, result.output

    def indicators(year):
        out = runner.invoke(
            args=["reports", "indicators", "--fiscal-year", str(year), "--format", "json"]
        )
        return json.loads(out.output)

    expected = {2561: (35, 29), 2562: (42, 35), 2563: (54, 42)}
    received = {2561: 35, 2562: 42, 2563: 25}
    for year, (resolved, previous) in expected.items():
        data = indicators(year)
        assert data["resolved_within_deadline"] == {
            "on_time": resolved,
            "resolved": resolved,
            "percent": 100.0,
        }
        assert data["received"]["count"] == received[year]
        assert data["received"]["previous"] == previous
    last = indicators(2563)
    assert last["received"] == {"count": 25, "previous": 42, "change": -17, "change_percent": -40.5}
    assert last["resolved_within_deadline_strict"] == {"on_time": 54, "total": 54, "percent": 100.0}
    table = runner.invoke(args=["reports", "indicators", "--fiscal-year", "2563"]).output
    assert "100% (54/54)" in table and "42 → 25 (−17, −40.5%)" in table
    everything = runner.invoke(
        args=["reports", "indicators", "--fiscal-year", "2563", "--kind", "all", "--format", "json"]
    )
    assert json.loads(everything.output)["received"]["count"] == 30  # with the suggestions


def test_an_imported_case_says_so_on_its_timeline_and_gets_no_thresholds_once_closed(
    app, client, staff, tmp_path
):
    """The import event has a label like every other (it showed the raw word
    "imported"); a case imported with its outcome has no sweep thresholds, and
    an open one gets exactly the deadlines a filing of that moment gets."""
    from datetime import datetime
    from datetime import UTC

    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat()
    path = write(
        tmp_path,
        "OLD-1,complaint,data-service,letter,เรื่องเก่าที่ปิดแล้ว,,2026-04-10T15:00:00+07:00,,2026-04-20,2026-04-21,,,\n"
        f"OLD-2,complaint,data-service,letter,เรื่องเก่าที่ยังเปิด,,{yesterday},,,,,,\n",
    )
    assert app.test_cli_runner().invoke(args=["cases", "import", path]).exit_code == 0
    cases = {c.subject: c for c in db.session.scalars(sa.select(Case))}
    closed, still_open = cases["เรื่องเก่าที่ปิดแล้ว"], cases["เรื่องเก่าที่ยังเปิด"]
    assert (closed.remind_at, closed.final_remind_at, closed.escalate_at) == (None, None, None)
    assert closed.progress_due_at is None
    with app.test_request_context():
        from tests.factories import make_case

        filed = make_case(received_at=still_open.received_at).case
        for name in ("ack_due_at", "due_at", "remind_at", "final_remind_at", "escalate_at"):
            assert getattr(filed, name) == getattr(still_open, name), name
    login(client, staff("officer", "SERVICE"))
    client.set_cookie("lang", "en")
    page = client.get(f"/staff/cases/{closed.tracking_code}").get_data(as_text=True)
    assert "Imported from an earlier system" in page


def test_the_database_refuses_an_event_action_outside_the_vocabulary(app, db_session):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with app.test_request_context():
        from tests.factories import make_case

        case_id = make_case().case.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text(
                "INSERT INTO case_events (case_id, at, action, actor_label, is_public, diff)"
                " VALUES (:id, now(), 'teleported', 'system', false, '{}')"
            ),
            {"id": case_id},
        )


def test_a_pause_moves_an_imported_deadline_forward_and_keeps_it_the_imports(
    app, db_session, tmp_path
):
    """Resuming moves the deadlines as they stood by the working days paused:
    an imported case keeps its own deadline (it is not recomputed from the
    policy), and a case that leaves the pause with an outcome has no
    thresholds left."""
    from datetime import datetime
    from datetime import UTC

    from suggestion.cases.models import CasePause
    from suggestion.cases.states import Status
    from suggestion.cases.workflow import transition
    from suggestion.deadlines.policies import deadline_after

    now = datetime.now(UTC).replace(microsecond=0)
    received = (now - timedelta(days=2)).isoformat()
    own_due = (now + timedelta(days=90)).date().isoformat()
    path = write(
        tmp_path,
        f"OLD-3,complaint,data-service,letter,มีกำหนดของตนเอง,,{received},{own_due},,,in_progress,,\n"
        f"OLD-4,complaint,data-service,letter,ยุติระหว่างรอ,,{received},,,,in_progress,,\n",
    )
    assert app.test_cli_runner().invoke(args=["cases", "import", path]).exit_code == 0
    with app.test_request_context():
        cases = {c.subject: c for c in db.session.scalars(sa.select(Case))}
        own, ended = cases["มีกำหนดของตนเอง"], cases["ยุติระหว่างรอ"]
        imported_due = own.due_at
        for case in (own, ended):
            transition(case, Status.AWAITING_INFO, at=now)
        later = now + timedelta(days=7)
        transition(own, Status.IN_PROGRESS, at=later)
        transition(ended, Status.REJECTED, at=later)
        db.session.flush()
        shifted = db.session.scalar(
            sa.select(CasePause.shifted_days).where(CasePause.case_id == own.id)
        )
        assert shifted >= 4  # a week holds at least four working days
        assert own.due_at == deadline_after(imported_due, shifted)
        assert own.remind_at is not None
        assert (ended.remind_at, ended.final_remind_at, ended.escalate_at) == (None, None, None)


def test_an_imported_open_case_past_its_deadlines_alerts_no_one_unless_asked(
    app, db_session, tmp_path
):
    """An import of open cases long past their deadlines would have sent an
    escalation (and an acknowledgement alert) for each at the next sweep.
    Those already past at import are recorded as swept; --alert-past keeps
    the old behaviour, for an import of cases still being handled."""
    from suggestion.notify.models import Notification
    from suggestion.sla.models import SlaAlert
    from suggestion.sla.sweep import run_sweep
    from tests.factories import make_user

    with app.test_request_context():
        make_user("manager", "SERVICE")
        make_user("officer", "SERVICE")
        db.session.commit()
    path = write(tmp_path, "1,complaint,,,ค้างอยู่,,2020-01-06,,,,,SERVICE,\n")
    result = app.test_cli_runner().invoke(args=["cases", "import", path])
    assert result.exit_code == 0, result.output
    assert "2 alerts already due recorded as sent" in result.output  # acknowledgement, escalation
    with app.test_request_context():
        report = run_sweep(now=utcnow())
        assert not report.counts.get("escalate") and not report.counts.get("ack_overdue")
        assert count(Notification) == 0

    again = write(tmp_path, "2,complaint,,,ค้างอยู่เช่นกัน,,2020-01-06,,,,,SERVICE,\n", "two.csv")
    result = app.test_cli_runner().invoke(args=["cases", "import", "--alert-past", again])
    assert result.exit_code == 0 and "recorded as sent" not in result.output
    with app.test_request_context():
        report = run_sweep(now=utcnow())
        assert report.counts["escalate"] == 1 and report.counts["ack_overdue"] == 1
        assert count(SlaAlert) == 4


def test_one_problem_is_counted_in_the_singular(app, db_session, tmp_path):
    path = write(tmp_path, "1,lottery,,,x,,2020-01-06,,,,,,\n")
    result = app.test_cli_runner().invoke(args=["cases", "import", path])
    assert result.exit_code != 0
    assert "1 problem in 1 row; nothing was imported" in result.output
    good = write(tmp_path, "1,complaint,,,x,,2020-01-06,,2020-01-07,,,,\n", "good.csv")
    assert "1 case imported" in app.test_cli_runner().invoke(args=["cases", "import", good]).output
