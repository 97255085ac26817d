"""The filer's own data-subject requests on /track: one open request per
case and right — asking again returns to it (the filing throttle, applied by
the page, bounds new ones)."""

from __future__ import annotations

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.privacy import intake
from suggestion.privacy import services
from suggestion.privacy.models import IdentityCheck
from suggestion.privacy.models import RequestStatus
from suggestion.privacy.models import subject_request_cases
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight


def open_request_of(case: Case, right: SubjectRight) -> SubjectRequest | None:
    """The open request of this right that names this case, if any."""
    return db.session.scalars(
        sa.select(SubjectRequest)
        .join(subject_request_cases, subject_request_cases.c.request_id == SubjectRequest.id)
        .where(
            subject_request_cases.c.case_id == case.id,
            SubjectRequest.subject_right == right.value,
            SubjectRequest.status == RequestStatus.OPEN.value,
        )
        .order_by(SubjectRequest.id)
        .limit(1)
    ).first()


def ask_as_filer(
    case: Case, right: SubjectRight, *, name: str, contact: str, note: str
) -> tuple[SubjectRequest, bool]:
    """The filer asks on /track (their access key is the identity check): a
    new request, or the open one of the same right for this case (False)."""
    try:
        request = intake.register(
            services.FILER,
            name=name,
            contact=contact,
            right=right,
            identity=IdentityCheck.ACCESS_KEY,
            note=note,
            cases=[case],
        )
    except intake.AlreadyOpen as already:
        return already.request, False
    return request, True
