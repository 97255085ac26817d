"""The officer's journey in a real browser, with the filer answering on /track
and the outcome arriving by e-mail through the real worker."""

from __future__ import annotations

import pytest

from suggestion.core.extensions import db
from tests.factories import make_case
from tests.factories import make_user
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]

FILER = "kanya@example.com"


def test_an_officer_takes_a_case_from_arrival_to_outcome(
    app, live_server, browser_page, celery_worker, smtp_server
):
    mailbox, _ = smtp_server
    with app.test_request_context():
        make_user("officer", "SERVICE", "malai@example.go.th")
        receipt = make_case(email=FILER, subject="ขอข้อมูลดัชนีราคาผู้บริโภครายเดือน")
        db.session.commit()
        code, key = receipt.case.tracking_code, receipt.access_key
    mailbox.wait_for(FILER)  # the receipt

    officer = browser_page
    officer.goto(live_server + "/language/en?next=/staff/login")
    officer.get_by_label("E-mail").fill("malai@example.go.th")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Log in").click()

    # The new case is in the queue; open it.
    officer.get_by_role("link", name=code).click()
    assert officer.get_by_test_id("state").inner_text() == "Received, not screened"

    officer.get_by_text("Accept for handling").first.click()
    officer.locator("#action-accept").get_by_role("button").click()
    assert officer.get_by_test_id("state").inner_text() == "In progress"

    officer.locator("#action-assign summary").click()
    officer.locator("#action-assign").get_by_label("Officer").select_option(
        label="Officer SERVICE (SERVICE)"
    )
    officer.locator("#action-assign").get_by_role("button", name="Assign").click()
    assert "Officer SERVICE" in officer.get_by_test_id("assignment").inner_text()

    officer.locator("#action-request_info summary").click()
    officer.locator("#action-request_info textarea").fill("กรุณาระบุเดือนและปีที่ต้องการข้อมูล")
    officer.locator("#action-request_info").get_by_role("button").click()
    assert officer.get_by_test_id("state").inner_text() == "Awaiting information"

    # The filer answers on /track, in Thai, in a browser of their own.
    filer = officer.context.browser.new_context(locale="th-TH").new_page()
    filer.goto(live_server + f"/track?code={code}")
    filer.get_by_label("รหัสผ่านติดตามเรื่อง").fill(key)
    filer.get_by_role("main").get_by_role("button", name="ติดตามเรื่อง").click()
    assert filer.get_by_test_id("public-status").inner_text() == "รอข้อมูลเพิ่มเติม"
    assert filer.get_by_text("กรุณาระบุเดือนและปีที่ต้องการข้อมูล").is_visible()
    filer.locator("textarea").fill("ต้องการข้อมูลเดือนมกราคมถึงมีนาคม 2569")
    filer.get_by_role("button", name="ส่งข้อมูล").click()

    officer.reload()
    assert officer.get_by_test_id("state").inner_text() == "In progress"
    assert officer.get_by_text("ต้องการข้อมูลเดือนมกราคมถึงมีนาคม 2569").is_visible()

    officer.locator("#action-resolve summary").click()
    officer.locator("#action-resolve textarea").fill("ส่งไฟล์ข้อมูลดัชนีราคาผู้บริโภคทางอีเมลแล้ว")
    officer.locator("#action-resolve").get_by_role("button").click()
    assert officer.get_by_test_id("state").inner_text() == "Resolved"

    filer.reload()
    assert filer.get_by_test_id("public-status").inner_text() == "ดำเนินการแล้วเสร็จ"
    assert filer.get_by_text("ส่งไฟล์ข้อมูลดัชนีราคาผู้บริโภคทางอีเมลแล้ว").is_visible()

    messages = mailbox.wait_for(FILER, count=3)  # receipt, request, outcome
    assert "ส่งไฟล์ข้อมูลดัชนีราคาผู้บริโภคทางอีเมลแล้ว" in messages[-1].get_content()
    assert "กรุณาระบุเดือนและปีที่ต้องการข้อมูล" in messages[1].get_content()


def test_an_officer_spots_a_near_duplicate_at_triage_and_merges_it_in_one_click(
    app, live_server, browser_page
):
    from datetime import timedelta

    from suggestion.core.time import utcnow

    with app.test_request_context():
        make_user("officer", "SERVICE", "pranee@example.go.th")
        earlier = make_case(
            email="wichai@example.com",
            phone="081-111-1111",
            subject="เจ้าหน้าที่สำรวจสำมะโนประชากรพูดจาไม่สุภาพ",
            description="เจ้าหน้าที่สำรวจสำมะโนประชากรมาที่บ้านเลขที่ 45 หมู่ 2 ตำบลบางพลี "
            "พูดจาไม่สุภาพและไม่แสดงบัตรเจ้าหน้าที่ ขอให้ตรวจสอบ",
            received_at=utcnow() - timedelta(days=12),
        ).case
        unrelated = make_case(
            email="dao@example.com",
            phone="081-222-2222",
            subject="เว็บไซต์ดาวน์โหลดข้อมูลสถิติใช้งานไม่ได้",
            description="ดาวน์โหลดไฟล์ข้อมูลแรงงานไม่ได้ ขึ้นข้อความผิดพลาด",
            received_at=utcnow() - timedelta(days=3),
        ).case
        again = make_case(
            email="suda@example.com",
            phone="081-333-3333",
            subject="พนักงานสำมะโนประชากรใช้วาจาไม่สุภาพ",
            description="พนักงานสำรวจสำมะโนประชากรมาบ้านเลขที่ 45 หมู่ 2 ต.บางพลี "
            "ใช้คำพูดไม่สุภาพ ไม่ยอมแสดงบัตรเจ้าหน้าที่",
        ).case
        db.session.commit()
        first, other, code = earlier.tracking_code, unrelated.tracking_code, again.tracking_code

    officer = browser_page
    officer.goto(live_server + "/staff/login")
    officer.get_by_label("อีเมล").fill("pranee@example.go.th")
    officer.get_by_label("รหัสผ่าน").fill(PASSWORD)
    officer.get_by_role("button", name="เข้าสู่ระบบ").click()
    officer.goto(live_server + f"/staff/cases/{code}")

    duplicates = officer.get_by_test_id("duplicates")
    row = duplicates.get_by_test_id(f"duplicate-{first}")
    assert "ข้อเท็จจริงคล้ายกัน" in row.inner_text()
    assert duplicates.get_by_test_id(f"duplicate-{other}").count() == 0

    row.get_by_role("button", name="รวมเข้ากับเรื่องนี้").click()
    assert officer.get_by_test_id("state").get_by_role("link", name=first).is_visible()
    # Merged, it offers no more merges.
    assert officer.get_by_role("button", name="รวมเข้ากับเรื่องนี้").count() == 0
