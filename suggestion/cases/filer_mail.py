"""What the filer is told, by e-mail through the outbox and on the public
timeline: the staff's messages, and every move of the outcome deadline with
its cause (issue 14: a deadline never moves silently)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from suggestion.cases.deadlines import owe_progress_from_now
from suggestion.cases.events import record_event
from suggestion.cases.models import Case
from suggestion.cases.states import EventAction
from suggestion.core.settings import agency_zone
from suggestion.core.settings import public_url
from suggestion.core.time import format_date
from suggestion.core.time import format_datetime
from suggestion.notify.outbox import queue_email


class DeadlineCause(enum.StrEnum):
    """Why an outcome deadline moved (kept on the event, shown to the filer)."""

    HOLIDAY_ADDED = "holiday_added"
    HOLIDAY_REMOVED = "holiday_removed"
    HOLIDAYS_LOADED = "holidays_loaded"
    POLICY_CHANGED = "policy_changed"
    RECLASSIFIED = "reclassified"
    WAITED = "waited"  # the case waited for the filer's information
    RECOUNTED = "recounted"  # counted again on an operator's command


def filer_address(case: Case, *, courtesy: bool = False) -> str | None:
    """The address the filer may be e-mailed at: none for an anonymous filing
    or one withheld at filing (the daily cap). A ``courtesy`` e-mail, one the
    handling of the case does not need, goes to none once the filer has
    restricted the processing of their data (PDPA s.34)."""
    complainant = case.complainant
    if case.is_anonymous or complainant is None or complainant.is_email_withheld:
        return None
    if courtesy and complainant.processing_restricted_at is not None:
        return None
    return complainant.email or None


def tell_filer(case: Case, template: str, **context: Any) -> None:
    """E-mail the filer, if they gave an address that may be used; either
    way the filer has now heard from us, which restarts the progress clock."""
    owe_progress_from_now(case)
    address = filer_address(case)
    if address is None:
        return
    queue_email(
        template,
        address,
        locale=case.locale,
        case_id=case.id,
        tracking_code=case.tracking_code,
        subject=case.subject,
        track_url=public_url("/track", code=case.tracking_code),
        due_at=format_datetime(case.due_at, case.locale, agency_zone()),
        **context,
    )


def announce_deadline_move(
    case: Case,
    diff: Mapping[str, tuple[Any, Any]],
    cause: DeadlineCause,
    **detail: Any,
) -> None:
    """The outcome deadline moved (``diff`` holds ``due_at``): a public
    timeline entry says from what, to what and why, and the filer is
    e-mailed. ``detail``: the holiday's ``day`` and ``name``, or the
    ``working_days`` the case waited."""
    entry = {**diff, "cause": (None, cause.value)}
    entry.update({name: (None, value) for name, value in detail.items()})
    event = record_event(case, EventAction.DEADLINES_RECOMPUTED, diff=entry, is_public=True)
    address = filer_address(case)
    if address is None:
        return
    queue_email(
        "deadline_moved",
        address,
        locale=case.locale,
        case_id=case.id,
        tracking_code=case.tracking_code,
        subject=case.subject,
        track_url=public_url("/track", code=case.tracking_code),
        move=deadline_move_text(event.diff, case.locale),
    )


def deadline_move_text(diff: Mapping[str, Any], locale: str) -> str:
    """What a deadline move says, in ``locale``: "The outcome deadline moved
    from … to …: why." ``diff`` as stored on the event."""
    tz = agency_zone()
    before, after = (_moment(v) for v in diff["due_at"])
    detail = {name: value[1] for name, value in diff.items()}
    with force_locale(locale):
        why = _why(DeadlineCause(detail.get("cause", DeadlineCause.RECOUNTED)), detail, locale)
        if before is None or after is None:
            return why
        return _("The outcome deadline moved from %(before)s to %(after)s: %(why)s.") % {
            "before": format_date(before, locale, tz),
            "after": format_date(after, locale, tz),
            "why": why,
        }


def cause_text(cause: DeadlineCause, detail: Mapping[str, Any], locale: str) -> str:
    """Why deadlines moved, in ``locale`` (a clause: "…became a holiday")."""
    with force_locale(locale):
        return _why(cause, detail, locale)


def _why(cause: DeadlineCause, detail: Mapping[str, Any], locale: str) -> str:
    if cause == DeadlineCause.HOLIDAY_ADDED:
        return _("%(day)s became a holiday (%(name)s)") % {
            "day": format_date(date.fromisoformat(detail["day"]), locale),
            "name": detail.get("name") or "",
        }
    if cause == DeadlineCause.HOLIDAY_REMOVED:
        return _("%(day)s is no longer a holiday") % {
            "day": format_date(date.fromisoformat(detail["day"]), locale)
        }
    if cause == DeadlineCause.HOLIDAYS_LOADED:
        return _("the year's official holidays were published")
    if cause == DeadlineCause.POLICY_CHANGED:
        return _("the agency changed the time it allows for this kind of case")
    if cause == DeadlineCause.RECLASSIFIED:
        return _("your case was classified under another kind or category")
    if cause == DeadlineCause.WAITED:
        days = int(detail.get("working_days", 0))
        return ngettext(
            "the case waited %(num)d working day for your information",
            "the case waited %(num)d working days for your information",
            days,
        )
    return _("the deadline was counted again")


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
