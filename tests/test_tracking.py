"""Following a case with its code and key, or the e-mailed link."""

from __future__ import annotations

import re

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import CasePause
from suggestion.cases.states import Status
from suggestion.cases.workflow import transition
from suggestion.core.extensions import db
from tests.factories import PDF
from tests.factories import upload
from tests.helpers import csrf_token
from tests.helpers import recorded_statements


def track(client, code, key):
    return client.post(
        "/track",
        data={"csrf_token": csrf_token(client, "/track"), "tracking_code": code, "access_key": key},
    )


def test_code_and_key_open_the_case_with_its_public_state_and_deadline(client, file_a_case):
    code, key, _ = file_a_case()
    response = track(client, code, key.lower())
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert code in page
    assert 'data-testid="public-status">รับเรื่องแล้ว' in page
    # The deadline in Buddhist Era, with a Thai month name.
    assert re.search(r'data-testid="due-at">\d{1,2} [ก-๙.]+ 25\d\d เวลา 23:59 น.<', page)
    assert "somchai@example.com" not in page  # no personal data on the tracking page


def test_a_wrong_key_and_an_unknown_code_look_the_same(client, file_a_case):
    code, _, _ = file_a_case()
    wrong = track(client, code, "ABCDE-FGHJK")
    unknown = track(client, "2400-999999", "ABCDE-FGHJK")
    assert wrong.status_code == unknown.status_code == 404
    strip = lambda r: r.get_data(as_text=True).replace(code, "").replace("2400-999999", "")  # noqa: E731
    assert strip(wrong).count("error") == strip(unknown).count("error")


def test_a_case_page_is_not_shown_without_the_key(client, file_a_case):
    code, _, _ = file_a_case()
    response = client.get(f"/track/{code}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/track?code={code}")


def test_failed_lookups_are_throttled(client, app, file_a_case, monkeypatch):
    monkeypatch.setitem(app.config, "TRACK_FAILED_LOOKUP_LIMIT", "3 per minute")
    code, key, _ = file_a_case()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [track(client, code, "ABCDE-FGHJK").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert track(client, code, key).status_code == 429  # even the right key waits
    api = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": "ABCDE-FGHJK"})
    assert api.status_code == 429


def test_the_link_the_api_and_the_form_share_one_budget_of_failures(
    client, app, file_a_case, monkeypatch
):
    monkeypatch.setitem(app.config, "TRACK_FAILED_LOOKUP_LIMIT", "3 per minute")
    code, key, token = file_a_case()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert client.get(f"/track/link/{token}").status_code == 303  # successes cost nothing
    assert client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key}).status_code == 200
    assert client.get("/track/link/not-a-real-link").status_code == 404
    wrong = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": "ABCDE-FGHJK"})
    assert wrong.status_code == 404
    assert track(client, code, "ABCDE-FGHJK").status_code == 404
    assert client.get(f"/track/link/{token}").status_code == 429
    refused = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key})
    assert refused.status_code == 429
    assert refused.json["errors"]["_request"] == [
        "มีการลองหลายครั้งเกินไปจากการเชื่อมต่อของท่าน กรุณารอไม่เกิน 15 นาทีแล้วลองใหม่อีกครั้ง"
    ]


def test_the_secret_link_opens_the_case(client, file_a_case):
    code, _, token = file_a_case()
    response = client.get(f"/track/link/{token}")
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/track/link/not-a-real-token").status_code == 404


