"""Filing a case: the code, the key, the deadlines, the receipt."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from suggestion.auth.models import User
from suggestion.cases import attachments
from suggestion.cases import codes
from suggestion.cases.deadlines import apply_deadlines
from suggestion.cases.events import record_event
from suggestion.cases.filers import contact_digests
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.models import Complainant
from suggestion.cases.privacy_notice import current_version
from suggestion.cases.states import Actor
from suggestion.cases.states import Channel
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import format_datetime
from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.notify import caps
from suggestion.notify.outbox import queue_email


@dataclass
class Filing:
    """What a filer gave, already checked by a form or the API."""

    kind: Kind
    category: Category | None
    subject: str
    description: str
    is_anonymous: bool = False
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    locale: str = "th"
    channel: Channel = Channel.WEB
    received_at: datetime | None = None
    files: list[attachments.CheckedFile] = field(default_factory=list)
    # The version of the privacy notice the filer was shown (the web form
    # carries it); None: the current one (the API, staff intake).
    privacy_notice_version: int | None = None


class ReceiptEmail(enum.StrEnum):
    """What became of the receipt e-mail (the API's ``receipt_email``)."""

    QUEUED = "queued"  # in the outbox, to be sent
    WITHHELD = "withheld"  # the address had had its receipts for the day
    NONE = "none"  # no address given (or an anonymous filing)


@dataclass(frozen=True)
class Receipt:
    """What the filer must keep. The secrets exist in clear only here."""

    case: Case
    access_key: str
    track_token: str
    email: ReceiptEmail = ReceiptEmail.NONE


def public_track_link(token: str) -> str:
    return public_url(f"/track/link/{token}")


def file_case(filing: Filing, *, actor: User | None = None) -> Receipt:
    """Record a new case with its filer, files and first event; queue the
    receipt, unless the filer's address has had its receipts for the day."""
    received_at = filing.received_at or utcnow()
    tz = agency_zone()
    category_id = filing.category.id if filing.category else None
    access_key = codes.new_access_key()
    track_token = codes.new_track_token()
    fiscal_year = fiscal_year_of(local_date(received_at, tz))

    case = Case(
        fiscal_year=fiscal_year,
        kind=filing.kind,
        category_id=category_id,
        division_id=filing.category.division_id if filing.category else None,
        channel=filing.channel,
        status=Status.RECEIVED,
        subject=filing.subject,
        description=filing.description,
        is_anonymous=filing.is_anonymous,
        locale=filing.locale,
        access_key_hash=codes.access_key_digest(access_key),
        track_token_hash=codes.digest(track_token),
        received_at=received_at,
        privacy_notice_version=filing.privacy_notice_version or current_version(),
    )
    apply_deadlines(case)
    # The counter's row lock is held from here to the commit, which serialises
    # the filings of a fiscal year: everything that can be done before taking
    # the number (the policy, the holidays, the deadlines) is done above.
    tracking_code, sequence = codes.next_tracking_code(fiscal_year)
    case.tracking_code, case.sequence = tracking_code, sequence
    db.session.add(case)
    db.session.flush()
    email = ReceiptEmail.NONE
    digest = None
    if filing.email and not filing.is_anonymous:
        digest = caps.recipient_digest(filing.email)
        # Staff registering a filing (intake) typed the address themselves.
        mailable = actor is not None or caps.receipt_allowed(digest)
        email = ReceiptEmail.QUEUED if mailable else ReceiptEmail.WITHHELD
    if not filing.is_anonymous:
        email_digest, phone_digest = contact_digests(filing.email, filing.phone)
        db.session.add(
            Complainant(
                case_id=case.id,
                name=filing.name,
                email=filing.email,
                phone=filing.phone,
                address=filing.address,
                is_email_withheld=email == ReceiptEmail.WITHHELD,
                email_digest=email_digest,
                phone_digest=phone_digest,
            )
        )
    event = record_event(
        case,
        EventAction.FILED,
        actor=actor,
        actor_label=Actor.PUBLIC,
        is_public=True,
        diff={
            "status": (None, Status.RECEIVED.value),
            "kind": (None, filing.kind.value),
            "category": (None, filing.category.code if filing.category else None),
            "channel": (None, filing.channel.value),
            "received_at": (None, received_at),
            "due_at": (None, case.due_at),
        },
    )
    for checked in filing.files:
        db.session.add(attachments.store(checked, case.id, event.id, public=True))
    if filing.email and email == ReceiptEmail.QUEUED:
        queue_email(
            "receipt",
            filing.email,
            locale=filing.locale,
            case_id=case.id,
            dedupe_key=f"case:{case.id}:receipt",
            recipient_digest=digest,
            tracking_code=tracking_code,
            access_key=access_key,
            track_link=public_track_link(track_token),
            due_at=format_datetime(case.due_at, filing.locale, tz),
            subject=filing.subject,
            kind=filing.kind.value,
        )
    db.session.flush()
    return Receipt(case=case, access_key=access_key, track_token=track_token, email=email)
