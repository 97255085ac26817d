"""Writing the audit trail: every change to a case leaves one event, written
here and nowhere else (one at a time, or many in one statement)."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from datetime import UTC
from typing import Any

import sqlalchemy as sa

from suggestion.auth.models import User
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

Diff = Mapping[str, tuple[Any, Any] | list[Any]]


def _plain(value: Any) -> Any:
    """JSON-ready; aware date-times in UTC, like the columns they come from."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _diff(diff: Diff | None) -> dict[str, list[Any]]:
    return {k: [_plain(old), _plain(new)] for k, (old, new) in (diff or {}).items()}


def record_event(
    case: Case,
    action: EventAction,
    *,
    actor: User | None = None,
    actor_label: Actor = Actor.SYSTEM,
    diff: Diff | None = None,
    body: str | None = None,
    is_public: bool = False,
) -> CaseEvent:
    """Append an event; ``diff`` is ``{field: (old, new)}``."""
    event = CaseEvent(
        case_id=case.id,
        action=action,
        actor_id=actor.id if actor else None,
        actor_label=Actor.STAFF if actor else actor_label,
        diff=_diff(diff),
        body=body,
        is_public=is_public,
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_events(
    diffs: Iterable[tuple[int, Diff]],
    action: EventAction,
    *,
    actor_label: Actor,
    at: datetime | None = None,
) -> None:
    """Append the same kind of event to many cases in one statement (the
    sweep's escalations, an import): ``diffs`` pairs each case's id with its
    ``{field: (old, new)}``. Internal events, by no staff account."""
    at = at or utcnow()
    rows = [
        {
            "case_id": case_id,
            "at": at,
            "action": action,
            "actor_label": actor_label,
            "is_public": False,
            "diff": _diff(diff),
            "body": None,
        }
        for case_id, diff in diffs
    ]
    if rows:
        db.session.execute(sa.insert(CaseEvent), rows)
