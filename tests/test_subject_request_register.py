"""The register of data-subject requests as the data protection officer
keeps it, against PostgreSQL: the 30 days run from the day the request was
received; one request of a right is open per case, also when two are
registered at once; the register is filtered and paged; and a request
forgets who asked once the filer's data of its cases is gone."""

from __future__ import annotations

import threading
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.forgetting import run_retention
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.helpers import login

BANGKOK = ZoneInfo("Asia/Bangkok")


def agency_today() -> date:
    return datetime.now(BANGKOK).date()


def _form(client, **data: str):
    fields = {
        "csrf_token": csrf_token(client, "/privacy/"),
        "requester_name": "สมชาย ใจดี",
        "requester_contact": "somchai@example.com",
        "subject_right": "access",
        "identity_check": "id_card",
        "note": "",
        **data,
    }
    return client.post("/privacy/", data=fields)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SubjectRequest)) or 0


def _thai_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_the_thirty_days_run_from_the_day_of_receipt_never_a_day_to_come(
    client, staff, file_a_case
):
    code, _, _ = file_a_case()
    login(client, staff("privacy", "SERVICE"))
    received = agency_today() - timedelta(days=12)  # a letter registered late
    response = _form(client, tracking_codes=code, received_on=_thai_date(received))
    assert response.status_code == 303, response.get_data(as_text=True)[:600]
    request = db.session.get(SubjectRequest, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert request.received_at == datetime.combine(received, time(), BANGKOK)
    assert request.due_at == datetime.combine(
        received + timedelta(days=30), time(23, 59, 59), BANGKOK
    )
    # A day to come is refused beside its field, in Thai, and writes nothing.
    before = _count()
    tomorrow = agency_today() + timedelta(days=1)
    refused = _form(client, tracking_codes=code, received_on=_thai_date(tomorrow))
    assert refused.status_code == 422
    assert "วันที่ได้รับคำร้องต้องไม่เป็นวันในอนาคต" in refused.get_data(as_text=True)
    assert _count() == before


def test_one_request_of_a_right_is_open_per_case(client, staff, file_a_case):
    code, _, _ = file_a_case()
    login(client, staff("privacy", "SERVICE"))
    first = _form(client, tracking_codes=code)
    number = int(first.headers["Location"].rsplit("/", 1)[1])
    again = _form(client, tracking_codes=code)
    assert again.status_code == 422
    assert f"มีคำร้องเลขที่ {number} ในสิทธินี้ของเรื่อง {code}" in again.get_data(as_text=True)
    assert _count() == 1
    # Another right on the same case is a request of its own.
    assert _form(client, tracking_codes=code, subject_right="rectification").status_code == 303


def test_two_registrations_at_once_make_one_request(app, live_db):
    with app.test_request_context():
        officer_id = make_user("privacy", "SERVICE", "dpo.race@example.go.th").id
        case_id = make_case().case.id
        db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def register() -> None:
        with app.test_request_context():
            from suggestion.auth.models import User

            officer = services.Actor.of(db.session.get(User, officer_id))
            case = db.session.get(Case, case_id)
            start.wait(timeout=30)
            try:
                intake.register(
                    officer,
                    name="สมชาย",
                    contact="",
                    right=SubjectRight.ERASURE,
                    identity=IdentityCheck.ID_CARD,
                    note="",
                    cases=[case],
                )
                db.session.commit()
                outcomes.append("registered")
            except intake.AlreadyOpen:
                db.session.rollback()
                outcomes.append("already open")

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already open", "registered"]
    with app.app_context():
        assert _count() == 1


def test_the_register_shows_open_requests_soonest_first_and_pages(app, client, staff):
    email = staff("privacy", "SERVICE", "dpo.pages@example.go.th")
    today = agency_today()
    numbers = []
    with app.test_request_context():
        from suggestion.auth.models import User

        officer = services.Actor.of(
            db.session.scalars(sa.select(User).filter_by(email=email)).one()
        )
        for n in range(53):  # more than a page, received on different days
            case = make_case(email=f"p{n}@example.com").case
            request = intake.register(
                officer,
                name=f"ผู้ขอ {n}",
                contact="",
                right=SubjectRight.ACCESS,
                identity=IdentityCheck.ID_CARD,
                note="",
                cases=[case],
                received_on=today - timedelta(days=n % 20),
            )
            numbers.append((request.due_at, request.id))
        closed = make_case().case
        done = intake.register(
            officer, name="ปิดแล้ว", contact="", right=SubjectRight.PORTABILITY,
            identity=IdentityCheck.ID_CARD, note="", cases=[closed],
        )  # fmt: skip
        services.close(officer, done, RequestStatus.DONE, "ส่งไฟล์ JSON แล้ว")
        done_id = done.id
        db.session.commit()
    login(client, email)
    soonest = [number for _, number in sorted(numbers)]

    def listed(page: str) -> list[int]:
        import re

        return [int(n) for n in re.findall(r'/privacy/requests/(\d+)"', page)]

    first = client.get("/privacy/").get_data(as_text=True)
    assert listed(first) == soonest[:50]
    assert done_id not in listed(first)
    second = client.get(f"/privacy/?show=open&after={soonest[49]}").get_data(as_text=True)
    assert listed(second) == soonest[50:]
    assert listed(client.get("/privacy/?show=closed").get_data(as_text=True)) == [done_id]
    portability = client.get("/privacy/?show=closed&right=portability").get_data(as_text=True)
    assert listed(portability) == [done_id]
    assert listed(client.get("/privacy/?show=open&right=erasure").get_data(as_text=True)) == []
    assert client.get("/privacy/?after=99999999").status_code == 404


def test_a_request_forgets_who_asked_once_its_cases_are_anonymised(app, ctx):
    officer = services.Actor.of(make_user("privacy", "SERVICE", "dpo.forget@example.go.th"))
    long_ago = datetime(2015, 5, 1, tzinfo=UTC)

    def finished_case(**fields: object) -> Case:
        case = make_case(**fields).case
        db.session.execute(
            sa.update(Case)
            .where(Case.id == case.id)
            .values(status="resolved", resolved_at=long_ago, received_at=long_ago)
        )
        return case

    def request_on(cases: list[Case], right: SubjectRight) -> SubjectRequest:
        return intake.register(
            officer, name="สมชาย ใจดี", contact="0812345678", right=right,
            identity=IdentityCheck.ID_CARD, note="ขอสำเนา", cases=cases,
        )  # fmt: skip

    old = finished_case()
    answered = request_on([old], SubjectRight.ACCESS)
    services.close(officer, answered, RequestStatus.DONE, "ส่งสำเนาแล้ว")
    waiting = request_on([old], SubjectRight.RECTIFICATION)  # still open
    recent = make_case().case  # still handled: its data stays
    both = request_on([finished_case(), recent], SubjectRight.ACCESS)
    services.close(officer, both, RequestStatus.DONE, "ส่งสำเนาแล้ว")
    db.session.flush()
    report = run_retention(datetime(2026, 6, 15, 3, 0, tzinfo=UTC))
    assert report.total == 2 and report.requests == 1
    db.session.expire_all()
    forgotten = db.session.get(SubjectRequest, answered.id)
    assert (forgotten.requester_name, forgotten.requester_contact, forgotten.note) == ("", "", "")
    assert forgotten.outcome == "ส่งสำเนาแล้ว" and forgotten.subject_right == "access"
    # An open request keeps who asked: the officer must still answer them.
    assert db.session.get(SubjectRequest, waiting.id).requester_name == "สมชาย ใจดี"
    # One of two cases still holds its filer's data: the request keeps it too.
    assert db.session.get(SubjectRequest, both.id).requester_contact == "0812345678"
    # Closing the open one forgets at once; a second run forgets nothing more.
    services.close(officer, db.session.get(SubjectRequest, waiting.id), RequestStatus.DONE, "แล้ว")
    assert db.session.get(SubjectRequest, waiting.id).requester_forgotten_at is not None
    assert run_retention(datetime(2026, 6, 16, 3, 0, tzinfo=UTC)).requests == 0
    records = db.session.scalars(
        sa.select(AdminEvent.target).where(AdminEvent.action == "personal_data_anonymised")
    ).all()
    assert f"data-subject request {answered.id}" in records
    assert f"data-subject request {waiting.id}" in records
