"""Accessibility (issue 14): axe-core, from the npm registry (tests/a11y,
installed by make test), run in Chromium over the pages of the public, staff,
reports and administration areas and of the new journeys, in Thai. It must
find no violation of WCAG 2.1 A and AA (TIS 2565-2555 follows WCAG)."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest

from suggestion.core.extensions import db
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import SubjectRight
from tests.factories import make_case
from tests.factories import make_user
from tests.factories import PASSWORD
from tests.factories import TOTP_SECRET

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def violations(page, path: str, base: str) -> list[str]:
    page.goto(base + path)
    return current_violations(page, path)


def current_violations(page, label: str) -> list[str]:
    found = page.evaluate(RUN_AXE, WCAG_21_AA)
    return [f"{label}: {v['rule']} ({v['impact']}) {v['help']} at {v['nodes']}" for v in found]


def log_in(page, base: str, email: str, code: bool = False) -> None:
    page.goto(base + "/staff/login")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    if code:
        page.get_by_label("รหัสจากแอปยืนยันตัวตน หรือรหัสกู้คืน").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="เข้าสู่ระบบ").click()


def test_no_page_violates_wcag_21_aa(app, live_server, browser_page):
    assert AXE.exists(), "axe-core is missing: run make test (it installs tests/a11y)"
    with app.test_request_context():
        make_user("officer", "SERVICE", "a11y.officer@example.go.th")
        make_user("manager", "SERVICE", "a11y.manager@example.go.th")
        admin = make_user("admin", "CENTRAL", "a11y.admin@example.go.th")
        case = make_case().case
        code = case.tracking_code
        request_id = intake.register(
            services.Actor.of(admin), name="ทดสอบ การเข้าถึง", contact="", note="",
            right=SubjectRight.ACCESS, identity=IdentityCheck.ID_CARD, cases=[case],
        ).id  # fmt: skip
        db.session.commit()
    page = browser_page
    page.context.add_init_script(path=str(AXE))  # evaluated outside the page's CSP
    base = live_server
    found: list[str] = []

    # The public: the pages, a form sent back with mistakes, a receipt, a case.
    for path in (
        "/", "/file", "/file/complaint", "/track", "/process", "/privacy", "/stats", "/accessibility",
    ):  # fmt: skip
        found += violations(page, path, base)
    page.goto(base + "/file/complaint")
    page.get_by_role("button", name="ส่งเรื่อง").click()
    found += current_violations(page, "/file/complaint, sent back with mistakes")
    page.get_by_label("หมวดหมู่เรื่อง").select_option(label="การให้บริการข้อมูลสถิติ")
    page.get_by_label("หัวข้อเรื่อง").fill("ขอข้อมูลสถิติแล้วยังไม่ได้รับ")
    page.get_by_label("ข้อเท็จจริงหรือพฤติการณ์").fill("ยื่นคำขอทางอีเมลเมื่อต้นเดือน ยังไม่ได้รับคำตอบ")
    page.get_by_label("ชื่อ-นามสกุล").fill("ทดสอบ การเข้าถึง")
    page.get_by_label("อีเมล").fill("a11y@example.com")
    page.get_by_label("ข้าพเจ้าได้อ่านประกาศความเป็นส่วนตัวแล้ว").check()
    page.get_by_label("ข้าพเจ้าขอรับรองว่าข้อเท็จจริงที่ให้ไว้เป็นความจริง").check()
    page.get_by_role("button", name="ส่งเรื่อง").click()
    filed = page.get_by_test_id("tracking-code").inner_text().strip()
    found += violations(page, "/file/receipt", base)
    found += violations(page, f"/track/{filed}", base)
    found += violations(page, f"/track/{filed}/privacy", base)

    # Staff, reports and administration.
    log_in(page, base, "a11y.officer@example.go.th")
    for path in ("/staff/", f"/staff/cases/{code}", "/staff/intake", "/staff/password"):
        found += violations(page, path, base)
    found += violations(page, "/staff/two-factor", base)
    page.context.clear_cookies()
    log_in(page, base, "a11y.manager@example.go.th")
    for path in ("/reports/", "/reports/monthly"):
        found += violations(page, path, base)
    page.context.clear_cookies()
    log_in(page, base, "a11y.admin@example.go.th", code=True)
    for path in (
        "/admin/",
        "/admin/holidays",
        "/admin/policies",
        "/admin/audit",
        "/admin/audit?trail=personal",
        "/admin/breaches",
        "/admin/processing-record",
        "/admin/privacy-notice",
        "/admin/users/new",
        "/privacy/",
        "/privacy/?show=closed",
        f"/privacy/requests/{request_id}",
    ):
        found += violations(page, path, base)
    page.context.clear_cookies()
    found += violations(page, "/staff/login", base)
    assert found == []


def test_the_accessibility_statement_says_what_is_tested_and_how(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/accessibility"' in page
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG 2.1" in statement and "มอก. 2565-2555" in statement and "axe-core" in statement
