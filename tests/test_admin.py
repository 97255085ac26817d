"""Administration: accounts and reply templates."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.cases.models import ReplyTemplate
from suggestion.core.extensions import db
from tests.helpers import csrf_token
from tests.helpers import login


def division_id(code):
    return str(
        db.session.execute(
            sa.text("SELECT id FROM divisions WHERE code=:c"), {"c": code}
        ).scalar_one()
    )


def test_an_admin_creates_deactivates_and_resets_accounts(app, client, staff):
    admin = staff("admin", "CENTRAL")
    login(client, admin)
    client.set_cookie("lang", "en")
    token = csrf_token(client, "/admin/users/new")
    account = {
        "csrf_token": token,
        "name": "สมศรี มีสุข",
        "email": "Somsri@Example.go.th",
        "role": "officer",
        "division_id": division_id("FIELD"),
        "is_active": "y",
        "password": "first-password-1",
    }
    assert client.post("/admin/users/new", data=account).status_code == 303
    user = db.session.scalars(sa.select(User).where(User.email == "somsri@example.go.th")).one()
    assert user.division.code == "FIELD" and user.check_password("first-password-1")
    user_id = user.id  # each request ends its transaction, which expires what was loaded

    again = client.post("/admin/users/new", data=account)
    assert (
        again.status_code == 422
        and "Another account already uses this e-mail." in again.get_data(as_text=True)
    )
    short = client.post(
        "/admin/users/new", data={**account, "email": "x@example.go.th", "password": "short"}
    )
    assert short.status_code == 422

    officer = app.test_client()
    login(officer, "somsri@example.go.th", "first-password-1")
    edit = {**account, "email": "somsri@example.go.th", "password": "", "is_active": ""}
    assert client.post(f"/admin/users/{user_id}", data=edit).status_code == 303
    assert officer.get("/staff/").status_code == 302  # deactivated: the session has ended

    reset = {**edit, "is_active": "y", "password": "a-reset-password"}
    assert client.post(f"/admin/users/{user_id}", data=reset).status_code == 303
    login(officer, "somsri@example.go.th", "a-reset-password")


def test_an_admin_cannot_remove_their_own_access(client, staff):
    admin = staff("admin", "CENTRAL")
    login(client, admin)
    client.set_cookie("lang", "en")
    me = db.session.scalars(sa.select(User).where(User.email == admin)).one()
    data = {
        "csrf_token": csrf_token(client, f"/admin/users/{me.id}"),
        "name": me.name,
        "email": admin,
        "role": "officer",
        "division_id": division_id("CENTRAL"),
        "is_active": "y",
    }
    response = client.post(f"/admin/users/{me.id}", data=data)
    assert response.status_code == 422
    assert "You cannot remove your own administrator access." in response.get_data(as_text=True)


def test_reply_templates_are_offered_on_the_case_page(app, client, staff, file_a_case):
    admin = staff("admin", "CENTRAL")
    login(client, admin)
    token = csrf_token(client, "/admin/templates/new")
    response = client.post(
        "/admin/templates/new",
        data={
            "csrf_token": token,
            "title_th": "ขอบคุณ",
            "title_en": "Thanks",
            "body_th": "ขอขอบคุณที่แจ้งเรื่องมายังหน่วยงาน",
            "body_en": "Thank you for telling us.",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    assert db.session.scalars(sa.select(ReplyTemplate)).one().title_en == "Thanks"
    code = file_a_case()[0]
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "ขอขอบคุณที่แจ้งเรื่องมายังหน่วยงาน" in page  # in the filer's language (Thai)
    assert client.get("/admin/templates/999").status_code == 404


def test_a_password_an_administrator_set_is_changed_at_the_first_log_in(app, client, staff):
    """The new-user form promised it; nothing made it happen. Every staff,
    report and administration page leads to /staff/password until then, as
    two-factor enrolment does; a reset by an administrator asks again."""
    login(client, staff("admin", "CENTRAL"))
    client.set_cookie("lang", "en")
    account = {
        "csrf_token": csrf_token(client, "/admin/users/new"),
        "name": "มานะ ตั้งใจ",
        "email": "mana@example.go.th",
        "role": "manager",
        "division_id": division_id("SERVICE"),
        "is_active": "y",
        "password": "first-password-1",
    }
    assert client.post("/admin/users/new", data=account).status_code == 303
    user_id = db.session.scalars(sa.select(User.id).where(User.email == account["email"])).one()

    person = app.test_client()
    person.set_cookie("lang", "en")
    answer = person.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(person, "/staff/login"),
            "email": account["email"],
            "password": "first-password-1",
        },
    )
    assert answer.headers["Location"] == "/staff/password"
    for path in ("/staff/", "/reports/", "/staff/intake"):
        refused = person.get(path)
        assert (refused.status_code, refused.headers["Location"]) == (302, "/staff/password"), path
    assert "Choose your own password to continue." in person.get("/staff/password").get_data(
        as_text=True
    )
    changed = person.post(
        "/staff/password",
        data={
            "csrf_token": csrf_token(person, "/staff/password"),
            "current_password": "first-password-1",
            "new_password": "my-own-password-2",
            "confirm": "my-own-password-2",
        },
    )
    assert changed.status_code == 303
    assert person.get("/staff/").status_code == 200

    reset = {**account, "csrf_token": csrf_token(client, f"/admin/users/{user_id}")}
    reset["password"] = "a-reset-password"
    assert client.post(f"/admin/users/{user_id}", data=reset).status_code == 303
    again = app.test_client()
    login(again, account["email"], "a-reset-password")
    assert again.get("/staff/").headers["Location"] == "/staff/password"
