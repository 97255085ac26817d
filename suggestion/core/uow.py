"""The request boundary: one unit of work around every request and task that
writes (DESIGN §3).

It commits once; only after the commit does it perform the effects the work
asked for (publishing the outbox's tasks, moving stored files into place); on
any error it rolls back and undoes what was staged (a stored file is
removed). Effects are kept on the session, so that a job that commits batch by
batch (the sweep, a recomputation) publishes each batch's work after that
batch's commit, and a rollback drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any
from typing import TypeVar

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction

from suggestion.core.extensions import db

log = logging.getLogger(__name__)

_EFFECTS = "effects_after_commit"
_UNDO = "undo_after_rollback"

Effect = Callable[[], None]
V = TypeVar("V", bound=Callable[..., Any])


def on_commit(effect: Effect, session: Session | None = None) -> None:
    """Run ``effect`` once the session's transaction commits (never on rollback)."""
    (session or db.session()).info.setdefault(_EFFECTS, []).append(effect)


def on_rollback(effect: Effect, session: Session | None = None) -> None:
    """Run ``effect`` if the session's transaction rolls back instead."""
    (session or db.session()).info.setdefault(_UNDO, []).append(effect)


def _run(effects: list[Effect]) -> None:
    for effect in effects:
        try:
            effect()
        except Exception:  # the transaction is over: an effect must not undo it
            log.exception("an effect after the transaction failed")


def _after_commit(session: Session) -> None:
    session.info.pop(_UNDO, None)
    _run(session.info.pop(_EFFECTS, []))


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    # Only the end of the whole transaction drops its effects: a savepoint, or
    # the inner transaction of a failed flush, rolls back while the work goes
    # on. (No code here uses savepoints; if one did, effects registered inside
    # a savepoint that then rolled back would still run at the commit.)
    if previous.parent is not None:
        return
    session.info.pop(_EFFECTS, None)
    _run(session.info.pop(_UNDO, []))


def init_effects() -> None:
    """Hook the effects into every SQLAlchemy session (once per process)."""
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_rollback)


@contextmanager
def unit_of_work(keep_on: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Commit once at the end of the block; roll back on any error and re-raise.
    ``keep_on`` names exceptions that end the work but keep what it recorded
    (a task asking to be retried keeps the attempt it counted)."""
    try:
        try:
            yield
        except keep_on:
            db.session.commit()
            raise
        db.session.commit()  # a COMMIT the database refuses is rolled back below
    except BaseException as error:
        if not isinstance(error, keep_on) or db.session().in_transaction():
            db.session.rollback()
        raise


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_ends_with_commit(view: V) -> V:
    """Mark a read whose transaction should end with COMMIT rather than the
    teardown's ROLLBACK (psycopg keeps its prepared statements across a
    COMMIT: the tracking look-up, docs/performance.md)."""
    view._read_ends_with_commit = True  # type: ignore[attr-defined]
    return view


def _boundary(view: Callable[..., Any]) -> Callable[..., Any]:
    ends_with_commit = getattr(view, "_read_ends_with_commit", False)

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        if request.method in SAFE_METHODS and not ends_with_commit:
            return view(*args, **kwargs)  # a read: the teardown ends it
        with unit_of_work():
            return view(*args, **kwargs)

    run._in_unit_of_work = True  # type: ignore[attr-defined]
    return run


def wrap_views(view_functions: dict[str, Callable[..., Any]]) -> None:
    """Put every view of the app inside the boundary: a request that may write
    (any method but GET, HEAD and OPTIONS) runs in a unit of work, so views
    never commit or roll back themselves, and a domain error reaches the error
    handlers only after its rollback. Reads change nothing and end with the
    session's teardown."""
    for endpoint, view in list(view_functions.items()):
        if endpoint != "static" and not getattr(view, "_in_unit_of_work", False):
            view_functions[endpoint] = _boundary(view)
