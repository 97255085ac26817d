"""Recomputing the deadlines of open cases after a policy or the holiday table
changed. Closed cases keep the deadlines they were judged against."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from suggestion.calendar.models import Holiday
from suggestion.calendar.services import forget_holiday_names
from suggestion.cases.deadlines import apply_deadlines
from suggestion.cases.events import record_event
from suggestion.cases.filer_mail import announce_deadline_move
from suggestion.cases.filer_mail import cause_text
from suggestion.cases.filer_mail import DeadlineCause
from suggestion.cases.models import Case
from suggestion.cases.states import EventAction
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.jobs import Heartbeat


def recompute_open_deadlines(
    *,
    kind: str | None = None,
    category_id: int | None = None,
    reason: str = "",
    heartbeat: Heartbeat | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Recompute every open case (of a kind or category, if given); each case
    whose deadlines move gets an event. A job: commits after each batch, and
    beats before each commit (the worker's claim on the job; see core.jobs)."""
    batch_size = batch_size or current_app.config["SLA_RECOMPUTE_BATCH"]
    conditions: list[sa.ColumnElement[bool]] = [Case.status.in_(values(OPEN_STATES))]
    if category_id is not None:
        conditions.append(Case.category_id == category_id)
    elif kind is not None:
        conditions.append(Case.kind == kind)
    forget_holiday_names()  # the explanations read the table as it is now
    cause, detail = cause_of(reason)
    checked = moved = 0
    changed: list[str] = []
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(Case)
            .where(*conditions, Case.id > last_id)
            .order_by(Case.id)
            .limit(batch_size)
        ).all()
        if not batch:
            break
        for case in batch:
            diff = apply_deadlines(case)
            if "due_at" in diff:  # one public event with the cause; the filer is e-mailed
                announce_deadline_move(case, diff, cause, **detail)
            elif diff:  # the acknowledgement deadline alone: the filer is not owed it
                record_event(case, EventAction.DEADLINES_RECOMPUTED, diff=diff, body=reason or None)
            if diff:
                moved += 1
                if len(changed) < 50:
                    changed.append(case.tracking_code)
        checked += len(batch)
        last_id = batch[-1].id
        if heartbeat is not None:
            heartbeat()
        db.session.commit()
    return {"checked": checked, "moved": moved, "cases": changed, "reason": reason}


# The reasons the administration gives its recomputation jobs
# (suggestion.admin.services): "holiday 2026-12-25 set", "holiday … removed",
# "holidays 2027 loaded", "policy changed".
_HOLIDAY = re.compile(r"^holiday (\d{4}-\d{2}-\d{2}) (set|added|removed)$")


def cause_of(reason: str) -> tuple[DeadlineCause, dict[str, Any]]:
    """Why the deadlines are recomputed, as the filer is told it."""
    if match := _HOLIDAY.match(reason):
        day = date.fromisoformat(match.group(1))
        if match.group(2) == "removed":
            return DeadlineCause.HOLIDAY_REMOVED, {"day": day.isoformat()}
        holiday = db.session.get(Holiday, day)
        return DeadlineCause.HOLIDAY_ADDED, {
            "day": day.isoformat(),
            "name": holiday.name if holiday else "",
        }
    if reason.startswith("holidays ") and reason.endswith(" loaded"):
        return DeadlineCause.HOLIDAYS_LOADED, {}
    if reason == "policy changed":
        return DeadlineCause.POLICY_CHANGED, {}
    return DeadlineCause.RECOUNTED, {}


def reason_text(reason: str, locale: str) -> str:
    """A recomputation's reason as administrators read it, in ``locale``."""
    cause, detail = cause_of(reason)
    return cause_text(cause, detail, locale)
