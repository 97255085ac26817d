"""Two-factor log-in (issue 13, item 4): enrolment by a QR code drawn on the
page, TOTP codes accepted once, ten hashed recovery codes, required for
administrators and integrity officers, reset by an administrator (audited),
and throttled and locked like the password."""

from __future__ import annotations

import re

import pyotp
import sqlalchemy as sa

from suggestion.auth.models import RecoveryCode
from suggestion.auth.models import User
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from tests.factories import PASSWORD
from tests.factories import TOTP_SECRET
from tests.helpers import csrf_token
from tests.helpers import login

SECRET_RE = re.compile(r'data-testid="totp-secret">([A-Z2-7]{32})<')
CODE_RE = re.compile(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>")


def password_step(client, email, password=PASSWORD):
    return client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client, "/staff/login"),
            "email": email,
            "password": password,
        },
    )


def code_step(client, code):
    return client.post(
        "/staff/login/code",
        data={"csrf_token": csrf_token(client, "/staff/login/code"), "code": code},
    )


def enrol(client) -> tuple[str, list[str]]:
    """Turn two-factor log-in on from its page; the secret and the codes shown."""
    page = client.get("/staff/two-factor?lang=en").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    response = client.post(
        "/staff/two-factor",
        data={
            "csrf_token": csrf_token(client, "/staff/two-factor"),
            "secret": secret,
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return secret, CODE_RE.findall(response.get_data(as_text=True))


def user(email) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def forget_last_step(email):
    """The same code is refused twice; a test that logs in again within the
    same 30 seconds forgets the step used (tests.helpers.totp_code does too)."""
    user(email).totp_last_step = None
    db.session.commit()


def test_an_officer_enrols_with_a_qr_code_drawn_on_the_page_and_then_needs_a_code(
    app, client, staff
):
    email = staff("officer", "SERVICE")
    login(client, email)
    page = client.get("/staff/two-factor?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    qr = re.search(r'data-testid="totp-qr">(.*?)</figure>', html, re.S).group(1)
    assert qr.lstrip().startswith("<svg") and "http" not in qr.replace("http://www.w3.org", "")
    assert " style=" not in qr  # the content security policy allows no inline style

    # A wrong code turns nothing on.
    secret = SECRET_RE.search(html).group(1)
    wrong = client.post(
        "/staff/two-factor",
        data={
            "csrf_token": csrf_token(client, "/staff/two-factor"),
            "secret": secret,
            "code": "000000",
        },
    )
    assert wrong.status_code == 422 and user(email).totp_enabled_at is None

    secret, codes = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    stored = db.session.scalars(
        sa.select(RecoveryCode.digest).where(RecoveryCode.user_id == user(email).id)
    ).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)  # digests, not the codes
    assert "recovery codes" in client.get("/staff/two-factor?lang=en").get_data(as_text=True)

    # The next log-in asks for the code after the password.
    other = app.test_client()
    response = password_step(other, email)
    assert response.headers["Location"].startswith("/staff/login/code")
    assert other.get("/staff/").status_code == 302  # not logged in yet
    forget_last_step(email)
    code = pyotp.TOTP(secret).now()
    assert code_step(other, code).status_code == 303
    assert other.get("/staff/").status_code == 200

    # The same code cannot be used again, even within its 30 seconds.
    third = app.test_client()
    password_step(third, email)
    assert code_step(third, code).status_code == 401
    # A recovery code works, once.
    assert code_step(third, codes[0].lower()).status_code == 303
    fourth = app.test_client()
    password_step(fourth, email)
    assert code_step(fourth, codes[0]).status_code == 401


def test_administrators_and_integrity_officers_must_enrol_before_anything_else(app, client, staff):
    for role, division in (("admin", "IT"), ("integrity", "INTEGRITY")):
        email = staff(role, division)
        account = user(email)
        account.totp_secret = account.totp_enabled_at = None  # never set up
        db.session.commit()
        visitor = app.test_client()
        response = password_step(visitor, email)
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/two-factor"
        for path in ("/staff/", "/admin/", "/reports/"):
            blocked = visitor.get(path)
            assert blocked.status_code == 302 and blocked.headers["Location"] == "/staff/two-factor"
        enrol(visitor)
        assert visitor.get("/staff/").status_code == 200


def test_a_required_second_factor_cannot_be_turned_off_but_an_optional_one_can(app, client, staff):
    admin = staff("admin", "IT")
    login(client, admin)
    forget_last_step(admin)
    refused = client.post(
        "/staff/two-factor",
        data={
            "csrf_token": csrf_token(client, "/staff/two-factor"),
            "action": "off",
            "code": pyotp.TOTP(TOTP_SECRET).now(),
        },
    )
    assert refused.status_code == 200 and user(admin).totp_enabled_at is not None

    officer = staff("officer", "SERVICE")
    mine = app.test_client()
    login(mine, officer)
    secret, _codes = enrol(mine)
    forget_last_step(officer)
    response = mine.post(
        "/staff/two-factor",
        data={
            "csrf_token": csrf_token(mine, "/staff/two-factor"),
            "action": "off",
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert response.status_code == 303 and user(officer).totp_enabled_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    actions = db.session.scalars(
        sa.select(AdminEvent.action).where(AdminEvent.target == officer).order_by(AdminEvent.id)
    ).all()
    assert actions == ["two_factor_enabled", "two_factor_disabled"]


def test_an_administrator_resets_a_lost_second_factor_and_it_is_audited(app, client, staff):
    admin = staff("admin", "IT")
    integrity = staff("integrity", "INTEGRITY")
    lost = app.test_client()
    login(lost, integrity)
    login(client, admin)
    account_id = user(integrity).id
    response = client.post(
        f"/admin/users/{account_id}/two-factor/reset",
        data={"csrf_token": csrf_token(client, f"/admin/users/{account_id}")},
    )
    assert response.status_code == 303
    db.session.expire_all()
    account = user(integrity)
    assert account.totp_secret is None and account.totp_enabled_at is None
    assert lost.get("/staff/").status_code == 302  # their sessions ended
    event = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == "two_factor_reset")
    ).one()
    assert (event.actor_label, event.target) == (admin, integrity)
    # They set it up again at their next log-in.
    again = app.test_client()
    assert password_step(again, integrity).headers["Location"] == "/staff/two-factor"
    # Others may not reset anyone's.
    officer = staff("officer", "SERVICE")
    nosy = app.test_client()
    login(nosy, officer)
    assert (
        nosy.post(
            f"/admin/users/{user(admin).id}/two-factor/reset",
            data={"csrf_token": csrf_token(nosy, "/staff/")},
        ).status_code
        == 404
    )


def test_wrong_codes_lock_the_second_step_from_that_address_and_count_towards_the_throttle(
    app, client, staff
):
    admin = staff("admin", "IT")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    assert password_step(client, admin).status_code == 303
    for _ in range(5):
        assert code_step(client, "123456").status_code == 401
    forget_last_step(admin)
    # Locked: the right code is refused from here now …
    assert code_step(client, pyotp.TOTP(TOTP_SECRET).now()).status_code == 401
    # … while the administrator, elsewhere, logs in.
    desk = app.test_client()
    desk.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    login(desk, admin)
    assert desk.get("/admin/").status_code == 200
    # Both steps draw on one budget of 20 failures per address.
    statuses = [code_step(client, "654321").status_code for _ in range(15)]
    assert statuses[-1] == 429


def test_the_second_step_needs_a_recent_right_password(app, client, staff):
    admin = staff("admin", "IT")
    no_password = client.get("/staff/login/code")  # no password yet: back to log in
    assert no_password.status_code == 303 and no_password.headers["Location"].startswith(
        "/staff/login"
    )
    password_step(client, admin)
    token = csrf_token(client, "/staff/login/code")
    with client.session_transaction() as session:
        pending = session["second_step"]
        session["second_step"] = {**pending, "at": pending["at"] - 301}
    response = client.post(
        "/staff/login/code", data={"csrf_token": token, "code": pyotp.TOTP(TOTP_SECRET).now()}
    )
    assert response.status_code == 303 and response.headers["Location"].startswith("/staff/login")
    assert client.get("/staff/").status_code == 302
