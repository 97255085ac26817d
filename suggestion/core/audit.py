"""The administrative audit trail: who changed an account, a policy, a holiday
or a reply template, when, and what changed from what (DESIGN §2
``/admin/audit``, §4).

Rows are only ever added: the database refuses to update or delete them
(migration 0009's triggers), as it does for a case's events. The actor is
given as an id and a label, so that this bottom layer needs no staff model; a
change made without an account is recorded as the command line's or the
system's. A password never enters a record, nor its hash: a reset is recorded
as having happened, no more.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.db import StrEnumType
from suggestion.core.extensions import db
from suggestion.core.time import utcnow


class AdminAction(enum.StrEnum):
    """What an administrative record says was done."""

    ACCOUNT_CREATED = "account_created"
    ACCOUNT_CHANGED = "account_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a name, not a password)
    POLICY_CREATED = "policy_created"
    POLICY_CHANGED = "policy_changed"
    HOLIDAY_SET = "holiday_set"
    HOLIDAY_REMOVED = "holiday_removed"
    HOLIDAYS_LOADED = "holidays_loaded"
    TEMPLATE_CREATED = "template_created"
    TEMPLATE_CHANGED = "template_changed"
    EMAIL_RESENT = "email_resent"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_RESET = "two_factor_reset"
    PERSONAL_DATA_EXPORTED = "personal_data_exported"
    RETENTION_CHANGED = "retention_changed"
    LEGAL_HOLD_PLACED = "legal_hold_placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    PERSONAL_DATA_ANONYMISED = "personal_data_anonymised"
    SUBJECT_REQUEST_REGISTERED = "subject_request_registered"
    SUBJECT_REQUEST_CLOSED = "subject_request_closed"
    CONTACT_RECTIFIED = "contact_rectified"
    CONTACT_ERASED = "contact_erased"
    ERASURE_REFUSED = "erasure_refused"
    PROCESSING_RESTRICTED = "processing_restricted"
    BREACH_RECORDED = "breach_recorded"
    BREACH_PDPC_NOTIFIED = "breach_pdpc_notified"
    BREACH_SUBJECTS_NOTIFIED = "breach_subjects_notified"
    BREACH_CLOSED = "breach_closed"
    PRIVACY_NOTICE_PUBLISHED = "privacy_notice_published"


ADMIN_ACTION_LABELS = {
    AdminAction.ACCOUNT_CREATED: _l("Account created"),
    AdminAction.ACCOUNT_CHANGED: _l("Account changed"),
    AdminAction.ACCOUNT_DEACTIVATED: _l("Account deactivated"),
    AdminAction.ACCOUNT_REACTIVATED: _l("Account reactivated"),
    AdminAction.PASSWORD_RESET: _l("Password reset"),
    AdminAction.POLICY_CREATED: _l("Service-level policy created"),
    AdminAction.POLICY_CHANGED: _l("Service-level policy changed"),
    AdminAction.HOLIDAY_SET: _l("Holiday set"),
    AdminAction.HOLIDAY_REMOVED: _l("Holiday removed"),
    AdminAction.HOLIDAYS_LOADED: _l("Holidays loaded"),
    AdminAction.TEMPLATE_CREATED: _l("Reply template created"),
    AdminAction.TEMPLATE_CHANGED: _l("Reply template changed"),
    AdminAction.EMAIL_RESENT: _l("Failed e-mail sent again"),
    AdminAction.TWO_FACTOR_ENABLED: _l("Two-factor log-in turned on"),
    AdminAction.TWO_FACTOR_DISABLED: _l("Two-factor log-in turned off"),
    AdminAction.TWO_FACTOR_RESET: _l("Two-factor log-in reset by an administrator"),
    AdminAction.PERSONAL_DATA_EXPORTED: _l("Personal data exported"),
    AdminAction.RETENTION_CHANGED: _l("Retention period of personal data changed"),
    AdminAction.LEGAL_HOLD_PLACED: _l("Legal hold placed on a case"),
    AdminAction.LEGAL_HOLD_LIFTED: _l("Legal hold lifted"),
    AdminAction.PERSONAL_DATA_ANONYMISED: _l(
        "Filer's personal data anonymised (retention period past)"
    ),
    AdminAction.SUBJECT_REQUEST_REGISTERED: _l("Data-subject request registered"),
    AdminAction.SUBJECT_REQUEST_CLOSED: _l("Data-subject request closed"),
    AdminAction.CONTACT_RECTIFIED: _l("Filer's contact details rectified"),
    AdminAction.CONTACT_ERASED: _l("Filer's contact details erased"),
    AdminAction.ERASURE_REFUSED: _l("Erasure refused"),
    AdminAction.PROCESSING_RESTRICTED: _l("Processing of a filer's data restricted"),
    AdminAction.BREACH_RECORDED: _l("Personal-data breach recorded"),
    AdminAction.BREACH_PDPC_NOTIFIED: _l("Breach: the PDPC notified"),
    AdminAction.BREACH_SUBJECTS_NOTIFIED: _l("Breach: the people affected notified"),
    AdminAction.BREACH_CLOSED: _l("Breach closed"),
    AdminAction.PRIVACY_NOTICE_PUBLISHED: _l("Privacy notice: new version published"),
}


class AdminActor(enum.StrEnum):
    """Who acted when no staff account did."""

    COMMAND_LINE = "command line"  # `flask users create`, `flask holidays sync` …
    SYSTEM = "system"  # the scheduled jobs (next year's holidays)
    FILER = "filer"  # on /track, with the case's code and key (data-subject requests)


ADMIN_ACTOR_LABELS = {
    AdminActor.COMMAND_LINE: _l("Command line"),
    AdminActor.SYSTEM: _l("The system"),
    AdminActor.FILER: _l("The filer (with the access key)"),
}

# Keys a diff may never carry, whatever a caller passes: a password or its hash.
SECRET_FIELDS = ("password", "hash", "secret", "token")

Diff = Mapping[str, tuple[Any, Any] | list[Any]]


class AdminEvent(Base):
    """One administrative change; ``diff`` is ``{field: [old, new]}``."""

    __tablename__ = "admin_events"
    __table_args__ = (
        sa.CheckConstraint(enum_check("action", AdminAction), name="action"),
        sa.Index("ix_admin_events_at_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The account's e-mail at the time, or an AdminActor for the command line
    # and the system, so that a record reads the same after the account changes.
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[AdminAction] = mapped_column(StrEnumType(AdminAction, 40))
    # What was changed: an e-mail, "policy complaint", "holiday 2026-05-04" …
    target: Mapped[str] = mapped_column(sa.String(300))
    diff: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


def _plain(value: Any) -> Any:
    """JSON-ready; aware date-times in UTC, like the columns they come from."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (old, new)}`` for the fields whose value differs."""
    return {
        name: (before.get(name), value)
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    }


def record_admin_change(
    actor_id: int | None,
    actor_label: str,
    action: AdminAction,
    target: str,
    diff: Diff | None = None,
) -> AdminEvent:
    """Append one record of an administrative change and flush it."""
    diff = diff or {}
    secret = [name for name in diff if any(word in name.lower() for word in SECRET_FIELDS)]
    if secret:
        raise ValueError(f"an audit record never holds secrets: {', '.join(secret)}")
    event = AdminEvent(
        actor_id=actor_id,
        actor_label=actor_label[:254],
        action=action,
        target=target[:300],
        diff={name: [_plain(old), _plain(new)] for name, (old, new) in diff.items()},
    )
    db.session.add(event)
    db.session.flush()
    return event