def test_the_filer_adds_information_and_files(client, file_a_case):
    code, key, _ = file_a_case()
    track(client, code, key)
    response = client.post(
        f"/track/{code}/information",
        data={
            "csrf_token": csrf_token(client, f"/track/{code}"),
            "text": "แนบสำเนาคำขอเพิ่มเติม",
            "attachments": [upload(PDF, "คำขอ.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "แนบสำเนาคำขอเพิ่มเติม" in page and "คำขอ.pdf" in page


def test_an_answer_to_a_request_for_information_resumes_the_case(
    app, client, file_a_case, db_session
):
    code, key, _ = file_a_case()
    with app.test_request_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        transition(case, Status.IN_PROGRESS)
        transition(case, Status.AWAITING_INFO, body="กรุณาแจ้งเลขที่คำขอ")
        db.session.commit()
    track(client, code, key)
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "รอข้อมูลเพิ่มเติม" in page and "กรุณาแจ้งเลขที่คำขอ" in page
    client.post(
        f"/track/{code}/information",
        data={"csrf_token": csrf_token(client, f"/track/{code}"), "text": "เลขที่คำขอ 123/2569"},
    )
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.status == "in_progress"
    pause = db.session.scalars(sa.select(CasePause).where(CasePause.case_id == case.id)).one()
    assert pause.resumed_at is not None and pause.shifted_days == 0  # same day: nothing to shift
    actions = db.session.scalars(
        sa.select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    assert actions == [
        "filed",
        "status_changed",
        "status_changed",
        "information_added",
        "status_changed",
    ]


def test_empty_information_is_refused_with_a_message(client, file_a_case):
    code, key, _ = file_a_case()
    track(client, code, key)
    response = client.post(
        f"/track/{code}/information",
        data={"csrf_token": csrf_token(client, f"/track/{code}"), "text": "   "},
    )
    assert response.status_code == 422
    assert "จำเป็นต้องกรอกข้อมูลในช่องนี้" in response.get_data(as_text=True)


def test_events_cannot_be_changed_or_deleted(app, file_a_case, db_session):
    import pytest

    code, _, _ = file_a_case()
    for statement in ("UPDATE case_events SET body = 'x'", "DELETE FROM case_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(sa.text(statement))


def test_adding_information_without_a_csrf_token_is_refused(client, file_a_case):
    code, key, _ = file_a_case()
    track(client, code, key)
    response = client.post(f"/track/{code}/information", data={"text": "ข้อมูลเพิ่ม"})
    assert response.status_code == 400
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.action == "information_added")
        )
        == 0
    )


def test_the_filer_rates_the_outcome_once_and_the_case_closes(app, client, file_a_case, db_session):
    code, key, _ = file_a_case()
    with app.test_request_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        transition(case, Status.IN_PROGRESS)
        transition(case, Status.RESOLVED, body="ส่งข้อมูลแล้ว")
        db.session.commit()
    track(client, code, key)
    assert 'name="score"' in client.get(f"/track/{code}").get_data(as_text=True)
    token = csrf_token(client, f"/track/{code}")
    missing = client.post(f"/track/{code}/rating", data={"csrf_token": token})
    assert missing.status_code == 422
    forged = client.post(f"/track/{code}/rating", data={"csrf_token": token, "score": "9"})
    assert forged.status_code == 422
    response = client.post(
        f"/track/{code}/rating", data={"csrf_token": token, "score": "4", "comment": "รวดเร็วดี"}
    )
    assert response.status_code == 303
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.satisfaction == 4 and case.status == "closed"
    assert "4 จาก 5" in client.get(f"/track/{code}").get_data(as_text=True)
    again = client.post(f"/track/{code}/rating", data={"csrf_token": token, "score": "1"})
    assert again.status_code == 303
    assert (
        db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one().satisfaction
        == 4
    )


def test_the_outcome_email_invites_a_rating_and_staff_see_it(app, client, file_a_case, staff):
    from suggestion.cases import actions
    from suggestion.cases.access import StaffAccess
    from suggestion.notify.models import Notification
    from tests.helpers import login

    code, key, _ = file_a_case()
    officer_email = staff("officer", "SERVICE")
    with app.test_request_context():
        from suggestion.auth.models import User

        officer = db.session.scalars(sa.select(User).where(User.email == officer_email)).one()
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        transition(case, Status.IN_PROGRESS)
        actions.resolve(StaffAccess(officer), case, summary="ส่งข้อมูลให้แล้ว")
        db.session.commit()
    outcome = db.session.scalars(
        sa.select(Notification).where(Notification.template == "outcome")
    ).one()
    with app.app_context():  # unsealed with the site's key
        text = outcome.text
    assert "กรุณาให้คะแนน 1 (ควรปรับปรุง) ถึง 5 (ดีมาก)" in text
    assert f"/track?code={code}" in text

    track(client, code, key)
    token = csrf_token(client, f"/track/{code}")
    client.post(
        f"/track/{code}/rating", data={"csrf_token": token, "score": "5", "comment": "ดีมาก"}
    )
    desk = app.test_client()
    login(desk, officer_email)
    page = desk.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert re.search(r'data-testid="rating">5 จาก 5', page)
    assert "ผู้ยื่นเรื่องประเมินความพึงพอใจ" in page and "ดีมาก" in page


def test_look_ups_go_on_when_the_throttle_storage_is_down(client, file_a_case, monkeypatch, caplog):
    """A Redis outage must not turn every look-up into a 500: they go on,
    unthrottled, and say so in the log."""
    import redis

    from suggestion.core.extensions import limiter

    class Unreachable:
        def test(self, *args):  # type: ignore[no-untyped-def]
            raise redis.exceptions.ConnectionError("Connection refused")

        hit = test

    monkeypatch.setattr(type(limiter), "limiter", property(lambda self: Unreachable()))
    code, key, _ = file_a_case()
    assert client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key}).status_code == 200
    wrong = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": "ABCDE-FGHJK"})
    assert wrong.status_code == 404
    assert track(client, code, key).status_code == 303
    assert "throttle storage unavailable" in caplog.text


def test_the_case_page_costs_the_same_with_more_files_on_its_timeline(app, client, file_a_case):
    from suggestion.cases import attachments
    from suggestion.cases.events import record_event
    from tests.factories import checked_pdf

    code, key, _ = file_a_case()
    assert track(client, code, key).status_code == 303

    def add_information(count: int) -> None:
        with app.test_request_context():
            case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
            for n in range(count):
                event = record_event(
                    case, "information_added", actor_label="public", body=f"{n}", is_public=True
                )
                db.session.add(attachments.store(checked_pdf(), case.id, event.id, public=True))
            db.session.commit()

    def statements_for_page() -> int:
        with recorded_statements(app) as seen:
            assert client.get(f"/track/{code}").status_code == 200
        return len(seen)

    add_information(1)
    few = statements_for_page()
    add_information(8)
    assert statements_for_page() <= few  # not one query more per file


def test_the_filer_downloads_their_own_files_from_the_tracked_case(app, client, file_a_case):
    """The files showed on /track by name only. Now each is a download, for
    the browser that opened the case with its code and key, served as staff
    downloads are: an attachment, named with the judged type's extension,
    never sniffed."""
    code, key, _ = file_a_case()
    other_code, other_key, _ = file_a_case()
    track(client, code, key)
    client.post(
        f"/track/{code}/information",
        data={
            "csrf_token": csrf_token(client, f"/track/{code}"),
            "text": "แนบสำเนาคำขอ",
            "attachments": [upload(PDF, "คำขอ.js")],  # a PDF, whatever its name says
        },
        content_type="multipart/form-data",
    )
    page = client.get(f"/track/{code}").get_data(as_text=True)
    link = re.search(rf'href="(/track/{code}/attachments/\d+)"', page)
    assert link, page
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment") and ".pdf" in disposition and ".js" not in disposition
    )

    # Another browser, or the same one with another case's number, gets nothing.
    assert app.test_client().get(link.group(1)).status_code == 404
    attachment_id = link.group(1).rsplit("/", 1)[1]
    track(client, other_code, other_key)
    assert client.get(f"/track/{other_code}/attachments/{attachment_id}").status_code == 404
