"""Every administrative change, made on the pages, on the command line or by
the system, is on /admin/audit as an administrator reads it: who, what, and
what changed from what; never a password."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from suggestion.admin import services
from suggestion.auth.models import User
from suggestion.cases.models import Category
from suggestion.cases.models import ReplyTemplate
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import AdminEvent
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import NotFound
from suggestion.core.extensions import db
from suggestion.deadlines.models import SlaPolicy
from tests.factories import PASSWORD
from tests.helpers import csrf_token
from tests.helpers import login
from tests.test_admin import division_id

ROW = re.compile(r'<tr data-testid="admin-event-\d+">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


def trail(client, path="/admin/audit"):
    """The records on the page, newest first, as the text a person reads."""
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [" ".join(html.unescape(TAG.sub(" ", row)).split()) for row in ROW.findall(page)]


def on_trail(client, *parts):
    """The newest record that says all of ``parts``."""
    rows = trail(client)
    found = [row for row in rows if all(part in row for part in parts)]
    assert found, f"no record with {parts} among:\n" + "\n".join(rows[:10])
    return found[0]


@pytest.fixture
def admin(client, staff):
    email = staff("admin", "CENTRAL", "chief.admin@example.go.th")
    login(client, email)
    client.set_cookie("lang", "en")
    return email


def account_form(client, path, **fields):
    return {
        "csrf_token": csrf_token(client, path),
        "name": "สมศรี มีสุข",
        "email": "somsri@example.go.th",
        "role": "officer",
        "division_id": division_id("SERVICE"),
        "is_active": "y",
        "password": "",
        **fields,
    }


def user_id(email):
    return db.session.scalars(sa.select(User.id).where(User.email == email)).one()


# --- Accounts --------------------------------------------------------------------


def test_an_account_created_on_the_page_is_on_the_trail(client, admin):
    path = "/admin/users/new"
    data = account_form(client, path, password="first-password-1", division_id=division_id("FIELD"))
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Account created", "somsri@example.go.th")
    assert f"Admin CENTRAL ({admin})" in row
    assert "Role: — → Officer" in row and "Division: — → FIELD" in row
    assert "E-mail: — → somsri@example.go.th" in row and "Active: — → yes" in row


def test_a_change_of_role_and_division_is_on_the_trail(client, admin, staff):
    officer = staff("officer", "SERVICE")
    path = f"/admin/users/{user_id(officer)}"
    data = account_form(
        client,
        path,
        email=officer,
        name="Officer SERVICE",
        role="manager",
        division_id=division_id("FIELD"),
    )
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Account changed", officer)
    assert admin in row
    assert "Role: Officer → Manager" in row and "Division: SERVICE → FIELD" in row
    assert "Name" not in row  # only what changed


def test_a_deactivation_and_a_reactivation_are_on_the_trail(client, admin, staff):
    officer = staff("officer", "SERVICE")
    path = f"/admin/users/{user_id(officer)}"
    data = account_form(client, path, email=officer, name="Officer SERVICE", is_active="")
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Account deactivated", officer)
    assert admin in row and "Active: yes → no" in row
    assert not [r for r in trail(client) if "Account changed" in r and officer in r]

    data = account_form(client, path, email=officer, name="Officer SERVICE")
    assert client.post(path, data=data).status_code == 303
    assert "Active: no → yes" in on_trail(client, "Account reactivated", officer)


def test_a_password_reset_is_on_the_trail_without_the_password(client, admin, staff):
    officer = staff("officer", "SERVICE")
    path = f"/admin/users/{user_id(officer)}"
    data = account_form(
        client, path, email=officer, name="Officer SERVICE", password="a-reset-password"
    )
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Password reset", officer)
    assert admin in row and "a-reset-password" not in row and "→" not in row
    login(client.application.test_client(), officer, "a-reset-password")


def test_flask_users_create_is_on_the_trail(app, client, admin):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "Deputy@Example.go.th", "--name", "รองหัวหน้า"]
        + ["--role", "manager", "--division", "FIELD"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    row = on_trail(client, "Account created", "deputy@example.go.th")
    assert row.count("Command line") == 1 and "Role: — → Manager" in row
    assert "Division: — → FIELD" in row and "Name: — → รองหัวหน้า" in row


# --- Policies ---------------------------------------------------------------------

POLICY = {
    "ack_days": "1",
    "info_request_days": "7",
    "outcome_days": "30",
    "progress_interval_days": "15",
    "remind_before_days": "3",
    "escalate_after_days": "1",
}


def test_a_new_category_policy_is_on_the_trail(client, admin):
    category = db.session.scalars(sa.select(Category).where(Category.code == "survey")).one()
    path = "/admin/policies/new"
    data = {"csrf_token": csrf_token(client, path), **POLICY, "category_id": str(category.id)}
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Service-level policy created", "policy category survey")
    assert admin in row and "Report the outcome within: — → 30" in row


def test_a_changed_policy_is_on_the_trail(client, admin):
    policy_id = db.session.scalars(
        sa.select(SlaPolicy.id).where(SlaPolicy.kind == "complaint")
    ).one()
    path = f"/admin/policies/{policy_id}"
    data = {"csrf_token": csrf_token(client, path), **POLICY, "outcome_days": "20"}
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Service-level policy changed", "policy complaint")
    assert admin in row and "Report the outcome within: 15 → 20" in row
    assert "Acknowledge" not in row  # unchanged terms are not listed


# --- Holidays ---------------------------------------------------------------------


def test_a_holiday_set_and_removed_is_on_the_trail(client, admin):
    path = "/admin/holidays"
    data = {"csrf_token": csrf_token(client, path), "day": "2026-07-06", "name": "วันหยุดพิเศษ"}
    assert client.post(path, data=data).status_code == 303
    row = on_trail(client, "Holiday set", "holiday 2026-07-06")
    assert admin in row and "Name: — → วันหยุดพิเศษ" in row

    # "Remove" asks first, on a page of its own (no script needed); asking
    # changes nothing.
    listing = client.get("/admin/holidays?year=2026").get_data(as_text=True)
    assert 'href="/admin/holidays/2026-07-06/delete"' in listing
    confirm = client.get("/admin/holidays/2026-07-06/delete")
    assert confirm.status_code == 200 and "วันหยุดพิเศษ" in confirm.get_data(as_text=True)
    assert "2026-07-06" in client.get("/admin/holidays?year=2026").get_data(as_text=True)
    assert client.get("/admin/holidays/2026-07-07/delete").status_code == 404  # no holiday
    token = csrf_token(client, path)
    removed = client.post("/admin/holidays/2026-07-06/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    row = on_trail(client, "Holiday removed", "holiday 2026-07-06")
    assert admin in row and "Name: วันหยุดพิเศษ → —" in row


def test_holidays_synced_from_the_command_line_are_on_the_trail(app, client, admin):
    result = app.test_cli_runner().invoke(args=["holidays", "sync", "--year", "2024"])
    assert result.exit_code == 0, result.output
    row = on_trail(client, "Holidays loaded", "holidays 2024")
    assert "Command line" in row and "15 April 2024: — → วันสงกรานต์" in row
    again = app.test_cli_runner().invoke(args=["holidays", "sync", "--year", "2024"])
    assert again.exit_code == 0 and "0 holidays added, 0 updated" in again.output
    assert len([r for r in trail(client) if "holidays 2024" in r]) == 1  # nothing changed


def test_next_years_holidays_loaded_by_the_system_are_on_the_trail(app, client, admin):
    from suggestion.sla.yearly import ensure_year

    with app.test_request_context():
        assert ensure_year(2031) > 0
        db.session.commit()
    row = on_trail(client, "Holidays loaded", "holidays 2031")
    assert "The system" in row and "1 January 2031: —" in row


# --- Reply templates --------------------------------------------------------------


def test_a_reply_template_created_and_changed_is_on_the_trail(client, admin):
    texts = {
        "title_th": "ขอบคุณ",
        "title_en": "Thanks",
        "body_th": "ขอขอบคุณที่แจ้งเรื่องมายังหน่วยงาน",
        "body_en": "Thank you for telling us.",
        "is_active": "y",
    }
    path = "/admin/templates/new"
    assert (
        client.post(path, data={"csrf_token": csrf_token(client, path), **texts}).status_code == 303
    )
    row = on_trail(client, "Reply template created", "Thanks")
    assert admin in row and "Title (English): — → Thanks" in row and "In use: — → yes" in row

    template_id = db.session.scalars(sa.select(ReplyTemplate.id)).one()
    path = f"/admin/templates/{template_id}"
    changed = {**texts, "title_en": "Thank you", "is_active": ""}
    assert (
        client.post(path, data={"csrf_token": csrf_token(client, path), **changed}).status_code
        == 303
    )
    row = on_trail(client, "Reply template changed", "Thank you")
    assert "Title (English): Thanks → Thank you" in row and "In use: yes → no" in row
    assert "Text (Thai)" not in row


# --- Who may, and what the trail is -------------------------------------------------


def test_the_trail_is_in_thai_by_default(client, admin):
    client.delete_cookie("lang")
    path = "/admin/users/new"
    assert (
        client.post(path, data=account_form(client, path, password="first-password-1")).status_code
        == 303
    )
    assert "สร้างบัญชีผู้ใช้" in on_trail(client, "somsri@example.go.th")


def test_only_administrators_see_the_trail_and_the_services_refuse_others(app, client, staff):
    for role in ("officer", "manager", "integrity"):
        login(client, staff(role, "SERVICE" if role != "integrity" else "INTEGRITY"))
        assert client.get("/admin/audit").status_code == 404
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent))
    with app.test_request_context():
        manager = db.session.scalars(sa.select(User).where(User.role == "manager")).one()
        with pytest.raises(NotFound):
            services.create_account(
                manager,
                email="sneaky@example.go.th",
                name="x",
                role="admin",
                division_id=manager.division_id,
                password="a-long-enough-password",
            )
        with pytest.raises(NotFound):
            services.set_holiday(manager, day=date(2026, 7, 6), name="x")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent)) == before
        assert (
            db.session.scalar(sa.select(User.id).where(User.email == "sneaky@example.go.th"))
            is None
        )


def test_the_trail_refuses_updates_and_deletions(app, db_session):
    with app.test_request_context():
        event = record_admin_change(
            None, AdminActor.COMMAND_LINE, AdminAction.HOLIDAY_SET, "holiday 2026-07-06", {}
        )
        for statement in (
            f"UPDATE admin_events SET target = 'rewritten' WHERE id = {event.id}",
            f"DELETE FROM admin_events WHERE id = {event.id}",
        ):
            with (
                pytest.raises(sa.exc.DBAPIError, match="append-only"),
                db.session.begin_nested(),
            ):
                db.session.execute(sa.text(statement))
        assert db.session.get(AdminEvent, event.id).target == "holiday 2026-07-06"


def test_no_record_holds_a_password_or_its_hash(app, client, admin, staff):
    path = "/admin/users/new"
    client.post(path, data=account_form(client, path, password="first-password-1"))
    officer = staff("officer", "SERVICE")
    path = f"/admin/users/{user_id(officer)}"
    client.post(
        path,
        data=account_form(
            client, path, email=officer, name="Officer SERVICE", password="a-reset-password"
        ),
    )
    app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.go.th",
            "--name",
            "x",
            "--role",
            "officer",
        ],
        input="a-long-enough-password\n",
    )
    secrets = {"first-password-1", "a-reset-password", "a-long-enough-password", PASSWORD}
    secrets |= set(db.session.scalars(sa.select(User.password_hash)))
    records = db.session.execute(
        sa.select(AdminEvent.actor_label, AdminEvent.target, sa.cast(AdminEvent.diff, sa.Text))
    ).all()
    assert len(records) >= 3
    text = "\n".join(" ".join(r) for r in records)
    assert not [s for s in secrets if s in text]
    assert "password" not in " ".join(r[2] for r in records).lower()
    with app.test_request_context(), pytest.raises(ValueError, match="never holds secrets"):
        record_admin_change(
            None, "x", AdminAction.PASSWORD_RESET, "x", {"password_hash": ("a", "b")}
        )


def test_the_trail_is_paged_newest_first(app, client, admin):
    with app.test_request_context():
        for n in range(60):
            record_admin_change(
                None, AdminActor.SYSTEM, AdminAction.HOLIDAY_SET, f"paged-{n:02d}", {}
            )
        db.session.commit()
    first = trail(client)
    assert len(first) == 50 and "paged-59" in first[0] and "paged-10" in first[-1]
    page = client.get("/admin/audit").get_data(as_text=True)
    older = re.search(r'href="(/admin/audit\?before=\d+)"', page).group(1)
    second = trail(client, older)
    assert "paged-09" in second[0] and "paged-00" in second[9]
    assert client.get("/admin/audit?before=nonsense").status_code == 404


# --- One rule for passwords --------------------------------------------------------


def test_pages_and_the_command_line_refuse_short_and_common_passwords(app, client, admin):
    path = "/admin/users/new"
    for password, message in (
        ("eleven-char", "Use at least 12 characters."),
        ("qwertyuiop123", "This password is among the most common ones"),
    ):
        response = client.post(path, data=account_form(client, path, password=password))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        result = app.test_cli_runner().invoke(
            args=[
                "users",
                "create",
                "--email",
                "b@example.go.th",
                "--name",
                "x",
                "--role",
                "officer",
            ],
            input=f"{password}\n",
        )
        assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the admin

    change = {
        "csrf_token": csrf_token(client, "/staff/password"),
        "current_password": PASSWORD,
        "new_password": "Password1234",
        "confirm": "Password1234",
    }
    response = client.post("/staff/password", data=change)
    assert response.status_code == 422
    assert "This password is among the most common ones" in response.get_data(as_text=True)
