"""The register of personal-data breaches (PDPA s.37(4), DESIGN §5): what
happened, when it was discovered, which cases and how many people; the
72-hour deadline to notify the PDPC, watched by the sweep like a case's
(suggestion.sla.breach_sweep); the notifications, then the closing. Every
change is on the administrative audit trail.

Here, beside the sweep, because the register is a deadline the sweep
enforces; its pages are in suggestion.admin.breaches.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from suggestion.auth.models import User
from suggestion.auth.permissions import can_keep_breach_register
from suggestion.cases.codes import normalise_tracking_code
from suggestion.cases.models import Case
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.errors import Invalid
from suggestion.core.errors import NotFound
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.deadlines.breaches import breach_deadlines

MAX_AFFECTED = 100_000_000

breach_cases = sa.Table(
    "breach_cases",
    Base.metadata,
    sa.Column("breach_id", sa.ForeignKey("breaches.id"), primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id"), primary_key=True),
)


class Breach(Base):
    """One personal-data breach. The thresholds are stored, as a case's are,
    so that the sweep reads them through an index and does no arithmetic."""

    __tablename__ = "breaches"
    __table_args__ = (
        sa.CheckConstraint("affected_count >= 0", name="affected_count"),
        sa.CheckConstraint(
            "closed_at IS NULL OR pdpc_notified_at IS NOT NULL", name="closed_after_notice"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discovered_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    affected_count: Mapped[int]
    notify_due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    final_remind_at: Mapped[datetime | None] = mapped_column(index=True)
    escalate_at: Mapped[datetime] = mapped_column(index=True)
    pdpc_notified_at: Mapped[datetime | None]
    subjects_notified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    cases: Mapped[list[Case]] = relationship(secondary=breach_cases, order_by=Case.tracking_code)
    recorded_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class BreachAlertKind(enum.StrEnum):
    REMIND = "remind"  # 24 hours after discovery
    FINAL_REMIND = "final_remind"  # 48 hours
    ESCALATE = "escalate"  # 72 hours: to every administrator


BREACH_ALERT_LABELS = {
    BreachAlertKind.REMIND: _l("Reminder at 24 hours"),
    BreachAlertKind.FINAL_REMIND: _l("Reminder at 48 hours"),
    BreachAlertKind.ESCALATE: _l("Escalated at 72 hours"),
}


class BreachAlert(Base):
    """One threshold a breach crossed, recorded once (the discovery, and so
    the deadline, never changes after the breach is recorded)."""

    __tablename__ = "breach_alerts"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", BreachAlertKind), name="kind"),
        sa.UniqueConstraint("breach_id", "kind", name="uq_breach_alerts_breach_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(sa.ForeignKey("breaches.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class BreachReport:
    """What an administrator records; ``discovered_at`` is aware."""

    discovered_at: datetime
    description: str
    tracking_codes: tuple[str, ...]
    affected_count: int


def _check(actor: User) -> None:
    if not can_keep_breach_register(actor):
        raise NotFound()


def _cases(codes: tuple[str, ...]) -> list[Case]:
    normal = {code: normalise_tracking_code(code) for code in codes}
    found = {
        c.tracking_code: c
        for c in db.session.scalars(
            sa.select(Case).where(Case.tracking_code.in_([n for n in normal.values() if n]))
        )
    }
    unknown = [code for code, n in normal.items() if n not in found]
    if unknown:
        raise Invalid(
            _l("No case has the tracking code %(codes)s.", codes=", ".join(unknown)),
            code="cases",
        )
    return sorted({found[n] for n in normal.values() if n}, key=lambda c: c.tracking_code)


def record_breach(actor: User, report: BreachReport, now: datetime | None = None) -> Breach:
    """Record a breach and its deadline; refused before anything is written if
    the discovery is in the future or a tracking code is unknown."""
    _check(actor)
    now = now or utcnow()
    if report.discovered_at > now:
        raise Invalid(_l("The discovery cannot be in the future."), code="discovered_at")
    if not 0 <= report.affected_count <= MAX_AFFECTED:
        raise Invalid(_l("Give the number of people affected."), code="affected_count")
    cases = _cases(report.tracking_codes)
    deadlines = breach_deadlines(report.discovered_at, now)
    breach = Breach(
        discovered_at=report.discovered_at,
        recorded_at=now,
        recorded_by_id=actor.id,
        description=report.description,
        affected_count=report.affected_count,
        notify_due_at=deadlines.notify_due_at,
        remind_at=deadlines.remind_at,
        final_remind_at=deadlines.final_remind_at,
        escalate_at=deadlines.escalate_at,
        cases=cases,
    )
    db.session.add(breach)
    db.session.flush()
    record_admin_change(
        actor.id,
        actor.email,
        AdminAction.BREACH_RECORDED,
        f"breach {breach.id}",
        {
            "discovered_at": (None, report.discovered_at),
            "cases": (None, [c.tracking_code for c in cases]),
            "affected_count": (None, report.affected_count),
        },
    )
    return breach


NOTICES = {
    "pdpc": ("pdpc_notified_at", AdminAction.BREACH_PDPC_NOTIFIED),
    "subjects": ("subjects_notified_at", AdminAction.BREACH_SUBJECTS_NOTIFIED),
}


def record_notice(
    actor: User, breach: Breach, whom: str, at: datetime, now: datetime | None = None
) -> None:
    """When the PDPC (``pdpc``) or the people affected (``subjects``) were
    told. Once the PDPC is, the sweep says no more of the breach."""
    _check(actor)
    now = now or utcnow()
    column, action = NOTICES[whom]
    if not breach.is_open:
        raise Invalid(_l("This breach is closed."))
    if getattr(breach, column) is not None:
        raise Invalid(_l("This notification is already recorded."), code="notified_at")
    if at > now:
        raise Invalid(_l("The notification cannot be in the future."), code="notified_at")
    if at < breach.discovered_at:
        raise Invalid(_l("The notification cannot come before the discovery."), code="notified_at")
    setattr(breach, column, at)
    db.session.flush()
    record_admin_change(actor.id, actor.email, action, f"breach {breach.id}", {column: (None, at)})


def close_breach(actor: User, breach: Breach, now: datetime | None = None) -> None:
    """Close a breach whose notification to the PDPC is recorded."""
    _check(actor)
    now = now or utcnow()
    if not breach.is_open:
        raise Invalid(_l("This breach is closed."))
    if breach.pdpc_notified_at is None:
        raise Invalid(_l("Record when the PDPC was notified before closing the breach."))
    breach.closed_at = now
    db.session.flush()
    record_admin_change(
        actor.id,
        actor.email,
        AdminAction.BREACH_CLOSED,
        f"breach {breach.id}",
        {"closed_at": (None, now)},
    )
