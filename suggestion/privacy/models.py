"""The register of data-subject requests (PDPA ss.30–36, DESIGN §5): who
asked, for which right, how their identity was checked, the cases it
concerns, its 30-day deadline with the sweep's thresholds, and what was done."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from suggestion.cases.models import Case
from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.db import StrEnumType
from suggestion.core.time import utcnow

# PDPA s.30: the controller acts on a request within 30 days of receiving it.
REQUEST_DAYS = 30
REMIND_BEFORE_DAYS = 7
FINAL_REMIND_BEFORE_DAYS = 2


class SubjectRight(enum.StrEnum):
    ACCESS = "access"  # s.30: a copy of the data
    RECTIFICATION = "rectification"  # s.35
    ERASURE = "erasure"  # s.33
    OBJECTION = "objection"  # s.32
    RESTRICTION = "restriction"  # s.34
    PORTABILITY = "portability"  # s.31


RIGHT_LABELS = {
    SubjectRight.ACCESS: _l("Access to a copy of the data (s.30)"),
    SubjectRight.RECTIFICATION: _l("Rectification (s.35)"),
    SubjectRight.ERASURE: _l("Erasure (s.33)"),
    SubjectRight.OBJECTION: _l("Objection to processing (s.32)"),
    SubjectRight.RESTRICTION: _l("Restriction of processing (s.34)"),
    SubjectRight.PORTABILITY: _l("Data portability (s.31)"),
}


class IdentityCheck(enum.StrEnum):
    ACCESS_KEY = "access_key"  # the filer opened the case with its code and key
    ID_CARD = "id_card"  # an identity card seen at the counter
    OFFICIAL_LETTER = "official_letter"  # a signed letter with a copy of an ID card
    OTHER = "other"  # described in the note


IDENTITY_LABELS = {
    IdentityCheck.ACCESS_KEY: _l("The case's access key"),
    IdentityCheck.ID_CARD: _l("Identity card seen at the counter"),
    IdentityCheck.OFFICIAL_LETTER: _l("Signed letter with a copy of an identity card"),
    IdentityCheck.OTHER: _l("Other (see the note)"),
}


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"


STATUS_LABELS = {
    RequestStatus.OPEN: _l("Open"),
    RequestStatus.DONE: _l("Done"),
    RequestStatus.REFUSED: _l("Refused"),
}


class RequestAlertKind(enum.StrEnum):
    REMIND = "remind"  # to the data protection officers, days before the deadline
    FINAL_REMIND = "final_remind"  # to them, shortly before it
    ESCALATE = "escalate"  # to the administrators, once it has passed


subject_request_cases = sa.Table(
    "subject_request_cases",
    Base.metadata,
    sa.Column(
        "request_id",
        sa.ForeignKey("subject_requests.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("case_id", sa.ForeignKey("cases.id"), primary_key=True, index=True),
)


class SubjectRequest(Base):
    """One request of a data subject, open until it is done or refused."""

    __tablename__ = "subject_requests"
    __table_args__ = (
        sa.CheckConstraint(enum_check("subject_right", SubjectRight), name="subject_right"),
        sa.CheckConstraint(enum_check("identity_check", IdentityCheck), name="identity_check"),
        sa.CheckConstraint(enum_check("status", RequestStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # As the person gave them: personal data, never logged.
    requester_name: Mapped[str] = mapped_column(sa.String(200))
    requester_contact: Mapped[str] = mapped_column(sa.String(300), default="")
    subject_right: Mapped[SubjectRight] = mapped_column(StrEnumType(SubjectRight, 20))
    identity_check: Mapped[IdentityCheck] = mapped_column(StrEnumType(IdentityCheck, 20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        StrEnumType(RequestStatus, 10), default=RequestStatus.OPEN
    )
    # The one deadline computation's answer (calendar days) and its thresholds;
    # the thresholds are cleared when the request is closed.
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    final_remind_at: Mapped[datetime | None] = mapped_column(index=True)
    escalate_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    # What was done, or the legal ground of a refusal.
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    # When the requester's name, contact and note were removed, once the
    # filer's data of every case it concerns was (suggestion.privacy.forgetting).
    requester_forgotten_at: Mapped[datetime | None]
    # None when the filer made it themselves on /track.
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    cases: Mapped[list[Case]] = relationship(secondary=subject_request_cases)


class SubjectRequestAlert(Base):
    """One threshold a request crossed, recorded once (the pattern of
    sla_alerts): the unique key (request, kind, deadline) makes a repeated
    sweep or a retried task send nothing twice."""

    __tablename__ = "subject_request_alerts"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", RequestAlertKind), name="kind"),
        sa.UniqueConstraint(
            "request_id", "kind", "deadline_at", name="uq_subject_request_alerts_request_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("subject_requests.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    deadline_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
