"""Each role and division sees exactly what it should; everything else is 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.core.extensions import db
from tests.factories import category
from tests.factories import checked_pdf
from tests.helpers import csrf_token
from tests.helpers import login

ACTIONS = [
    "screen", "accept", "reclassify", "priority", "assign", "request_info", "reply", "note",
    "resolve", "forward", "reject", "merge", "reopen", "close",
]  # fmt: skip

# Which account sees which case.
VISIBLE = {
    "officer.service": {"service", "unrouted"},
    "manager.service": {"service", "unrouted"},
    "officer.it": {"it", "unrouted"},
    "integrity.integrity": {"corruption", "unrouted"},
    "admin.central": {"service", "it", "unrouted"},
}


@pytest.fixture
def world(app, staff, file_a_case):
    """Four cases in different hands, and one account per role."""
    accounts = {
        "officer.service": staff("officer", "SERVICE"),
        "manager.service": staff("manager", "SERVICE"),
        "officer.it": staff("officer", "IT"),
        "integrity.integrity": staff("integrity", "INTEGRITY"),
        "admin.central": staff("admin", "CENTRAL"),
    }
    with app.test_request_context():
        cases = {
            "service": file_a_case(subject="บริการข้อมูลช้า", files=[checked_pdf()])[0],
            "it": file_a_case(category=category("website"), subject="เว็บไซต์ล่ม")[0],
            "unrouted": file_a_case(category=category("other"), subject="เรื่องทั่วไป")[0],
            "corruption": file_a_case(
                kind="corruption", subject="เรียกรับเงินใต้โต๊ะ", files=[checked_pdf()]
            )[0],
        }
    return accounts, cases


def attachment_url(code):
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    attachment = db.session.scalars(
        sa.select(Attachment).where(Attachment.case_id == case.id)
    ).first()
    return f"/staff/cases/{code}/attachments/{attachment.id}" if attachment else None


@pytest.mark.parametrize("account", list(VISIBLE))
def test_each_account_sees_exactly_its_cases_and_404_elsewhere(app, world, account):
    accounts, cases = world
    client = app.test_client()
    login(client, accounts[account])
    token = csrf_token(client, "/staff/")
    queue = client.get("/staff/?status=all").get_data(as_text=True)
    for name, code in cases.items():
        expected = name in VISIBLE[account]
        page = client.get(f"/staff/cases/{code}")
        assert (page.status_code == 200) == expected, (account, name, page.status_code)
        row = f'data-testid="row-{code}"'
        assert (row in queue) == expected, (account, name)
        search = client.get("/staff/", query_string={"q": code, "status": "all"}).get_data(
            as_text=True
        )
        assert (row in search) == expected
        if not expected:
            if account == "admin.central" and name == "corruption":
                assert page.status_code == 303  # asked for a reason first (tested below)
            else:
                assert page.status_code == 404
            for action in ACTIONS:
                response = client.post(
                    f"/staff/cases/{code}/{action}", data={"csrf_token": token, "version": "1"}
                )
                assert response.status_code == 404, (account, name, action)
        url = attachment_url(code)
        if url:
            download = client.get(url)
            assert (download.status_code == 200) == expected, (account, name)


def test_an_admin_opens_a_corruption_report_only_with_a_logged_reason(app, world):
    accounts, cases = world
    code = cases["corruption"]
    client = app.test_client()
    login(client, accounts["admin.central"])
    assert (
        client.get(f"/staff/cases/{code}")
        .headers["Location"]
        .endswith(f"/staff/cases/{code}/unlock")
    )
    assert client.get(attachment_url(code)).status_code == 404
    token = csrf_token(client, f"/staff/cases/{code}/unlock")
    empty = client.post(f"/staff/cases/{code}/unlock", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    client.post(
        f"/staff/cases/{code}/unlock", data={"csrf_token": token, "reason": "คำสั่งศาลเลขที่ 12/2569"}
    )
    page = client.get(f"/staff/cases/{code}")
    assert page.status_code == 200
    assert "คำสั่งศาลเลขที่ 12/2569" in page.get_data(as_text=True)  # the reason is in the audit trail
    assert client.get(attachment_url(code)).status_code == 200
    assert f'data-testid="row-{code}"' in client.get("/staff/?status=all").get_data(as_text=True)
    # Another administrator's session has not been unlocked.
    other = app.test_client()
    login(other, accounts["admin.central"])
    assert other.get(f"/staff/cases/{code}").status_code == 303


def test_only_integrity_officers_see_who_reported_corruption(app, world):
    accounts, cases = world
    client = app.test_client()
    login(client, accounts["integrity.integrity"])
    code = cases["corruption"]
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "somchai@example.com" not in page  # until opened, with a reason
    shown = client.post(
        f"/staff/cases/{code}/contact",
        data={"csrf_token": csrf_token(client, f"/staff/cases/{code}"), "reason": "สอบปากคำ"},
    )
    assert "somchai@example.com" in shown.get_data(as_text=True)


def test_the_filer_of_an_anonymous_case_is_not_shown(app, staff, file_a_case):
    email = staff("officer", "SERVICE")
    code, _, _ = file_a_case(is_anonymous=True, name=None, email=None, phone=None)
    client = app.test_client()
    login(client, email)
    client.set_cookie("lang", "en")
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "Anonymous filing" in page


def test_non_admins_get_404_on_the_administration(app, world):
    accounts, _ = world
    for account in ("officer.service", "manager.service", "integrity.integrity"):
        client = app.test_client()
        login(client, accounts[account])
        assert client.get("/admin/").status_code == 404
        assert client.get("/admin/users/new").status_code == 404


def test_corruption_intake_is_for_integrity_officers(app, world):
    accounts, _ = world
    officer = app.test_client()
    login(officer, accounts["officer.service"])
    assert officer.get("/staff/intake/corruption").status_code == 404
    integrity = app.test_client()
    login(integrity, accounts["integrity.integrity"])
    assert integrity.get("/staff/intake/corruption").status_code == 200


def test_writing_needs_more_than_seeing(app, world):
    """Managers supervise: they route, prioritise and annotate their
    division's cases, and are neither offered nor allowed the handling verbs;
    an administrator who opened a corruption report may read it, not act on it."""
    accounts, cases = world
    manager = app.test_client()
    login(manager, accounts["manager.service"])
    manager.set_cookie("lang", "en")
    code = cases["service"]
    page = manager.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="action-assign"' in page and 'id="action-note"' in page
    assert 'id="action-resolve"' not in page and 'id="action-reply"' not in page
    token = csrf_token(manager, f"/staff/cases/{code}")
    for action in ("screen", "accept", "reply", "resolve", "reject", "forward", "request_info"):
        response = manager.post(
            f"/staff/cases/{code}/{action}",
            data={"csrf_token": token, "version": "1", "message": "x", "agency": "x",
                  "reason": "x", "explanation": "x", "ground": "duplicate"},
        )  # fmt: skip
        assert response.status_code == 404, action
    noted = manager.post(
        f"/staff/cases/{code}/note", data={"csrf_token": token, "version": "1", "message": "ดูด้วย"}
    )
    assert noted.status_code == 303

    officer = app.test_client()
    login(officer, accounts["officer.service"])
    page = officer.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="action-screen"' in page and 'id="action-reply"' in page

    admin = app.test_client()
    login(admin, accounts["admin.central"])
    corruption = cases["corruption"]
    token = csrf_token(admin, f"/staff/cases/{corruption}/unlock")
    admin.post(f"/staff/cases/{corruption}/unlock", data={"csrf_token": token, "reason": "ตรวจสอบ"})
    page = admin.get(f"/staff/cases/{corruption}")
    assert page.status_code == 200 and 'id="action-' not in page.get_data(as_text=True)
    refused = admin.post(
        f"/staff/cases/{corruption}/screen", data={"csrf_token": token, "version": "1"}
    )
    assert refused.status_code == 404


def test_every_staff_action_is_declared_once_with_its_template():
    from suggestion.staff.actions import ACTIONS

    root = __import__("pathlib").Path(__file__).resolve().parent.parent / "templates/staff/actions"
    assert sorted(ACTIONS) == sorted(ACTIONS_UNDER_TEST)
    assert sorted(p.stem for p in root.glob("*.html")) == sorted(ACTIONS)
    for action in ACTIONS.values():
        assert action.permission.__name__.startswith("can_"), action.name


ACTIONS_UNDER_TEST = ACTIONS
