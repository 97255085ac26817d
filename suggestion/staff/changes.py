"""What an event changed, as staff read it: one line a field, with its name
and its values in the page's language and dates in the agency's zone
(Buddhist Era on Thai pages), never the stored words and ISO timestamps
("status: in_progress → awaiting_info; acknowledged_at: — → 2026-11-30T23:04…")."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import Division
from suggestion.auth.models import User
from suggestion.cases.models import Category
from suggestion.cases.states import Channel
from suggestion.cases.states import CHANNEL_LABELS
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.cases.states import Priority
from suggestion.cases.states import PRIORITY_LABELS
from suggestion.cases.states import REJECT_GROUND_LABELS
from suggestion.cases.states import RejectGround
from suggestion.cases.states import Status
from suggestion.cases.states import STATUS_LABELS
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.i18n import format_date
from suggestion.core.i18n import format_datetime

FIELD_LABELS = {
    "status": _l("State"),
    "kind": _l("Kind"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "priority": _l("Priority"),
    "division": _l("Division"),
    "assignee": _l("Assigned to"),
    "received_at": _l("Received"),
    "ack_due_at": _l("Acknowledgement due"),
    "acknowledged_at": _l("Acknowledged"),
    "due_at": _l("Outcome due"),
    "resolved_at": _l("Outcome given"),
    "closed_at": _l("Closed"),
    "outcome_working_days": _l("Working days to the outcome"),
    "satisfaction": _l("Satisfaction"),
    "solved": _l("Problem solved, says the filer"),
    "forwarded_to": _l("Forwarded to"),
    "ground": _l("Ground"),
    "merged_into": _l("Merged into"),
    "merged": _l("Case merged in"),
    "reference": _l("Reference in the earlier system"),
    "escalated_to": _l("Escalated to"),
    "cause": _l("Why the deadline moved"),
    "day": _l("Day"),
    "name": _l("Holiday"),
    "working_days": _l("Working days waited"),
}

CAUSE_LABELS = {
    "holiday_added": _l("a holiday was added"),
    "holiday_removed": _l("a holiday was removed"),
    "holidays_loaded": _l("the year's holidays were loaded"),
    "policy_changed": _l("the service-level policy changed"),
    "reclassified": _l("re-classified"),
    "waited": _l("waited for the filer"),
    "recounted": _l("counted again"),
}


def _label_of(labels: Mapping[Any, Any], kind: Callable[[str], Any]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        try:
            return str(labels[kind(value)])
        except (KeyError, ValueError):
            return str(value)

    return show


VALUE_LABELS: dict[str, Callable[[Any], str]] = {
    "status": _label_of(STATUS_LABELS, Status),
    "kind": _label_of(KIND_LABELS, Kind),
    "channel": _label_of(CHANNEL_LABELS, Channel),
    "priority": _label_of(PRIORITY_LABELS, Priority),
    "ground": _label_of(REJECT_GROUND_LABELS, RejectGround),
    "cause": _label_of(CAUSE_LABELS, str),
}


def _names() -> dict[str, dict[str, str]]:
    """Categories and divisions by code, and staff by e-mail, with their names
    in the page's language: read once per request (a few hundred rows)."""
    if "change_names" not in g:
        locale = current_language()
        g.change_names = {
            "category": {c.code: c.name(locale) for c in db.session.scalars(sa.select(Category))},
            "division": {d.code: d.name(locale) for d in db.session.scalars(sa.select(Division))},
            "assignee": {
                email: name for email, name in db.session.execute(sa.select(User.email, User.name))
            },
        }
    names: dict[str, dict[str, str]] = g.change_names
    return names


def show_value(field: str, value: Any) -> str:
    """One value as staff read it."""
    if value is None or value == "" or value == []:
        return "—"
    if field in ("category", "division", "assignee") and isinstance(value, str):
        return _names()[field].get(value, value)
    if field == "day" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(show_value(field, v) for v in value)
    if field in VALUE_LABELS:
        return VALUE_LABELS[field](value)
    if field.endswith("_at") and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def describe_changes(diff: Mapping[str, Any]) -> list[str]:
    """One line a field: "State: In progress → Awaiting information"."""
    lines = []
    for field, change in diff.items():
        old, new = (
            change if isinstance(change, list | tuple) and len(change) == 2 else (None, change)
        )
        label = str(FIELD_LABELS.get(field, field))
        if old is None:
            lines.append(f"{label}: {show_value(field, new)}")
        else:
            lines.append(f"{label}: {show_value(field, old)} → {show_value(field, new)}")
    return lines
