"""The one computation of a case's deadlines and the sweep's thresholds.

Pure: it takes the moment of receipt, the policy's terms, the holidays, the
working days spent paused, the agency's zone and the present moment, and
returns every deadline and threshold of the case. Filing, intake,
re-classification, resumption after a pause, recomputation and the CSV import
all call it, so that they cannot disagree (docs/decisions.md, "One deadline
computation").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from suggestion.calendar.workdays import add_calendar_days
from suggestion.calendar.workdays import add_working_days
from suggestion.calendar.workdays import subtract_working_days
from suggestion.core.time import end_of_day
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day


@dataclass(frozen=True)
class PolicyTerms:
    """The working-day terms that apply to one case."""

    ack_days: int = 1
    info_request_days: int = 7
    outcome_days: int = 15
    progress_interval_days: int = 15
    remind_before_days: int = 3
    escalate_after_days: int = 1


def deadline(
    received_at: datetime, working_days: int, holidays: frozenset[date], tz: ZoneInfo
) -> datetime:
    """The end of the N-th working day after the local day of receipt, in UTC.
    ``holidays`` must cover the days counted (see :func:`holiday_window`)."""
    return end_of_day(add_working_days(local_date(received_at, tz), working_days, holidays), tz)


def window_for(start: date, working_days: int) -> tuple[date, date]:
    """Dates that N working days from ``start`` never leave: in Thailand N
    working days never span more than 2N + 60 calendar days (the longest run
    of holidays is under a fortnight)."""
    return start, start + timedelta(days=2 * working_days + 60)


@dataclass(frozen=True)
class Thresholds:
    """The moments at which the sweep acts on a case with a given deadline."""

    remind_at: datetime
    final_remind_at: datetime
    escalate_at: datetime


def thresholds(
    due_at: datetime, terms: PolicyTerms, holidays: frozenset[date], tz: ZoneInfo
) -> Thresholds:
    """Reminders at the start of the working day N working days before the due
    day and at the start of the due day; escalation at the end of the N-th
    working day after it."""
    due_day = local_date(due_at, tz)
    return Thresholds(
        remind_at=start_of_day(
            subtract_working_days(due_day, terms.remind_before_days, holidays), tz
        ),
        final_remind_at=start_of_day(due_day, tz),
        escalate_at=end_of_day(add_working_days(due_day, terms.escalate_after_days, holidays), tz),
    )


@dataclass(frozen=True)
class CaseDeadlines:
    """Every deadline of a case, and the sweep's thresholds while its clock
    can run (None for a case that already has its outcome: nothing is due)."""

    ack_due_at: datetime
    due_at: datetime
    progress_due_at: datetime | None
    ack_alert_at: datetime | None
    remind_at: datetime | None
    final_remind_at: datetime | None
    escalate_at: datetime | None


def holiday_window(
    received_at: datetime,
    terms: PolicyTerms,
    paused_days: int,
    tz: ZoneInfo,
    due_at: datetime | None = None,
) -> tuple[date, date]:
    """The dates whose holidays every deadline and threshold of the case can
    touch (``due_at``: a deadline already set, see :func:`case_deadlines`),
    so that a caller reads the holiday table once for all of them."""
    day = local_date(received_at, tz)
    around = max(terms.remind_before_days, terms.escalate_after_days)
    longest = max(terms.outcome_days, terms.ack_days, terms.progress_interval_days)
    last = day + timedelta(days=2 * (longest + paused_days + around) + 240)
    if due_at is not None:
        last = max(last, local_date(due_at, tz) + timedelta(days=2 * (paused_days + around) + 60))
    return day - timedelta(days=2 * around + 60), last


def case_deadlines(
    received_at: datetime,
    terms: PolicyTerms,
    holidays: frozenset[date],
    tz: ZoneInfo,
    *,
    now: datetime,
    paused_days: int = 0,
    due_at: datetime | None = None,
    ack_due_at: datetime | None = None,
    clock_running: bool = True,
) -> CaseDeadlines:
    """All the deadlines of a case received at ``received_at``.

    - ``ack_due_at`` and ``due_at`` count the policy's working days from the
      day of receipt, moved forward by the ``paused_days`` spent paused.
    - A deadline already set is given instead — an imported case's own, or a
      case's deadlines as they stood before a pause — and is moved forward
      by the ``paused_days`` alone (at resumption: the days of that pause).
    - The thresholds derive from ``ack_due_at`` and ``due_at``; a moment
      already past (a case registered late, a deadline shortened by a new
      policy) is ``now``, so
      that the next sweep, which looks at what crossed since its last run,
      still sees it. A case whose clock no longer runs (it has an outcome)
      has none.
    """

    def moved(given: datetime | None, days_from_receipt: int) -> datetime:
        if given is None:
            return deadline(received_at, days_from_receipt + paused_days, holidays, tz)
        return deadline(given, paused_days, holidays, tz) if paused_days else given

    ack_due_at = moved(ack_due_at, terms.ack_days)
    due_at = moved(due_at, terms.outcome_days)
    if not clock_running:
        return CaseDeadlines(ack_due_at, due_at, None, None, None, None, None)
    moments = thresholds(due_at, terms, holidays, tz)
    progress_due_at = deadline(received_at, terms.progress_interval_days, holidays, tz)
    return CaseDeadlines(
        ack_due_at=ack_due_at,
        due_at=due_at,
        progress_due_at=max(progress_due_at, now),
        ack_alert_at=max(ack_due_at, now),
        remind_at=max(moments.remind_at, now),
        final_remind_at=max(moments.final_remind_at, now),
        escalate_at=max(moments.escalate_at, now),
    )


@dataclass(frozen=True)
class CalendarDeadlines:
    """A deadline counted in calendar days and the sweep's thresholds for it:
    reminders at the start of the day N and M days before the due day, and
    escalation as soon as the due day has ended."""

    due_at: datetime
    remind_at: datetime
    final_remind_at: datetime
    escalate_at: datetime


def calendar_deadlines(
    received_at: datetime,
    days: int,
    tz: ZoneInfo,
    *,
    now: datetime,
    remind_before_days: int = 7,
    final_remind_before_days: int = 2,
) -> CalendarDeadlines:
    """The end of the N-th calendar day after the local day of receipt, in
    UTC, and its thresholds (a moment already past is ``now``, as for a case,
    so that the next sweep still sees it). Weekends and holidays count."""
    due_day = add_calendar_days(local_date(received_at, tz), days)
    due_at = end_of_day(due_day, tz)
    return CalendarDeadlines(
        due_at=due_at,
        remind_at=max(start_of_day(due_day - timedelta(days=remind_before_days), tz), now),
        final_remind_at=max(
            start_of_day(due_day - timedelta(days=final_remind_before_days), tz), now
        ),
        escalate_at=max(due_at + timedelta(seconds=1), now),
    )
