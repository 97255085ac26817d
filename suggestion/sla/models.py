from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.time import utcnow


class AlertKind(enum.StrEnum):
    REMIND = "remind"  # to the assignee, some working days before the deadline
    FINAL_REMIND = "final_remind"  # to the assignee, on the due day
    ACK_OVERDUE = "ack_overdue"  # not acknowledged in time
    ESCALATE = "escalate"  # to the division's managers, after the deadline
    PROGRESS = "progress"  # a progress update to the filer of a long case


ALERT_LABELS = {
    AlertKind.REMIND: _l("Reminder before the deadline"),
    AlertKind.FINAL_REMIND: _l("Reminder on the due day"),
    AlertKind.ACK_OVERDUE: _l("Acknowledgement overdue"),
    AlertKind.ESCALATE: _l("Escalated"),
    AlertKind.PROGRESS: _l("Progress update to the filer"),
}


class SlaAlert(Base):
    """One threshold a case crossed, recorded once: the unique key (case, kind,
    deadline) makes a repeated sweep, a retried task or a killed worker send
    nothing twice. A moved deadline is a new deadline, and earns its own alerts."""

    __tablename__ = "sla_alerts"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", AlertKind), name="kind"),
        sa.UniqueConstraint(
            "case_id", "kind", "deadline_at", name="uq_sla_alerts_case_kind_deadline"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    deadline_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SweepRun(Base):
    """A run of the deadline sweep: its window, and what it did."""

    __tablename__ = "sweep_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
