"""The request boundary (DESIGN §3): one commit per request or task; tasks
published and files moved into place only after it; nothing left behind by a
rollback; domain errors mapped to 404, 409 and 422."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from suggestion.cases import attachments
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.core.extensions import db
from suggestion.core.jobs import enqueue_job
from suggestion.core.uow import unit_of_work
from suggestion.notify.models import Notification
from suggestion.notify.outbox import queue_email
from tests.factories import checked_pdf
from tests.factories import make_case
from tests.helpers import csrf_token
from tests.helpers import login
from tests.helpers import RecordingPublisher


def files_under(folder: str) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def test_a_filing_publishes_its_receipt_once_after_the_commit(client, published):
    body = {
        "kind": "complaint", "category": "data-service", "subject": "ขอข้อมูล",
        "description": "รายละเอียด", "consent": True, "certify_true": True,
        "complainant": {"name": "สมชาย ใจดี", "email": "somchai@example.com"},
    }  # fmt: skip
    response = client.post("/api/v1/cases", json=body)
    assert response.status_code == 201
    receipt = db.session.scalars(
        sa.select(Notification).where(Notification.template == "receipt")
    ).one()
    assert published.sent == [("notify.deliver", (receipt.id,))]


def test_a_rolled_back_unit_publishes_nothing_and_leaves_no_file(app, db_session, published):
    with app.test_request_context():
        case = make_case().case
        db.session.commit()
        published.sent.clear()
        with pytest.raises(RuntimeError), unit_of_work():
            queue_email(
                "reply", "somchai@example.com", locale="th", case_id=case.id,
                dedupe_key="boundary-test", tracking_code=case.tracking_code,
                subject=case.subject, track_url="x", due_at="x", message="x",
            )  # fmt: skip
            enqueue_job(db.session(), "sla.recompute_deadlines", reason="boundary test")
            db.session.add(attachments.store(checked_pdf(), case.id, None, public=True))
            db.session.flush()
            raise RuntimeError("the work fails after writing")
        assert published.sent == []
        assert files_under(app.config["UPLOAD_DIR"]) == []
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.dedupe_key == "boundary-test")
            )
            == 0
        )


def test_a_stored_file_is_moved_into_place_only_by_the_commit(app, db_session):
    with app.test_request_context():
        case = make_case().case
        row = attachments.store(checked_pdf(), case.id, None, public=True)
        db.session.add(row)
        final = attachments._path(row.storage_key)
        staged = final.with_name(final.name + attachments.STAGED)
        assert not final.exists() and staged.exists()  # written, not yet in place
        db.session.commit()
        assert final.read_bytes() == checked_pdf().data and not staged.exists()


def test_a_refused_action_leaves_nothing_behind(app, client, staff, published):
    email = staff("officer", "SERVICE")
    with app.test_request_context():
        # A forwarded case nobody acknowledged: screening it now would mark it
        # acknowledged and then find that it cannot go back to screening.
        from suggestion.auth.models import User
        from suggestion.cases import actions
        from suggestion.cases.access import StaffAccess

        case = make_case().case
        officer = db.session.scalars(sa.select(User).where(User.email == email)).one()
        actions.forward(StaffAccess(officer), case, agency="กรมการปกครอง", reason="ไม่ใช่ของเรา")
        db.session.commit()
        code = case.tracking_code
    events = db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent))
    published.sent.clear()
    login(client, email)
    token = csrf_token(client, f"/staff/cases/{code}")
    version = db.session.scalars(sa.select(Case.version).where(Case.tracking_code == code)).one()
    response = client.post(
        f"/staff/cases/{code}/screen", data={"csrf_token": token, "version": str(version)}
    )
    assert response.status_code == 422
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.acknowledged_at is None and case.status == "forwarded"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == events
    assert published.sent == []


def test_tests_record_what_is_published_instead_of_sending_it(app, db_session):
    assert isinstance(app.extensions["task_publisher"], RecordingPublisher)


def test_a_failed_flush_inside_a_savepoint_keeps_the_works_effects(app, db_session, published):
    """The inner transaction of a failed flush rolls back; the work goes on
    and its commit still publishes what it asked for."""
    from sqlalchemy.exc import IntegrityError

    with app.test_request_context():
        case = make_case().case
        db.session.commit()
        published.sent.clear()
        with unit_of_work():
            enqueue_job(db.session(), "sla.recompute_deadlines", reason="kept")
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.add(Case(**{"tracking_code": case.tracking_code}))
                db.session.flush()
        assert [name for name, _ in published.sent] == ["jobs.run"]


def test_urls_that_cannot_name_a_row_answer_404(app, client, staff, file_a_case):
    code, _, _ = file_a_case()
    login(client, staff("admin", "CENTRAL"))
    for url in (
        f"/staff/cases/{code}%00",
        f"/staff/cases/{code}/attachments/99999999999",
        "/admin/users/99999999999",
        "/admin/templates/99999999999",
        "/admin/policies/99999999999",
    ):
        assert client.get(url).status_code == 404, url
    public = app.test_client()
    assert public.get(f"/track/{code}%00").status_code in (302, 404)
    token = csrf_token(public, "/track")
    posted = public.post(f"/track/{code}%00/information", data={"csrf_token": token, "text": "x"})
    assert posted.status_code == 404


def test_the_daily_sweep_settles_files_left_staged_by_a_dead_process(app, db_session):
    """A process that died between writing a file and its commit or rollback
    leaves a staged file: moved into place if its row was committed, removed
    if not; a file younger than an hour may belong to a request still running."""
    import os
    import time as clock

    with app.test_request_context():
        case = make_case().case
        committed = attachments.store(checked_pdf(), case.id, None, public=True)
        db.session.add(committed)
        db.session.flush()
        db.session.info.clear()  # the process "dies": neither commit nor rollback effects run
        folder = attachments._path(committed.storage_key).parent
        orphan = folder / ("0" * 32 + ".pdf" + attachments.STAGED)
        orphan.write_bytes(b"%PDF-1.4 orphan")
        recent = folder / ("1" * 32 + ".pdf" + attachments.STAGED)
        recent.write_bytes(b"%PDF-1.4 in flight")
        two_hours_ago = clock.time() - 7200
        for path in folder.glob("*" + attachments.STAGED):
            if path != recent:
                os.utime(path, (two_hours_ago, two_hours_ago))
        assert attachments.sweep_staged() == {"moved": 1, "removed": 1}
        assert attachments._path(committed.storage_key).read_bytes() == checked_pdf().data
        assert not orphan.exists() and recent.exists()


def test_the_audit_trails_refuse_truncate(app, db_session):
    """The append-only triggers guard UPDATE and DELETE; TRUNCATE, even with
    CASCADE from the cases, went past them."""
    import re as regex

    from sqlalchemy.exc import DBAPIError

    for statement in (
        "TRUNCATE case_events CASCADE",
        "TRUNCATE admin_events",
        "TRUNCATE cases CASCADE",
    ):
        with pytest.raises(DBAPIError) as refused, db.session.begin_nested():
            db.session.execute(sa.text(statement))
        assert regex.search(r"(case|admin)_events is append-only", str(refused.value)), statement
