"""An SLA policy: how many working days each step of a case may take."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.core.db import Base
from suggestion.core.time import utcnow


class SlaPolicy(Base):
    """How many working days each step of a case may take.

    A policy belongs to a kind (``category_id`` empty) or to one category, whose
    policy overrides its kind's. Defaults are those of DESIGN §1.4.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (
        sa.CheckConstraint("(kind IS NULL) <> (category_id IS NULL)", name="kind_or_category"),
        sa.CheckConstraint(
            "ack_days >= 0 AND info_request_days >= 0 AND outcome_days > 0"
            " AND progress_interval_days > 0 AND remind_before_days >= 0"
            " AND escalate_after_days >= 0",
            name="positive_days",
        ),
        sa.Index(
            "uq_sla_policies_kind",
            "kind",
            unique=True,
            sqlite_where=sa.text("kind IS NOT NULL"),
            postgresql_where=sa.text("kind IS NOT NULL"),
        ),
        sa.Index(
            "uq_sla_policies_category_id",
            "category_id",
            unique=True,
            sqlite_where=sa.text("category_id IS NOT NULL"),
            postgresql_where=sa.text("category_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(sa.String(20))
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE")
    )
    ack_days: Mapped[int] = mapped_column(default=1)
    info_request_days: Mapped[int] = mapped_column(default=7)
    outcome_days: Mapped[int] = mapped_column(default=15)
    progress_interval_days: Mapped[int] = mapped_column(default=15)
    remind_before_days: Mapped[int] = mapped_column(default=3)
    escalate_after_days: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
