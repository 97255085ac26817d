"""A filer, in the browser, from /track to a downloaded copy of their own
data (PDPA s.30): the ZIP holds their data as JSON and a PDF summary."""

from __future__ import annotations

import json
import zipfile

import pytest

from suggestion.core.extensions import db
from tests.factories import make_case

pytestmark = [pytest.mark.browser]


def test_a_filer_downloads_a_copy_of_their_data_from_track(
    app, live_server, browser_page, tmp_path
):
    with app.test_request_context():
        receipt = make_case(email="browser.filer@example.com", name="ประเสริฐ รักไทย")
        make_case(email="another.filer@example.com")
        db.session.commit()
        code, key = receipt.case.tracking_code, receipt.access_key
        db.session.remove()
    page = browser_page
    page.goto(live_server + "/track")
    page.get_by_label("เลขที่เรื่อง").fill(code)
    page.get_by_label("รหัสผ่านติดตามเรื่อง").fill(key)
    page.get_by_role("main").get_by_role("button", name="ติดตามเรื่อง").click()
    page.get_by_role("link", name="ดาวน์โหลดสำเนาข้อมูลของท่าน", exact=False).click()
    assert page.get_by_role("heading", name="ข้อมูลส่วนบุคคลของท่าน").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="ดาวน์โหลดข้อมูลของฉัน").click()
    download = download_info.value
    assert download.suggested_filename == f"my-data-{code}.zip"
    saved = tmp_path / "my-data.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        data = json.loads(bundle.read("data.json"))
        assert bundle.read("summary.pdf").startswith(b"%PDF")
    [case] = data["cases"]
    assert case["tracking_code"] == code
    assert case["filer"]["email"] == "browser.filer@example.com"
    assert "another.filer@example.com" not in json.dumps(data)
