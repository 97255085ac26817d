"""Recomputing the deadlines of open cases after a policy or the holiday table
changed. Closed cases keep the deadlines they were judged against."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from suggestion.cases.deadlines import apply_deadlines
from suggestion.cases.events import record_event
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
            if diff:
                record_event(case, EventAction.DEADLINES_RECOMPUTED, diff=diff, body=reason or None)
                moved += 1
                if len(changed) < 50:
                    changed.append(case.tracking_code)
        checked += len(batch)
        last_id = batch[-1].id
        if heartbeat is not None:
            heartbeat()
        db.session.commit()
    return {"checked": checked, "moved": moved, "cases": changed, "reason": reason}
