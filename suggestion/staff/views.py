"""The staff desk (``/staff/``). A case out of reach answers 404 everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import Response
from flask import send_file
from flask import session
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.auth.views import expire_idle_sessions
from suggestion.cases import actions
from suggestion.cases import attachments
from suggestion.cases.access import NotPermitted
from suggestion.cases.access import StaffAccess
from suggestion.cases.filing import file_case
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Category
from suggestion.cases.models import ReplyTemplate
from suggestion.cases.states import Channel
from suggestion.cases.states import CHANNEL_LABELS
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.cases.states import Priority
from suggestion.cases.states import PRIORITY_LABELS
from suggestion.cases.states import REJECT_GROUND_LABELS
from suggestion.cases.states import RejectGround
from suggestion.cases.states import Status
from suggestion.cases.states import STATUS_LABELS
from suggestion.cases.workflow import TransitionError
from suggestion.cases.workflow import TRANSITIONS
from suggestion.core.extensions import db
from suggestion.core.forms import choices
from suggestion.core.forms import is_id
from suggestion.core.i18n import current_language
from suggestion.core.time import utcnow
from suggestion.core.time import zone
from suggestion.staff import export
from suggestion.staff import forms
from suggestion.staff import queries

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(expire_idle_sessions)

_UNLOCKED = "unlocked_cases"


@bp.before_request
@login_required
def _staff_only() -> None:
    """Every page here needs a log-in."""


def access() -> StaffAccess:
    return StaffAccess(current_user._get_current_object(), frozenset(session.get(_UNLOCKED, [])))


EVENT_LABELS = {
    "filed": _l("Filed"),
    "status_changed": _l("State changed"),
    "information_added": _l("Information from the filer"),
    "public_reply": _l("Reply to the filer"),
    "note": _l("Internal note"),
    "reclassified": _l("Kind or category changed"),
    "priority_set": _l("Priority set"),
    "assigned": _l("Assigned"),
    "merged_in": _l("A duplicate was merged in"),
    "rated": _l("Rated by the filer"),
    "restricted_access": _l("Restricted report opened, with the reason"),
    "escalated": _l("Escalated to the managers: the deadline has passed"),
    "deadlines_recomputed": _l("Deadlines recomputed (policy or holidays changed)"),
}
ALERT_LABELS = {
    "remind": _l("Reminder before the deadline"),
    "final_remind": _l("Reminder on the due day"),
    "ack_overdue": _l("Acknowledgement overdue"),
    "escalate": _l("Escalated"),
    "progress": _l("Progress update to the filer"),
}
ACTOR_LABELS = {"public": _l("The filer"), "system": _l("The system"), "import": _l("Import")}


def event_label(event: CaseEvent) -> str:
    return str(EVENT_LABELS.get(event.action, event.action))


def event_actor(event: CaseEvent) -> str:
    return str(ACTOR_LABELS.get(event.actor_label, event.actor_label))


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "event_label": event_label,
        "ALERT_LABELS": ALERT_LABELS,
        "event_actor": event_actor,
        "STATUS_LABELS": STATUS_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "PRIORITY_LABELS": PRIORITY_LABELS,
        "REJECT_GROUND_LABELS": REJECT_GROUND_LABELS,
        "Status": Status,
    }


def _divisions() -> list[Division]:
    return list(
        db.session.scalars(sa.select(Division).where(Division.is_active).order_by(Division.code))
    )


def _officers() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active).order_by(User.name)))


def _categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position)))


def _division_choices(blank: Any) -> list[SelectChoice]:
    locale = current_language()
    return choices([(0, blank)] + [(d.id, f"{d.code} · {d.name(locale)}") for d in _divisions()])


def _officer_choices(blank: Any) -> list[SelectChoice]:
    return choices([(0, blank)] + [(u.id, f"{u.name} ({u.division.code})") for u in _officers()])


def _category_choices(blank: Any) -> list[SelectChoice]:
    locale = current_language()
    return choices([(0, blank)] + [(c.id, c.name(locale)) for c in _categories()])


# --- The queue -------------------------------------------------------------------


def _filters_from(form: forms.QueueFilterForm) -> queries.QueueFilters:
    filters = queries.QueueFilters()
    status = form.status.data
    if status == "all":
        filters.statuses = []
    elif status == "counted":  # as the reports count received cases
        filters.statuses = [s.value for s in Status if s != Status.MERGED]
    elif status in {s.value for s in Status}:
        filters.statuses = [status]
    filters.kinds = list(form.kind.data or []) if not form.kind.errors else []
    filters.category_id = form.category.data or None
    filters.division_id = form.division.data or None
    filters.assignee = form.assignee.data or None
    filters.channel = form.channel.data or None
    filters.due_within = form.due_within.data if not form.due_within.errors else None
    filters.overdue = form.overdue.data == "1"
    filters.received_from = form.received_from.data if not form.received_from.errors else None
    filters.received_to = form.received_to.data if not form.received_to.errors else None
    filters.resolved_from = form.resolved_from.data if not form.resolved_from.errors else None
    filters.resolved_to = form.resolved_to.data if not form.resolved_to.errors else None
    filters.on_time = {"yes": True, "no": False}.get(form.on_time.data or "")
    filters.q = (form.q.data or None) if not form.q.errors else None
    return filters


def _queue_form() -> tuple[forms.QueueFilterForm, bool]:
    """The queue's filters from the URL, checked; the queue page and its CSV
    export read the same view."""
    form = forms.QueueFilterForm(request.args)
    form.category.choices = _category_choices(_("All categories"))
    form.division.choices = _division_choices(_("All divisions"))
    return form, form.validate()


@bp.get("/")
def queue() -> Any:
    form, _valid = _queue_form()
    page = queries.queue_page(access(), _filters_from(form), request.args.get("after"))
    bulk = forms.BulkAssignForm()
    bulk.division.choices = _division_choices(_("Choose a division"))
    bulk.assignee.choices = _officer_choices(_("No one in particular"))
    next_args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    return render_template(
        "staff/queue.html",
        form=form,
        page=page,
        days_left=queries.working_days_left(page.cases),
        alerts=queries.alerts_of([c.id for c in page.cases]),
        is_overdue=queries.is_overdue,
        bulk=bulk,
        next_url=url_for("staff.queue", **next_args, after=page.next_cursor)
        if page.next_cursor
        else None,
    )


@bp.get("/cases.csv")
def export_cases() -> Any:
    """The cases of this queue view (every page of it) as CSV, streamed."""
    form, valid = _queue_form()
    if not valid:
        # The page shows these next to the filters; a download must not
        # quietly export more than was asked for.
        problems = [
            f"{form[name].label.text}: {', '.join(map(str, errors))}"
            for name, errors in form.errors.items()
        ]
        text = (
            _("The cases were not exported; correct the filters first:")
            + "\n"
            + "\n".join(problems)
        )
        return Response(text + "\n", status=400, mimetype="text/plain")
    personal = request.args.get("personal") == "1"
    if personal:
        # Who took the filers' contact details, never the details themselves.
        current_app.logger.info("user %s exported cases with personal data", current_user.id)
    name = f"cases-{utcnow().strftime('%Y%m%d-%H%M')}.csv"
    return Response(
        stream_with_context(export.csv_rows(access(), _filters_from(form), personal=personal)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.post("/bulk-assign")
def bulk_assign() -> Any:
    form = forms.BulkAssignForm()
    form.division.choices = _division_choices("")
    form.assignee.choices = _officer_choices("")
    ids = [int(i) for i in request.form.getlist("case_id") if is_id(i)][:200]
    division = db.session.get(Division, form.division.data) if form.validate_on_submit() else None
    if not ids or division is None:
        flash(_("Choose some cases and a division."), "error")
        return redirect(request.referrer or url_for("staff.queue"), 303)
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    who = access()
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(ids), who.clause())).all()
    if len(cases) != len(set(ids)):
        abort(404)
    try:
        for case in cases:
            actions.assign(who, case, division=division, assignee=assignee)
    except actions.ActionError:
        db.session.rollback()
        flash(
            _(
                "That officer cannot take these cases (another division, or inactive). Nothing was changed."
            ),
            "error",
        )
        return redirect(request.referrer or url_for("staff.queue"), 303)
    db.session.commit()
    flash(_("%(n)d cases assigned.", n=len(cases)), "success")
    return redirect(request.referrer or url_for("staff.queue"), 303)


# --- One case --------------------------------------------------------------------


def _case_or_404(tracking_code: str) -> Case:
    case = db.session.scalars(
        sa.select(Case).where(Case.tracking_code == tracking_code[:20])
    ).first()
    if case is None:
        abort(404)
    who = access()
    if who.needs_reason(case):
        # An administrator must record why before seeing a corruption report.
        if request.endpoint == "staff.unlock":
            return case
        if request.method == "GET" and request.endpoint == "staff.case_page":
            abort(redirect(url_for("staff.unlock", tracking_code=case.tracking_code), 303))
        abort(404)
    if not who.can_view(case):
        abort(404)
    return case


def _action_forms(case: Case) -> dict[str, Any]:
    locale = current_language()
    version = {"version": case.version}
    reclassify = forms.ReclassifyForm(
        data={**version, "kind": case.kind, "category": case.category_id or 0}
    )
    reclassify.category.choices = _category_choices(_("No category"))
    assign = forms.AssignForm(
        data={**version, "division": case.division_id or 0, "assignee": case.assignee_id or 0}
    )
    assign.division.choices = _division_choices(_("Choose a division"))
    assign.assignee.choices = _officer_choices(_("No one in particular"))
    templates = db.session.scalars(
        sa.select(ReplyTemplate).where(ReplyTemplate.is_active).order_by(ReplyTemplate.id)
    ).all()
    return {
        "version_form": forms.ActionForm(data=version),
        "message_form": forms.MessageForm(data=version),
        "reclassify_form": reclassify,
        "priority_form": forms.PriorityForm(data={**version, "priority": case.priority}),
        "assign_form": assign,
        "forward_form": forms.ForwardForm(data=version),
        "reject_form": forms.RejectForm(data=version),
        "merge_form": forms.MergeForm(data=version),
        "reply_templates": [
            (
                t.title_th if locale == "th" else t.title_en,
                t.body_th if case.locale == "th" else t.body_en,
            )
            for t in templates
        ],
    }


def _render_case(case: Case, status: int = 200, **overrides: Any) -> Any:
    who = access()
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.id)
        # With the page, not a query per event (docs/performance.md).
        .options(selectinload(CaseEvent.attachments), selectinload(CaseEvent.actor))
    ).all()
    merged_into = db.session.get(Case, case.merged_into_id) if case.merged_into_id else None
    context = {
        "case": case,
        "status": Status(case.status),
        "allowed": TRANSITIONS[Status(case.status)],
        "events": events,
        "merged_into": merged_into,
        "show_filer": who.can_see_filer(case),
        "alerts": queries.alerts_of([case.id]).get(case.id, []),
        "days_left": queries.working_days_left([case]).get(case.id),
        "is_overdue": queries.is_overdue(case),
        "KIND_LABELS": KIND_LABELS,
        "Kind": Kind,
        **_action_forms(case),
        **overrides,
    }
    return render_template("staff/case.html", **context), status


@bp.get("/cases/<tracking_code>")
def case_page(tracking_code: str) -> Any:
    return _render_case(_case_or_404(tracking_code))


@bp.route("/cases/<tracking_code>/unlock", methods=["GET", "POST"])
def unlock(tracking_code: str) -> Any:
    case = _case_or_404(tracking_code)
    who = access()
    if not who.needs_reason(case):
        abort(404)
    form = forms.ReasonForm()
    if form.validate_on_submit():
        actions.unlock_restricted(who, case, reason=form.reason.data)
        db.session.commit()
        session[_UNLOCKED] = sorted({*session.get(_UNLOCKED, []), case.id})
        return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)
    return render_template("staff/unlock.html", case=case, form=form), 422 if form.errors else 200


@bp.get("/cases/<tracking_code>/attachments/<int:attachment_id>")
def download(tracking_code: str, attachment_id: int) -> Any:
    case = _case_or_404(tracking_code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    path = attachments.path_of(attachment)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
    )


ACTION_MESSAGES = {
    "screen": lambda: _("The case is being screened."),
    "accept": lambda: _("The case is accepted and in progress."),
    "reclassify": lambda: _("Kind and category changed; the deadlines follow the new policy."),
    "priority": lambda: _("Priority set."),
    "assign": lambda: _("Assignment saved."),
    "request_info": lambda: _("The filer has been asked for information; the deadline is paused."),
    "reply": lambda: _("Your reply has been sent to the filer."),
    "note": lambda: _("Note added."),
    "resolve": lambda: _("The case is resolved and the filer told the outcome."),
    "forward": lambda: _("The case is forwarded and the filer told where."),
    "reject": lambda: _("The case is closed as not accepted; the filer has been told why."),
    "merge": lambda: _("The case is merged; its filer has been told the surviving code."),
    "reopen": lambda: _("The case is reopened."),
    "close": lambda: _("The case is closed."),
}


def _perform(action: str, who: StaffAccess, case: Case) -> Any:
    """Validate the action's form and call its service; returns the form on errors."""
    if action in {"screen", "accept", "close"}:
        form: Any = forms.ActionForm()
        if form.validate_on_submit():
            getattr(actions, action)(who, case, expected_version=form.version.data)
            return None
        return form
    if action in {"request_info", "reply", "note", "resolve", "reopen"}:
        form = forms.MessageForm()
        if form.validate_on_submit():
            text = form.message.data
            call = {
                "request_info": lambda: actions.request_information(
                    who, case, message=text, expected_version=form.version.data
                ),
                "reply": lambda: actions.reply(
                    who, case, message=text, expected_version=form.version.data
                ),
                "note": lambda: actions.add_note(
                    who, case, text=text, expected_version=form.version.data
                ),
                "resolve": lambda: actions.resolve(
                    who, case, summary=text, expected_version=form.version.data
                ),
                "reopen": lambda: actions.reopen(
                    who, case, reason=text, expected_version=form.version.data
                ),
            }[action]
            call()
            return None
        return form
    if action == "reclassify":
        form = forms.ReclassifyForm()
        form.category.choices = _category_choices("")
        if form.validate_on_submit():
            category = db.session.get(Category, form.category.data) if form.category.data else None
            actions.reclassify(
                who,
                case,
                kind=Kind(form.kind.data),
                category=category,
                expected_version=form.version.data,
            )
            return None
        return form
    if action == "priority":
        form = forms.PriorityForm()
        if form.validate_on_submit():
            actions.set_priority(
                who, case, priority=Priority(form.priority.data), expected_version=form.version.data
            )
            return None
        return form
    if action == "assign":
        form = forms.AssignForm()
        form.division.choices = _division_choices("")
        form.assignee.choices = _officer_choices("")
        if form.validate_on_submit():
            division = db.session.get(Division, form.division.data) if form.division.data else None
            if division is None:
                form.division.errors = [_("Please choose a division.")]
                return form
            assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
            actions.assign(
                who, case, division=division, assignee=assignee, expected_version=form.version.data
            )
            return None
        return form
    if action == "forward":
        form = forms.ForwardForm()
        if form.validate_on_submit():
            actions.forward(
                who,
                case,
                agency=form.agency.data,
                reason=form.reason.data,
                expected_version=form.version.data,
            )
            return None
        return form
    if action == "reject":
        form = forms.RejectForm()
        if form.validate_on_submit():
            actions.reject(
                who,
                case,
                ground=RejectGround(form.ground.data),
                explanation=form.explanation.data,
                expected_version=form.version.data,
            )
            return None
        return form
    if action == "merge":
        form = forms.MergeForm()
        if form.validate_on_submit():
            target = db.session.scalars(
                sa.select(Case).where(Case.tracking_code == form.target.data)
            ).first()
            if target is None or not who.can_view(target):
                form.target.errors = [_("No case with this tracking code that you can see.")]
                return form
            actions.merge(who, case, into=target, expected_version=form.version.data)
            return None
        return form
    abort(404)


