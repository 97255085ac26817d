"""The queue (``/staff/``): the cases an account may see, filtered from the
URL; its CSV export; and assigning many cases at once."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import Response
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.cases import actions
from suggestion.cases.models import Case
from suggestion.cases.states import Status
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.forms import is_id
from suggestion.core.forms import with_id_prefix
from suggestion.core.time import utcnow
from suggestion.core.uow import unit_of_work
from suggestion.staff import export
from suggestion.staff import forms
from suggestion.staff import queries
from suggestion.staff.blueprint import access
from suggestion.staff.blueprint import bp
from suggestion.staff.blueprint import category_choices
from suggestion.staff.blueprint import division_choices
from suggestion.staff.blueprint import officer_choices

BULK_LIMIT = 200


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
    filters.assignee = (form.assignee.data or None) if not form.assignee.errors else None
    filters.channel = (form.channel.data or None) if not form.channel.errors else None
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
    form.category.choices = category_choices(_("All categories"))
    form.division.choices = division_choices(_("All divisions"))
    return form, form.validate()


@bp.get("/")
def queue() -> Any:
    form, _valid = _queue_form()
    page = queries.queue_page(access(), _filters_from(form), request.args.get("after"))
    # Its division and assignee would share their ids with the filters'.
    bulk = with_id_prefix(forms.BulkAssignForm(), "bulk")
    bulk.division.choices = division_choices(_("Choose a division"))
    bulk.assignee.choices = officer_choices(_("No one in particular"))
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
        # Who took the filers' contact details, when, with which filter and
        # how many rows: on the audit trail, and each case whose details are
        # written in the access log, before the first row leaves. (A read
        # that writes: its own unit of work commits the records.)
        rows = export.row_count(access(), _filters_from(form))
        filters = urlencode(sorted((k, v) for k, v in request.args.items(multi=True) if v))
        with unit_of_work():
            export.record_personal_views(access(), _filters_from(form))
            record_admin_change(
                current_user.id,
                current_user.email,
                AdminAction.PERSONAL_DATA_EXPORTED,
                "cases.csv",
                {"filter": (None, filters), "rows": (None, rows)},
            )
    name = f"cases-{utcnow().strftime('%Y%m%d-%H%M')}.csv"
    return Response(
        stream_with_context(export.csv_rows(access(), _filters_from(form), personal=personal)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.post("/bulk-assign")
def bulk_assign() -> Any:
    """Route the chosen cases together: all of them, or none."""
    form = forms.BulkAssignForm()
    form.division.choices = division_choices("")
    form.assignee.choices = officer_choices("")
    ids = [int(i) for i in request.form.getlist("case_id") if is_id(i)][:BULK_LIMIT]
    valid = form.validate_on_submit() and form.division.data
    division = db.session.get(Division, form.division.data) if valid else None
    if not ids or division is None:
        raise Invalid(_l("Choose some cases and a division."), code="division")
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    who = access()
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(ids), who.clause())).all()
    if len(cases) != len(set(ids)):
        abort(404)
    try:
        for case in cases:
            try:
                actions.assign(who, case, division=division, assignee=assignee)
            except Invalid as error:
                if error.code != "unchanged":  # already routed so: nothing to do
                    raise
    except Invalid as error:
        if error.code != "assignee":
            raise
        raise Invalid(
            _l(
                "That officer cannot take these cases (another division, or inactive). Nothing was changed."
            ),
            code=error.code,
        ) from error
    flash(_("%(n)d cases assigned.", n=len(cases)), "success")
    return redirect(request.referrer or url_for("staff.queue"), 303)
