"""Security fixes of issue 13 that need no service of their own: what a
download is called, bad input that answered 500, headers the contract
promises, logs that cannot be forged."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.core.logs import OneLineFormatter
from tests.factories import upload
from tests.helpers import csrf_token
from tests.helpers import login


def test_a_text_file_named_like_a_program_downloads_as_text(client, staff):
    """``evidence.js`` whose content passes as text is accepted as text, and
    downloaded as ``evidence.txt``, text/plain, nosniff, as an attachment."""
    from tests.test_filing import form_data

    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(b"alert('owned')\n", "evidence.js")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    attachment_id, code = db.session.execute(
        sa.select(Attachment.id, Case.tracking_code)
        .join(Case, Case.id == Attachment.case_id)
        .order_by(Attachment.id.desc())
        .limit(1)
    ).one()
    login(client, staff("officer", "SERVICE"))
    download = client.get(f"/staff/cases/{code}/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "evidence.txt" in download.headers["Content-Disposition"]
    assert ".js" not in download.headers["Content-Disposition"]
    assert download.mimetype == "text/plain"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_bad_input_answers_400_or_404_never_500(client, staff):
    assert client.get("/track/%00").status_code == 404
    token = csrf_token(client, "/staff/login")
    nul = client.post(
        "/staff/login", data={"csrf_token": token, "email": "a\x00@x.go.th", "password": "x" * 12}
    )
    assert nul.status_code in (401, 422)
    deep = client.post("/api/v1/cases", data="[" * 100_000, content_type="application/json")
    assert deep.status_code == 400 and "errors" in deep.get_json()
    login(client, staff("officer", "SERVICE"))
    assert client.get("/staff/?channel=%00&assignee=%00").status_code == 200
    assert client.get("/staff/cases/%00").status_code == 404


def test_a_405_says_which_methods_are_allowed(client):
    response = client.get("/staff/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    api = client.delete("/api/v1/categories")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]


def test_report_csvs_carry_one_charset(client, staff):
    login(client, staff("admin", "CENTRAL"))
    response = client.get("/reports/monthly.csv?month=2026-10")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_logged_value_cannot_forge_a_line():
    record = logging.LogRecord(
        "suggestion", logging.ERROR, __file__, 1, "unhandled error on GET %s", (
            "/x\nINFO in auth: FORGED admin login ok",
        ), None,
    )  # fmt: skip
    line = OneLineFormatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in line and "\\x0a" in line


def test_a_logged_path_never_carries_the_secret_links_token():
    from suggestion.core.logs import loggable_path

    assert loggable_path("/track/link/s3cr3t-T0ken_x?lang=en") == "/track/link/[token]?lang=en"
    assert loggable_path("/track/link/a\nb") == "/track/link/[token]"
    assert loggable_path("/track/2570-000001") == "/track/2570-000001"


def test_every_answer_carries_the_security_headers_and_private_pages_are_not_cached(client, staff):
    """A content security policy with no inline script or style, no framing,
    no sniffing, a referrer and a permissions policy on every answer; no-store
    on pages with a case, a key or personal data, not on the public pages."""
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert "no-store" not in page.headers.get("Cache-Control", "")
    assert client.get("/track").headers["Cache-Control"] == "no-store"
    login(client, staff("admin", "CENTRAL"))
    for url in ("/staff/", "/staff/cases.csv", "/admin/", "/reports/monthly.csv?month=2026-10"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_no_template_has_inline_script_or_style():
    """What the policy forbids is not in any page: no on… handlers, no style
    attributes, no script without a src."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\son[a-z]+=", text), template
        assert "style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template


def test_bidirectional_controls_cannot_disguise_a_subject():
    """``ชื่อไทย \\u202efdp.exe\\u202c`` displays as "…exe.pdf…": pages isolate the
    filer's text, and spreadsheets drop the controls."""
    from pathlib import Path

    from suggestion.core.spreadsheet import safe_cell

    assert safe_cell("ชื่อไทย \u202efdp.exe\u202c") == "ชื่อไทย fdp.exe"
    assert safe_cell("=\u2066HYPERLINK()") == "'=HYPERLINK()"
    root = Path(__file__).resolve().parent.parent / "templates"
    for name in ("staff/queue.html", "staff/case.html", "public/case.html"):
        text = (root / name).read_text()
        assert "<bdi>{{ case.subject }}</bdi>" in text, name


