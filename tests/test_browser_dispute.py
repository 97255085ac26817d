"""The filer says "not solved" on /track, in a real browser: the case reopens,
and its officer and the division's manager are alerted through the real
worker and SMTP server (issue 14, item 3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.cases import actions
from suggestion.cases.access import StaffAccess
from suggestion.core.extensions import db
from tests.factories import make_case
from tests.factories import make_user
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]

FILER = "somsri@example.com"
OFFICER = "wichai@example.go.th"
MANAGER = "pranee@example.go.th"


def test_not_solved_on_track_reopens_the_case_and_alerts_its_officer(
    app, live_server, browser_page, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    with app.test_request_context():
        make_user("officer", "SERVICE", OFFICER)
        make_user("manager", "SERVICE", MANAGER)
        receipt = make_case(email=FILER, subject="ขอไฟล์ข้อมูลสำรวจแรงงาน")
        officer = db.session.scalars(sa.select(User).where(User.email == OFFICER)).one()
        access = StaffAccess(officer)
        actions.accept(access, receipt.case)
        actions.assign(access, receipt.case, division=officer.division, assignee=officer)
        actions.resolve(access, receipt.case, summary="ส่งไฟล์ข้อมูลทางอีเมลแล้ว")
        db.session.commit()
        code, key = receipt.case.tracking_code, receipt.access_key
    outcome = mailbox.wait_for(FILER, count=2)[-1].get_content()  # receipt, outcome
    assert "ผลการดำเนินการนี้แก้ปัญหาของท่านได้หรือไม่" in outcome
    assert f"/track?code={code}" in outcome

    # The filer follows the e-mail's link, in Thai.
    filer = browser_page
    filer.goto(live_server + f"/track?code={code}")
    filer.get_by_label("รหัสผ่านติดตามเรื่อง").fill(key)
    filer.get_by_role("main").get_by_role("button", name="ติดตามเรื่อง").click()
    assert filer.get_by_test_id("public-status").inner_text() == "ดำเนินการแล้วเสร็จ"
    form = filer.get_by_test_id("solved-form")
    assert filer.get_by_role("heading", name="ผลการดำเนินการนี้แก้ปัญหาของท่านได้หรือไม่").is_visible()

    # "Not yet" without a reason is refused, with the reason asked for.
    form.get_by_label("ยังไม่ได้รับการแก้ไข", exact=True).check()
    form.get_by_role("button", name="ส่งคำตอบ").click()
    assert filer.get_by_text("กรุณาระบุว่ายังมีปัญหาใดที่ยังไม่ได้รับการแก้ไข").first.is_visible()
    assert filer.get_by_test_id("public-status").inner_text() == "ดำเนินการแล้วเสร็จ"

    form = filer.get_by_test_id("solved-form")
    form.get_by_label("ยังไม่ได้รับการแก้ไข", exact=True).check()
    form.get_by_role("textbox").fill("ไฟล์ที่ได้รับเป็นข้อมูลปีเก่า ไม่ใช่ปีล่าสุด")
    form.get_by_role("button", name="ส่งคำตอบ").click()
    assert filer.get_by_test_id("public-status").inner_text() == "อยู่ระหว่างดำเนินการ"
    assert filer.get_by_text("ไฟล์ที่ได้รับเป็นข้อมูลปีเก่า ไม่ใช่ปีล่าสุด").is_visible()
    assert filer.get_by_text("ท่านแจ้งว่าผลการดำเนินการยังไม่ได้แก้ปัญหาของท่าน").is_visible()
    assert filer.get_by_test_id("solved-form").count() == 0  # once per outcome

    # English is one click away.
    filer.get_by_role("link", name="English").first.click()
    assert filer.get_by_test_id("public-status").inner_text() == "In progress"
    assert filer.get_by_text("You told us the outcome did not solve your problem").is_visible()

    # The officer and the division's manager are alerted by e-mail.
    alert = mailbox.wait_for(OFFICER)[-1]
    assert code in alert["Subject"] and "ยังไม่ได้รับการแก้ไข" in alert["Subject"]
    assert f"/staff/cases/{code}" in alert.get_content()
    assert code in mailbox.wait_for(MANAGER)[-1]["Subject"]

    # The officer finds the case in progress again, with the filer's reason.
    desk = filer.context.browser.new_context(locale="en-GB").new_page()
    desk.goto(live_server + "/language/en?next=/staff/login")
    desk.get_by_label("E-mail").fill(OFFICER)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.goto(live_server + f"/staff/cases/{code}")
    assert desk.get_by_test_id("state").inner_text() == "In progress"
    assert desk.get_by_text("ไฟล์ที่ได้รับเป็นข้อมูลปีเก่า ไม่ใช่ปีล่าสุด").is_visible()
    assert desk.get_by_text("The filer says the outcome did not solve their problem").is_visible()
