"""The administrators' pages of retention (issue 16, item 1): the periods per
kind, and legal holds on the staff case page. Others get 404."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.cases.retention import LegalHold
from suggestion.cases.retention import retention_years
from suggestion.cases.states import Kind
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from tests.helpers import csrf_token
from tests.helpers import login

PERIODS = {"years_complaint": "3", "years_corruption": "10", "years_suggestion": "1",
           "years_compliment": "1", "years_inquiry": "1"}  # fmt: skip


def audited(action: AdminAction) -> list[AdminEvent]:
    return list(db.session.scalars(sa.select(AdminEvent).where(AdminEvent.action == action)))


def test_an_admin_sets_the_periods_in_thai_and_bad_values_write_nothing(app, client, staff):
    login(client, staff("admin", "CENTRAL"))
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "การเก็บรักษาข้อมูลส่วนบุคคล" in page and "ค่าเริ่มต้น: 10 ปี" in page
    token = csrf_token(client, "/admin/retention")
    bad = client.post(
        "/admin/retention", data={**PERIODS, "years_inquiry": "0", "csrf_token": token}
    )
    assert bad.status_code == 422 and "กรอกจำนวนปีเป็นจำนวนเต็มตั้งแต่ 1 ถึง 50" in bad.get_data(
        as_text=True
    )
    assert not audited(AdminAction.RETENTION_CHANGED)
    assert client.post("/admin/retention", data={**PERIODS, "csrf_token": token}).status_code == 303
    with app.app_context():
        assert retention_years()[Kind.COMPLAINT] == 3
        (record,) = audited(AdminAction.RETENTION_CHANGED)
        assert record.target == "retention complaint" and record.diff == {"years": [2, 3]}
    no_csrf = client.post("/admin/retention", data={**PERIODS, "years_complaint": "5"})
    assert no_csrf.status_code in (400, 422)
    with app.app_context():
        assert retention_years()[Kind.COMPLAINT] == 3


def test_an_admin_places_and_lifts_a_legal_hold_others_get_404(app, client, staff, file_a_case):
    code, _key, _token = file_a_case()
    officer = app.test_client()
    login(officer, staff("officer", "CENTRAL"))
    assert officer.get("/admin/retention").status_code == 404
    theirs = csrf_token(officer, "/staff/password")
    held = officer.post(
        f"/admin/cases/{code}/legal-hold", data={"reason": "x", "csrf_token": theirs}
    )
    assert held.status_code == 404
    assert "legal-hold" not in officer.get(f"/staff/cases/{code}").get_data(as_text=True)

    login(client, staff("admin", "CENTRAL"))
    token = csrf_token(client, "/admin/retention")
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "ระงับการลบข้อมูลเพื่อเหตุทางกฎหมาย" in page
    empty = client.post(
        f"/admin/cases/{code}/legal-hold", data={"reason": " ", "csrf_token": token}
    )
    assert empty.status_code == 303 and not db.session.scalars(sa.select(LegalHold)).all()
    reason = "คดีปกครองหมายเลขดำ 123/2566"
    placed = client.post(
        f"/admin/cases/{code}/legal-hold", data={"reason": reason, "csrf_token": token}
    )
    assert placed.status_code == 303
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert reason in page and "ยกเลิกการระงับเพื่อเหตุทางกฎหมาย" in page
    lifted = client.post(f"/admin/cases/{code}/legal-hold/lift", data={"csrf_token": token})
    assert lifted.status_code == 303
    with app.app_context():
        assert not db.session.scalars(sa.select(LegalHold)).all()
        assert [r.target for r in audited(AdminAction.LEGAL_HOLD_PLACED)] == [f"case {code}"]
        assert [r.diff for r in audited(AdminAction.LEGAL_HOLD_LIFTED)] == [
            {"reason": [reason, None]}
        ]
    assert (
        client.post(
            "/admin/cases/9999-999999/legal-hold", data={"reason": "x", "csrf_token": token}
        ).status_code
        == 404
    )


def test_the_audit_page_shows_what_was_done_to_one_cases_data(client, staff, file_a_case):
    """/admin/audit?case=…: on the administrative trail too, only the events
    of that case (its holds here), not every other case's."""
    first, _key, _token = file_a_case()
    second, _key, _token = file_a_case()
    login(client, staff("admin", "CENTRAL"))
    token = csrf_token(client, "/admin/retention")
    for code, reason in ((first, "คดีที่หนึ่ง"), (second, "คดีที่สอง")):
        placed = client.post(
            f"/admin/cases/{code}/legal-hold", data={"reason": reason, "csrf_token": token}
        )
        assert placed.status_code == 303
    page = client.get(f"/admin/audit?trail=changes&case={first}").get_data(as_text=True)
    assert "คดีที่หนึ่ง" in page and "คดีที่สอง" not in page
    everything = client.get("/admin/audit?trail=changes").get_data(as_text=True)
    assert "คดีที่หนึ่ง" in everything and "คดีที่สอง" in everything
