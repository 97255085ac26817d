"""A data-subject request forgets its requester: once the filer's data of
every case a closed request concerns is gone (the retention run, or an
erasure), the request's own copies of the requester's name, contact and
note go too, so that no copy outlives the data it was about. The request's
right, identity check, dates, deadline and outcome stay: they are the
agency's record that it answered (docs/decisions.md). An open request keeps
them: the officer still needs to reach the person.

Called by the retention run (:func:`run_retention`, which beat and ``flask
privacy retention`` call), by the closing of a request and by an erasure
(suggestion.privacy.services). Set-based and
safe to run again: a forgotten request is not touched twice."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from suggestion.cases import anonymise
from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import subject_request_cases
from suggestion.privacy.models import SubjectRequest

FORGOTTEN = ""  # what replaces the requester's name, contact and note


def _filer_data_left() -> sa.ColumnElement[bool]:
    """Some case of the request still holds its filer's data: neither
    anonymised by retention nor its contact details erased."""
    erased = sa.exists().where(
        Complainant.case_id == Case.id, Complainant.anonymised_at.is_not(None)
    )
    return (
        sa.exists()
        .where(
            subject_request_cases.c.request_id == SubjectRequest.id,
            Case.id == subject_request_cases.c.case_id,
            Case.anonymised_at.is_(None),
            ~erased,
        )
        .correlate(SubjectRequest)
    )


def forget_requesters(
    now: datetime | None = None,
    *,
    case_ids: Iterable[int] | None = None,
    actor_label: str = AdminActor.SYSTEM,
) -> int:
    """Forget the requester of every closed request whose cases no longer
    hold their filer's data (only those naming ``case_ids``, when given);
    each is recorded on the administrative audit trail. Returns how many."""
    now = now or utcnow()
    statement = sa.select(SubjectRequest.id).where(
        SubjectRequest.requester_forgotten_at.is_(None),
        SubjectRequest.status != RequestStatus.OPEN.value,
        ~_filer_data_left(),
    )
    if case_ids is not None:
        statement = statement.where(
            SubjectRequest.id.in_(
                sa.select(subject_request_cases.c.request_id).where(
                    subject_request_cases.c.case_id.in_(list(case_ids))
                )
            )
        )
    ids = list(db.session.scalars(statement.order_by(SubjectRequest.id)))
    if not ids:
        return 0
    db.session.execute(
        sa.update(SubjectRequest)
        .where(SubjectRequest.id.in_(ids))
        .values(
            requester_name=FORGOTTEN,
            requester_contact=FORGOTTEN,
            note=FORGOTTEN,
            requester_forgotten_at=now,
        )
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        sa.insert(AdminEvent),
        [
            {
                "at": now,
                "actor_id": None,
                "actor_label": actor_label,
                "action": AdminAction.PERSONAL_DATA_ANONYMISED,
                "target": f"data-subject request {request_id}",
                "diff": {"requester_forgotten_at": [None, now.isoformat()]},
            }
            for request_id in ids
        ],
    )
    return len(ids)


def run_retention(
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    batch_size: int | None = None,
    actor_label: str = AdminActor.SYSTEM,
) -> anonymise.RetentionReport:
    """The retention run (suggestion.cases.anonymise), then the requests
    whose cases it emptied forget their requester. Its parts commit as they
    go, so a run killed between the two leaves the requests to the next."""
    now = now or utcnow()
    report = anonymise.run_retention(
        now, dry_run=dry_run, batch_size=batch_size, actor_label=actor_label
    )
    if not dry_run and not report.skipped:
        report.requests = forget_requesters(now, actor_label=actor_label)
        db.session.commit()
    return report
