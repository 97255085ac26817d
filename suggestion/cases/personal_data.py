"""Who looked at whom (DESIGN §5, PDPA): every staff view of a filer's contact
details and every download of a case's files, recorded before the data is
shown or sent — who, when, which case, which file, and for a corruption
reporter's identity, why.

The access log is a table of its own, append-only like the audit trails
(migration 0021's triggers refuse UPDATE, DELETE and TRUNCATE): views are many
and about cases, the administrative trail is few and about the system
(docs/decisions.md "Who looked at whom").
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.auth.models import User
from suggestion.cases.access import NotPermitted
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.db import StrEnumType
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

REASON_MAX = 1000


class ViewedData(enum.StrEnum):
    """What a record says was seen."""

    CONTACT_DETAILS = "contact_details"  # the filer's name, e-mail, telephone, address
    ATTACHMENT = "attachment"  # a file of the case, downloaded


VIEWED_DATA_LABELS = {
    ViewedData.CONTACT_DETAILS: _l("Contact details viewed"),
    ViewedData.ATTACHMENT: _l("Attachment downloaded"),
}


class PersonalDataView(Base):
    """One look at a filer's personal data. ``attachment_id`` is a plain number,
    not a key: the log outlives a file that retention removes."""

    __tablename__ = "personal_data_views"
    __table_args__ = (
        sa.CheckConstraint(enum_check("data", ViewedData), name="data"),
        sa.CheckConstraint(
            "(data = 'attachment') = (attachment_id IS NOT NULL)", name="attachment_named"
        ),
        sa.Index("ix_personal_data_views_at_id", "at", "id"),
        sa.Index("ix_personal_data_views_case_at_id", "case_id", "at", "id"),
        sa.Index("ix_personal_data_views_actor_at_id", "actor_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The account's e-mail at the time, so that a record reads the same later.
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    data: Mapped[ViewedData] = mapped_column(StrEnumType(ViewedData, 20))
    attachment_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)


def needs_reason(case: Case) -> bool:
    """A corruption reporter's identity is shown only with a reason, each time
    (whoever asks: integrity officers too)."""
    return case.kind == Kind.CORRUPTION


def can_view_contact_details(access: StaffAccess, case: Case) -> bool:
    return access.can_see_filer(case) and case.complainant is not None


def _record(
    user: User,
    case: Case,
    data: ViewedData,
    attachment_id: int | None = None,
    reason: str | None = None,
) -> PersonalDataView:
    row = PersonalDataView(
        actor_id=user.id,
        actor_label=user.email[:254],
        case_id=case.id,
        data=data,
        attachment_id=attachment_id,
        reason=reason,
    )
    db.session.add(row)
    db.session.flush()
    return row


def view_contact_details(
    access: StaffAccess, case: Case, *, reason: str | None = None
) -> PersonalDataView:
    """Record that this person opens the filer's contact details, before they
    are shown; a corruption reporter's only with a reason."""
    if not can_view_contact_details(access, case):
        raise NotPermitted(code=case.tracking_code)
    return _record(access.user, case, ViewedData.CONTACT_DETAILS, reason=_reason(case, reason))


def _reason(case: Case, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if needs_reason(case) and reason is None:
        raise Invalid(_l("Say why you need to see who reported this."), code="reason")
    if reason is not None and len(reason) > REASON_MAX:
        raise Invalid(
            _l("Please keep this under %(max)d characters.", max=REASON_MAX), code="reason"
        )
    return reason


def view_for_subject_request(
    user: User, case: Case, *, reason: str | None = None
) -> PersonalDataView:
    """Record that the data protection officer opens (or exports) the filer's
    contact details of a case named in a data-subject request, before they are
    shown or sent — the same rule of a reason as on the case page. The officer
    has no access to the cases themselves (StaffAccess), so the caller,
    suggestion.privacy.services, checks that the case is one of the request's."""
    if case.complainant is None or case.is_anonymous:
        raise NotPermitted(code=case.tracking_code)
    return _record(user, case, ViewedData.CONTACT_DETAILS, reason=_reason(case, reason))


def record_contact_views(access: StaffAccess, case_ids: sa.Select[Any]) -> int:
    """Record, in one statement, that this person takes the contact details of
    the cases ``case_ids`` selects (a download of many, e.g. the queue's CSV),
    before they leave; returns how many. The caller selects only cases whose
    details it writes: never a corruption reporter's, which needs a reason
    each time (:func:`view_contact_details`)."""
    ids = case_ids.subquery()
    result = db.session.execute(
        sa.insert(PersonalDataView).from_select(
            ["at", "actor_id", "actor_label", "case_id", "data"],
            sa.select(
                sa.literal(utcnow(), sa.DateTime(timezone=True)),
                sa.literal(access.user.id),
                sa.literal(access.user.email[:254]),
                ids.c[0],
                sa.literal(ViewedData.CONTACT_DETAILS.value),
            ),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def download_attachment(
    access: StaffAccess, case: Case, attachment: Attachment
) -> PersonalDataView:
    """Record that this person downloads a file of the case, before it is sent."""
    if not access.can_view(case) or attachment.case_id != case.id:
        raise NotPermitted(code=case.tracking_code)
    return _record(access.user, case, ViewedData.ATTACHMENT, attachment_id=attachment.id)
