"""An administrator turns on two-factor log-in in a real browser, then logs
in with the app's code and, the phone lost, with a recovery code."""

from __future__ import annotations

import time

import pyotp
import pytest

from suggestion.core.extensions import db
from tests.factories import make_user
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]

EMAIL = "somchai.admin@example.go.th"


def log_in_with_password(page, live_server):
    page.goto(live_server + "/language/en?next=/staff/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/staff/login")


def test_an_administrator_enrols_logs_out_and_logs_in_with_a_code_then_a_recovery_code(
    app, live_server, browser_page
):
    with app.test_request_context():
        admin = make_user("admin", "IT", EMAIL)
        admin.totp_secret = admin.totp_enabled_at = None  # a new administrator
        db.session.commit()
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    # The role requires a second factor: the password leads to its enrolment.
    log_in_with_password(page, live_server)
    page.wait_for_url("**/staff/two-factor")
    page.goto(live_server + "/admin/")
    page.wait_for_url("**/staff/two-factor")  # nothing else opens before it is on
    qr = page.get_by_test_id("totp-qr").locator("svg")
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 2  # a square to scan
    secret = page.get_by_test_id("totp-secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("The 6-digit code the app shows").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.goto(live_server + "/admin/")
    assert page.get_by_role("heading", name="Administration").is_visible()
    log_out(page)

    # Log in with the app's code (the next one: the one used to enrol is spent).
    log_in_with_password(page, live_server)
    page.wait_for_url("**/staff/login/code**")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        totp.at(time.time() + 30)
    )
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/admin/")
    assert page.get_by_role("heading", name="Administration").is_visible()
    log_out(page)

    # The phone is lost: a recovery code instead, once.
    log_in_with_password(page, live_server)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/staff/two-factor")
    assert "9 unused recovery codes" in page.get_by_test_id("two-factor-status").inner_text()
    assert all(url.startswith(live_server) for url in requests)  # no outside service
