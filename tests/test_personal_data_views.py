"""Who looked at whom (issue 16, item 3): the filer's contact details stay off
the staff case page until opened, each opening and each download is in the
access log, a corruption reporter's identity needs a reason, and
administrators read the log on /admin/audit by case, person and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.personal_data import PersonalDataView
from suggestion.core.extensions import db
from suggestion.core.forms import local_date_text
from suggestion.core.settings import agency_today
from tests.factories import category
from tests.factories import checked_pdf
from tests.helpers import count_rows
from tests.helpers import csrf_token
from tests.helpers import login
from tests.test_staff_access import attachment_url

EMAIL = "somchai@example.com"
PHONE = "0812345678"


@pytest.fixture
def world(app, staff, file_a_case):
    accounts = {
        "officer": staff("officer", "SERVICE"),
        "colleague": staff("officer", "SERVICE", "colleague@example.go.th"),
        "other": staff("officer", "IT"),
        "integrity": staff("integrity", "INTEGRITY"),
        "admin": staff("admin", "CENTRAL"),
    }
    with app.test_request_context():
        cases = {
            "service": file_a_case(subject="บริการข้อมูลช้า", files=[checked_pdf()])[0],
            "second": file_a_case(subject="ขอสำเนาเอกสาร", email="malee@example.com")[0],
            "it": file_a_case(category=category("website"), subject="เว็บไซต์ล่ม")[0],
            "corruption": file_a_case(kind="corruption", subject="เรียกรับเงินใต้โต๊ะ")[0],
        }
    return accounts, cases


def as_(app, email):
    client = app.test_client()
    login(client, email)
    return client


def open_contact(client, code, **data):
    token = csrf_token(client, f"/staff/cases/{code}")
    return client.post(f"/staff/cases/{code}/contact", data={"csrf_token": token, **data})


def views():
    return db.session.scalars(sa.select(PersonalDataView).order_by(PersonalDataView.id)).all()


def test_contact_details_are_hidden_until_opened_and_the_opening_is_logged(app, world):
    accounts, cases = world
    code = cases["service"]
    client = as_(app, accounts["officer"])
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert EMAIL not in page and PHONE not in page and "สมชาย" not in page
    assert 'data-testid="show-contact"' in page
    assert count_rows("personal_data_views") == 0  # looking at the case is not looking at the filer

    shown = open_contact(client, code)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert EMAIL in text and PHONE in text and "สมชาย ใจดี" in text
    assert shown.headers["Cache-Control"] == "no-store"
    [view] = views()
    assert view.actor_label == accounts["officer"]
    assert view.case_id == db.session.scalar(sa.select(Case.id).where(Case.tracking_code == code))
    assert view.data == "contact_details" and view.reason is None
    # The page, loaded again, hides them again; each opening is one record.
    assert EMAIL not in client.get(f"/staff/cases/{code}").get_data(as_text=True)
    open_contact(client, code)
    assert count_rows("personal_data_views") == 2

    log = as_(app, accounts["admin"]).get("/admin/audit?trail=personal").get_data(as_text=True)
    assert accounts["officer"] in log and code in log
    assert "ดูข้อมูลติดต่อ" in log  # Thai first


def test_a_request_without_the_form_token_shows_and_records_nothing(app, world):
    accounts, cases = world
    client = as_(app, accounts["officer"])
    response = client.post(f"/staff/cases/{cases['service']}/contact", data={})
    assert response.status_code == 400
    assert EMAIL not in response.get_data(as_text=True)
    assert count_rows("personal_data_views") == 0


def test_a_corruption_reporters_identity_needs_a_reason_each_time(app, world):
    accounts, cases = world
    code = cases["corruption"]
    client = as_(app, accounts["integrity"])
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert EMAIL not in page
    assert 'name="reason"' in page

    refused = open_contact(client, code, reason="   ")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert EMAIL not in text
    assert "ระบุเหตุผลที่ต้องทราบตัวผู้แจ้ง" in text
    assert count_rows("personal_data_views") == 0

    shown = open_contact(client, code, reason="สอบข้อเท็จจริงเพิ่มเติมตามคำสั่งที่ 7/2569")
    assert shown.status_code == 200 and EMAIL in shown.get_data(as_text=True)
    [view] = views()
    assert view.reason == "สอบข้อเท็จจริงเพิ่มเติมตามคำสั่งที่ 7/2569"
    log = as_(app, accounts["admin"]).get(
        "/admin/audit", query_string={"trail": "personal", "case": code}
    )
    assert "สอบข้อเท็จจริงเพิ่มเติมตามคำสั่งที่ 7/2569" in log.get_data(as_text=True)


def test_a_download_is_recorded(app, world):
    accounts, cases = world
    code = cases["service"]
    client = as_(app, accounts["officer"])
    url = attachment_url(code)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    [view] = views()
    assert view.data == "attachment"
    assert url.endswith(f"/attachments/{view.attachment_id}")
    log = as_(app, accounts["admin"]).get("/admin/audit?trail=personal").get_data(as_text=True)
    assert "ดาวน์โหลดไฟล์แนบ" in log and code in log


def test_an_officer_of_another_division_gets_404_and_nothing_is_recorded(app, world):
    accounts, cases = world
    code = cases["service"]
    client = as_(app, accounts["other"])
    token = csrf_token(client, "/staff/")
    response = client.post(f"/staff/cases/{code}/contact", data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get(attachment_url(code)).status_code == 404
    assert count_rows("personal_data_views") == 0


def test_the_log_filters_by_case_person_and_period(app, world, monkeypatch):
    accounts, cases = world
    officer, colleague = as_(app, accounts["officer"]), as_(app, accounts["colleague"])
    open_contact(officer, cases["service"])
    open_contact(officer, cases["second"])
    open_contact(colleague, cases["second"])
    admin = as_(app, accounts["admin"])

    def listed(**query):
        response = admin.get("/admin/audit", query_string={"trail": "personal", **query})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_data(as_text=True).count('data-testid="access-row')

    assert listed() == 3
    assert listed(case=cases["second"]) == 2
    assert listed(case=cases["second"].lower()) == 2  # typed as people type it
    colleague_id = db.session.scalar(
        sa.text("SELECT id FROM users WHERE email = 'colleague@example.go.th'")
    )
    assert listed(staff=colleague_id) == 1
    assert listed(staff=colleague_id, case=cases["service"]) == 0
    with app.test_request_context():  # Thai pages type B.E. dates
        today = agency_today()
        today_be = local_date_text(today)
        yesterday_be = local_date_text(today - timedelta(days=1))
    assert today_be.endswith(str(today.year + 543))
    assert listed(since=today_be, until=today_be) == 3
    assert listed(until=yesterday_be) == 0
    # Fifty a page, by keyset: with two a page, three records make two pages.
    monkeypatch.setattr("suggestion.admin.audit.PAGE_SIZE", 2)
    first = admin.get("/admin/audit?trail=personal").get_data(as_text=True)
    assert first.count('data-testid="access-row') == 2
    nxt = [part for part in first.split('"') if "before=" in part][0].replace("&amp;", "&")
    assert "trail=personal" in nxt
    assert admin.get(nxt).get_data(as_text=True).count('data-testid="access-row') == 1


def test_an_unknown_tracking_code_or_a_period_backwards_is_said_plainly(app, world):
    accounts, _cases = world
    admin = as_(app, accounts["admin"])
    response = admin.get("/admin/audit", query_string={"trail": "personal", "case": "X-0000"})
    assert response.status_code == 422
    assert "ไม่มีเรื่องที่มีเลขติดตามนี้" in response.get_data(as_text=True)
    backwards = admin.get("/admin/audit", query_string={"since": "2/1/2570", "until": "1/1/2570"})
    assert backwards.status_code == 422
    assert "วันสิ้นสุดอยู่ก่อนวันเริ่มต้น" in backwards.get_data(as_text=True)


def test_only_administrators_and_the_privacy_officer_read_the_log(app, world):
    accounts, _cases = world
    assert as_(app, accounts["integrity"]).get("/admin/audit?trail=personal").status_code == 404


def test_the_log_is_append_only(app, world):
    accounts, cases = world
    open_contact(as_(app, accounts["officer"]), cases["service"])
    for statement in (
        "UPDATE personal_data_views SET reason = 'x'",
        "DELETE FROM personal_data_views",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement))
    assert count_rows("personal_data_views") == 1
