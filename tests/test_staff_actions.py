"""The case workflow through the services: the transition table, the event
each action leaves, messages to the filer, and concurrent changes."""

from __future__ import annotations

from datetime import datetime
from datetime import UTC

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from suggestion.auth.models import Division
from suggestion.cases import actions
from suggestion.cases.access import NotPermitted
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import CasePause
from suggestion.cases.states import Kind
from suggestion.cases.states import OUTCOMES
from suggestion.cases.states import Priority
from suggestion.cases.states import RejectGround
from suggestion.cases.states import Status
from suggestion.cases.workflow import transition
from suggestion.cases.workflow import TransitionError
from suggestion.cases.workflow import TRANSITIONS
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.notify.models import Notification
from tests.factories import category
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.helpers import login


@pytest.fixture
def officer(ctx):
    return StaffAccess(make_user("officer", "SERVICE"))


def last_event(case: Case) -> CaseEvent:
    return db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
    ).first()


def mails(case: Case) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.case_id == case.id).order_by(Notification.id)
        )
    )


def put_in(case: Case, status: Status, other: Case) -> None:
    """Force a state directly, with what the database requires of it."""
    case.status = status
    case.resolved_at = datetime.now(UTC) if status in OUTCOMES else None
    case.merged_into_id = other.id if status == Status.MERGED else None
    db.session.flush()


@pytest.mark.parametrize("start", list(Status))
def test_every_allowed_transition_works_and_every_other_is_refused(ctx, start):
    other = make_case().case
    case = make_case().case
    put_in(case, start, other)
    for target in Status:
        savepoint = db.session.begin_nested()
        if target in TRANSITIONS[start]:
            if target == Status.MERGED:
                case.merged_into_id = other.id
            event = transition(case, target)
            assert case.status == target
            assert event.diff["status"] == [start.value, target.value]
            if target in OUTCOMES:
                assert case.resolved_at is not None
            if target == Status.IN_PROGRESS:
                assert case.resolved_at is None  # reopened, or never had an outcome
        else:
            with pytest.raises(TransitionError):
                transition(case, target)
            assert case.status == start
        savepoint.rollback()
        db.session.refresh(case)


def test_each_action_leaves_an_event_with_what_changed(officer):
    case = make_case().case
    filer_mails = lambda: [m.template for m in mails(case)]  # noqa: E731
    assert filer_mails() == ["receipt"]

    event = actions.screen(officer, case)
    assert event.diff["status"] == ["received", "screening"] and "acknowledged_at" in event.diff
    assert not event.is_public

    event = actions.accept(officer, case)
    assert event.diff["status"] == ["screening", "in_progress"] and event.is_public

    colleague = make_user("officer", "SERVICE", "colleague@example.go.th")
    service = db.session.scalars(sa.select(Division).where(Division.code == "SERVICE")).one()
    event = actions.assign(officer, case, division=service, assignee=colleague)
    assert event.diff == {"assignee": [None, "colleague@example.go.th"]}

    event = actions.set_priority(officer, case, priority=Priority.HIGH)
    assert event.diff == {"priority": ["normal", "high"]}

    event = actions.reclassify(officer, case, kind=Kind.INQUIRY, category=category("data-service"))
    assert event.diff["kind"] == ["complaint", "inquiry"]

    event = actions.request_information(officer, case, message="กรุณาแนบสำเนาคำขอ")
    assert event.is_public and event.body == "กรุณาแนบสำเนาคำขอ"
    assert case.status == "awaiting_info"
    assert (
        db.session.scalars(sa.select(CasePause).where(CasePause.case_id == case.id))
        .one()
        .resumed_at
        is None
    )
    assert filer_mails()[-1] == "info_requested"

    actions.accept(officer, case)  # continue without the answer
    event = actions.reply(officer, case, message="เราได้รับสำเนาแล้ว")
    assert event.action == "public_reply" and filer_mails()[-1] == "reply"

    event = actions.add_note(officer, case, text="โทรประสานกองแล้ว")
    assert event.action == "note" and not event.is_public
    assert filer_mails()[-1] == "reply"  # notes reach no one

    event = actions.resolve(officer, case, summary="ส่งข้อมูลให้ทางอีเมลแล้ว")
    assert event.diff["status"] == ["in_progress", "resolved"] and case.resolved_at is not None
    assert filer_mails()[-1] == "outcome"
    assert "ส่งข้อมูลให้ทางอีเมลแล้ว" in mails(case)[-1].text

    event = actions.reopen(officer, case, reason="ผู้ยื่นแจ้งว่าข้อมูลไม่ครบ")
    assert event.diff["resolved_at"][1] is None and case.resolved_at is None

    event = actions.forward(officer, case, agency="กรมการปกครอง", reason="เป็นอำนาจหน้าที่ของกรม")
    assert event.diff["forwarded_to"] == [None, "กรมการปกครอง"]
    event = actions.close(officer, case)
    assert event.diff["status"] == ["forwarded", "closed"] and case.closed_at is not None


def test_reject_records_the_ground_and_tells_the_filer_why(officer):
    case = make_case().case
    event = actions.reject(
        officer, case, ground=RejectGround.BEFORE_COURT, explanation="คดีอยู่ระหว่างศาลปกครอง"
    )
    assert event.diff["ground"] == [None, "before_court"]
    assert "คดีอยู่ระหว่างศาลปกครอง" in mails(case)[-1].text


