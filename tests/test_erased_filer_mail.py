"""The filer's e-mails leave the outbox with their contact details (issue 16,
review item 1): a withdrawal or an officer's erasure, and retention after a
rectification, leave no notification holding any address the filer gave,
and an erased e-mail is not sent again from /admin/."""

from __future__ import annotations

from datetime import datetime
from datetime import UTC

import sqlalchemy as sa

from suggestion.cases.anonymise import run_retention
from suggestion.cases.filer_mail import tell_filer
from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import SubjectRight
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.helpers import login

OLD, NEW = "old.address@example.com", "new.address@example.com"


def _addresses(case_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.to_address).where(Notification.case_id == case_id)
        )
    )


def _post(client, path: str, page: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page)})


def test_a_withdrawal_on_track_takes_the_filers_address_out_of_the_outbox(client, file_a_case):
    code, key, _ = file_a_case(email=OLD)
    case_id = db.session.scalars(sa.select(Case.id).where(Case.tracking_code == code)).one()
    db.session.execute(
        sa.update(Case).where(Case.id == case_id).values(status="resolved", resolved_at=utcnow())
    )
    db.session.commit()
    assert OLD in _addresses(case_id)  # the receipt, still waiting
    client.post(
        "/track",
        data={"csrf_token": csrf_token(client, "/track"), "tracking_code": code, "access_key": key},
    )
    page = f"/track/{code}/privacy"
    assert _post(client, f"{page}/withdraw", f"{page}/withdraw").status_code == 303
    db.session.expire_all()
    mail = db.session.scalars(sa.select(Notification).where(Notification.case_id == case_id)).all()
    assert mail and OLD not in _addresses(case_id)
    assert all(m.body is None and m.recipient_digest is None for m in mail)
    assert all(m.status == "failed" for m in mail)  # never sent to the erased address
    receipt_id = mail[0].id

    # Nor sent again from the administrators' list of failed e-mails.
    admin = make_user("admin", "CENTRAL", "erased.admin@example.go.th")
    db.session.commit()
    login(client, admin.email)
    response = client.post(
        "/admin/failed-mail/resend",
        data={"csrf_token": csrf_token(client, "/admin/"), "notification": str(receipt_id)},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, receipt_id).status == "failed"


def test_an_officers_erasure_takes_the_address_out_of_every_filer_email(ctx, db_session):
    case = make_case(email=OLD).case
    tell_filer(case, "reply", message="ตอบกลับ")
    case.status, case.resolved_at = "resolved", utcnow()
    db.session.flush()
    services.erase_contact(services.Actor(None, "officer"), case)
    db.session.expire_all()
    assert _addresses(case.id) and OLD not in _addresses(case.id)


def test_retention_after_a_rectification_clears_both_addresses(ctx, db_session):
    case = make_case(email=OLD).case
    tell_filer(case, "reply", message="ตอบกลับ")  # to the old address, no digest
    officer = services.Actor.of(make_user("privacy", "CENTRAL"))
    request = intake.register(
        officer, name="สมชาย", contact="", right=SubjectRight.RECTIFICATION,
        identity=IdentityCheck.ACCESS_KEY, note="", cases=[case],
    )  # fmt: skip
    services.rectify_contact(
        officer, request, case, name="สมชาย", email=NEW, phone=None, address=None
    )
    tell_filer(case, "outcome", message="ผลการพิจารณา", outcome="resolved")
    end = datetime(2015, 5, 1, tzinfo=UTC)
    db.session.execute(
        sa.update(Case)
        .where(Case.id == case.id)
        .values(status="resolved", resolved_at=end, received_at=end, due_at=end)
    )
    db.session.flush()
    report = run_retention(datetime(2026, 6, 15, 3, 0, tzinfo=UTC))
    assert report.total == 1
    db.session.expire_all()
    addresses = _addresses(case.id)
    assert len(addresses) == 4  # receipt, reply, the request acknowledged, outcome
    assert OLD not in addresses and NEW not in addresses


def test_a_rectified_address_gets_what_still_waits_and_is_no_longer_held_back(ctx, db_session):
    """The receipt and a reply wait (the worker has not sent them); the filer
    corrects their address: both go to the new one, nothing waits for the old,
    and the cap that held back the old address no longer holds back the new."""
    case = make_case(email=OLD).case
    tell_filer(case, "reply", message="ตอบกลับ")
    case.complainant.is_email_withheld = True
    db.session.flush()
    officer = services.Actor.of(make_user("privacy", "CENTRAL"))
    request = intake.register(
        officer, name="สมชาย", contact="", right=SubjectRight.RECTIFICATION,
        identity=IdentityCheck.ACCESS_KEY, note="", cases=[case],
    )  # fmt: skip
    services.rectify_contact(
        officer, request, case, name="สมชาย", email=NEW, phone=None, address=None
    )
    db.session.expire_all()
    waiting = db.session.execute(
        sa.select(Notification.to_address, Notification.status).where(
            Notification.case_id == case.id, Notification.template.in_(["receipt", "reply"])
        )
    ).all()
    assert waiting and all(row == (NEW, "pending") for row in waiting)
    assert case.complainant.is_email_withheld is False
