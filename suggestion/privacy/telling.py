"""The filer hears of their data-subject request by e-mail, at the address
of the cases it concerns (never the contact typed into the register, which
nobody checked): once when it is registered, with its deadline, and once
when it is answered, with what was done or the ground of a refusal. A
request about an anonymous case, or one whose address was erased by the
request itself, is followed on /track instead. These e-mails are the filer's
(suggestion.notify.outbox.FILER_TEMPLATES): an erasure clears them too."""

from __future__ import annotations

from flask_babel import force_locale

from suggestion.cases.filer_mail import filer_address
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_datetime
from suggestion.notify.outbox import queue_email
from suggestion.privacy.models import RIGHT_LABELS
from suggestion.privacy.models import STATUS_LABELS
from suggestion.privacy.models import SubjectRequest
from suggestion.privacy.models import SubjectRight

RECEIVED = "request_received"
ANSWERED = "request_answered"


def tell_requester(request: SubjectRequest, template: str) -> None:
    """One e-mail per address among the request's cases, in the language of
    the first case filed from it, tied to that case (so that erasing its
    contact details clears the e-mail)."""
    told: set[str] = set()
    for case in sorted(request.cases, key=lambda c: c.id):
        address = filer_address(case)
        if address is None or address.lower() in told:
            continue
        told.add(address.lower())
        with force_locale(case.locale):
            right = str(RIGHT_LABELS[SubjectRight(request.subject_right)])
            status = str(STATUS_LABELS[request.status])
        queue_email(
            template,
            address,
            locale=case.locale,
            case_id=case.id,
            number=request.id,
            tracking_code=case.tracking_code,
            codes=", ".join(sorted(c.tracking_code for c in request.cases)),
            right=right,
            status=status,
            outcome=request.outcome,
            due_at=format_datetime(request.due_at, case.locale, agency_zone()),
            privacy_url=public_url(f"/track/{case.tracking_code}/privacy"),
        )
