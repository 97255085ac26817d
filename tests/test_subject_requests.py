"""Data-subject requests (PDPA ss.30–36) through the pages, against
PostgreSQL: the data protection officer's register, the access export (the
filer's data and no other filer's), erasure carried out or refused with its
legal ground, and the filer's own requests on /track."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.privacy.models import SubjectRequest
from tests.helpers import csrf_token
from tests.helpers import login


def _register(client, right: str, codes: str) -> int:
    response = client.post(
        "/privacy/",
        data={
            "csrf_token": csrf_token(client, "/privacy/"),
            "requester_name": "สมชาย ใจดี",
            "requester_contact": "somchai@example.com",
            "subject_right": right,
            "identity_check": "id_card",
            "tracking_codes": codes,
            "note": "ขอสำเนาข้อมูล",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _post(client, path: str, page: str, **data: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _actions() -> list[str]:
    return [
        str(a) for a in db.session.scalars(sa.select(AdminEvent.action).order_by(AdminEvent.id))
    ]


def _internal_note_and_file(app, code: str) -> None:
    """An officer's internal note on the case, and a file that is not the
    filer's: neither belongs to the filer's copy of their data."""
    from suggestion.cases import actions
    from suggestion.cases import attachments
    from suggestion.cases.access import StaffAccess
    from tests.factories import checked_pdf
    from tests.factories import make_user

    with app.test_request_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        officer = StaffAccess(make_user("officer", "SERVICE", "note.writer@example.go.th"))
        actions.screen(officer, case)
        note = actions.add_note(officer, case, text="ผู้ร้องเคยร้องเรื่องอื่นมาแล้ว")
        staff_file = attachments.store(checked_pdf(), case.id, note.id, public=False)
        staff_file.original_name = "internal-minutes.pdf"
        db.session.add(staff_file)
        db.session.commit()


def test_an_access_request_exports_the_filers_data_and_no_one_elses(
    app, client, staff, file_a_case
):
    officer = staff("privacy", "SERVICE")
    mine, _, _ = file_a_case(email="mine@example.com", name="สมชาย ใจดี")
    other, _, _ = file_a_case(email="someone.else@example.com", name="สมหญิง อื่น")
    _internal_note_and_file(app, mine)
    login(client, officer)
    number = _register(client, "access", mine)
    page = client.get(f"/privacy/requests/{number}")
    assert "30" in client.get("/privacy/").get_data(as_text=True)
    assert mine in page.get_data(as_text=True)
    response = _post(client, f"/privacy/requests/{number}/export", f"/privacy/requests/{number}")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(bundle.read("data.json"))
    assert [c["tracking_code"] for c in data["cases"]] == [mine]
    assert data["cases"][0]["filer"]["email"] == "mine@example.com"
    text = bundle.read("data.json").decode()
    assert "someone.else@example.com" not in text and other not in text
    assert "ผู้ร้องเคยร้องเรื่องอื่นมาแล้ว" not in text  # the internal note
    assert "internal-minutes" not in text  # the file that is not the filer's
    assert not [n for n in bundle.namelist() if "internal-minutes" in n]
    assert bundle.read("summary.pdf").startswith(b"%PDF")
    assert _actions()[-2:] == ["subject_request_registered", "personal_data_exported"]
    request = db.session.get(SubjectRequest, number)
    # 30 calendar days (s.30): the end of the 30th day after the day of
    # receipt, in Bangkok, weekends and holidays counted.
    bangkok = ZoneInfo("Asia/Bangkok")
    received_day = request.received_at.astimezone(bangkok).date()
    due_day = received_day + timedelta(days=30)
    assert request.due_at == datetime.combine(due_day, time(23, 59, 59), bangkok)


def test_erasure_is_refused_with_its_ground_while_the_case_is_open(client, staff, file_a_case):
    officer = staff("privacy", "SERVICE")
    code, _, _ = file_a_case(email="erase.me@example.com")
    login(client, officer)
    number = _register(client, "erasure", code)
    case_id = db.session.scalars(sa.select(Case.id).where(Case.tracking_code == code)).one()
    page = f"/privacy/requests/{number}"
    assert "s.24(4)" in client.get(page).get_data(as_text=True) or "24(4)" in client.get(
        page
    ).get_data(as_text=True)
    response = _post(client, f"{page}/cases/{case_id}/erase", page)
    assert response.status_code == 303
    filer = db.session.scalars(sa.select(Complainant).where(Complainant.case_id == case_id)).one()
    assert filer.email == "erase.me@example.com"  # nothing erased
    _post(client, f"{page}/refuse-erasure", page)
    db.session.expire_all()
    request = db.session.get(SubjectRequest, number)
    assert request.status == "refused"
    assert "24(4)" in request.outcome
    assert request.escalate_at is None  # the sweep no longer watches it
    assert "erasure_refused" in _actions()


def test_erasure_is_carried_out_once_the_case_has_its_outcome(client, staff, file_a_case):
    officer = staff("privacy", "SERVICE")
    code, _, _ = file_a_case(email="gone@example.com", phone="0899999999")
    db.session.execute(
        sa.update(Case)
        .where(Case.tracking_code == code)
        .values(status="resolved", resolved_at=utcnow())
    )
    db.session.commit()
    login(client, officer)
    number = _register(client, "erasure", code)
    case_id = db.session.scalars(sa.select(Case.id).where(Case.tracking_code == code)).one()
    page = f"/privacy/requests/{number}"
    assert _post(client, f"{page}/cases/{case_id}/erase", page).status_code == 303
    filer = db.session.scalars(sa.select(Complainant).where(Complainant.case_id == case_id)).one()
    assert (filer.name, filer.email, filer.phone, filer.email_digest) == (None, None, None, None)
    assert filer.anonymised_at is not None
    _post(client, f"{page}/close", page, status="done", outcome="ลบข้อมูลติดต่อแล้ว")
    db.session.expire_all()
    request = db.session.get(SubjectRequest, number)
    assert request.status == "done"
    # With its case's contact details gone, the request forgets who asked:
    # its own copies go too, and the answer stays on record.
    assert (request.requester_name, request.requester_contact, request.note) == ("", "", "")
    assert request.requester_forgotten_at is not None
    assert request.outcome == "ลบข้อมูลติดต่อแล้ว"
    shown = client.get(page).get_data(as_text=True)
    assert "สมชาย ใจดี" not in shown and "somchai@example.com" not in shown
    assert _actions()[-3:] == [
        "contact_erased",
        "subject_request_closed",
        "personal_data_anonymised",
    ]


def test_the_data_protection_officer_has_the_register_and_not_the_cases(client, staff, file_a_case):
    code, _, _ = file_a_case()
    login(client, staff("privacy", "SERVICE"))
    assert client.get("/staff/").headers["Location"].endswith("/privacy/")
    assert client.get(f"/staff/cases/{code}").status_code == 404
    assert client.get("/admin/").status_code == 404
    assert client.get("/privacy/").status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/privacy/")})
    login(client, staff("officer", "SERVICE"))
    assert client.get("/privacy/").status_code == 404
    assert client.get("/privacy/requests/1").status_code == 404


def test_an_unknown_tracking_code_is_refused_and_nothing_is_written(client, staff):
    login(client, staff("privacy", "SERVICE"))
    response = client.post(
        "/privacy/",
        data={
            "csrf_token": csrf_token(client, "/privacy/"),
            "requester_name": "x",
            "subject_right": "access",
            "identity_check": "id_card",
            "tracking_codes": "2569-999999",
        },
    )
    assert response.status_code == 422
    assert "2569-999999" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubjectRequest)) == 0


def _open_on_track(client, code: str, key: str) -> None:
    response = client.post(
        "/track",
        data={"csrf_token": csrf_token(client, "/track"), "tracking_code": code, "access_key": key},
    )
    assert response.status_code == 303


def test_the_filer_asks_downloads_and_withdraws_on_track(client, file_a_case):
    code, key, _ = file_a_case(email="self@example.com")
    other, _, _ = file_a_case(email="not.me@example.com")
    assert client.get(f"/track/{code}/privacy").status_code == 404  # not opened with the key
    _open_on_track(client, code, key)
    page = f"/track/{code}/privacy"
    assert client.get(page).status_code == 200
    assert client.get(f"/track/{other}/privacy").status_code == 404
    response = _post(client, f"{page}/request", page, subject_right="rectification", note="แก้")
    assert response.status_code == 303
    request = db.session.scalars(sa.select(SubjectRequest)).one()
    assert request.identity_check == "access_key" and request.registered_by_id is None
    bundle = zipfile.ZipFile(io.BytesIO(_post(client, f"{page}/export", page).data))
    data = json.loads(bundle.read("data.json"))
    assert [c["tracking_code"] for c in data["cases"]] == [code]
    # While the case is handled, the contact details stay, and the page says why.
    assert "24(4)" in client.get(f"{page}/withdraw").get_data(as_text=True)
    assert _post(client, f"{page}/withdraw", page).status_code == 303
    case_id = db.session.scalars(sa.select(Case.id).where(Case.tracking_code == code)).one()
    filer = db.session.scalars(sa.select(Complainant).where(Complainant.case_id == case_id)).one()
    assert filer.email == "self@example.com"
    db.session.execute(
        sa.update(Case).where(Case.id == case_id).values(status="resolved", resolved_at=utcnow())
    )
    db.session.commit()
    _post(client, f"{page}/withdraw", f"{page}/withdraw")
    db.session.expire_all()
    filer = db.session.get(Complainant, filer.id)
    assert filer.email is None and filer.name is None
    assert _actions()[-1] == "contact_erased"
    assert db.session.scalars(sa.select(AdminEvent.actor_label)).all()[-1] == "filer"
