"""The deadline explained, in a real browser: on the receipt and on /track;
then an administrator declares a holiday, the worker moves the deadline, and
the filer reads why on the timeline and in an e-mail."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest

from suggestion.calendar.workdays import is_working_day
from suggestion.core.extensions import db
from tests.factories import make_user
from tests.factories import PASSWORD
from tests.factories import TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.worker]

FILER = "wipa@example.com"
HOLIDAY = "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ"


def test_a_deadline_explained_then_moved_by_a_new_holiday(
    app, live_server, browser_page, celery_worker, smtp_server
):
    from suggestion.calendar.models import Holiday

    mailbox, _ = smtp_server
    with app.test_request_context():
        make_user("admin", "CENTRAL", "holiday.admin@example.go.th")
        db.session.commit()

    page = browser_page
    page.goto(live_server + "/file/complaint")
    page.get_by_label("หมวดหมู่เรื่อง").select_option(label="การให้บริการข้อมูลสถิติ")
    page.get_by_label("หัวข้อเรื่อง").fill("ขอข้อมูลสำมะโนประชากรแล้วยังไม่ได้รับ")
    page.get_by_label("ข้อเท็จจริงหรือพฤติการณ์").fill("ยื่นคำขอทางอีเมลเมื่อต้นเดือน ยังไม่ได้รับคำตอบ")
    page.get_by_label("ชื่อ-นามสกุล").fill("วิภา ใจงาม")
    page.get_by_label("อีเมล").fill(FILER)
    page.get_by_label("ข้าพเจ้าได้อ่านประกาศความเป็นส่วนตัวแล้ว").check()
    page.get_by_label("ข้าพเจ้าขอรับรองว่าข้อเท็จจริงที่ให้ไว้เป็นความจริง").check()
    page.get_by_role("button", name="ส่งเรื่อง").click()

    # The receipt explains the count.
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    key = page.get_by_test_id("access-key").inner_text().strip()
    explanation = page.get_by_test_id("deadline-explanation")
    assert explanation.is_visible()
    assert "ไม่นับวันรับเรื่อง" in explanation.inner_text()
    assert "นับ 15 วันทำการ" in page.get_by_test_id("working-days").inner_text()
    due_before = page.get_by_test_id("due-at").inner_text()
    mailbox.wait_for(FILER)  # the receipt

    # An administrator declares a working day before the deadline a holiday.
    with app.app_context():
        from suggestion.cases.models import Case

        case = db.session.query(Case).filter_by(tracking_code=code).one()
        day = case.due_at.astimezone(ZoneInfo(app.config["AGENCY_TIMEZONE"])).date()
        day -= timedelta(days=1)
        while not is_working_day(day, set()) or db.session.get(Holiday, day) is not None:
            day -= timedelta(days=1)
        db.session.remove()
    admin = page.context.browser.new_context().new_page()
    admin.goto(live_server + "/language/en?next=/staff/login")
    admin.get_by_label("E-mail").fill("holiday.admin@example.go.th")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_label("Code from your authenticator app, or a recovery code").fill(
        pyotp.TOTP(TOTP_SECRET).now()
    )
    admin.get_by_role("button", name="Log in").click()
    admin.goto(live_server + f"/admin/holidays?year={day.year}")
    admin.get_by_label("Date").fill(day.isoformat())
    admin.get_by_label("Name of the holiday").fill(HOLIDAY)
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text(HOLIDAY).first.is_visible()

    # The worker recomputes; the filer is e-mailed why.
    messages = mailbox.wait_for(FILER, count=2, timeout=60)
    moved = messages[-1].get_content()
    assert HOLIDAY in moved and "กำหนดแจ้งผลเลื่อน" in moved

    # On /track: the new deadline, the move on the timeline, the holiday in the count.
    page.goto(live_server + f"/track/{code}")
    assert page.get_by_test_id("due-at").inner_text() != due_before
    assert page.get_by_text("กำหนดแจ้งผลเลื่อนจากวันที่").first.is_visible()
    assert HOLIDAY in page.get_by_test_id("skipped-days").inner_text()
    assert key  # the filer kept it; the session that filed opens the case
