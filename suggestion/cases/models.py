from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.cases.states import Channel
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import Priority
from suggestion.cases.states import Status
from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.db import StrEnumType
from suggestion.core.time import utcnow

SWEEP_THRESHOLDS = (
    "ack_alert_at", "remind_at", "final_remind_at", "escalate_at", "progress_due_at",
)  # fmt: skip
# OPEN_STATES, as the migrations wrote the partial index (a test holds them equal).
OPEN_STATES_SQL = "status IN ('received', 'screening', 'awaiting_info', 'in_progress')"
RECEIVED_INDICATOR_COLUMNS = [
    "status", "acknowledged_at", "ack_due_at", "channel", "category_id", "division_id",
]  # fmt: skip
RESOLVED_INDICATOR_COLUMNS = [
    "due_at", "satisfaction", "outcome_working_days", "status", "channel", "category_id",
    "division_id", "received_at", "closed_at",
]  # fmt: skip


class Category(Base):
    """What a case is about, chosen by the filer and corrected by staff."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_th: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    # The kinds this category is offered for, e.g. ["complaint", "inquiry"].
    kinds: Mapped[list[str]] = mapped_column(sa.JSON)
    # Where new cases of this category go first, if anywhere.
    division_id: Mapped[int | None] = mapped_column(sa.ForeignKey("divisions.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    division: Mapped[Division | None] = relationship()

    def name(self, locale: str) -> str:
        return self.name_th if locale == "th" else self.name_en


class TrackingSequence(Base):
    """The last number handed out in each fiscal year, on SQLite.

    Incremented inside the filing's transaction (SQLite runs one writer at a
    time). PostgreSQL uses a sequence per fiscal year instead (migration 0007,
    suggestion.cases.codes.tracking_numbers), which lets filings run at once.
    """

    __tablename__ = "tracking_sequences"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class PrivacyNotice(Base):
    """One published version of the privacy notice the filing forms show, in
    Thai and English. A new text is a new version, never an edit: the rows
    are append-only (migration 0022's triggers), so that a case's
    ``privacy_notice_version`` always names the words its filer agreed to
    (suggestion.cases.privacy_notice)."""

    __tablename__ = "privacy_notices"
    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"),)

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text_th: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The administrator's e-mail at the time, or "system" for version 1 (the
    # migration's), as the administrative audit trail records actors.
    published_by_label: Mapped[str] = mapped_column(sa.String(254))

    def text(self, locale: str) -> str:
        return self.text_th if locale == "th" else self.text_en

    def paragraphs(self, locale: str) -> list[str]:
        """The text's paragraphs (separated by blank lines), for the pages."""
        return [
            p.strip() for p in self.text(locale).replace("\r\n", "\n").split("\n\n") if p.strip()
        ]


class Case(Base):
    """One filing and everything done about it.

    The filer's personal data lives in :class:`Complainant`, so that it can be
    protected and anonymised without touching the case and its figures.
    """

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", Kind), name="kind"),
        sa.CheckConstraint(enum_check("status", Status), name="status"),
        sa.CheckConstraint(enum_check("channel", Channel), name="channel"),
        sa.CheckConstraint(enum_check("priority", Priority), name="priority"),
        sa.CheckConstraint(
            "status NOT IN ('resolved', 'forwarded', 'rejected') OR resolved_at IS NOT NULL",
            name="outcome_has_resolved_at",
        ),
        sa.CheckConstraint(
            "status <> 'merged' OR merged_into_id IS NOT NULL", name="merged_has_target"
        ),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_scale"),
        sa.UniqueConstraint("fiscal_year", "sequence", name="uq_cases_fiscal_year_sequence"),
        sa.Index("ix_cases_status_due_at", "status", "due_at"),
        sa.Index("ix_cases_division_id_due_at", "division_id", "due_at"),
        # The indicators read a year of cases by receipt or by outcome: the
        # columns they count are carried in the index, so that PostgreSQL
        # answers from the index alone instead of reading the table.
        sa.Index(
            "ix_cases_kind_received_at",
            "kind",
            "received_at",
            postgresql_include=RECEIVED_INDICATOR_COLUMNS,
        ),
        sa.Index(
            "ix_cases_kind_resolved_at",
            "kind",
            "resolved_at",
            postgresql_include=RESOLVED_INDICATOR_COLUMNS,
        ),
        # The strict indicator: the cases due in a period without an outcome.
        sa.Index(
            "ix_cases_kind_due_at",
            "kind",
            "due_at",
            postgresql_include=["status", "resolved_at", "closed_at", "received_at"],
        ),
        # Any queue view in deadline order, a keyset page at a time (the CSV
        # export of every case reads the whole table through it).
        sa.Index("ix_cases_due_at_id", "due_at", "id"),
        # The queue: open cases, nearest deadline first, whatever the history.
        sa.Index(
            "ix_cases_open_due_at",
            "due_at",
            "id",
            postgresql_include=["status", "kind", "division_id", "assignee_id"],
            postgresql_where=sa.text(OPEN_STATES_SQL),
            sqlite_where=sa.text(OPEN_STATES_SQL),
        ),
        # The sweep's thresholds, with the case as tie-breaker: the sweep
        # reads each in keyset batches, and many cases share a moment (the
        # start of a due day).
        *(sa.Index(f"ix_cases_{column}_id", column, "id") for column in SWEEP_THRESHOLDS),
        # The retention run: the cases not yet anonymised, a keyset batch at a
        # time (suggestion.cases.anonymise); anonymised ones leave the index.
        sa.Index(
            "ix_cases_not_anonymised_id",
            "id",
            postgresql_include=["kind", "status", "resolved_at", "closed_at", "updated_at"],
            postgresql_where=sa.text("anonymised_at IS NULL"),
            sqlite_where=sa.text("anonymised_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    fiscal_year: Mapped[int]
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(20), default=Channel.WEB)
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 20), default=Status.RECEIVED)
    priority: Mapped[str] = mapped_column(sa.String(10), default=Priority.NORMAL)
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    # The language the filer used, for the e-mails they receive.
    locale: Mapped[str] = mapped_column(sa.String(5), default="th")

    division_id: Mapped[int | None] = mapped_column(sa.ForeignKey("divisions.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))

    # Secrets are stored as SHA-256 digests: both are random, so a digest
    # suffices, and a copy of the database does not open anyone's case.
    access_key_hash: Mapped[str] = mapped_column(sa.String(64))
    track_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    ack_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # When the deadline sweep acts, derived from due_at and the policy whenever
    # the deadlines are set, so that the sweep is plain indexed range scans.
    # ack_alert_at is ack_due_at, or the moment it was set if that had passed
    # already (a back-dated intake): the sweep only looks at what crossed
    # since its last run.
    ack_alert_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None]
    final_remind_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    progress_due_at: Mapped[datetime | None]
    # Working days from receipt to the outcome, kept when the outcome is given
    # so that the median is plain SQL.
    outcome_working_days: Mapped[int | None]
    # The filer's rating of the outcome, 1 (poor) to 5 (very good).
    satisfaction: Mapped[int | None]
    rated_at: Mapped[datetime | None]
    # When the filer's personal data was removed, its retention period past
    # (suggestion.cases.anonymise); the figures are untouched.
    anonymised_at: Mapped[datetime | None]
    # The version of the privacy notice the filer was shown (the web form's,
    # carried in the form; the current one for the API and intake). NULL: not
    # recorded — filed before the notice had versions, or imported
    # (docs/decisions.md, "Versions of the privacy notice").
    privacy_notice_version: Mapped[int | None] = mapped_column(
        sa.ForeignKey("privacy_notices.version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic concurrency: two officers acting at once cannot overwrite
    # each other; the second gets StaleDataError.
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[Category | None] = relationship()
    division: Mapped[Division | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    complainant: Mapped[Complainant | None] = relationship(back_populates="case")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Complainant(Base):
    """Who filed a case and how to reach them (personal data, PDPA)."""

    __tablename__ = "complainants"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    # Nothing about this case is e-mailed to ``email``: the address had had its
    # day's receipts when the case was filed (RECEIPT_EMAILS_PER_DAY), so it
    # may be someone else's, typed in to flood them (docs/decisions.md).
    is_email_withheld: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Keyed digests of the normalised e-mail and telephone
    # (suggestion.cases.filers), so that triage finds the same filer's other
    # cases by an index without reading anyone's contact; anonymising a filer
    # clears them with the contact.
    email_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    phone_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    anonymised_at: Mapped[datetime | None]
    # Processing restricted at the filer's request (PDPA s.34): the case goes
    # on, but the e-mails it does not need (progress updates) stop.
    processing_restricted_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="complainant")


class CaseEvent(Base):
    """One entry of a case's append-only audit trail.

    ``diff`` is ``{field: [old, new]}``; ``body`` is the text a person wrote
    (a reply, a note, information added by the filer). Public events appear on
    the filer's timeline; the others are for staff only. The database refuses
    to update or delete these rows (see the migration's triggers).
    """

    __tablename__ = "case_events"
    __table_args__ = (
        sa.CheckConstraint(enum_check("action", EventAction), name="action"),
        sa.Index("ix_case_events_case_id_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[EventAction] = mapped_column(StrEnumType(EventAction, 40))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Who acted when it was not a staff account: "public", "system", "import".
    actor_label: Mapped[str] = mapped_column(sa.String(40), default="system")
    is_public: Mapped[bool] = mapped_column(default=False)
    diff: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    body: Mapped[str | None] = mapped_column(sa.Text)

    actor: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event")


class Attachment(Base):
    """A file given with a case, stored outside the database under UPLOAD_DIR."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_events.id"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    is_public_upload: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    event: Mapped[CaseEvent | None] = relationship(back_populates="attachments")


class CasePause(Base):
    """A span in ``awaiting_info``, during which the deadlines do not run."""

    __tablename__ = "case_pauses"
    __table_args__ = (
        sa.Index(
            "uq_case_pauses_open",
            "case_id",
            unique=True,
            sqlite_where=sa.text("resumed_at IS NULL"),
            postgresql_where=sa.text("resumed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    paused_at: Mapped[datetime] = mapped_column(default=utcnow)
    resumed_at: Mapped[datetime | None]
    # The state the case returns to when the filer answers.
    resume_status: Mapped[Status] = mapped_column(StrEnumType(Status, 20))
    shifted_days: Mapped[int | None]


class ReplyTemplate(Base):
    """A reply officers start from, maintained by administrators in Thai and English."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_th: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    body_th: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutcomeAnswer(Base):
    """The filer's answer to "was your problem solved?" about one resolved
    outcome, identified by its moment (the case's ``resolved_at`` then). One
    answer per outcome, held by the database: "not yet" reopens the case, and
    only a later outcome may be answered again. The filer's reason is the body
    of the answer's event (the audit trail), not kept here."""

    __tablename__ = "outcome_answers"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "outcome_at", name="uq_outcome_answers_case_id_outcome_at"),
        # The reports count the answers given in a period.
        sa.Index("ix_outcome_answers_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    outcome_at: Mapped[datetime]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_solved: Mapped[bool]
