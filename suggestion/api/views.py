"""``/api/v1``: categories, filing and tracking for other programs.

Input is checked for JSON types here, then by the same filing form as the
web page, so the rules and their messages are the same in both.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from suggestion.api.filing_rules import API_BODY_MAX_BYTES
from suggestion.api.openapi import openapi_document
from suggestion.cases import tracking
from suggestion.cases.deadlines import explain_deadline
from suggestion.cases.filing import file_case
from suggestion.cases.forms import FilingForm
from suggestion.cases.models import Category
from suggestion.cases.states import Channel
from suggestion.cases.states import Kind
from suggestion.cases.states import PUBLIC_LABELS
from suggestion.core import throttle
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.time import parse_fiscal_year
from suggestion.core.uow import read_ends_with_commit
from suggestion.reports.periods import current_fiscal_year
from suggestion.reports.published import published_indicators

bp = Blueprint("api", __name__, url_prefix="/api/v1")

STRING_FIELDS = ("kind", "category", "subject", "description")
CONTACT_FIELDS = ("name", "email", "phone", "address")
FLAG_FIELDS = ("anonymous", "consent", "certify_true")
# Form field → API field, for error keys.
API_NAMES = {
    "is_anonymous": "anonymous",
    **{name: f"complainant.{name}" for name in CONTACT_FIELDS},
}


def errors_response(errors: dict[str, list[str]], status: int = 422) -> tuple[Response, int]:
    return jsonify({"errors": errors}), status


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            sa.select(Category).where(Category.is_active.is_(True)).order_by(Category.position)
        )
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """The document states which categories each kind may be filed under: they
    are read here, as the filing reads them."""
    return jsonify(openapi_document((c.code, c.kinds) for c in active_categories()))


@bp.get("/categories")
def categories() -> Response:
    rows = active_categories()
    return jsonify(
        {
            "categories": [
                {"code": c.code, "name_th": c.name_th, "name_en": c.name_en, "kinds": c.kinds}
                for c in rows
            ]
        }
    )


def _type_errors(body: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    must_be_text = _("Must be text.")
    for name in STRING_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            errors[name] = [must_be_text]
    for name in FLAG_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], bool):
            errors[name] = [_("Must be true or false.")]
    complainant = body.get("complainant")
    if complainant is not None and not isinstance(complainant, dict):
        errors["complainant"] = [_("Must be an object with name, email, phone and address.")]
    elif complainant:
        for name in CONTACT_FIELDS:
            value = complainant.get(name)
            if value is not None and not isinstance(value, str):
                errors[f"complainant.{name}"] = [must_be_text]
    if "kind" not in errors:
        if not body.get("kind"):
            errors["kind"] = [_("This field is required.")]
        elif body["kind"] not in {k.value for k in Kind}:
            errors["kind"] = [
                _("Must be one of: %(kinds)s.", kinds=", ".join(k.value for k in Kind))
            ]
    return errors


@bp.post("/cases")
def create_case() -> tuple[Response, int]:
    if not request.is_json:
        return errors_response(
            {
                "_body": [
                    _("Send the body as JSON, with the header Content-Type: application/json.")
                ]
            },
            415,
        )
    # No filing comes near it; a larger body is refused (413) before it is read.
    request.max_content_length = API_BODY_MAX_BYTES
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # JSON nested past Python's limit ("[" × 100,000)
        body = None
    if not isinstance(body, dict):
        return errors_response({"_body": [_("The body must be a JSON object.")]}, 400)
    errors = _type_errors(body)
    if errors:
        return errors_response(errors)
    kind = Kind(body["kind"])
    locale = current_language()
    contact = body.get("complainant") or {}
    fields: dict[str, Any] = {
        "subject": body.get("subject") or "",
        "description": body.get("description") or "",
        **{name: contact.get(name) or "" for name in CONTACT_FIELDS},
    }
    for form_name, api_name in (
        ("is_anonymous", "anonymous"),
        ("consent", "consent"),
        ("certify_true", "certify_true"),
    ):
        if body.get(api_name):
            fields[form_name] = "y"
    form = FilingForm(kind, locale, formdata=MultiDict(fields), meta={"csrf": False})
    form.category.data = form.category_id_of(body.get("category") or "")
    if not form.validate():
        return errors_response(
            {
                API_NAMES.get(name, name): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    throttle.check_filing()
    receipt = file_case(form.to_filing(Channel.API))
    case = receipt.case
    return jsonify(
        {  # read before the boundary commits, which expires the case
            "tracking_code": case.tracking_code,
            "access_key": receipt.access_key,
            "status": case.status,
            "public_status": str(PUBLIC_LABELS[case.status]),
            "due_at": _iso(case.due_at),
            "receipt_email": receipt.email.value,
        }
    ), 201


def public_view(record: tracking.PublicRecord) -> dict[str, Any]:
    titles = tracking.timeline_titles(record.timeline)
    return {
        "tracking_code": record.tracking_code,
        "kind": record.kind,
        "status": record.status.value,
        "public_status": str(PUBLIC_LABELS[record.status]),
        "merged_into": record.merged_into,
        "received_at": _iso(record.received_at),
        "due_at": _iso(record.due_at),
        "resolved_at": _iso(record.resolved_at),
        "deadline_explanation": explain_deadline(
            record.case_id, record.received_at, record.due_at, was_paused=record.was_paused
        ).to_json(),
        "timeline": [
            {"at": _iso(e.at), "title": title, "message": e.body}
            for e, title in zip(record.timeline, titles, strict=True)
        ],
    }


@bp.get("/cases/<tracking_code>")
@read_ends_with_commit
def get_case(tracking_code: str) -> tuple[Response, int]:
    if not throttle.lookup_allowed():
        abort(429)
    # The request boundary ends the read with COMMIT, not the ROLLBACK of the
    # session's teardown: psycopg forgets its prepared statements on ROLLBACK,
    # and planning the look-up's join anew was most of its database time
    # (docs/performance.md).
    record = tracking.public_record(tracking_code, request.headers.get("X-Access-Key", ""))
    if record is None:
        throttle.count_failed_lookup()
        return errors_response(
            {"tracking_code": [_("No case with this tracking code and access key.")]}, 404
        )
    return jsonify(public_view(record)), 200


@bp.get("/stats")
def stats() -> tuple[Response, int]:
    """The fiscal-year indicators as open data (no personal data). Anyone may
    ask, and at scale each answer costs the database most of a second: so
    requests are throttled per client (one budget with the ``/stats`` page),
    and each year's answer is kept until a case changes or
    ``STATS_CACHE_SECONDS`` pass (suggestion.reports.published)."""
    throttle.check_stats()
    raw = request.args.get("fiscal_year", "")
    year = parse_fiscal_year(raw) if raw else current_fiscal_year()
    if year is None:
        return errors_response(
            {"fiscal_year": [_("Give a fiscal year in the Buddhist Era, such as 2569.")]}, 400
        )
    return jsonify(published_indicators(year).to_json()), 200
