"""The deadline of a personal-data breach (PDPA s.37(4)): the PDPC is told
within 72 hours of discovery, counted in hours — calendar time, holidays
included. Reminders at 24 and 48 hours, escalation at 72.

Pure, like :mod:`suggestion.deadlines.computation`: the register stores the
thresholds this returns and the sweep only compares them with now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

PDPC_NOTICE_HOURS = 72
REMINDER_HOURS = (24, 48)


@dataclass(frozen=True)
class BreachDeadlines:
    """When the PDPC must be told, and when the sweep acts. A threshold that
    had already passed when the breach was recorded is ``now`` (so the next
    sweep still sees it), and a reminder that a later threshold has overtaken
    is None: a breach recorded at 50 hours gets the 48-hour reminder, not both."""

    notify_due_at: datetime
    remind_at: datetime | None
    final_remind_at: datetime | None
    escalate_at: datetime


def breach_deadlines(discovered_at: datetime, now: datetime) -> BreachDeadlines:
    due = discovered_at + timedelta(hours=PDPC_NOTICE_HOURS)
    first, second = (discovered_at + timedelta(hours=h) for h in REMINDER_HOURS)

    def kept(moment: datetime, overtaken_by: datetime) -> datetime | None:
        return None if overtaken_by <= now else max(moment, now)

    return BreachDeadlines(
        notify_due_at=due,
        remind_at=kept(first, second),
        final_remind_at=kept(second, due),
        escalate_at=max(due, now),
    )


def hours_left(notify_due_at: datetime, now: datetime) -> int:
    """Whole hours until the PDPC must be told; negative once late."""
    seconds = (notify_due_at - now).total_seconds()
    return int(seconds // 3600)