def test_merge_tells_the_duplicate_filer_the_surviving_code(officer):
    keeps = make_case().case
    duplicate = make_case(email="other@example.com").case
    event = actions.merge(officer, duplicate, into=keeps)
    assert duplicate.status == "merged" and duplicate.merged_into_id == keeps.id
    assert event.diff["merged_into"] == [None, keeps.tracking_code]
    assert last_event(keeps).action == "merged_in"
    [*_, mail] = mails(duplicate)
    assert mail.template == "merged" and keeps.tracking_code in mail.subject
    with pytest.raises(Invalid):
        actions.merge(officer, keeps, into=keeps)


def test_reclassifying_moves_the_deadline_with_the_policy(officer):
    from suggestion.deadlines.models import SlaPolicy

    db.session.scalars(
        sa.select(SlaPolicy).where(SlaPolicy.kind == "inquiry")
    ).one().outcome_days = 5
    case = make_case(received_at=datetime(2026, 4, 10, 8, 0, tzinfo=UTC)).case
    assert case.due_at.date().isoformat() == "2026-05-08"
    actions.reclassify(officer, case, kind=Kind.INQUIRY, category=category("data-service"))
    # 5 working days after Friday 10 April, skipping Songkran: Wednesday 22 April.
    assert case.due_at.isoformat() == "2026-04-22T16:59:59+00:00"
    # The filer is told, on the public timeline and by e-mail, from what, to what and why.
    moved = last_event(case)
    assert moved.action == "deadlines_recomputed" and moved.is_public
    assert moved.diff["cause"] == [None, "reclassified"]
    from suggestion.cases.tracking import event_title

    title = event_title(moved)
    assert "8 พฤษภาคม 2569" in title and "22 เมษายน 2569" in title
    assert mails(case)[-1].template == "deadline_moved"
    assert "22 เมษายน 2569" in mails(case)[-1].text
    with pytest.raises(Invalid):
        actions.reclassify(officer, case, kind=Kind.CORRUPTION, category=category("data-service"))


def test_a_case_out_of_reach_cannot_be_acted_on(ctx):
    case = make_case(category=category("website")).case  # the IT division's
    outsider = StaffAccess(make_user("officer", "SERVICE"))
    with pytest.raises(NotPermitted):
        actions.add_note(outsider, case, text="x")


def test_a_stale_version_is_refused(officer):
    case = make_case().case
    seen = case.version
    actions.screen(officer, case)
    db.session.flush()
    with pytest.raises(actions.CaseChanged):
        actions.accept(officer, case, expected_version=seen)


def test_two_officers_acting_at_once_cannot_overwrite_each_other(app, live_db):
    with app.test_request_context():
        user = make_user("officer", "SERVICE")
        case = make_case().case
        db.session.commit()
        case_id, user_id = case.id, user.id
    from sqlalchemy.orm import Session

    with app.app_context():
        first, second = Session(db.engine), Session(db.engine)
        a = first.get(Case, case_id)
        b = second.get(Case, case_id)
        a.priority, b.priority = "high", "low"
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
        assert db.session.get(Case, case_id).priority == "high"
        first.close(), second.close()
        assert user_id


def test_the_web_tells_the_second_officer_the_case_changed(app, client, staff, file_a_case):
    email = staff("officer", "SERVICE")
    code, _, _ = file_a_case()
    login(client, email)
    client.set_cookie("lang", "en")
    token = csrf_token(client, f"/staff/cases/{code}")
    client.post(f"/staff/cases/{code}/screen", data={"csrf_token": token, "version": "1"})
    stale = client.post(f"/staff/cases/{code}/accept", data={"csrf_token": token, "version": "1"})
    # 409, with the case as it is now and nothing of the second officer's saved.
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Someone else changed this case" in page
    assert 'data-testid="state">Screening' in page


def test_a_refused_action_says_why(app, client, staff, file_a_case):
    email = staff("officer", "SERVICE")
    code, _, _ = file_a_case()
    login(client, email)
    client.set_cookie("lang", "en")
    token = csrf_token(client, f"/staff/cases/{code}")
    response = client.post(f"/staff/cases/{code}/close", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 422
    assert "This cannot be done while the case is" in response.get_data(as_text=True)
    assert 'data-testid="state">Received, not screened' in response.get_data(as_text=True)
    empty = client.post(
        f"/staff/cases/{code}/reply", data={"csrf_token": token, "version": "1", "message": " "}
    )
    assert empty.status_code == 422
    assert "This field is required." in empty.get_data(as_text=True)
    assert client.post(f"/staff/cases/{code}/fly", data={"csrf_token": token}).status_code == 404


def test_priority_is_set_through_the_one_action_route(app, client, staff, file_a_case):
    """The "priority" action, declared once in staff/actions.py: its form on
    the page, its service through the route, its message, its event."""
    email = staff("manager", "SERVICE")  # a routing verb: managers may
    code, _, _ = file_a_case()
    login(client, email)
    client.set_cookie("lang", "en")
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="action-priority"' in page and 'name="priority"' in page
    token = csrf_token(client, f"/staff/cases/{code}")
    response = client.post(
        f"/staff/cases/{code}/priority",
        data={"csrf_token": token, "version": "1", "priority": "urgent"},
        follow_redirects=True,
    )
    assert "Priority set." in response.get_data(as_text=True)
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.priority == "urgent"
    assert last_event(case).diff == {"priority": ["normal", "urgent"]}
    same = client.post(
        f"/staff/cases/{code}/priority",
        data={"csrf_token": token, "version": str(case.version), "priority": "urgent"},
    )
    assert same.status_code == 422
    assert "Nothing was changed" in same.get_data(as_text=True)
