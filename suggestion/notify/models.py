from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.sealing import OUTBOX
from suggestion.core.sealing import unseal
from suggestion.core.time import utcnow


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; shown to administrators


class Notification(Base):
    """An e-mail waiting in the outbox, written in the same transaction as the
    change that causes it and delivered by the worker after commit."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint(enum_check("status", NotificationStatus), name="status"),
        sa.Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index(
            "ix_notifications_recipient_digest_created_at",
            "recipient_digest",
            "created_at",
            postgresql_where=sa.text("recipient_digest IS NOT NULL"),
            sqlite_where=sa.text("recipient_digest IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    template: Mapped[str] = mapped_column(sa.String(60))
    # Makes a notification happen once, e.g. "case:12:reminder:due" (NULL: no rule).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    # Set on filers' receipts only: the digest of the normalised address, by
    # which the receipts sent to one address in a day are counted
    # (suggestion.notify.caps).
    recipient_digest: Mapped[str | None] = mapped_column(sa.String(64))
    subject: Mapped[str] = mapped_column(sa.String(300))
    # The rendered text, sealed (suggestion.core.sealing) as it may hold an
    # access key; cleared once delivered. Read it as ``text``.
    body: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def text(self) -> str | None:
        """The e-mail's text, unsealed; None once delivered. A row written
        before texts were sealed is read as it is."""
        if self.body is None:
            return None
        return unseal(self.body, OUTBOX) or self.body
