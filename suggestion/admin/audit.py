"""``/admin/audit``: the administrative audit trail and the access log of
personal data (who looked at whom), newest first, fifty a page, paged by
keyset on (at, id) so that a page costs the same however long a trail grows.
Both filter by staff member and by period (the agency's days); the access log
by case too, each filter on an index of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from suggestion.admin.forms import AuditFilterForm
from suggestion.admin.forms import BreachForm
from suggestion.admin.forms import PolicyForm
from suggestion.admin.forms import ReplyTemplateForm
from suggestion.admin.forms import UserForm
from suggestion.admin.views import bp
from suggestion.auth.models import Role
from suggestion.auth.models import ROLE_LABELS
from suggestion.auth.models import User
from suggestion.auth.permissions import can_read_access_log
from suggestion.cases.codes import normalise_tracking_code
from suggestion.cases.models import Case
from suggestion.cases.personal_data import PersonalDataView
from suggestion.cases.personal_data import VIEWED_DATA_LABELS
from suggestion.core.audit import ADMIN_ACTION_LABELS
from suggestion.core.audit import ADMIN_ACTOR_LABELS
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.forms import is_id
from suggestion.core.i18n import format_date
from suggestion.core.i18n import format_datetime
from suggestion.core.settings import agency_zone
from suggestion.core.time import start_of_day
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
    labels |= {
        name: getattr(BreachForm, name).args[0]
        for name in ("discovered_at", "cases", "affected_count")
    }
    labels |= {
        "pdpc_notified_at": _l("The PDPC notified"),
        "subjects_notified_at": _l("The people affected notified"),
        "closed_at": _l("Closed"),
    }
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
    if field.endswith("_at") and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, list):
        value = ", ".join(map(str, value))
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


@dataclass(frozen=True)
class AuditFilters:
    """What the page was asked to show; moments are UTC bounds [since, until)."""

    trail: str = "changes"
    case_id: int | None = None
    case_code: str | None = None
    staff_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filters(form: AuditFilterForm) -> AuditFilters:
    """The filters of a checked form; a tracking code no case has is refused
    beside its field, and then nothing is listed."""
    tz = agency_zone()
    case_id, code = None, None
    if form.case.data and not form.case.errors:
        code = normalise_tracking_code(form.case.data)
        case_id = (
            db.session.scalar(sa.select(Case.id).where(Case.tracking_code == code))
            if code
            else None
        )
        if case_id is None:
            form.case.errors = [_("No case has this tracking code.")]
    since, until = form.since.data, form.until.data
    if since and until and since > until and not form.until.errors:
        form.until.errors = [_("The end of the period comes before its start.")]
    return AuditFilters(
        trail=form.trail.data if form.trail.data in ("changes", "personal") else "changes",
        case_id=case_id,
        case_code=code if case_id is not None else None,
        staff_id=form.staff.data or None,
        since=start_of_day(since, tz) if since and not form.since.errors else None,
        until=start_of_day(until + timedelta(days=1), tz)
        if until and not form.until.errors
        else None,
    )


def _keyset(query: Any, model: Any, before: str, filters: AuditFilters, actor: Any) -> Any:
    """The filters and the page's start, on a trail's (at, id)."""
    if filters.staff_id:
        query = query.where(actor == filters.staff_id)
    if filters.since:
        query = query.where(model.at >= filters.since)
    if filters.until:
        query = query.where(model.at < filters.until)
    if before:
        anchor = db.session.get(model, int(before)) if is_id(before) else None
        if anchor is None:
            abort(404)
        query = query.where(
            sa.tuple_(model.at, model.id)
            < sa.tuple_(sa.literal(anchor.at, model.at.type), sa.literal(anchor.id))
        )
    return query.order_by(model.at.desc(), model.id.desc()).limit(PAGE_SIZE + 1)


def _staff_choices() -> list[tuple[int, str]]:
    people = db.session.execute(sa.select(User.id, User.name, User.email).order_by(User.name))
    return [(0, _("Everyone"))] + [(i, f"{name} ({email})") for i, name, email in people]


@bp.get("/audit")
def audit() -> Any:
    if not can_read_access_log(current_user):
        abort(404)
    form = AuditFilterForm(request.args)
    form.staff.choices = _staff_choices()
    form.validate()
    filters = _filters(form)
    before = request.args.get("before", "")
    if form.errors:
        rows: list[Any] = []
    elif filters.trail == "personal":
        query = (
            sa.select(PersonalDataView, User.name, Case.tracking_code)
            .join(User, User.id == PersonalDataView.actor_id)
            .join(Case, Case.id == PersonalDataView.case_id)
        )
        if filters.case_id:
            query = query.where(PersonalDataView.case_id == filters.case_id)
        rows = list(
            db.session.execute(
                _keyset(query, PersonalDataView, before, filters, PersonalDataView.actor_id)
            )
        )
    else:
        changes = sa.select(AdminEvent, User.name).outerjoin(User, User.id == AdminEvent.actor_id)
        if filters.case_code:  # what was done to one case's data: its holds, exports, erasure
            changes = changes.where(AdminEvent.target == f"case {filters.case_code}")
        rows = list(
            db.session.execute(_keyset(changes, AdminEvent, before, filters, AdminEvent.actor_id))
        )
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "before" and v}
    labels = _field_labels()
    return render_template(
        "admin/audit.html",
        form=form,
        trail=filters.trail,
        entries=[(event, actor_of(event, name), describe(event, labels)) for event, name in page]
        if filters.trail == "changes"
        else [],
        views=page if filters.trail == "personal" else [],
        next_url=url_for("admin.audit", **args, before=page[-1][0].id) if more else None,
        first_url=url_for("admin.audit", **args) if before else None,
        ACTION_LABELS=ADMIN_ACTION_LABELS,
        VIEWED_DATA_LABELS=VIEWED_DATA_LABELS,
    ), 422 if form.errors else 200