ACTION_ERRORS = {
    "unchanged": lambda: _("Nothing was changed: the values are the same as before."),
    "category": lambda: _("That category is not offered for this kind of case."),
    "assignee": lambda: _("That officer cannot take this case (another division, or inactive)."),
    "merge_target": lambda: _("A case cannot be merged into itself or into a merged case."),
}


@bp.post("/cases/<tracking_code>/<action>")
def act(tracking_code: str, action: str) -> Any:
    if action not in ACTION_MESSAGES:
        abort(404)
    case = _case_or_404(tracking_code)
    who = access()
    try:
        invalid = _perform(action, who, case)
        if invalid is None:
            db.session.commit()
            flash(ACTION_MESSAGES[action](), "success")
            return redirect(url_for("staff.case_page", tracking_code=case.tracking_code), 303)
    except NotPermitted:
        abort(404)
    except (actions.CaseChanged, StaleDataError):
        db.session.rollback()
        flash(
            _(
                "Someone else changed this case while you were looking at it. Here is its current state; nothing of yours was saved, so please check and try again."
            ),
            "error",
        )
        return redirect(url_for("staff.case_page", tracking_code=tracking_code), 303)
    except TransitionError as error:
        db.session.rollback()
        flash(
            _(
                "This cannot be done while the case is “%(state)s”.",
                state=STATUS_LABELS[error.from_status],
            ),
            "error",
        )
        return redirect(url_for("staff.case_page", tracking_code=tracking_code), 303)
    except actions.ActionError as error:
        db.session.rollback()
        flash(ACTION_ERRORS[str(error)](), "error")
        return redirect(url_for("staff.case_page", tracking_code=tracking_code), 303)
    db.session.rollback()
    if "csrf_token" in invalid.errors:
        abort(400, description="csrf")
    return _render_case(case, 422, failed_action=action, **{_form_name(action): invalid})


