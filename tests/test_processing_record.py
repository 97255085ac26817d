"""The record of processing activities (PDPA s.39; issue 16, item 5): a page
and a PDF made from the configuration, for administrators and the data
protection officer; 404 for anyone else; no filer's personal data."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from suggestion.auth.models import User
from suggestion.cases import actions
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import BE_OFFSET
from suggestion.core.time import format_date
from suggestion.core.time import utcnow
from tests.factories import checked_pdf
from tests.helpers import csrf_token
from tests.helpers import login

CORRUPTION_TH = "ร้องเรียนการทุจริตและประพฤติมิชอบ"
PAGE, PDF = "/admin/processing-record", "/admin/processing-record.pdf"
PERIODS = {"years_complaint": "7", "years_corruption": "10", "years_suggestion": "1",
           "years_compliment": "1", "years_inquiry": "3"}  # fmt: skip
KIND_NAMES_TH = {"complaint": "ร้องเรียน/ร้องทุกข์", "corruption": CORRUPTION_TH,
                 "suggestion": "ข้อเสนอแนะ", "compliment": "ชมเชย", "inquiry": "สอบถาม"}  # fmt: skip
HEADINGS_TH = [
    "บันทึกรายการกิจกรรมการประมวลผลข้อมูลส่วนบุคคล",
    "ข้อมูลส่วนบุคคลที่เก็บรวบรวม วัตถุประสงค์ และฐานทางกฎหมาย",
    "ระยะเวลาการเก็บรักษา",
    "ผู้รับข้อมูล",
    "มาตรการรักษาความมั่นคงปลอดภัย",
]


def text_of(page: str) -> str:
    """The page's words, without tags, on one line."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def pdf_text_of(data: bytes) -> str:
    """The PDF's text as one line (pypdf marks Thai SARA AM with a control
    character: a vertical tab, or U+0019)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", re.sub("[\x0b\x19]", "", " ".join(p.extract_text() for p in pages)))


def periods_shown(text: str) -> dict[str, int]:
    """Each kind's period as the retention table states it."""
    found = {}
    for kind, name in KIND_NAMES_TH.items():
        match = re.search(rf"{name}: [^0-9]*? (\d+) ปีหลังจากเรื่องสิ้นสุด", text)
        assert match, f"no period for {kind}"
        found[kind] = int(match[1])
    return found


def test_the_record_states_each_kinds_period_and_follows_a_change(client, staff):
    login(client, staff("admin", "CENTRAL"))
    page = client.get(PAGE)
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    for heading in HEADINGS_TH:
        assert heading in text
    assert periods_shown(text) == {
        "complaint": 2, "corruption": 10, "suggestion": 1, "compliment": 1, "inquiry": 1,
    }  # fmt: skip
    assert "มาตรา 24(4)" in text and "มาตรา 26" in text
    assert f'href="{PDF}"' in page.get_data(as_text=True)

    token = csrf_token(client, "/admin/retention")
    saved = client.post("/admin/retention", data={**PERIODS, "csrf_token": token})
    assert saved.status_code == 303
    text = text_of(client.get(PAGE).get_data(as_text=True))
    assert periods_shown(text) == {
        "complaint": 7, "corruption": 10, "suggestion": 1, "compliment": 1, "inquiry": 3,
    }  # fmt: skip


def test_the_pdf_is_a_real_pdf_in_thai_with_the_periods_and_the_date(app, client, staff):
    login(client, staff("admin", "CENTRAL"))
    token = csrf_token(client, "/admin/retention")
    client.post("/admin/retention", data={**PERIODS, "csrf_token": token})
    answer = client.get(PDF)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    text = pdf_text_of(answer.data)
    for heading in HEADINGS_TH:
        assert heading in text
    assert "7 ปีหลังจากเรื่องสิ้นสุด" in text and "10 ปีหลังจากเรื่องสิ้นสุด" in text
    with app.app_context():
        made_on = format_date(utcnow(), "th", agency_zone())
    assert f"จัดทำเมื่อ {made_on}" in text and str(utcnow().year + BE_OFFSET) in made_on
    assert "กองบริการข้อมูลสถิติ" in text  # the division that receives data services


def test_english_is_one_click_away(client, staff):
    login(client, staff("admin", "CENTRAL"))
    client.get(f"/language/en?next={PAGE}")
    text = text_of(client.get(PAGE).get_data(as_text=True))
    assert "Record of processing activities (PDPA s.39)" in text
    assert "Complaint: the filer's name, contacts, story and files 2 years after" in text
    pdf = pdf_text_of(client.get(PDF).data)
    assert "Retention periods" in pdf and "Security measures" in pdf


def test_the_data_protection_officer_reads_it_and_others_get_404(app, client, staff):
    login(client, staff("privacy", "CENTRAL"))
    assert client.get(PAGE).status_code == 200
    assert client.get(PDF).data.startswith(b"%PDF")
    assert "/admin/processing-record" in client.get("/privacy/").get_data(as_text=True)
    for role in ("officer", "manager", "integrity"):
        other = app.test_client()
        login(other, staff(role, "CENTRAL"))
        assert other.get(PAGE).status_code == 404, role
        assert other.get(PDF).status_code == 404, role
    anonymous = app.test_client().get(PAGE)
    assert anonymous.status_code in (302, 303) and "/staff/login" in anonymous.location


FILER = {
    "name": "ประภาพร ทดสอบพิเศษ",
    "email": "prapaporn.unique@example.org",
    "phone": "0891234567",
    "address": "99/9 ถนนทดสอบพิเศษ แขวงตัวอย่าง",
    "subject": "เรื่องเฉพาะสำหรับทดสอบบันทึกกิจกรรม",
    "description": "ข้อเท็จจริงเฉพาะที่ไม่ควรปรากฏในบันทึก XQ7Z",
}


def test_no_filers_personal_data_only_the_count_of_forwarded_cases(app, client, staff, file_a_case):
    officer = staff("officer", "SERVICE")
    code, _key, _token = file_a_case(**FILER, files=[checked_pdf()])
    with app.test_request_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        user = db.session.scalars(sa.select(User).where(User.email == officer)).one()
        access = StaffAccess(user)
        actions.accept(access, case)
        actions.forward(access, case, agency="กรมการจัดหางานพิเศษ", reason="เป็นอำนาจของกรม")
        db.session.commit()
    login(client, staff("admin", "CENTRAL"))
    page = text_of(client.get(PAGE).get_data(as_text=True))
    pdf = pdf_text_of(client.get(PDF).data)
    for text in (page, pdf):
        assert "ส่งต่อแล้ว 1 เรื่องในปีงบประมาณ" in text
        for value in (*FILER.values(), code, "evidence.pdf", "กรมการจัดหางานพิเศษ"):
            assert value not in text
