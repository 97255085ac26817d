"""Tell the cache when cases change: a flush that writes a case marks its
transaction, and the transaction's commit moves the cases version on
(suggestion.core.cache), so that cached answers about cases (the open-data
statistics) are computed anew. A rollback moves nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from suggestion.cases.models import Case
from suggestion.cases.models import OutcomeAnswer
from suggestion.core.cache import cases_changed
from suggestion.core.uow import on_commit
from suggestion.core.uow import on_rollback

_MARK = "cases_changed"


def _note_case_changes(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get(_MARK):
        return
    if not any(
        isinstance(obj, Case | OutcomeAnswer)
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    session.info[_MARK] = True

    def committed() -> None:
        session.info.pop(_MARK, None)
        cases_changed()

    on_commit(committed, session)
    on_rollback(lambda: session.info.pop(_MARK, None), session)


def listen() -> None:
    """Watch every session's flushes (once per process)."""
    if not sa.event.contains(Session, "before_flush", _note_case_changes):
        sa.event.listen(Session, "before_flush", _note_case_changes)
