"""The JSON API of DESIGN §2: categories, filing, tracking, errors."""

from __future__ import annotations

import pytest

from tests.helpers import count_rows
from tests.helpers import recorded_statements

GOOD = {
    "kind": "complaint",
    "category": "website",
    "subject": "เว็บไซต์ดาวน์โหลดข้อมูลไม่ได้",
    "description": "กดดาวน์โหลดไฟล์ Excel แล้วขึ้นข้อผิดพลาดทุกครั้ง",
    "complainant": {"name": "Anan K.", "email": "anan@example.com", "phone": None, "address": None},
    "anonymous": False,
    "consent": True,
    "certify_true": True,
}


def body(**changes):
    data = {**GOOD, **changes}
    return {k: v for k, v in data.items() if v is not ...}


def test_categories_list_codes_names_and_kinds(client):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    bribery = next(c for c in response.json["categories"] if c["code"] == "bribery")
    assert bribery == {
        "code": "bribery",
        "name_th": "การเรียกรับสินบน",
        "name_en": "Bribery",
        "kinds": ["corruption"],
    }


def test_filing_returns_the_receipt_and_tracking_shows_the_public_view(client):
    response = client.post("/api/v1/cases", json=GOOD)
    assert response.status_code == 201
    receipt = response.json
    assert set(receipt) == {
        "tracking_code", "access_key", "status", "public_status", "due_at", "receipt_email",
    }  # fmt: skip
    assert receipt["receipt_email"] == "queued"
    assert receipt["status"] == "received"
    assert receipt["public_status"] == "รับเรื่องแล้ว"

    view = client.get(
        f"/api/v1/cases/{receipt['tracking_code']}",
        headers={"X-Access-Key": receipt["access_key"], "Accept-Language": "en"},
    )
    assert view.status_code == 200
    assert view.json["public_status"] == "Received"
    assert view.json["due_at"] == receipt["due_at"]
    assert [e["title"] for e in view.json["timeline"]] == ["Case received"]
    assert "anan@example.com" not in view.get_data(as_text=True)


