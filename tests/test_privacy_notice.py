"""The privacy notice in versions (issue 16, item 6): administrators publish
a new version, each filing records the version its filer was shown, /privacy
shows the current one and the earlier ones."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import PrivacyNotice
from suggestion.cases.states import Channel
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.time import BE_OFFSET
from suggestion.core.time import utcnow
from tests.factories import category
from tests.factories import make_case
from tests.helpers import count_rows
from tests.helpers import csrf_token
from tests.helpers import login
from tests.test_api import GOOD
from tests.test_processing_record import text_of

ADMIN_PAGE = "/admin/privacy-notice"
V1_TH = "หน่วยงานจะใช้ข้อมูลที่ท่านให้ไว้เพื่อดำเนินการเรื่องของท่านเท่านั้น"
V1_EN = "We use the information you give only to handle your case"
V2_TH = "ฉบับปรับปรุง: หน่วยงานอาจส่งเรื่องของท่านต่อให้หน่วยงานอื่นที่รับผิดชอบ"
V2_EN = "Revised: we may forward your case to the agency responsible."
HIDDEN_VERSION = re.compile(r'name="privacy_notice" type="hidden" value="([^"]*)"')


def filing_page(client):
    """The form as a filer loads it: its CSRF token and the version it carries."""
    page = client.get("/file/complaint").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return page, token, HIDDEN_VERSION.search(page)[1]


def file_with(client, token: str, version: str | None, subject: str) -> Case:
    data = {
        "csrf_token": token,
        "category": str(category("data-service").id),
        "subject": subject,
        "description": "ขอข้อมูลสถิติเมื่อวันที่ 1 พฤศจิกายน ยังไม่ได้รับ",
        "name": "สมหญิง รักดี",
        "email": "somying@example.com",
        "consent": "y",
        "certify_true": "y",
    }
    if version is not None:
        data["privacy_notice"] = version
    response = client.post("/file/complaint", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return db.session.scalars(sa.select(Case).where(Case.subject == subject)).one()


def publish(client, text_th: str = V2_TH, text_en: str = V2_EN):
    token = csrf_token(client, ADMIN_PAGE)
    return client.post(
        ADMIN_PAGE, data={"csrf_token": token, "text_th": text_th, "text_en": text_en}
    )


def test_version_1_is_todays_notice_on_the_form_and_on_process(client):
    page, _, version = filing_page(client)
    assert version == "1"
    assert V1_TH in page and 'href="/privacy"' in page
    process = client.get("/process").get_data(as_text=True)
    assert V1_TH in process and 'href="/privacy"' in process
    english = client.get("/process?lang=en").get_data(as_text=True)
    assert V1_EN in english and "integrity officers" in english
    notice = db.session.get(PrivacyNotice, 1)
    assert notice.published_by_label == "system" and notice.published_by_id is None


def test_a_filer_keeps_the_version_they_read_and_a_new_filer_gets_the_new_one(app, client, staff):
    before, token, shown = filing_page(client)  # loaded under version 1
    assert shown == "1" and V2_TH not in before

    admin = app.test_client()
    login(admin, staff("admin", "CENTRAL"))
    published = publish(admin)
    assert published.status_code == 303
    assert "ฉบับที่ 2" in text_of(admin.get(published.headers["Location"]).get_data(as_text=True))

    late = file_with(client, token, shown, "ยื่นหลังประกาศฉบับใหม่")
    assert late.privacy_notice_version == 1  # what they read, not what is current

    newcomer = app.test_client()
    page, new_token, new_shown = filing_page(newcomer)
    assert new_shown == "2" and V2_TH in page and V1_TH not in page
    fresh = file_with(newcomer, new_token, new_shown, "ยื่นภายใต้ประกาศฉบับที่ 2")
    assert fresh.privacy_notice_version == 2

    # The officer reads on the case which version its filer saw.
    officer = app.test_client()
    login(officer, staff("officer", "SERVICE"))
    case_page = officer.get(f"/staff/cases/{late.tracking_code}").get_data(as_text=True)
    assert re.search(
        r'data-testid="privacy-notice"><a href="/privacy#version-1">ฉบับที่ 1<', case_page
    )


def test_privacy_lists_the_current_version_first_and_the_earlier_with_their_dates(
    app, client, staff
):
    admin = app.test_client()
    login(admin, staff("admin", "CENTRAL"))
    assert publish(admin).status_code == 303
    page = client.get("/privacy")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    year_be = utcnow().year + BE_OFFSET  # Thai dates are Buddhist Era
    assert "ฉบับที่ 2 ใช้ตั้งแต่" in text and str(year_be) in text
    assert text.index(V2_TH) < text.index("ฉบับก่อนหน้า") < text.index(V1_TH)
    assert re.search(rf"ฉบับที่ 1 ใช้ตั้งแต่ .*{year_be} ถึง .*{year_be}", text)
    english = text_of(client.get("/privacy?lang=en").get_data(as_text=True))
    assert "Version 2, in force since" in english and V2_EN in english and V1_EN in english
    assert V2_TH not in english
    # /privacy/ (with the slash) stays the register of data-subject requests.
    assert client.get("/privacy/").status_code in (302, 303, 404)


@pytest.mark.parametrize("role", ["officer", "manager", "integrity", "privacy"])
def test_everyone_but_administrators_gets_404(client, staff, role):
    login(client, staff(role, "CENTRAL"))
    assert client.get(ADMIN_PAGE).status_code == 404
    token = csrf_token(client, "/track")  # a valid token: refused for the role, not the form
    answer = client.post(ADMIN_PAGE, data={"csrf_token": token, "text_th": V2_TH, "text_en": V2_EN})
    assert answer.status_code == 404
    assert count_rows("privacy_notices") == 1


@pytest.mark.parametrize(
    ("text_th", "text_en", "field"),
    [("   \n  ", V2_EN, "text_th"), (V2_TH, "", "text_en"), (V2_TH, "x" * 20_001, "text_en")],
)
def test_an_empty_or_too_long_text_is_refused_and_writes_nothing(
    client, staff, text_th, text_en, field
):
    login(client, staff("admin", "CENTRAL"))
    events = count_rows("admin_events")
    answer = publish(client, text_th, text_en)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    message = re.search(rf'id="{field}-msg">\s*<p class="error">([^<]+)<', page)
    assert message and message[1] in ("กรุณาเขียนประกาศในภาษานี้", "ไม่เกิน 20000 ตัวอักษร"), page
    assert count_rows("privacy_notices") == 1
    assert count_rows("admin_events") == events
    assert text_th in page or text_th.strip() == ""  # what was typed is kept


def test_the_audit_trail_records_the_publishing_with_both_texts(app, client, staff):
    email = staff("admin", "CENTRAL")
    login(client, email)
    assert publish(client).status_code == 303
    event = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == AdminAction.PRIVACY_NOTICE_PUBLISHED)
    ).one()
    assert event.actor_label == email and event.target == "privacy notice version 2"
    assert event.diff["version"] == [1, 2]
    assert event.diff["text_th"][1] == V2_TH and event.diff["text_en"][1] == V2_EN
    assert V1_TH in event.diff["text_th"][0]
    audit = text_of(client.get("/admin/audit").get_data(as_text=True))
    assert "ประกาศความเป็นส่วนตัว: เผยแพร่ฉบับใหม่" in audit
    notice = db.session.get(PrivacyNotice, 2)
    assert notice.published_by_label == email


def test_a_form_carrying_no_version_or_a_false_one_is_filed_with_the_current(client):
    for shown, subject in [(None, "ไม่มีฉบับ"), ("abc", "ฉบับปลอม"), ("999", "ฉบับไม่มีจริง")]:
        _, token, _ = filing_page(client)
        assert file_with(client, token, shown, subject).privacy_notice_version == 1


def test_the_api_and_intake_record_the_current_version_an_import_none(app, client, staff, tmp_path):
    admin = app.test_client()
    login(admin, staff("admin", "CENTRAL"))
    assert publish(admin).status_code == 303
    answer = client.post("/api/v1/cases", json=GOOD)
    assert answer.status_code == 201
    assert set(answer.json) == {
        "tracking_code",
        "access_key",
        "status",
        "public_status",
        "due_at",
        "receipt_email",
    }  # fmt: skip  (the API's answer is unchanged)
    by_api = db.session.scalars(
        sa.select(Case).where(Case.tracking_code == answer.json["tracking_code"])
    ).one()
    assert by_api.privacy_notice_version == 2
    with app.test_request_context():
        assert make_case(channel=Channel.PHONE).case.privacy_notice_version == 2  # intake's service
    path = tmp_path / "cases.csv"
    path.write_text(
        "reference,kind,category,channel,subject,description,received_at,due_at,resolved_at,"
        "closed_at,status,division,satisfaction\n"
        "NSO-63/001,complaint,,letter,นำเข้าจากระบบเดิม,,2020-01-06,,,,,,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["cases", "import", str(path)])
    assert result.exit_code == 0, result.output
    imported = db.session.scalars(sa.select(Case).where(Case.subject == "นำเข้าจากระบบเดิม")).one()
    assert imported.privacy_notice_version is None


def test_the_database_refuses_to_edit_or_delete_a_version(db_session):
    for statement in (
        "UPDATE privacy_notices SET text_en = 'rewritten'",
        "DELETE FROM privacy_notices",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement))
    assert db.session.get(PrivacyNotice, 1).text_en.startswith(V1_EN)


def test_two_administrators_publishing_at_once_the_second_is_refused_with_nothing_written(
    app, ctx, staff, monkeypatch
):
    from suggestion.auth.models import User
    from suggestion.cases import privacy_notice
    from suggestion.core.errors import Conflict

    admin = db.session.scalars(sa.select(User).where(User.email == staff("admin", "CENTRAL"))).one()
    events = count_rows("admin_events")
    # The second read the latest version before the first's was saved: both take number 1.
    monkeypatch.setattr(privacy_notice, "current_notice", lambda: None)
    with app.test_request_context(), pytest.raises(Conflict):
        privacy_notice.publish_notice(admin, text_th=V2_TH, text_en=V2_EN)
    assert count_rows("privacy_notices") == 1 and count_rows("admin_events") == events
    assert db.session.get(PrivacyNotice, 1).text_en.startswith(V1_EN)
