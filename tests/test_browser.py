"""The public journey in a real browser: file a complaint with an attachment in
Thai, read the receipt, track the case."""

from __future__ import annotations

import re

import pytest

from tests.factories import PDF

pytestmark = [pytest.mark.browser]


def test_file_a_complaint_in_thai_then_track_it(live_server, browser_page, tmp_path):
    page = browser_page
    evidence = tmp_path / "หลักฐานการติดต่อ.pdf"
    evidence.write_bytes(PDF)

    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "th"
    page.get_by_role("link", name="ร้องเรียน/ร้องทุกข์").first.click()

    page.get_by_label("หมวดหมู่เรื่อง").select_option(label="การให้บริการข้อมูลสถิติ")
    page.get_by_label("หัวข้อเรื่อง").fill("ขอข้อมูลภาวะการทำงานของประชากรแล้วไม่ได้รับ")
    page.get_by_label("ข้อเท็จจริงหรือพฤติการณ์").fill(
        "ยื่นคำขอทางอีเมลเมื่อ 3 พฤศจิกายน 2569 ยังไม่ได้รับข้อมูลหรือคำตอบ"
    )
    page.get_by_label("ชื่อ-นามสกุล").fill("ประเสริฐ มั่นคง")
    page.get_by_label("อีเมล").fill("prasert@example.com")
    page.get_by_label("เอกสารแนบ").set_input_files(str(evidence))
    page.get_by_label("ข้าพเจ้าได้อ่านประกาศความเป็นส่วนตัวแล้ว").check()
    page.get_by_label("ข้าพเจ้าขอรับรองว่าข้อเท็จจริงที่ให้ไว้เป็นความจริง").check()
    page.get_by_role("button", name="ส่งเรื่อง").click()

    code = page.get_by_test_id("tracking-code").inner_text().strip()
    key = page.get_by_test_id("access-key").inner_text().strip()
    due = page.get_by_test_id("due-at").inner_text()
    assert re.fullmatch(r"25\d\d-\d{6}", code)
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", key)
    assert re.search(r" 25\d\d เวลา 23:59 น\.", due)  # Buddhist Era, end of the working day

    # A new visitor (no session) tracks the case with the code and key.
    page.context.clear_cookies()
    page.goto(live_server + "/track")
    page.get_by_label("เลขที่เรื่อง").fill(code)
    page.get_by_label("รหัสผ่านติดตามเรื่อง").fill(key)
    page.get_by_role("main").get_by_role("button", name="ติดตามเรื่อง").click()

    assert page.get_by_test_id("public-status").inner_text() == "รับเรื่องแล้ว"
    assert page.get_by_test_id("due-at").inner_text() == due
    assert page.get_by_text("หลักฐานการติดต่อ.pdf").is_visible()
    assert page.get_by_text("prasert@example.com").count() == 0

    # English is one click away.
    page.get_by_role("link", name="English").click()
    assert page.get_by_test_id("public-status").inner_text() == "Received"
