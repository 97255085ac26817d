"""``/admin/audit``: the administrative audit trail, newest first, fifty a
page, paged by keyset on (at, id) so that a page costs the same however long
the trail grows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from suggestion.admin.forms import PolicyForm
from suggestion.admin.forms import ReplyTemplateForm
from suggestion.admin.forms import ROLE_LABELS
from suggestion.admin.forms import UserForm
from suggestion.admin.views import bp
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.core.audit import ADMIN_ACTION_LABELS
from suggestion.core.audit import ADMIN_ACTOR_LABELS
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.forms import is_id
from suggestion.core.i18n import format_date
from suggestion.deadlines.policies import POLICY_FIELDS

PAGE_SIZE = 50
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHOWN_CHARACTERS = 300

TEMPLATE_FIELDS = ("title_th", "title_en", "body_th", "body_en", "is_active")
TEMPLATE_ACTIONS = frozenset({AdminAction.TEMPLATE_CREATED, AdminAction.TEMPLATE_CHANGED})


def _field_labels() -> dict[str, Any]:
    """The names of the fields a record may mention, as their forms label
    them; a template's ``is_active`` is labelled apart (``template.is_active``)."""
    labels: dict[str, Any] = {
        "email": UserForm.email.args[0],
        "name": UserForm.name.args[0],
        "role": UserForm.role.args[0],
        "division": UserForm.division_id.args[0],
        "is_active": UserForm.is_active.args[0],
        "source": _l("Set by"),
        "category": _l("Type of holiday"),
    }
    labels |= {
        f"template.{name}": getattr(ReplyTemplateForm, name).args[0] for name in TEMPLATE_FIELDS
    }
    labels |= {name: getattr(PolicyForm, name).args[0] for name in POLICY_FIELDS}
    return labels


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def _value(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "role" and value in set(Role):
        return str(ROLE_LABELS[Role(value)])
    if field == "source":
        return {"admin": _("an administrator"), "package": _("the holidays package")}.get(
            value, str(value)
        )
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def describe(event: AdminEvent, labels: dict[str, Any]) -> list[Change]:
    """What a record says changed, in the page's language."""
    shown = []
    prefix = "template." if event.action in TEMPLATE_ACTIONS else ""
    for field, (old, new) in event.diff.items():
        if ISO_DAY.match(field):
            label = format_date(date.fromisoformat(field))
        else:
            label = str(labels.get(prefix + field) or labels.get(field, field))
        shown.append(Change(label, _value(field, old), _value(field, new)))
    return shown


def actor_of(event: AdminEvent, account_name: str | None) -> str:
    """Who acted: the account's name and its e-mail at the time, or the
    command line, or the system."""
    if event.actor_id is not None:
        return f"{account_name} ({event.actor_label})" if account_name else event.actor_label
    try:
        return str(ADMIN_ACTOR_LABELS[AdminActor(event.actor_label)])
    except (ValueError, KeyError):
        return event.actor_label


def _anchor(before: str) -> AdminEvent:
    """The last record of the previous page."""
    anchor = db.session.get(AdminEvent, int(before)) if is_id(before) else None
    if anchor is None:
        abort(404)
    return anchor


@bp.get("/audit")
def audit() -> Any:
    query = (
        sa.select(AdminEvent, User.name)
        .outerjoin(User, User.id == AdminEvent.actor_id)
        .order_by(AdminEvent.at.desc(), AdminEvent.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    before = request.args.get("before", "")
    if before:
        anchor = _anchor(before)
        query = query.where(
            sa.tuple_(AdminEvent.at, AdminEvent.id)
            < sa.tuple_(sa.literal(anchor.at, AdminEvent.at.type), sa.literal(anchor.id))
        )
    rows = db.session.execute(query).all()
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    labels = _field_labels()
    return render_template(
        "admin/audit.html",
        entries=[(event, actor_of(event, name), describe(event, labels)) for event, name in page],
        next_before=page[-1][0].id if more else None,
        first_page=not before,
        ACTION_LABELS=ADMIN_ACTION_LABELS,
    )
