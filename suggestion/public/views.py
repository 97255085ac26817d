"""Public pages. Views check input, call one service, and commit once."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from suggestion.cases import attachments
from suggestion.cases import codes
from suggestion.cases import outcome_answers
from suggestion.cases import tracking
from suggestion.cases.attachments import FilesNotStored
from suggestion.cases.deadlines import explain_deadline
from suggestion.cases.filing import file_case
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.privacy_notice import current_notice
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.cases.states import PUBLIC_LABELS
from suggestion.core import throttle
from suggestion.core.errors import TooManyRequests
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.i18n import LANGUAGE_COOKIE
from suggestion.core.sealing import seal
from suggestion.core.sealing import unseal
from suggestion.core.uow import unit_of_work
from suggestion.deadlines.policies import terms_for
from suggestion.public.forms import AddInformationForm
from suggestion.public.forms import RatingForm
from suggestion.public.forms import SolvedForm
from suggestion.public.forms import TrackForm
from suggestion.public.forms import WebFilingForm

bp = Blueprint("public", __name__)

_TRACKED = "tracked_cases"  # case ids this browser has opened with code and key
_RECEIPT = "receipt"


def _remember(case: Case) -> None:
    tracked = [i for i in session.get(_TRACKED, []) if i != case.id][-9:]
    session[_TRACKED] = [*tracked, case.id]


def _kind_or_404(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        abort(404)


@bp.app_context_processor
def inject_labels() -> dict[str, Any]:
    return {
        "KIND_LABELS": KIND_LABELS,
        "PUBLIC_LABELS": PUBLIC_LABELS,
        "Kind": Kind,
        "tracking_title": tracking.event_title,
    }


@bp.get("/")
def index() -> str:
    return render_template("public/index.html", form=TrackForm())


@bp.get("/file")
def choose_kind() -> str:
    return render_template("public/choose_kind.html")


@bp.route("/file/<kind>", methods=["GET", "POST"])
def file(kind: str) -> str | Response:
    case_kind = _kind_or_404(kind)
    locale = current_language()
    form = WebFilingForm(case_kind, locale)
    if form.validate_on_submit():
        throttle.check_filing()
        receipt = file_case(form.to_filing())
        _remember(receipt.case)
        session[_RECEIPT] = {
            "case_id": receipt.case.id,
            "access_key": seal(receipt.access_key),  # the cookie is readable, not secret
            "email": receipt.email.value,
        }
        return redirect(url_for("public.receipt"), 303)
    if form.csrf_token.errors:
        form.csrf_token.errors = [
            _(
                "Your form had expired or was sent from elsewhere. Everything you typed is "
                "still below: please check it and send it again."
            )
        ]
    files_lost = request.method == "POST" and _files_sent(form)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "public/file.html", form=form, kind=case_kind, files_lost=files_lost
    ), status  # type: ignore[return-value]


@bp.errorhandler(FilesNotStored)
def _files_not_stored(error: FilesNotStored) -> Any:
    """The upload folder refused the files: nothing was recorded (the unit of
    work rolled back and removed what it had stored). The filer is told so,
    in their language, with what they typed."""
    flash(str(error.message), "error")
    args = request.view_args or {}
    if request.endpoint == "public.file":
        kind = _kind_or_404(args.get("kind", ""))
        form = WebFilingForm(kind, current_language())  # what was sent, files aside
        return render_template("public/file.html", form=form, kind=kind), 503
    if request.endpoint == "public.add_information":
        return _render_case(tracked_case(args.get("tracking_code", "")), AddInformationForm(), 503)
    return render_template("error.html", code=503, message=str(error.message)), 503


@bp.errorhandler(TooManyRequests)
def _too_many_filings(error: TooManyRequests) -> Any:
    """Too many filings from this connection: nothing was recorded. The form
    comes back with the reason and what was typed (files are not kept)."""
    if request.endpoint != "public.file":
        page = render_template("error.html", code=error.status, message=str(error.message))
        return page, error.status, error.headers()
    kind = _kind_or_404((request.view_args or {}).get("kind", ""))
    form = WebFilingForm(kind, current_language())
    flash(str(error.message), "error")
    return (
        render_template("public/file.html", form=form, kind=kind, files_lost=_files_sent(form)),
        error.status,
        error.headers(),
    )


def _files_sent(form: WebFilingForm) -> bool:
    return bool(
        form.attachments.data and any(getattr(f, "filename", "") for f in form.attachments.data)
    )


@bp.get("/file/receipt")
def receipt() -> str | Response:
    data = session.get(_RECEIPT)
    case = db.session.get(Case, data["case_id"]) if data else None
    access_key = unseal(data.get("access_key")) if data else None
    if data is None or case is None or access_key is None:
        return redirect(url_for("public.index"))
    return render_template(
        "public/receipt.html",
        case=case,
        access_key=access_key,
        email=data.get("email"),
        explanation=explain_deadline(case.id, case.received_at, case.due_at),
    )


@bp.route("/track", methods=["GET", "POST"])
def track() -> str | Response:
    if request.method == "POST" and not throttle.lookup_allowed():
        abort(429)
    form = TrackForm(data={"tracking_code": request.args.get("code", "")[:20]})
    if form.validate_on_submit():
        case = tracking.find_by_code_and_key(form.tracking_code.data, form.access_key.data)
        if case is not None:
            _remember(case)
            return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
        throttle.count_failed_lookup()
        form.access_key.errors = [
            _("We found no case with this tracking code and access key. Please check both.")
        ]
        return render_template("public/track.html", form=form), 404  # type: ignore[return-value]
    status = 422 if request.method == "POST" else 200
    return render_template("public/track.html", form=form), status  # type: ignore[return-value]


@bp.get("/track/link/<token>")
def track_link(token: str) -> str | Response:
    if not throttle.lookup_allowed():
        abort(429)
    case = tracking.find_by_token(token)
    if case is None:
        throttle.count_failed_lookup()
        abort(404)
    _remember(case)
    return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)


def _case_by_code(tracking_code: str) -> Case | None:
    code = codes.normalise_tracking_code(tracking_code)
    if code is None:  # not a code at all (too long, a NUL byte): no look-up
        return None
    return db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).first()


def tracked_case(tracking_code: str) -> Case:
    case = _case_by_code(tracking_code)
    if case is None or case.id not in session.get(_TRACKED, []):
        abort(404)
    return case


@bp.get("/track/<tracking_code>")
def case(tracking_code: str) -> str | Response:
    if codes.normalise_tracking_code(tracking_code) is None:
        abort(404)  # not a tracking code at all
    found = _case_by_code(tracking_code)
    if found is None or found.id not in session.get(_TRACKED, []):
        return redirect(url_for("public.track", code=tracking_code[:20]))
    return _render_case(found, AddInformationForm())


def _render_case(
    case: Case,
    form: AddInformationForm,
    status: int = 200,
    rating_form: RatingForm | None = None,
    solved_form: SolvedForm | None = None,
) -> Any:
    merged_into = db.session.get(Case, case.merged_into_id) if case.merged_into_id else None
    return render_template(
        "public/case.html",
        case=case,
        status=case.status,
        merged_into=merged_into,
        timeline=tracking.public_timeline(case),
        form=form,
        can_add=tracking.can_add_information(case),
        can_rate=tracking.can_rate(case),
        rating_form=rating_form or RatingForm(),
        # How the deadline still ahead was counted (none once the outcome is given).
        explanation=None
        if case.resolved_at
        else explain_deadline(case.id, case.received_at, case.due_at),
        can_answer=outcome_answers.can_answer(case),
        solved_form=solved_form or SolvedForm(),
    ), status


@bp.get("/track/<tracking_code>/attachments/<id:attachment_id>")
def download(tracking_code: str, attachment_id: int) -> Any:
    """A file the filer sent with their case, for the browser that opened
    the case with its code and key (as every /track action); served as the
    staff's downloads are: an attachment, named with the extension of the
    type judged from its content, never sniffed."""
    case = tracked_case(tracking_code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id or not attachment.is_public_upload:
        abort(404)
    return attachments.send_attachment(attachment)


@bp.post("/track/<tracking_code>/information")
def add_information(tracking_code: str) -> Any:
    case = tracked_case(tracking_code)
    form = AddInformationForm()
    if not tracking.can_add_information(case):
        flash(_("This case is finished and no longer takes information."), "error")
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    if form.validate_on_submit():
        tracking.add_information(case, form.text.data, form.checked_files)
        flash(_("Thank you. Your information has been added to the case."), "success")
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    return _render_case(case, form, 422)


@bp.post("/track/<tracking_code>/rating")
def rate(tracking_code: str) -> Any:
    case = tracked_case(tracking_code)
    form = RatingForm()
    if not tracking.can_rate(case):
        flash(_("This case cannot be rated now."), "error")
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    if form.validate_on_submit():
        tracking.rate(case, int(form.score.data), form.comment.data)
        flash(_("Thank you for your rating."), "success")
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    return _render_case(case, AddInformationForm(), 422, rating_form=form)


@bp.post("/track/<tracking_code>/solved")
def answer_solved(tracking_code: str) -> Any:
    """Was the problem solved? "Not yet", with a reason, reopens the case
    once per outcome; a second answer is refused with why."""
    case = tracked_case(tracking_code)
    form = SolvedForm()
    refused = outcome_answers.refusal(case)
    if refused is not None:
        flash(str(refused.message), "error")
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    if form.validate_on_submit():
        solved = form.solved.data == "yes"
        outcome_answers.answer(case, solved=solved, reason=form.unsolved_reason.data)
        if solved:
            flash(_("Thank you. We are glad your problem is solved."), "success")
        else:
            flash(
                _(
                    "Thank you for telling us. The case is reopened and the officer in charge "
                    "and their managers have been told."
                ),
                "success",
            )
        return redirect(url_for("public.case", tracking_code=case.tracking_code), 303)
    return _render_case(case, AddInformationForm(), 422, solved_form=form)


@bp.post("/track/forget")
def forget() -> Response:
    """Close the cases and the receipt opened in this browser (a shared computer)."""
    session.pop(_TRACKED, None)
    session.pop(_RECEIPT, None)
    flash(
        _("This browser no longer shows your case. Keep your tracking code and access key."),
        "success",
    )
    return redirect(url_for("public.index"), 303)


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement: the standard, what is tested and how."""
    return render_template("public/accessibility.html")


@bp.get("/process")
def process() -> str:
    terms = {kind: terms_for(kind, None) for kind in Kind}
    return render_template("public/process.html", terms=terms, notice=current_notice())


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("public.index")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
        if current_user.is_authenticated and current_user.locale != code:
            with unit_of_work():  # staff e-mails go out in the language they chose
                current_user.locale = code
    return response
