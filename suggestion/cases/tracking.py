"""What the filer can see and do with their code and key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from suggestion.cases import attachments
from suggestion.cases import codes
from suggestion.cases import outcome_answers
from suggestion.cases.events import record_event
from suggestion.cases.filer_mail import deadline_move_text
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.states import Actor
from suggestion.cases.states import EventAction
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import Status
from suggestion.cases.workflow import open_pause
from suggestion.cases.workflow import transition
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db


def find_by_code_and_key(tracking_code: str, access_key: str) -> Case | None:
    """The case, if both match; an unknown code and a wrong key look the same,
    and cost the same: the key's digest is part of the look-up."""
    code = codes.normalise_tracking_code(tracking_code)
    if code is None or not access_key:
        return None
    return db.session.scalars(
        sa.select(Case).where(
            Case.tracking_code == code,
            Case.access_key_hash == codes.access_key_digest(access_key),
        )
    ).first()


@dataclass(frozen=True)
class PublicEntry:
    """One line of the filer's timeline."""

    at: datetime
    action: str
    diff: dict[str, Any]
    body: str | None


@dataclass(frozen=True)
class PublicRecord:
    """What a look-up shows the filer: never internal notes or staff names."""

    tracking_code: str
    kind: str
    status: Status
    case_id: int
    merged_into: str | None
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    timeline: list[PublicEntry]

    @property
    def was_paused(self) -> bool:
        """Whether the case ever waited for the filer (its public timeline
        says so: asking for information is a public step)."""
        return any(
            e.action == EventAction.STATUS_CHANGED
            and e.diff.get("status", [None, None])[1] == Status.AWAITING_INFO
            for e in self.timeline
        )


def _public_record_statement() -> sa.Select[Any]:
    cases, events = Case.__table__, CaseEvent.__table__
    surviving = cases.alias("surviving")
    return (
        sa.select(
            cases.c.id,
            cases.c.tracking_code,
            cases.c.kind,
            cases.c.status,
            cases.c.received_at,
            cases.c.due_at,
            cases.c.resolved_at,
            surviving.c.tracking_code.label("merged_into"),
            events.c.at,
            events.c.action,
            events.c.diff,
            events.c.body,
        )
        .select_from(
            cases.outerjoin(surviving, surviving.c.id == cases.c.merged_into_id).outerjoin(
                events, sa.and_(events.c.case_id == cases.c.id, events.c.is_public.is_(True))
            )
        )
        # The key's digest is part of the look-up, so that a wrong key reads
        # nothing, exactly like an unknown code (a digest leaks no timing).
        .where(
            cases.c.tracking_code == sa.bindparam("code"),
            cases.c.access_key_hash == sa.bindparam("key_hash"),
        )
        .order_by(events.c.id)
    )


# Built once: the look-up is the public's busiest request (docs/performance.md).
_PUBLIC_RECORD = _public_record_statement()


def public_record(tracking_code: str, access_key: str) -> PublicRecord | None:
    """The public view of a case, if the code and key match, in one statement:
    the case, the code it was merged into, and its public events, oldest first.
    An unknown code and a wrong key look the same, in the answer and in the
    time it takes: both read nothing."""
    code = codes.normalise_tracking_code(tracking_code)
    if code is None or not access_key:
        return None
    rows = (
        db.session.connection()
        .execute(_PUBLIC_RECORD, {"code": code, "key_hash": codes.access_key_digest(access_key)})
        .all()
    )
    if not rows:
        return None
    case = rows[0]
    return PublicRecord(
        case_id=case.id,
        tracking_code=case.tracking_code,
        kind=case.kind,
        status=case.status,
        merged_into=case.merged_into,
        received_at=case.received_at,
        due_at=case.due_at,
        resolved_at=case.resolved_at,
        timeline=[
            PublicEntry(at=row.at, action=row.action, diff=row.diff, body=row.body)
            for row in rows
            if row.action is not None
        ],
    )


def find_by_token(token: str) -> Case | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        sa.select(Case).where(Case.track_token_hash == codes.digest(token))
    ).first()


def public_timeline(case: Case) -> list[CaseEvent]:
    """The events the filer may see, oldest first (never internal notes)."""
    return list(
        db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.is_public.is_(True))
            .order_by(CaseEvent.id)
            .options(selectinload(CaseEvent.attachments))  # not a query per event
        )
    )