def test_a_wrong_key_and_an_unknown_code_answer_the_same_404(client):
    code = client.post("/api/v1/cases", json=GOOD).json["tracking_code"]
    wrong = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": "ABCDE-FGHJK"})
    unknown = client.get("/api/v1/cases/2400-999999", headers={"X-Access-Key": "ABCDE-FGHJK"})
    no_key = client.get(f"/api/v1/cases/{code}")
    assert wrong.status_code == unknown.status_code == no_key.status_code == 404
    assert wrong.json == unknown.json == no_key.json
    # Nothing tells a guesser how many tries are left.
    assert not any(name.lower().startswith("x-ratelimit") for name, _ in wrong.headers.items())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": ...}, "subject", "This field is required."),
        ({"subject": "x" * 201}, "subject", "Please keep this under 200 characters."),
        ({"subject": 123}, "subject", "Must be text."),
        ({"kind": "lottery"}, "kind", "Must be one of"),
        ({"kind": ...}, "kind", "This field is required."),
        ({"category": "bribery"}, "category", "Please choose a category."),
        ({"anonymous": "yes"}, "anonymous", "Must be true or false."),
        ({"consent": False}, "consent", "Please read the privacy notice"),
        ({"certify_true": ...}, "certify_true", "Please confirm that the facts are true."),
        ({"complainant": "me"}, "complainant", "Must be an object"),
        (
            {"complainant": {"name": "A", "email": "not-an-address"}},
            "complainant.email",
            "valid e-mail",
        ),
        ({"complainant": {"name": "A"}}, "complainant.address", "at least one way to reach you"),
        (
            {"complainant": {"name": ["A"], "email": "a@example.com"}},
            "complainant.name",
            "Must be text.",
        ),
    ],
)
def test_bad_input_gets_json_errors_and_writes_nothing(client, changes, field, message):
    before = count_rows("cases"), count_rows("notifications")
    response = client.post("/api/v1/cases", json=body(**changes), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert (count_rows("cases"), count_rows("notifications")) == before


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b"", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_refused(client, payload):
    response = client.post("/api/v1/cases", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert "_body" in response.json["errors"]
    assert count_rows("cases") == 0


def test_errors_follow_accept_language(client):
    response = client.post(
        "/api/v1/cases", json=body(subject=...), headers={"Accept-Language": "th"}
    )
    assert response.json["errors"]["subject"] == ["จำเป็นต้องกรอกข้อมูลในช่องนี้"]


def test_an_anonymous_filing_needs_no_contact(client):
    response = client.post("/api/v1/cases", json=body(anonymous=True, complainant=None))
    assert response.status_code == 201
    assert count_rows("complainants") == 0


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "errors" in response.json


def test_the_openapi_document_describes_every_path(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/categories", "/cases", "/cases/{tracking_code}", "/stats"}
    assert doc["components"]["schemas"]["NewCase"]["properties"]["kind"]["enum"] == [
        "complaint",
        "corruption",
        "suggestion",
        "compliment",
        "inquiry",
    ]


def test_a_nul_character_in_json_text_does_not_break_filing(client):
    response = client.post("/api/v1/cases", json=body(subject="เว็บ\u0000ล่ม"))
    assert response.status_code == 201


def test_a_lone_surrogate_in_json_text_does_not_break_filing(client):
    response = client.post(
        "/api/v1/cases",
        data='{"kind": "complaint", "category": "website", "subject": "a\\ud800b", '
        '"description": "x", "anonymous": true, "consent": true, "certify_true": true}',
        content_type="application/json",
    )
    assert response.status_code == 201


def test_the_public_view_shows_the_public_timeline_and_the_merge_in_one_statement(app, client):

    from suggestion.cases import actions
    from suggestion.cases.access import StaffAccess
    from suggestion.core.extensions import db
    from tests.factories import make_case
    from tests.factories import make_user

    with app.test_request_context():
        officer = StaffAccess(make_user("officer", "SERVICE"))
        duplicate, surviving = make_case(), make_case()
        case = duplicate.case
        actions.screen(officer, case)
        actions.add_note(officer, case, text="ผู้ร้องโทรมาแล้ว")  # internal: never shown
        actions.reply(officer, case, message="กำลังตรวจสอบให้ครับ")
        actions.merge(officer, case, into=surviving.case)
        db.session.commit()
        code, key, surviving_code = (
            case.tracking_code,
            duplicate.access_key,
            surviving.case.tracking_code,
        )

    # The first look-up of a process also reads the holidays' names for the
    # deadline's explanation, kept for 30 s (calendar.services.holiday_names).
    client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key})
    with recorded_statements(app) as seen:
        view = client.get(
            f"/api/v1/cases/{code}", headers={"X-Access-Key": key, "Accept-Language": "en"}
        )

    assert view.status_code == 200
    assert view.json["status"] == "merged"
    assert view.json["merged_into"] == surviving_code
    assert [(e["title"], e["message"]) for e in view.json["timeline"]] == [
        ("Case received", None),
        ("Reply from the agency", "กำลังตรวจสอบให้ครับ"),
        ("Status: Merged", None),
    ]  # screening and the note are for staff only
    assert "ผู้ร้องโทรมาแล้ว" not in view.get_data(as_text=True)
    assert len(seen) == 1  # the case, its merge and its timeline in one read


def test_the_look_up_stays_a_prepared_statement_across_requests(app, live_db, file_a_case):
    """psycopg forgets prepared statements on ROLLBACK; a look-up ends its read
    with COMMIT so that PostgreSQL does not plan its join on every request."""
    import sqlalchemy as sa

    from suggestion.core.extensions import db

    code, key, _ = file_a_case()
    client = app.test_client()
    for _ in range(7):  # psycopg prepares a statement on its fifth use
        assert client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": key}).status_code == 200
    with app.app_context():  # the pool's one connection, as the requests left it
        prepared = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%surviving%'"
            )
        )
    assert prepared == 1


def test_a_wrong_key_reads_no_more_than_an_unknown_code(app, client):
    """The same 404, and the same work: a wrong key must not fetch the case's
    timeline, or its timing would tell that the code exists (and how much
    the agency has written to the filer)."""
    import sqlalchemy as sa

    from suggestion.cases.events import record_event
    from suggestion.core.extensions import db
    from tests.factories import make_case

    with app.test_request_context():
        receipt = make_case()
        for n in range(30):
            record_event(receipt.case, "public_reply", body=f"ตอบครั้งที่ {n}", is_public=True)
        db.session.commit()
        code = receipt.case.tracking_code
    fetched: list[int] = []

    def rows(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "surviving" in statement:
            fetched.append(cursor.rowcount)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", rows)
    try:
        wrong = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": "ABCDE-FGHJK"})
        unknown = client.get("/api/v1/cases/2400-999999", headers={"X-Access-Key": "ABCDE-FGHJK"})
        right = client.get(f"/api/v1/cases/{code}", headers={"X-Access-Key": receipt.access_key})
    finally:
        sa.event.remove(engine, "after_cursor_execute", rows)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_data() == unknown.get_data()
    assert right.status_code == 200 and len(right.json["timeline"]) == 31
    assert fetched == [0, 0, 31]
