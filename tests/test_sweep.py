"""The deadline sweep with the clock moved: each threshold once, to the right people."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from suggestion.cases import actions
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import CaseEvent
from suggestion.core.extensions import db
from suggestion.notify.models import Notification
from suggestion.sla.models import SlaAlert
from suggestion.sla.sweep import run_sweep
from tests.factories import make_case
from tests.factories import make_user

MINUTE = timedelta(minutes=1)
# A Friday in the future, so that no threshold is already past when filed.
RECEIVED = datetime(2027, 4, 9, 3, 0, tzinfo=UTC)


def sent(template: str | None = None) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if template:
        query = query.where(Notification.template == template)
    return list(db.session.scalars(query))


@pytest.fixture
def people(ctx):
    return {
        "officer": make_user("officer", "SERVICE"),
        "manager": make_user("manager", "SERVICE"),
        "integrity": make_user("integrity", "INTEGRITY"),
        "admin": make_user("admin", "CENTRAL"),
    }


def test_two_reminders_then_the_escalation_each_exactly_once(people):
    case = make_case(received_at=RECEIVED).case
    case.assignee_id = people["officer"].id
    db.session.flush()
    assert case.remind_at < case.final_remind_at < case.due_at < case.escalate_at

    assert run_sweep(now=case.remind_at - MINUTE).counts.get("remind", 0) == 0
    first = run_sweep(now=case.remind_at + MINUTE)
    assert first.counts["remind"] == 1
    assert run_sweep(now=case.remind_at + 2 * MINUTE).counts.get("remind", 0) == 0
    assert run_sweep(now=case.final_remind_at + MINUTE).counts["final_remind"] == 1
    escalation = run_sweep(now=case.escalate_at + MINUTE)
    assert escalation.counts["escalate"] == 1
    assert not run_sweep(now=case.escalate_at + 10 * MINUTE).counts.get("escalate")

    assert [n.to_address for n in sent("remind")] == [people["officer"].email]
    assert [n.to_address for n in sent("final_remind")] == [people["officer"].email]
    assert [n.to_address for n in sent("escalate")] == [people["manager"].email]
    assert case.tracking_code in sent("escalate")[0].subject
    event = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "escalated")
    ).one()
    assert event.diff["escalated_to"][1] == [people["manager"].email] and not event.is_public


def test_the_same_moment_swept_twice_records_nothing_twice(people):
    case = make_case(received_at=RECEIVED).case
    now = case.escalate_at + MINUTE
    run_sweep(now=now)
    alerts = db.session.scalar(sa.select(sa.func.count()).select_from(SlaAlert))
    run_sweep(now=now)  # as if the clock went back: the window is everything
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlaAlert)) == alerts


def test_an_unassigned_case_reminds_its_division_and_acknowledgement_is_checked(people):
    case = make_case(received_at=RECEIVED).case
    report = run_sweep(now=case.ack_due_at + MINUTE)
    assert report.counts["ack_overdue"] == 1
    assert [n.to_address for n in sent("ack_overdue")] == [people["officer"].email]


def test_a_back_dated_intake_past_its_acknowledgement_deadline_is_alerted(people):
    """A case registered today with a date of receipt a month ago is already
    past its acknowledgement deadline, which fell before the last sweep: the
    sweep, which looks at what crossed since its last run, never saw it."""
    run_sweep(now=datetime.now(UTC) - MINUTE)  # a sweep before the intake
    case = make_case(received_at=datetime.now(UTC) - timedelta(days=30)).case
    assert case.ack_due_at < datetime.now(UTC) - timedelta(days=20)
    report = run_sweep(now=datetime.now(UTC) + MINUTE)
    assert report.counts["ack_overdue"] == 1
    alert = db.session.scalars(sa.select(SlaAlert).where(SlaAlert.kind == "ack_overdue")).one()
    assert alert.case_id == case.id and alert.deadline_at == case.ack_due_at
    assert [n.to_address for n in sent("ack_overdue")] == [people["officer"].email]


def test_a_paused_case_is_not_reminded(people):
    case = make_case(received_at=RECEIVED).case
    actions.request_information(StaffAccess(people["officer"]), case, message="ขอสำเนาคำขอ")
    db.session.flush()
    report = run_sweep(now=case.escalate_at + MINUTE)
    assert not report.counts.get("remind") and not report.counts.get("escalate")


def test_corruption_reports_go_to_integrity_officers_only(people):
    case = make_case(kind="corruption", received_at=RECEIVED).case
    run_sweep(now=case.escalate_at + MINUTE)
    addresses = {n.to_address for n in sent() if n.template not in ("receipt", "progress")}
    assert addresses == {people["integrity"].email}


def test_a_long_case_owes_its_filer_a_progress_update(people):
    case = make_case(received_at=RECEIVED).case
    swept_at = case.progress_due_at + MINUTE
    report = run_sweep(now=swept_at)
    assert report.counts["progress"] == 1
    [update] = sent("progress")
    assert update.to_address == "somchai@example.com"
    # The next update is owed one interval (15 working days) after this one.
    from suggestion.deadlines.policies import deadline_after

    db.session.refresh(case)
    assert case.progress_due_at == deadline_after(swept_at, 15)


def test_a_reply_to_the_filer_restarts_the_progress_clock(people):
    case = make_case(received_at=RECEIVED).case
    before = case.progress_due_at
    actions.reply(StaffAccess(people["officer"]), case, message="อยู่ระหว่างรวบรวมข้อมูล")
    assert case.progress_due_at != before


def test_a_sweep_holds_no_more_than_a_batch(people):
    cases = [make_case(received_at=RECEIVED).case for _ in range(7)]
    report = run_sweep(now=cases[0].ack_due_at + MINUTE, batch_size=3)
    assert report.counts["ack_overdue"] == 7


def test_the_digest_goes_out_on_working_days_once(people):
    from datetime import date

    from suggestion.sla.digest import send_digest

    case = make_case(received_at=RECEIVED).case
    case.assignee_id = people["officer"].id
    db.session.flush()
    due_day = case.due_at.astimezone(ZoneInfo("Asia/Bangkok")).date()
    assert send_digest(due_day) == 1  # the officer: due today
    assert send_digest(due_day) == 0  # once a day
    assert send_digest(date(2027, 4, 10)) == 0  # a Saturday
    [digest] = sent("digest")
    assert digest.to_address == people["officer"].email and case.tracking_code in digest.text


def test_next_years_holidays_are_loaded_once_and_administrators_told(people):
    from suggestion.sla.yearly import ensure_year

    assert ensure_year(2024) > 0
    assert ensure_year(2024) == 0
    assert [n.to_address for n in sent("holidays_loaded")] == [people["admin"].email]


def test_the_sla_commands(app, people):
    case = make_case(received_at=RECEIVED).case
    db.session.flush()
    runner = app.test_cli_runner()
    status = runner.invoke(args=["sla", "status"])
    assert status.exit_code == 0 and "later" in status.output
    sweep = runner.invoke(args=["sla", "sweep"])
    assert sweep.exit_code == 0 and sweep.output.startswith("sweep ")
    assert case.id


def test_a_deadline_moved_during_a_sweep_does_not_make_it_skip_cases(people, monkeypatch):
    """Batches follow what each read: if a case just alerted has its reminder
    moved later before the next batch (a recompute, a resumption), the
    sweep still reaches every other case crossing the threshold."""
    from suggestion.cases.models import Case
    from suggestion.sla import sweep

    cases = [make_case(received_at=RECEIVED).case for _ in range(7)]
    for case in cases:
        case.assignee_id = people["officer"].id
    db.session.flush()
    moment = cases[0].remind_at
    real_record = sweep._record_batch

    def record_then_move(rule, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_record(rule, *args, **kwargs)
        if rule.kind == sweep.AlertKind.REMIND:  # another session moves them now
            alerts = result[0] if isinstance(result, tuple) else result
            db.session.execute(
                sa.update(Case)
                .where(Case.id.in_([case_id for _, case_id in alerts]))
                .values(remind_at=moment + timedelta(days=30))
            )
        return result

    monkeypatch.setattr(sweep, "_record_batch", record_then_move)
    report = run_sweep(now=moment + MINUTE, batch_size=3)
    assert report.counts["remind"] == 7
