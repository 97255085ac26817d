"""The staff desk's blueprint and what its pages share: the log-in rule, who is
asking (their access), finding a case they may see, and the choices of the
forms. A case out of reach answers 404 everywhere."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.auth.permissions import works_cases
from suggestion.auth.views import guard_staff_session
from suggestion.cases.access import StaffAccess
from suggestion.cases.codes import normalise_tracking_code
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Category
from suggestion.cases.states import ACTOR_LABELS
from suggestion.cases.states import CHANNEL_LABELS
from suggestion.cases.states import EVENT_LABELS
from suggestion.cases.states import PRIORITY_LABELS
from suggestion.cases.states import REJECT_GROUND_LABELS
from suggestion.cases.states import Status
from suggestion.cases.states import STATUS_LABELS
from suggestion.core.extensions import db
from suggestion.core.forms import choices
from suggestion.core.i18n import current_language
from suggestion.sla.models import ALERT_LABELS
from suggestion.staff.changes import describe_changes

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(guard_staff_session)

UNLOCKED = "unlocked_cases"  # the corruption reports an administrator gave a reason for


@bp.before_request
@login_required
def _staff_only() -> Any:
    """Every page here needs a log-in; the data protection officer's account
    has the register of data-subject requests instead (its home is there)."""
    if not works_cases(current_user):
        if request.endpoint == "staff.queue":
            return redirect(url_for("privacy.register"))
        abort(404)
    return None


def access() -> StaffAccess:
    return StaffAccess(current_user._get_current_object(), frozenset(session.get(UNLOCKED, [])))


def event_label(event: CaseEvent) -> str:
    return str(EVENT_LABELS.get(event.action, event.action))


def event_actor(event: CaseEvent) -> str:
    return str(ACTOR_LABELS.get(event.actor_label, event.actor_label))  # type: ignore[call-overload]


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "event_label": event_label,
        "describe_changes": describe_changes,
        "ALERT_LABELS": ALERT_LABELS,
        "event_actor": event_actor,
        "STATUS_LABELS": STATUS_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "PRIORITY_LABELS": PRIORITY_LABELS,
        "REJECT_GROUND_LABELS": REJECT_GROUND_LABELS,
        "Status": Status,
    }


def case_or_404(tracking_code: str) -> Case:
    """The case, if this person may see it; an administrator opening a
    corruption report is first sent to say why."""
    code = normalise_tracking_code(tracking_code)
    if code is None:
        abort(404)
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).first()
    if case is None:
        abort(404)
    who = access()
    if who.needs_reason(case):
        if request.endpoint == "staff.unlock":
            return case
        if request.method == "GET" and request.endpoint == "staff.case_page":
            abort(redirect(url_for("staff.unlock", tracking_code=case.tracking_code), 303))
        abort(404)
    if not who.can_view(case):
        abort(404)
    return case


def division_choices(blank: Any) -> list[SelectChoice]:
    locale = current_language()
    divisions = db.session.scalars(
        sa.select(Division).where(Division.is_active).order_by(Division.code)
    )
    return choices([(0, blank)] + [(d.id, f"{d.code} · {d.name(locale)}") for d in divisions])


def officer_choices(blank: Any) -> list[SelectChoice]:
    people = db.session.scalars(sa.select(User).where(User.is_active).order_by(User.name))
    return choices([(0, blank)] + [(u.id, f"{u.name} ({u.division.code})") for u in people])


def category_choices(blank: Any) -> list[SelectChoice]:
    locale = current_language()
    categories = db.session.scalars(sa.select(Category).order_by(Category.position))
    return choices([(0, blank)] + [(c.id, c.name(locale)) for c in categories])
