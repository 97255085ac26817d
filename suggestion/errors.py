"""Error pages in the visitor's language, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import current_app
from flask import Flask
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask import Response
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from suggestion.core.errors import Conflict
from suggestion.core.errors import DomainError
from suggestion.core.i18n import current_language
from suggestion.core.logs import loggable_path

log = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        404: _("We could not find that page, or it is not yours to see."),
        405: _("That action is not available here."),
        413: _("What you sent is too large. Each file may be at most 10 MB."),
        429: _(
            "Too many attempts from your connection. Please wait up to 15 minutes and try again."
        ),
        # Every such request was rolled back: say so (issue 12).
        500: _(
            "We could not complete your request, and nothing of it was saved. "
            "Please try again in a few minutes."
        ),
        503: _(
            "A service we need is not available, and nothing of your request was saved. "
            "Please try again in a few minutes."
        ),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    message = _messages().get(code, error.description or "")
    if isinstance(error, CSRFError):
        message = _(
            "Your form had expired or was sent from elsewhere. "
            "Please check what you typed and send it again."
        )
    # What the error itself says in its headers (Allow on a 405), kept.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if _wants_json():
        return jsonify({"errors": {"_request": [message]}}), code, headers
    return render_template("error.html", code=code, message=message), code, headers


def handle_domain_error(error: DomainError) -> ResponseReturnValue:
    """A domain error that no feature answered itself (the staff desk shows a
    case's current state instead): its status, and its message."""
    message = str(error.message)
    headers = error.headers()
    if _wants_json():
        return jsonify({"errors": {"_request": [message]}}), error.status, headers
    return render_template("error.html", code=error.status, message=message), error.status, headers


def handle_stale_data(error: StaleDataError) -> ResponseReturnValue:
    """Two writers at once: the second is told, as any other conflict."""
    return handle_domain_error(Conflict())


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    """An error nobody foresaw: the request was rolled back. The page must not
    need what may have failed — the database most of all, from which a
    logged-in user's name would be read — so it is drawn without the user;
    if even that fails, a page of plain HTML in the visitor's language."""
    log.exception("unhandled error on %s %s", request.method, loggable_path(request.path))
    message = _messages()[500]
    if _wants_json():
        return jsonify({"errors": {"_request": [message]}}), 500
    # Drawn as for a visitor: Flask-Login would otherwise load the user from
    # the database for the page's menu (it keeps the request's user in g).
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    try:
        return render_template("error.html", code=500, message=message), 500
    except Exception:
        log.exception("the error page could not be drawn")
        return _bare_page(message), 500


def _bare_page(message: str) -> str:
    language = escape(current_language())
    return (
        f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
        f"<title>500</title><h1>{escape(message)}</h1></html>"
    )


def title_says_error(response: Response) -> Response:
    """A form sent back with mistakes (422) says so first in the page's title,
    which is what a screen reader announces: "ข้อผิดพลาด: …" / "Error: …"
    (WCAG 3.3.1)."""
    if response.status_code != 422 or response.mimetype != "text/html" or response.is_streamed:
        return response
    page = response.get_data(as_text=True)
    prefix = escape(_("Error:"))
    response.set_data(page.replace("<title>", f"<title>{prefix} ", 1))
    return response


def init_app(app: Flask) -> None:
    app.after_request(title_says_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(Exception, handle_unexpected)
