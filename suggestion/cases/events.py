"""Writing the audit trail: every change to a case leaves one event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from datetime import UTC
from typing import Any

from suggestion.auth.models import User
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.core.extensions import db


def _plain(value: Any) -> Any:
    """JSON-ready; aware date-times in UTC, like the columns they come from."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record_event(
    case: Case,
    action: EventAction,
    *,
    actor: User | None = None,
    actor_label: Actor = Actor.SYSTEM,
    diff: Mapping[str, tuple[Any, Any] | list[Any]] | None = None,
    body: str | None = None,
    is_public: bool = False,
) -> CaseEvent:
    """Append an event; ``diff`` is ``{field: (old, new)}``."""
    event = CaseEvent(
        case_id=case.id,
        action=action,
        actor_id=actor.id if actor else None,
        actor_label=Actor.STAFF if actor else actor_label,
        diff={k: [_plain(old), _plain(new)] for k, (old, new) in (diff or {}).items()},
        body=body,
        is_public=is_public,
    )
    db.session.add(event)
    db.session.flush()
    return event
