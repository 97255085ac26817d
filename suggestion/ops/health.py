"""``/healthz`` and ``/readyz`` (DESIGN §2): cheap, for probes that call them
every few seconds, and touching no personal data.

- ``/healthz``: 200 while the process serves requests; it reads nothing.
- ``/readyz``: 200 ``{"database": "ok", "migrations": "ok", "broker": "ok"}``
  when the database answers, its schema is at the latest migration and the
  broker answers; otherwise 503 with the failing part set to its error. One
  small indexed read (``alembic_version``) and one broker connection that
  tries once, briefly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import Response

from suggestion.core.extensions import db

bp = Blueprint("ops", __name__)

OK = "ok"


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(jsonify(status=OK))


@bp.get("/readyz")
def readyz() -> Any:
    parts = {"database": OK, "migrations": OK, "broker": OK}
    try:
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as error:  # the database is down, or not migrated at all
        db.session.rollback()
        parts["database"] = _said(error)
        parts["migrations"] = "unknown: the database did not answer"
    else:
        head = latest_migration()
        if revision != head:
            parts["migrations"] = f"at {revision}, the latest is {head}: run flask db upgrade"
    broker_error = current_app.extensions["task_publisher"].unreachable()
    if broker_error:
        parts["broker"] = broker_error
    ready = all(value == OK for value in parts.values())
    return _no_store(jsonify(parts)), 200 if ready else 503


@cache
def _head(directory: str) -> str | None:
    return ScriptDirectory(directory).get_current_head()


def latest_migration() -> str | None:
    """The newest revision of the shipped migrations (read once per process)."""
    return _head(str(current_app.extensions["migrate"].directory))


def _said(error: Exception) -> str:
    """The error's kind and first line, short: no statement, no parameters."""
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {first[0][:200] if first else ''}"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