def can_add_information(case: Case) -> bool:
    """The filer may add to a case until it has an outcome."""
    return case.status in OPEN_STATES


def add_information(case: Case, text: str, files: list[attachments.CheckedFile]) -> CaseEvent:
    """The filer adds text and files; an answer to a request resumes the case."""
    if not can_add_information(case):
        raise Invalid(_l("This case is finished and no longer takes information."))
    event = record_event(
        case, EventAction.INFORMATION_ADDED, actor_label=Actor.PUBLIC, body=text, is_public=True
    )
    for checked in files:
        db.session.add(attachments.store(checked, case.id, event.id, public=True))
    if case.status == Status.AWAITING_INFO:
        pause = open_pause(case)
        resume_to = pause.resume_status if pause else Status.SCREENING
        transition(case, resume_to, actor_label=Actor.PUBLIC)
    db.session.flush()
    return event


def can_rate(case: Case) -> bool:
    """A filer rates once an outcome that resolved the case (not a forwarded
    or rejected one: they got no solution to rate)."""
    return outcome_answers.can_rate(case)


def rate(case: Case, score: int, comment: str | None) -> CaseEvent:
    """Record the filer's rating (1–5); a case with an outcome is then closed."""
    from suggestion.core.time import utcnow

    if not can_rate(case) or not 1 <= score <= 5:
        raise Invalid(_l("This case cannot be rated now."))
    case.satisfaction = score
    case.rated_at = utcnow()
    event = record_event(
        case,
        EventAction.RATED,
        actor_label=Actor.PUBLIC,
        diff={"satisfaction": (None, score)},
        body=comment or None,
        is_public=True,  # the filer sees their own rating on /track
    )
    if case.status != Status.CLOSED:
        transition(case, Status.CLOSED, actor_label=Actor.PUBLIC)
    return event


def _title_key(event: CaseEvent | PublicEntry) -> tuple[str, Any]:
    """What a title depends on: the action, and the new status or the score."""
    if event.action == "status_changed":
        return event.action, event.diff.get("status", [None, None])[1]
    if event.action == "rated":
        return event.action, event.diff["satisfaction"][1]
    return event.action, None


def _title(action: str, value: Any) -> str:
    from flask_babel import gettext as _

    from suggestion.cases.states import PUBLIC_LABELS

    if action == "filed":
        return _("Case received")
    if action == "status_changed":
        return _("Status: %(label)s", label=PUBLIC_LABELS[Status(value)]) if value else ""
    if action == "information_added":
        return _("Information added by the filer")
    if action == "public_reply":
        return _("Reply from the agency")
    if action == "rated":
        return _("You rated the outcome %(score)s of 5", score=value)
    if action == "outcome_confirmed":
        return _("You told us the outcome solved your problem")
    if action == "outcome_disputed":
        return _("You told us the outcome did not solve your problem: the case is reopened")
    return _("Update")


def event_title(event: CaseEvent | PublicEntry) -> str:
    """What a public timeline entry says happened (in the current language)."""
    if event.action == EventAction.DEADLINES_RECOMPUTED:
        return _deadline_title(event)
    return _title(*_title_key(event))


def _deadline_title(event: CaseEvent | PublicEntry) -> str:
    """A deadline's move, from what, to what and why (each one its own)."""
    from suggestion.core.i18n import current_language

    if "due_at" not in event.diff:
        return str(_l("Update"))
    return deadline_move_text(event.diff, current_language())


# Translated titles by language, action and value: a few dozen, fixed while
# the process runs (the catalogs are compiled at deployment).
_TITLES: dict[tuple[str, str, Any], str] = {}


def timeline_titles(entries: list[PublicEntry]) -> list[str]:
    """The titles of a timeline in the current language, each translated once
    per process."""
    from suggestion.core.i18n import current_language

    language = current_language()
    titles = []
    for entry in entries:
        if entry.action == EventAction.DEADLINES_RECOMPUTED:
            titles.append(_deadline_title(entry))
            continue
        key = (language, *_title_key(entry))
        if key not in _TITLES:
            _TITLES[key] = _title(*key[1:])
        titles.append(_TITLES[key])
    return titles
