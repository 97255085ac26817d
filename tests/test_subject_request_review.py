"""The review of issue 16's data-subject requests, through the pages against
PostgreSQL: the officer sees a filer's contact details only by opening them
(recorded in the access log, like the staff case page), and the export is
recorded there too; ids out of range answer 404; a legal hold stops erasure;
an action fits its request's state and right; the filer cannot ask again and
again on /track."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.cases.personal_data import PersonalDataView
from suggestion.cases.retention import LegalHold
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.privacy.models import SubjectRequest
from tests.helpers import login
from tests.test_subject_requests import _open_on_track
from tests.test_subject_requests import _post
from tests.test_subject_requests import _register


def _views() -> list[tuple[int, str | None]]:
    return [
        (row.case_id, row.reason)
        for row in db.session.scalars(sa.select(PersonalDataView).order_by(PersonalDataView.id))
    ]


def _case_id(code: str) -> int:
    return db.session.scalars(sa.select(Case.id).where(Case.tracking_code == code)).one()


def test_the_request_page_hides_contact_details_until_opened_and_records_it(
    client, staff, file_a_case
):
    officer = staff("privacy", "SERVICE")
    code, _, _ = file_a_case(email="hidden.filer@example.com", phone="0811111111")
    report, _, _ = file_a_case(email="whistle@example.com", kind="corruption")
    login(client, officer)
    number = _register(client, "rectification", f"{code} {report}")
    page = f"/privacy/requests/{number}"
    text = client.get(page).get_data(as_text=True)
    assert "hidden.filer@example.com" not in text and "0811111111" not in text
    assert "whistle@example.com" not in text
    assert _views() == []

    response = _post(client, f"{page}/cases/{_case_id(code)}/contact", page)
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "hidden.filer@example.com" in shown and "whistle@example.com" not in shown
    assert _views() == [(_case_id(code), None)]

    # A corruption reporter's identity needs a reason, as on the case page.
    refused = _post(client, f"{page}/cases/{_case_id(report)}/contact", page)
    assert refused.status_code == 422
    assert "whistle@example.com" not in refused.get_data(as_text=True)
    assert len(_views()) == 1
    given = _post(client, f"{page}/cases/{_case_id(report)}/contact", page, reason="คำขอแก้ไข")
    assert "whistle@example.com" in given.get_data(as_text=True)
    assert _views()[-1] == (_case_id(report), "คำขอแก้ไข")

    # Without the CSRF token nothing is shown or recorded.
    bare = client.post(f"{page}/cases/{_case_id(code)}/contact", data={})
    assert bare.status_code == 400
    assert len(_views()) == 2


def test_exporting_a_request_records_one_view_per_case(client, staff, file_a_case):
    officer = staff("privacy", "SERVICE")
    one, _, _ = file_a_case(email="one@example.com")
    two, _, _ = file_a_case(email="two@example.com")
    login(client, officer)
    number = _register(client, "access", f"{one},{two}")
    page = f"/privacy/requests/{number}"
    assert _post(client, f"{page}/export", page).status_code == 200
    views = _views()
    assert sorted(case for case, _ in views) == sorted([_case_id(one), _case_id(two)])
    assert all(reason and str(number) in reason for _, reason in views)


def test_an_id_beyond_the_column_answers_404(client, staff, file_a_case):
    code, _, _ = file_a_case()
    login(client, staff("privacy", "SERVICE"))
    number = _register(client, "access", code)
    page = f"/privacy/requests/{number}"
    assert client.get("/privacy/requests/99999999999").status_code == 404
    assert _post(client, "/privacy/requests/99999999999/export", page).status_code == 404
    huge_case = f"{page}/cases/99999999999/erase"
    assert _post(client, huge_case, page).status_code == 404


HOLD = "คำสั่งเก็บรักษาเพื่อคดี"  # the Thai of the legal hold's ground (PDPA s.33)


def _resolved_and_held(code: str) -> int:
    case_id = _case_id(code)
    db.session.execute(
        sa.update(Case).where(Case.id == case_id).values(status="resolved", resolved_at=utcnow())
    )
    db.session.add(LegalHold(case_id=case_id, reason="คดีปกครองที่ยังไม่ถึงที่สุด"))
    db.session.commit()
    return case_id


def _filer_email(case_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Complainant.email).where(Complainant.case_id == case_id)
    ).one()


def test_a_legal_hold_stops_the_officers_erasure_with_its_ground(client, staff, file_a_case):
    code, _, _ = file_a_case(email="held@example.com")
    case_id = _resolved_and_held(code)
    login(client, staff("privacy", "SERVICE"))
    number = _register(client, "erasure", code)
    page = f"/privacy/requests/{number}"
    assert HOLD in client.get(page).get_data(as_text=True)
    response = _post(client, f"{page}/cases/{case_id}/erase", page)
    assert response.status_code == 303
    assert _filer_email(case_id) == "held@example.com"
    assert HOLD in client.get(page).get_data(as_text=True)
    refused = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == "erasure_refused")
    ).one()
    assert refused.diff["ground"] == [None, "legal_hold"]
    _post(client, f"{page}/refuse-erasure", page)
    db.session.expire_all()
    request = db.session.get(SubjectRequest, number)
    assert request.status == "refused" and HOLD in request.outcome


def test_a_legal_hold_stops_the_filers_withdrawal_on_track(client, file_a_case):
    code, key, _ = file_a_case(email="held.self@example.com")
    case_id = _resolved_and_held(code)
    _open_on_track(client, code, key)
    page = f"/track/{code}/privacy"
    assert HOLD in client.get(f"{page}/withdraw").get_data(as_text=True)
    response = _post(client, f"{page}/withdraw", page)
    assert response.status_code == 303
    assert _filer_email(case_id) == "held.self@example.com"
    assert HOLD in client.get(page).get_data(as_text=True)
    actions = db.session.scalars(sa.select(AdminEvent.action)).all()
    assert "erasure_refused" in actions and "contact_erased" not in actions


def test_an_action_fits_the_requests_state_and_right(client, staff, file_a_case):
    code, _, _ = file_a_case(email="right@example.com")
    case_id = _case_id(code)
    db.session.execute(
        sa.update(Case).where(Case.id == case_id).values(status="resolved", resolved_at=utcnow())
    )
    db.session.commit()
    login(client, staff("privacy", "SERVICE"))
    access = _register(client, "access", code)
    page = f"/privacy/requests/{access}"
    before = _actions_count()
    _post(client, f"{page}/cases/{case_id}/erase", page)
    _post(client, f"{page}/cases/{case_id}/restrict", page)
    _post(client, f"{page}/refuse-erasure", page)
    rectified = _post(client, f"{page}/cases/{case_id}/rectify", page, email="new@example.com")
    assert rectified.status_code == 422
    assert _filer_email(case_id) == "right@example.com"
    assert _actions_count() == before
    db.session.expire_all()
    assert db.session.get(SubjectRequest, access).status == "open"

    rectification = _register(client, "rectification", code)
    page = f"/privacy/requests/{rectification}"
    _post(client, f"{page}/close", page, status="done", outcome="ไม่มีสิ่งต้องแก้")
    before = _actions_count()
    again = _post(client, f"{page}/cases/{case_id}/rectify", page, email="new@example.com")
    assert again.status_code == 422 and _actions_count() == before
    assert _filer_email(case_id) == "right@example.com"

    erasure = _register(client, "erasure", code)
    page = f"/privacy/requests/{erasure}"
    _post(client, f"{page}/cases/{case_id}/erase", page)
    assert _filer_email(case_id) is None
    erased = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == "contact_erased")
    ).one()
    assert erased.diff["request"] == [None, erasure]


def _actions_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent)) or 0


def test_the_filer_has_one_open_request_per_right_and_the_filing_limit(
    client, app, monkeypatch, file_a_case
):
    monkeypatch.setitem(app.config, "FILING_LIMIT", "2 per minute")
    code, key, _ = file_a_case(email="asks@example.com")
    _open_on_track(client, code, key)
    page = f"/track/{code}/privacy"
    first = _post(client, f"{page}/request", page, subject_right="access", note="ขอสำเนา")
    assert first.status_code == 303
    again = _post(client, f"{page}/request", page, subject_right="access", note="ขออีก")
    assert again.status_code == 303
    number = db.session.scalars(sa.select(SubjectRequest.id)).one()
    assert str(number) in client.get(page).get_data(as_text=True)
    # Another right is another request; past the filing limit, none is written.
    other = _post(client, f"{page}/request", page, subject_right="erasure", note="ลบ")
    assert other.status_code == 303
    refused = _post(client, f"{page}/request", page, subject_right="restriction", note="ระงับ")
    assert refused.status_code == 429
    rights = db.session.scalars(sa.select(SubjectRequest.subject_right)).all()
    assert sorted(rights) == ["access", "erasure"]


def test_the_export_of_a_case_not_opened_in_the_session_answers_404(client, file_a_case):
    code, key, _ = file_a_case(email="mine.only@example.com")
    other, _, _ = file_a_case(email="not.yours@example.com")
    _open_on_track(client, code, key)
    page = f"/track/{code}/privacy"
    before = _actions_count()
    response = _post(client, f"/track/{other}/privacy/export", page)
    assert response.status_code == 404
    assert "not.yours@example.com" not in response.get_data(as_text=True)
    assert _actions_count() == before


def test_only_an_officer_closes_a_request_and_only_once(ctx, db_session):
    import pytest

    from suggestion.cases.access import NotPermitted
    from suggestion.core.audit import AdminAction
    from suggestion.core.errors import Invalid
    from suggestion.privacy import intake
    from suggestion.privacy import services
    from suggestion.privacy.models import IdentityCheck
    from suggestion.privacy.models import RequestStatus
    from suggestion.privacy.models import SubjectRight
    from tests.factories import make_case
    from tests.factories import make_user

    case = make_case().case
    officer = services.Actor.of(make_user("privacy", "CENTRAL"))
    request = intake.register(
        officer, name="สมชาย", contact="", right=SubjectRight.ACCESS,
        identity=IdentityCheck.ACCESS_KEY, note="", cases=[case],
    )  # fmt: skip
    with pytest.raises(NotPermitted):
        services.close(services.FILER, request, RequestStatus.DONE, "ส่งข้อมูลแล้ว")
    services.close(officer, request, RequestStatus.DONE, "ส่งข้อมูลแล้ว")
    with pytest.raises(Invalid):
        services.close(officer, request, RequestStatus.REFUSED, "อีกครั้ง")
    closed = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == AdminAction.SUBJECT_REQUEST_CLOSED.value)
    ).all()
    assert len(closed) == 1 and request.status == RequestStatus.DONE