def test_log_out_ends_the_session_on_the_server_and_no_session_outlives_eight_hours(
    app, client, staff
):
    from datetime import datetime
    from datetime import timedelta
    from datetime import UTC

    email = staff("officer", "SERVICE")
    login(client, email)
    copied = client.get_cookie("session").value  # stolen before log-out
    assert (
        client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")}).status_code
        == 303
    )
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/").status_code == 302  # to the log-in page: the session has ended

    before = client.get_cookie("session").value
    login(client, email)
    assert client.get_cookie("session").value != before  # a new session at log-in
    with client.session_transaction() as session:
        # Busy all day: seen a minute ago, but logged in more than 8 hours ago.
        session["logged_in_at"] = (datetime.now(UTC) - timedelta(hours=8, minutes=1)).timestamp()
        session["seen_at"] = (datetime.now(UTC) - timedelta(minutes=1)).timestamp()
    assert client.get("/staff/").status_code == 302


def test_a_password_is_not_the_e_mail_nor_the_current_one(app, ctx):
    from suggestion.auth.services import change_password
    from suggestion.core.errors import Invalid
    from tests.factories import make_user
    from tests.factories import PASSWORD

    user = make_user("officer", "SERVICE", "somsri.rakdee@example.go.th")
    for refused in ("somsri.rakdee@example.go.th", "Somsri.Rakdee", PASSWORD):
        try:
            change_password(user, refused)
        except Invalid:
            continue
        raise AssertionError(f"{refused!r} was accepted")
    change_password(user, "a-fresh-and-long-password")


def test_a_locked_account_answers_as_slowly_as_a_wrong_password(app, ctx):
    """7 ms against 119 ms told an attacker that the account exists and is
    locked: both now check the password's hash."""
    import time

    from suggestion.auth.services import authenticate
    from tests.factories import make_user

    make_user("officer", "SERVICE", "locked@example.go.th")
    for _ in range(5):
        authenticate("locked@example.go.th", "a-wrong-guess", "203.0.113.5")
    make_user("officer", "IT", "open@example.go.th")

    def fastest(email: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert authenticate(email, "not-the-password", "203.0.113.5") is None
            times.append(time.perf_counter() - started)
        return min(times)

    wrong = fastest("open@example.go.th")
    assert fastest("locked@example.go.th") > 0.5 * wrong
    # Right passwords from the locked address are refused too.
    assert authenticate("locked@example.go.th", "correct-horse-battery", "203.0.113.5") is None


def test_access_keys_are_stored_keyed_and_the_migration_keeps_old_keys_working(tmp_path):
    """A 49-bit access key stored as a plain SHA-256 could be enumerated from
    a stolen database alone; migration 0014 re-keys the stored digests with
    DIGEST_KEY, and a key given out before still opens its case."""
    import hashlib

    from flask_migrate import downgrade
    from flask_migrate import upgrade

    from suggestion import create_app
    from suggestion.cases import tracking
    from suggestion.cases.codes import normalise_access_key
    from suggestion.seed import seed_reference_data
    from tests.factories import make_case

    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/keys.sqlite"}
    old_app = create_app("testing", {**settings, "DIGEST_KEY": "the-agency-digest-key"})
    with old_app.test_request_context():
        # The case is filed by today's models, then the schema taken back
        # below 0014 (its downgrade leaves the digests as they are), so that
        # a later migration's new column does not stop the filing.
        upgrade()
        seed_reference_data()
        # Anonymous: no filer row, to which later migrations add columns.
        receipt = make_case(is_anonymous=True)
        code, key = receipt.case.tracking_code, receipt.access_key
        plain = hashlib.sha256(normalise_access_key(key).encode()).hexdigest()
        receipt.case.access_key_hash = plain  # as filings stored it before 0014
        db.session.commit()
        db.session.remove()
        downgrade(revision="0013")
        upgrade()
        stored = db.session.scalar(sa.select(Case.access_key_hash))
        assert stored != plain
        assert tracking.find_by_code_and_key(code, key) is not None
        assert tracking.public_record(code, key) is not None
        new = make_case()  # and a new filing's key works the same way
        db.session.commit()
        assert tracking.find_by_code_and_key(new.case.tracking_code, new.access_key) is not None
        db.session.remove()
        db.engine.dispose()
    # Without the key, the stored digests match nothing.
    other_app = create_app("testing", {**settings, "DIGEST_KEY": "another-key"})
    with other_app.test_request_context():
        assert tracking.find_by_code_and_key(code, key) is None
        db.session.remove()
        db.engine.dispose()


def test_the_receipts_access_key_is_not_readable_in_the_session_cookie(app, client):
    """Flask's session cookie is signed, not encrypted: the access key that
    waits in it for the receipt is sealed."""
    import re

    from tests.test_filing import form_data

    response = client.post("/file/complaint", data=form_data(client))
    assert response.status_code == 303
    page = client.get("/file/receipt?lang=en").get_data(as_text=True)
    key = re.search(r"[2-9A-Z]{5}-[2-9A-Z]{5}", page).group(0)
    cookie = client.get_cookie("session").value
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert key not in repr(session) and key.replace("-", "") not in repr(session)
    assert key not in cookie