def _form_name(action: str) -> str:
    return {
        "reclassify": "reclassify_form",
        "priority": "priority_form",
        "assign": "assign_form",
        "forward": "forward_form",
        "reject": "reject_form",
        "merge": "merge_form",
        "screen": "version_form",
        "accept": "version_form",
        "close": "version_form",
    }.get(action, "message_form")


# --- Intake from other channels ----------------------------------------------------


@bp.get("/intake")
def intake_kinds() -> Any:
    return render_template("staff/intake_kinds.html")


@bp.route("/intake/<kind>", methods=["GET", "POST"])
def intake(kind: str) -> Any:
    try:
        case_kind = Kind(kind)
    except ValueError:
        abort(404)
    who = access()
    if case_kind == Kind.CORRUPTION and who.role.value != "integrity":
        abort(404)
    locale = current_language()
    form = forms.IntakeForm(case_kind, locale)
    tz = zone(current_app.config["AGENCY_TIMEZONE"])
    if form.validate_on_submit():
        received_at = form.received_at.data.replace(tzinfo=tz)
        if received_at > utcnow():
            form.received_at.errors = [_("The date of receipt cannot be in the future.")]
        else:
            receipt = file_case(
                form.to_filing(Channel(form.channel.data), received_at), actor=who.user
            )
            db.session.commit()
            return render_template(
                "staff/intake_receipt.html", case=receipt.case, access_key=receipt.access_key
            )
    if request.method == "GET":
        form.received_at.data = datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
    return render_template(
        "staff/intake.html", form=form, kind=case_kind
    ), 422 if form.errors else 200
