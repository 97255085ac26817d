"""How a deadline was counted, for the filer (DESIGN §2 ``deadline_explanation``).

Pure: from the moment of receipt, the deadline as it stands, the holidays
with their names and the case's pauses, it walks the days between and says
what each one was: counted, a weekend, a holiday (with its name), or a day
the case waited for the filer. The day of receipt itself is never counted
(Civil and Commercial Code s.193/3). Read from the deadline as it stands,
the explanation always agrees with it, whatever set it (the policy, a
re-classification, a pause, an import).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from suggestion.core.time import local_date

WEEKEND = "weekend"
HOLIDAY = "holiday"
PAUSED = "paused"


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: str  # WEEKEND, HOLIDAY or PAUSED
    name: str | None = None  # the holiday's


@dataclass(frozen=True)
class Pause:
    """A span in which the case waited for the filer: the working days after
    ``began`` up to ``ended`` did not count. ``ended`` is None while it lasts
    (the deadline moves when the filer answers)."""

    began: date
    ended: date | None
    working_days: int


@dataclass(frozen=True)
class DeadlineExplanation:
    received_on: date
    working_days: int
    skipped: tuple[SkippedDay, ...]
    pauses: tuple[Pause, ...]
    due_on: date
    due_at: datetime

    @property
    def waiting(self) -> bool:
        """The case waits for the filer now: its deadline will move."""
        return any(p.ended is None for p in self.pauses)

    def to_json(self) -> dict[str, Any]:
        return {
            "received_on": self.received_on.isoformat(),
            "working_days": self.working_days,
            "skipped": [
                {"day": s.day.isoformat(), "reason": s.reason}
                | ({"name": s.name} if s.name else {})
                for s in self.skipped
            ],
            "pauses": [
                {
                    "from": p.began.isoformat(),
                    "to": p.ended.isoformat() if p.ended else None,
                    "working_days": p.working_days,
                }
                for p in self.pauses
            ],
            "due_at": self.due_at.isoformat(),
        }


def explain(
    received_at: datetime,
    due_at: datetime,
    holidays: Mapping[date, str],
    pauses: Sequence[tuple[datetime, datetime | None]],
    tz: ZoneInfo,
) -> DeadlineExplanation:
    """``holidays``: name by day, covering the days from receipt to the due
    day; ``pauses``: (paused at, resumed at or None), oldest first."""
    received_on, due_on = local_date(received_at, tz), local_date(due_at, tz)
    spans = [
        (local_date(began, tz), local_date(ended, tz) if ended else None) for began, ended in pauses
    ]
    paused = {
        day
        for began, ended in spans
        if ended is not None
        for day in _days_after(began, ended)
        if day.weekday() < 5 and day not in holidays
    }
    skipped: list[SkippedDay] = []
    counted = 0
    for day in _days_after(received_on, due_on):
        if day in holidays:
            skipped.append(SkippedDay(day, HOLIDAY, holidays[day]))
        elif day.weekday() >= 5:
            skipped.append(SkippedDay(day, WEEKEND))
        elif day in paused:
            skipped.append(SkippedDay(day, PAUSED))
        else:
            counted += 1
    return DeadlineExplanation(
        received_on=received_on,
        working_days=counted,
        skipped=tuple(skipped),
        pauses=tuple(
            Pause(began, ended, sum(1 for d in paused if began < d <= ended) if ended else 0)
            for began, ended in spans
        ),
        due_on=due_on,
        due_at=due_at,
    )


def _days_after(first: date, last: date) -> list[date]:
    """The days d with first < d ≤ last."""
    return [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]
