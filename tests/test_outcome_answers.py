"""Did the outcome solve the filer's problem? (issue 14, item 3): asked by the
outcome e-mail and on /track; "not yet", with a reason, reopens the case once
per outcome and alerts its staff; the reports count disputed outcomes."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.cases import actions
from suggestion.cases import outcome_answers
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import OutcomeAnswer
from suggestion.cases.states import RejectGround
from suggestion.cases.states import Status
from suggestion.cases.workflow import transition
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.reports.indicators import monthly_report
from suggestion.reports.indicators import period_indicators
from suggestion.reports.periods import Period
from suggestion.reports.periods import today
from tests.helpers import csrf_token
from tests.test_tracking import track


def _case(code: str) -> Case:
    return db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _assigned_and_resolved(app, file_a_case, staff, **filing):
    """A case of SERVICE, assigned to its officer and resolved by them; the
    division also has two managers and another officer."""
    officer = staff("officer", "SERVICE")
    staff("officer", "SERVICE", "other.officer@example.go.th")
    staff("manager", "SERVICE")
    staff("manager", "SERVICE", "second.manager@example.go.th")
    staff("manager", "IT")  # another division's manager: not told
    code, key, _ = file_a_case(**filing)
    with app.test_request_context():
        case, user = _case(code), _user(officer)
        access = StaffAccess(user)
        actions.accept(access, case)
        actions.assign(access, case, division=user.division, assignee=user)
        actions.resolve(access, case, summary="ส่งข้อมูลให้ทางอีเمลแล้ว")
        db.session.commit()
    return code, key, officer


def _answer(client, code, **data):
    token = csrf_token(client, "/track")  # the session's token, whatever the case page shows
    return client.post(f"/track/{code}/solved", data={"csrf_token": token, **data})


def test_not_yet_with_a_reason_reopens_the_case_once_and_alerts_its_staff(
    app, client, file_a_case, staff
):
    code, key, officer = _assigned_and_resolved(app, file_a_case, staff)
    track(client, code, key)
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "ผลการดำเนินการนี้แก้ปัญหาของท่านได้หรือไม่" in page
    assert 'name="solved"' in page and 'name="score"' in page  # two separate questions

    # "Not yet" needs a reason: refused beside the field, nothing recorded.
    refused = _answer(client, code, solved="no", unsolved_reason="  ")
    assert refused.status_code == 422
    assert "กรุณาระบุว่ายังมีปัญหาใดที่ยังไม่ได้รับการแก้ไข" in refused.get_data(as_text=True)
    assert _case(code).status == Status.RESOLVED

    resolved_at = _case(code).resolved_at
    due_at = _case(code).due_at
    response = _answer(client, code, solved="no", unsolved_reason="ไฟล์ที่ได้รับเปิดไม่ได้")
    assert response.status_code == 303
    case = _case(code)
    assert case.status == Status.IN_PROGRESS and case.resolved_at is None
    assert case.due_at == due_at  # the deadline stands (docs/decisions.md)
    answer = db.session.scalars(sa.select(OutcomeAnswer)).one()
    assert (answer.is_solved, answer.outcome_at) == (False, resolved_at)

    # Audited: the dispute with its reason, then the reopening, both public.
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    dispute, reopened = events[-2:]
    assert dispute.action == "outcome_disputed" and dispute.actor_label == "public"
    assert dispute.body == "ไฟล์ที่ได้รับเปิดไม่ได้" and dispute.is_public
    assert reopened.diff["status"] == ["resolved", "in_progress"] and reopened.is_public
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "ท่านแจ้งว่าผลการดำเนินการยังไม่ได้แก้ปัญหาของท่าน" in page
    assert "ไฟล์ที่ได้รับเปิดไม่ได้" in page
    assert 'name="solved"' not in page and 'name="score"' not in page
    assert 'name="text"' in page  # an open case takes information again

    # The assignee and the division's two managers, each their own e-mail.
    alerts = db.session.scalars(
        sa.select(Notification).where(Notification.template == "outcome_disputed")
    ).all()
    assert sorted(n.to_address for n in alerts) == sorted(
        [officer, "manager.service@example.go.th", "second.manager@example.go.th"]
    )
    with app.app_context():
        text = alerts[0].text
    assert code in text and f"/staff/cases/{code}" in text
    assert "ยังไม่ได้แก้ปัญหา" in text
    assert "ไฟล์ที่ได้รับเปิดไม่ได้" not in text  # the reason stays on the desk

    # A second dispute of the same outcome is refused with why.
    again = _answer(client, code, solved="no", unsolved_reason="ยังเปิดไม่ได้")
    assert again.status_code == 303
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "ท่านได้แจ้งแล้วว่าผลการดำเนินการครั้งนี้ยังไม่ได้แก้ปัญหา" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeAnswer)) == 1

    # After a new outcome the filer is asked again.
    with app.test_request_context():
        actions.resolve(StaffAccess(_user(officer)), _case(code), summary="ส่งไฟล์ใหม่แล้ว")
        db.session.commit()
    assert 'name="solved"' in client.get(f"/track/{code}").get_data(as_text=True)
    assert _answer(client, code, solved="no", unsolved_reason="ยังไม่ได้").status_code == 303
    assert _case(code).status == Status.IN_PROGRESS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeAnswer)) == 2


def test_yes_is_recorded_once_and_the_rating_stays_a_separate_question(
    app, client, file_a_case, staff
):
    code, key, _ = _assigned_and_resolved(app, file_a_case, staff)
    track(client, code, key)
    assert _answer(client, code).status_code == 422  # no choice made
    assert _answer(client, code, solved="maybe").status_code == 422
    assert _answer(client, code, solved="yes").status_code == 303
    case = _case(code)
    assert case.status == Status.RESOLVED and case.resolved_at is not None
    answer = db.session.scalars(sa.select(OutcomeAnswer)).one()
    assert answer.is_solved
    event = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.action == "outcome_confirmed")
    ).one()
    assert event.is_public and event.actor_label == "public"
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "ท่านแจ้งว่าผลการดำเนินการแก้ปัญหาของท่านได้แล้ว" in page
    assert 'name="solved"' not in page
    assert 'name="score"' in page  # still asked to rate
    assert not db.session.scalars(
        sa.select(Notification).where(Notification.template == "outcome_disputed")
    ).all()

    # A "not yet" sent afterwards about the same outcome is refused.
    _answer(client, code, solved="no", unsolved_reason="เปลี่ยนใจ")
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "ท่านได้แจ้งแล้วว่าผลการดำเนินการครั้งนี้แก้ปัญหาของท่านได้" in page
    assert _case(code).status == Status.RESOLVED


def test_a_rated_and_closed_case_may_still_be_disputed(app, client, file_a_case, staff):
    code, key, _ = _assigned_and_resolved(app, file_a_case, staff)
    track(client, code, key)
    token = csrf_token(client, f"/track/{code}")
    client.post(f"/track/{code}/rating", data={"csrf_token": token, "score": "2"})
    assert _case(code).status == Status.CLOSED
    assert 'name="solved"' in client.get(f"/track/{code}").get_data(as_text=True)
    assert _answer(client, code, solved="no", unsolved_reason="ยังไม่ได้ข้อมูล").status_code == 303
    case = _case(code)
    assert case.status == Status.IN_PROGRESS
    assert case.closed_at is None and case.resolved_at is None


def test_forwarded_and_rejected_cases_are_asked_neither_question(app, client, file_a_case, staff):
    officer = staff("officer", "SERVICE")
    forwarded, forwarded_key, _ = file_a_case()
    rejected, rejected_key, _ = file_a_case()
    with app.test_request_context():
        access = StaffAccess(_user(officer))
        case = _case(forwarded)
        actions.accept(access, case)
        actions.forward(access, case, agency="กรมการจัดหางาน", reason="เป็นอำนาจของกรม")
        case = _case(rejected)
        actions.accept(access, case)
        actions.reject(access, case, ground=RejectGround.BEFORE_COURT, explanation="อยู่ในชั้นศาล")
        db.session.commit()
    for code, key in ((forwarded, forwarded_key), (rejected, rejected_key)):
        track(client, code, key)
        page = client.get(f"/track/{code}").get_data(as_text=True)
        assert 'name="solved"' not in page and 'name="score"' not in page
        _answer(client, code, solved="no", unsolved_reason="ไม่เห็นด้วย")
        page = client.get(f"/track/{code}").get_data(as_text=True)
        assert "คำถามนี้ใช้เฉพาะกับเรื่องที่ดำเนินการแล้วเสร็จเท่านั้น" in page
        token = csrf_token(client, "/track")
        client.post(f"/track/{code}/rating", data={"csrf_token": token, "score": "1"})
        assert _case(code).satisfaction is None
        assert _case(code).status in (Status.FORWARDED, Status.REJECTED)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeAnswer)) == 0

    # Their outcome e-mails ask neither.
    with app.app_context():
        texts = [
            n.text
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.template == "outcome")
            )
        ]
    assert len(texts) == 2
    for text in texts:
        assert "แก้ปัญหาของท่านได้หรือไม่" not in text and "ให้คะแนน" not in text
        assert "/track?code=" in text


def test_the_outcome_email_asks_whether_the_problem_was_solved(app, file_a_case, staff):
    code, _, _ = _assigned_and_resolved(app, file_a_case, staff)
    outcome = db.session.scalars(
        sa.select(Notification).where(Notification.template == "outcome")
    ).one()
    with app.app_context():
        text = outcome.text
    assert "ผลการดำเนินการนี้แก้ปัญหาของท่านได้หรือไม่" in text
    assert f"/track?code={code}" in text
    assert "กรุณาให้คะแนน 1 (ควรปรับปรุง) ถึง 5 (ดีมาก)" in text  # a separate question
    with app.test_request_context():
        from suggestion.notify.outbox import render_email

        _, english = render_email(
            "outcome",
            "en",
            tracking_code=code,
            subject="s",
            message="m",
            outcome="resolved",
            track_url=f"http://x/track?code={code}",
        )
    assert "Did this solve your problem?" in english
    assert f"http://x/track?code={code}" in english


def test_a_corruption_reports_dispute_alerts_integrity_officers_only(app, ctx, staff):
    from tests.factories import make_case

    integrity = staff("integrity", "SERVICE")
    staff("manager", "SERVICE")
    case = make_case(kind="corruption").case
    transition(case, Status.IN_PROGRESS)
    transition(case, Status.RESOLVED)
    outcome_answers.answer(case, solved=False, reason="ยังไม่มีการสอบสวน")
    alerts = db.session.scalars(
        sa.select(Notification).where(Notification.template == "outcome_disputed")
    ).all()
    assert [n.to_address for n in alerts] == [integrity]


def test_the_service_refuses_a_second_answer_and_a_missing_reason(app, ctx):
    from tests.factories import make_case

    case = make_case().case
    try:
        outcome_answers.answer(case, solved=True)
    except Invalid as error:
        assert error.code == "not_asked"
    else:
        raise AssertionError("a case without an outcome was answered")
    transition(case, Status.IN_PROGRESS)
    transition(case, Status.RESOLVED)
    try:
        outcome_answers.answer(case, solved=False, reason=" ")
    except Invalid as error:
        assert error.code == "reason"
    else:
        raise AssertionError("a dispute without a reason was recorded")
    outcome_answers.answer(case, solved=False, reason="ยังไม่ครบ")
    try:
        outcome_answers.answer(case, solved=False, reason="อีกครั้ง")
    except Invalid as error:
        assert error.code == "answered"
    else:
        raise AssertionError("the same outcome was disputed twice")
    # The database holds it too: one answer per outcome.
    db.session.add(OutcomeAnswer(case_id=case.id, outcome_at=utcnow(), is_solved=True))
    db.session.flush()
    first = db.session.scalars(sa.select(OutcomeAnswer.outcome_at)).first()
    try:
        with db.session.begin_nested():
            db.session.add(OutcomeAnswer(case_id=case.id, outcome_at=first, is_solved=True))
            db.session.flush()
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("two answers for one outcome")


def test_the_reports_count_disputed_outcomes(app, ctx, staff):
    from tests.factories import make_case

    cases = [make_case().case for _ in range(4)]
    other_kind = make_case(kind="suggestion").case
    for case in [*cases, other_kind]:
        transition(case, Status.IN_PROGRESS)
        transition(case, Status.RESOLVED)
    outcome_answers.answer(cases[0], solved=False, reason="ยังไม่ได้รับ")
    outcome_answers.answer(cases[1], solved=False, reason="ยังไม่ครบ")
    outcome_answers.answer(cases[2], solved=True)
    outcome_answers.answer(other_kind, solved=False, reason="ไม่ใช่")
    transition(cases[0], Status.RESOLVED)  # its new outcome, answered again
    outcome_answers.answer(cases[0], solved=True)
    db.session.flush()

    now = today()
    period = Period(now - timedelta(days=1), now + timedelta(days=1))
    data = period_indicators(period, ("complaint", "corruption"))
    assert (data.disputed_outcomes.disputed, data.disputed_outcomes.answers) == (2, 4)
    assert data.to_json()["disputed_outcomes"] == {"disputed": 2, "answers": 4, "percent": 50.0}
    everything = period_indicators(period, ("complaint", "suggestion"))
    assert everything.disputed_outcomes.disputed == 3
    # A manager's scope: their division's cases only (none routed here).
    scoped = period_indicators(period, ("complaint",), (Case.division_id == -1,))
    assert scoped.disputed_outcomes.answers == 0
    assert scoped.to_json()["disputed_outcomes"]["percent"] is None
    month = monthly_report(Period.month(now.year, now.month), ("complaint",))
    assert month.disputed_outcomes.disputed == 2
    # Every earlier key of the indicators is still there (DESIGN §2: only add).
    keys = set(data.to_json())
    assert {
        "start", "end", "kinds", "resolved_within_deadline",
        "resolved_within_deadline_strict", "received", "satisfaction",
    } <= keys  # fmt: skip


def test_the_stats_api_and_the_command_carry_disputed_outcomes(app, client, file_a_case, staff):
    from suggestion.core.time import fiscal_year_of

    code, key, _ = _assigned_and_resolved(app, file_a_case, staff)
    track(client, code, key)
    _answer(client, code, solved="no", unsolved_reason="ยังไม่ได้")
    with app.app_context():
        year = fiscal_year_of(today())
    data = client.get(f"/api/v1/stats?fiscal_year={year}").get_json()
    assert data["disputed_outcomes"] == {"disputed": 1, "answers": 1, "percent": 100.0}
    assert data["satisfaction"] == {"satisfied": 0, "ratings": 0, "percent": None}
    result = app.test_cli_runner().invoke(
        args=["reports", "indicators", "--fiscal-year", str(year), "--format", "json"]
    )
    assert json.loads(result.output)["disputed_outcomes"]["disputed"] == 1

    # The public view of the API shows the dispute on the timeline.
    answer = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key}).get_json()
    titles = [entry["title"] for entry in answer["timeline"]]
    assert any("ยังไม่ได้แก้ปัญหา" in t for t in titles)
    assert answer["status"] == "in_progress" and answer["resolved_at"] is None
