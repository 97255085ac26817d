"""How long the filer's personal data is kept after a case is finished, per
kind of case, and the legal holds that stop it from being anonymised (PDPA
B.E. 2562; DESIGN §5). The anonymisation itself is suggestion.cases.anonymise.

A case is *finished* when it is closed (``closed_at``), has an outcome
(``resolved_at``: resolved, forwarded, declined) or was merged into another
(its last change, the merge). Its period counts from that moment; a case
reopened before the period ends starts again when it finishes again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from suggestion.auth.models import User
from suggestion.auth.permissions import can_administer
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import record_admin_change
from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.errors import Invalid
from suggestion.core.errors import NotFound
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

# Years after a case is finished (docs/decisions.md, "Retention of personal
# data"): complaints two years, corruption reports ten (the NACC may still
# take an allegation up), the rest one.
DEFAULT_RETENTION_YEARS = {
    Kind.COMPLAINT: 2,
    Kind.CORRUPTION: 10,
    Kind.SUGGESTION: 1,
    Kind.COMPLIMENT: 1,
    Kind.INQUIRY: 1,
}
MIN_YEARS, MAX_YEARS = 1, 50
REASON_LIMIT = 500


class RetentionPeriod(Base):
    """An administrator's period for one kind; a kind without a row keeps
    its default (DEFAULT_RETENTION_YEARS)."""

    __tablename__ = "retention_periods"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", Kind), name="kind"),
        sa.CheckConstraint(f"years BETWEEN {MIN_YEARS} AND {MAX_YEARS}", name="years_range"),
    )

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    years: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LegalHold(Base):
    """A case whose filer's data must be kept past its period (a lawsuit, an
    investigation), with the administrator's reason. Lifting it removes the
    row; both are on the administrative audit trail."""

    __tablename__ = "legal_holds"

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(sa.String(REASON_LIMIT))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    placed_by: Mapped[User | None] = relationship()


def retention_years() -> dict[Kind, int]:
    """Each kind's period in years, the administrators' where they set one."""
    years = dict(DEFAULT_RETENTION_YEARS)
    for kind, value in db.session.execute(sa.select(RetentionPeriod.kind, RetentionPeriod.years)):
        years[Kind(kind)] = value
    return years


def _own_finish(case: Any) -> Any:
    """When ``case`` (Case or an alias of it) had its outcome or was closed."""
    return sa.case(
        (case.status == Status.CLOSED.value, case.closed_at),
        (case.status.in_(["resolved", "forwarded", "rejected"]), case.resolved_at),
        (case.status == Status.MERGED.value, case.updated_at),
        else_=sa.null(),
    )


def finished_at() -> Any:
    """The SQL moment a case was finished, or NULL while it is open.

    A case merged into another is finished when that one is: the duplicate's
    filer is part of the case that goes on, so their data is kept as long as
    it is (and a later change of the duplicate's row, which moves its
    ``updated_at``, moves nothing)."""
    target = sa.orm.aliased(Case)
    target_finish = (
        sa.select(_own_finish(target)).where(target.id == Case.merged_into_id).scalar_subquery()
    )
    return sa.case(
        (Case.status == Status.MERGED.value, target_finish),
        else_=_own_finish(Case),
    )


def _authorise(actor: User | None) -> tuple[int | None, str]:
    if actor is None:
        return None, AdminActor.COMMAND_LINE
    if not can_administer(actor):
        raise NotFound()
    return actor.id, actor.email


YEARS_MESSAGE = _l(
    "Enter a whole number of years from %(low)d to %(high)d.", low=MIN_YEARS, high=MAX_YEARS
)


def set_retention_years(actor: User | None, years: dict[Kind, int]) -> int:
    """Save the periods that changed, each with its audit record; returns how
    many changed. A bad value refuses the whole save."""
    who = _authorise(actor)
    for kind, value in years.items():
        if not isinstance(value, int) or not MIN_YEARS <= value <= MAX_YEARS:
            raise Invalid(YEARS_MESSAGE, code=f"years_{kind.value}")
    current = retention_years()
    rows = {r.kind: r for r in db.session.scalars(sa.select(RetentionPeriod))}
    changed = 0
    for kind, value in years.items():
        if current[kind] == value:
            continue
        row = rows.get(kind.value)
        if row is None:
            db.session.add(RetentionPeriod(kind=kind.value, years=value))
        else:
            row.years = value
        record_admin_change(
            *who,
            AdminAction.RETENTION_CHANGED,
            f"retention {kind.value}",
            {"years": (current[kind], value)},
        )
        changed += 1
    db.session.flush()
    return changed


HOLD_REASON_REQUIRED = _l("Give the reason for the legal hold.")
HOLD_REASON_TOO_LONG = _l("At most %(n)d characters.", n=REASON_LIMIT)
ALREADY_ANONYMISED = _l("This case's personal data has already been anonymised.")


def hold_of(case: Case) -> LegalHold | None:
    return db.session.get(LegalHold, case.id)


def place_hold(actor: User | None, case: Case, reason: str) -> LegalHold:
    """Stop the anonymisation of ``case`` until the hold is lifted. The case's
    row is locked first, so that a retention batch running now either has
    already anonymised it (refused here) or will see the hold."""
    who = _authorise(actor)
    text = " ".join((reason or "").split())
    if not text:
        raise Invalid(HOLD_REASON_REQUIRED, code="reason")
    if len(text) > REASON_LIMIT:
        raise Invalid(HOLD_REASON_TOO_LONG, code="reason")
    anonymised = db.session.scalar(
        sa.select(Case.anonymised_at).where(Case.id == case.id).with_for_update()
    )
    if anonymised is not None:
        raise Invalid(ALREADY_ANONYMISED, code="reason")
    hold = hold_of(case)
    old = hold.reason if hold else None
    if hold is None:
        hold = LegalHold(case_id=case.id, reason=text, placed_by_id=who[0])
        db.session.add(hold)
    else:
        hold.reason = text
    if old != text:
        record_admin_change(
            *who,
            AdminAction.LEGAL_HOLD_PLACED,
            f"case {case.tracking_code}",
            {"reason": (old, text)},
        )
    db.session.flush()
    return hold


def lift_hold(actor: User | None, case: Case) -> bool:
    """Let the case be anonymised again once past its period; False if it
    had no hold."""
    who = _authorise(actor)
    hold = hold_of(case)
    if hold is None:
        return False
    record_admin_change(
        *who,
        AdminAction.LEGAL_HOLD_LIFTED,
        f"case {case.tracking_code}",
        {"reason": (hold.reason, None)},
    )
    db.session.delete(hold)
    db.session.flush()
    return True
