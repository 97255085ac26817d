"""Filing through the web form: what the public sees, and what is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Complainant
from suggestion.cases.states import Kind
from suggestion.core.extensions import db
from suggestion.notify.models import Notification
from tests.factories import category
from tests.factories import ELF
from tests.factories import PDF
from tests.factories import PNG
from tests.factories import upload
from tests.factories import WINDOWS_EXE
from tests.helpers import count_rows
from tests.helpers import csrf_token


def form_data(client, kind="complaint", **overrides):
    data = {
        "csrf_token": csrf_token(client, f"/file/{kind}"),
        "category": str(category("bribery" if kind == "corruption" else "data-service").id),
        "subject": "บริการข้อมูลล่าช้า",
        "description": "ขอข้อมูลสถิติเมื่อวันที่ 1 พฤศจิกายน ยังไม่ได้รับ",
        "name": "สมหญิง รักดี",
        "email": "somying@example.com",
        "phone": "",
        "address": "",
        "consent": "y",
        "certify_true": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def written() -> dict[str, int]:
    return {
        t: count_rows(t)
        for t in ("cases", "complainants", "case_events", "attachments", "notifications")
    }


def test_home_page_offers_every_kind_and_a_tracking_form_in_thai(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="th">' in page
    for kind in Kind:
        assert f'href="/file/{kind.value}"' in page
    assert 'action="/track"' in page
    assert "English" in page


def test_a_named_complaint_with_an_attachment_gets_code_key_and_deadline(client):
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(PDF, "หลักฐาน.pdf"), upload(PNG, "photo.png")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'data-testid="tracking-code">([^<]+)<', receipt).group(1)
    key = re.search(r'data-testid="access-key">([^<]+)<', receipt).group(1)
    assert re.fullmatch(r"25\d\d-\d{6}", code)
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", key)

    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.status == "received" and case.channel == "web"
    assert case.due_at > case.ack_due_at > case.received_at
    assert case.division.code == "SERVICE"  # routed by its category
    assert case.complainant.name == "สมหญิง รักดี"
    assert sorted(a.original_name for a in case.attachments) == ["photo.png", "หลักฐาน.pdf"]
    assert {a.content_type for a in case.attachments} == {"application/pdf", "image/png"}
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert event.action == "filed" and event.is_public
    assert event.diff["status"] == [None, "received"]
    receipt_mail = db.session.scalars(
        sa.select(Notification).where(Notification.case_id == case.id)
    ).one()
    assert receipt_mail.to_address == "somying@example.com"
    with client.application.app_context():  # unsealed with the site's key
        text = receipt_mail.text
    assert code in text and key in text and "/track/link/" in text
    # What waits in the outbox is sealed: the database alone reads no key.
    assert key not in receipt_mail.body and "/track/link/" not in receipt_mail.body


def test_the_secrets_are_stored_only_as_digests(client):
    response = client.post("/file/complaint", data=form_data(client))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    key = re.search(r'data-testid="access-key">([^<]+)<', page).group(1)
    case = db.session.scalars(sa.select(Case)).one()
    assert key not in case.access_key_hash and len(case.access_key_hash) == 64


def test_an_anonymous_filing_keeps_no_personal_data(client):
    response = client.post(
        "/file/corruption",
        data=form_data(
            client, "corruption", is_anonymous="y", name="ไม่ควรเก็บ", email="x@example.com"
        ),
    )
    assert response.status_code == 303
    case = db.session.scalars(sa.select(Case)).one()
    assert case.is_anonymous and case.kind == "corruption"
    assert db.session.scalars(sa.select(Complainant)).first() is None
    assert count_rows("notifications") == 0


def test_the_corruption_form_promises_confidentiality(client):
    page = client.get("/file/corruption?lang=en").get_data(as_text=True)
    assert "Your report is confidential" in page
    assert "Bribery" in page and "Statistical data services" not in page


@pytest.mark.parametrize("kind", [k.value for k in Kind])
def test_each_kind_can_be_filed(client, kind):
    response = client.post(f"/file/{kind}", data=form_data(client, kind))
    assert response.status_code == 303
    assert db.session.scalars(sa.select(Case.kind)).one() == kind


def test_missing_fields_are_shown_beside_their_fields_and_typed_text_is_kept(client):
    before = written()
    client.set_cookie("lang", "en")
    response = client.post(
        "/file/complaint",
        data=form_data(
            client, subject="", name="", email="", consent=None, description="ข้อความที่พิมพ์ไว้"
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in page
    assert "Please give your name, or choose to file anonymously." in page
    assert "Please give at least one way to reach you" in page
    assert "Please read the privacy notice and tick this box." in page
    assert "ข้อความที่พิมพ์ไว้" in page  # what the person typed is still there
    assert written() == before


def test_errors_are_in_thai_by_default(client):
    response = client.post("/file/complaint", data=form_data(client, subject=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "กรุณา" in page
    assert "This field is required." not in page


def test_too_long_text_is_refused(client):
    before = written()
    client.set_cookie("lang", "en")
    response = client.post("/file/complaint", data=form_data(client, subject="ก" * 201))
    assert response.status_code == 422
    assert "Please keep this under 200 characters." in response.get_data(as_text=True)
    assert written() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (ELF, "report.pdf", "is not a file type we accept"),
        (WINDOWS_EXE, "scan.pdf", "is not a file type we accept"),
        (b"", "empty.txt", "is empty"),
        (PDF + b"\x00" * (10 * 1024 * 1024), "big.pdf", "is larger than 10 MB"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(client, app, data, name, message):
    before = written()
    client.set_cookie("lang", "en")
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(data, name)]),
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and name in page
    assert "Please choose your files again." in page
    assert written() == before
    assert not list(Path(app.config["UPLOAD_DIR"]).glob("**/*.*"))


def test_more_than_five_files_are_refused(client):
    before = written()
    client.set_cookie("lang", "en")
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(PDF, f"{i}.pdf") for i in range(6)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "You can attach at most 5 files." in response.get_data(as_text=True)
    assert written() == before


def test_a_form_without_its_csrf_token_is_refused_and_keeps_what_was_typed(client):
    before = written()
    client.set_cookie("lang", "en")
    response = client.post(
        "/file/complaint", data=form_data(client, csrf_token=None, description="ข้อความยาวที่พิมพ์ไว้")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your form had expired" in page and "ข้อความยาวที่พิมพ์ไว้" in page
    assert written() == before
    expired = client.post("/file/complaint", data=form_data(client, csrf_token="forged.token"))
    assert expired.status_code == 422 and written() == before


def test_a_category_of_another_kind_is_refused(client):
    client.set_cookie("lang", "en")
    data = form_data(client, category=str(category("bribery").id))
    response = client.post("/file/complaint", data=data)
    assert response.status_code == 422
    assert "Please choose a category." in response.get_data(as_text=True)


def test_an_unknown_kind_is_not_found(client):
    assert client.get("/file/lottery").status_code == 404


def test_a_request_over_the_size_limit_is_refused_politely(client, app):
    client.set_cookie("lang", "en")
    big = b"%PDF" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(big, "huge.pdf")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_attachments_are_stored_under_random_names(client, app):
    client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(PDF, "../../etc/passwd.pdf")]),
        content_type="multipart/form-data",
    )
    attachment = db.session.scalars(sa.select(Attachment)).one()
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.storage_key and attachment.storage_key.endswith(".pdf")


def test_process_page_reads_deadlines_from_the_policies(client):
    from suggestion.deadlines.models import SlaPolicy

    policy = db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.kind == "inquiry")).one()
    policy.outcome_days = 7
    db.session.flush()
    page = client.get("/process?lang=en").get_data(as_text=True)
    assert re.search(r'data-testid="outcome-inquiry">\s*7 working days', page)
    assert re.search(r'data-testid="outcome-complaint">\s*15 working days', page)


def test_the_language_choice_is_remembered(client):
    response = client.get("/language/en?next=/process")
    assert response.status_code == 302 and response.headers["Location"] == "/process"
    assert '<html lang="en">' in client.get("/process").get_data(as_text=True)
    assert client.get("/language/th?next=https://evil.example/").headers["Location"] == "/"


@pytest.mark.parametrize("value", ["abc", "999999", "-1", ""])
def test_a_category_that_is_not_offered_gets_one_clear_message(client, value):
    response = client.post("/file/complaint", data=form_data(client, category=value))
    errors = re.findall(r'<p class="error">([^<]+)</p>', response.get_data(as_text=True))
    assert response.status_code == 422
    assert errors == ["กรุณาเลือกหมวดหมู่เรื่อง"]


def test_invisible_control_characters_are_dropped_not_fatal(client):
    response = client.post(
        "/file/complaint", data=form_data(client, subject="ข้อมูล\x00ล่าช้า\x1b", name="สมหญิง\x00")
    )
    assert response.status_code == 303
    case = db.session.scalars(sa.select(Case)).one()
    assert case.subject == "ข้อมูลล่าช้า" and case.complainant.name == "สมหญิง"


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/track", {"tracking_code": "2569-000001", "access_key": "ABCDE-FGHJK"}),
        ("/track/forget", {}),
    ],
)
def test_every_public_form_refuses_a_missing_csrf_token(client, path, fields):
    response = client.post(path, data=fields)
    assert response.status_code == 400
    assert "แบบฟอร์ม" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "phone", ["081-234-5678 ต่อ 12", "02 123 4567 ext. 5", "๐๘๑๒๓๔๕๖๗๘", "+66 81 234 5678"]
)
def test_common_thai_telephone_numbers_are_accepted(client, phone):
    response = client.post("/file/complaint", data=form_data(client, email="", phone=phone))
    assert response.status_code == 303


def test_a_box_sent_as_no_is_not_ticked(client):
    client.set_cookie("lang", "en")
    response = client.post("/file/complaint", data=form_data(client, consent="no"))
    assert response.status_code == 422
    assert "Please read the privacy notice and tick this box." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "script.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "x.png"),
        (b"<html><script>alert(1)</script></html>", "page.txt"),
    ],
)
def test_scripts_and_markup_are_not_taken_for_plain_text(client, data, name):
    client.set_cookie("lang", "en")
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(data, name)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "is not a file type we accept" in response.get_data(as_text=True)


def test_a_shared_computer_can_forget_the_case(client):
    response = client.post("/file/complaint", data=form_data(client))
    receipt_url = response.headers["Location"]
    code = re.search(
        r'data-testid="tracking-code">([^<]+)<', client.get(receipt_url).get_data(as_text=True)
    ).group(1)
    client.post("/track/forget", data={"csrf_token": csrf_token(client, "/track")})
    assert client.get(receipt_url).status_code == 302  # the receipt is gone
    assert client.get(f"/track/{code}").status_code == 302  # the case needs the key again
