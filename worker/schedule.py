"""Every periodic task of the system, in one place (Celery beat reads it).
Times are in the agency's zone (Celery's ``timezone`` is set to it).

Task names go in as plain strings: beat pickles its entries into its schedule
file, and a plain string still loads after a task has been renamed or retired
(an enum member would stop beat from starting)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab

from suggestion.core.tasks import TaskName


def beat_schedule(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        # Publishes outbox rows and jobs that missed their moment (the broker was
        # down, a worker died): nothing written to the outbox is ever lost.
        "notify-requeue-stale": {
            "task": TaskName.REQUEUE_STALE.value,
            "schedule": timedelta(minutes=1),
        },
        # Reminders, acknowledgement and escalation alerts, progress updates.
        "sla-sweep": {
            "task": TaskName.SLA_SWEEP.value,
            "schedule": timedelta(seconds=config["SLA_SWEEP_SECONDS"]),
            "options": {"expires": config["SLA_SWEEP_SECONDS"]},
        },
        # The morning digest (the task itself skips weekends and holidays).
        "sla-digest": {"task": TaskName.SLA_DIGEST.value, "schedule": crontab(hour=7, minute=30)},
        # Files a process wrote but never committed nor removed (it died in
        # between): moved into place if their row exists, else removed.
        "files-sweep-staged": {
            "task": TaskName.SWEEP_STAGED_FILES.value,
            "schedule": crontab(hour=3, minute=15),
        },
        # The filer's personal data of cases past their retention period,
        # anonymised (suggestion.cases.anonymise); at night, after the files.
        "privacy-retention": {
            "task": TaskName.RETENTION.value,
            "schedule": crontab(hour=3, minute=45),
        },
        # Last month's SLA report to managers and administrators (the task
        # skips every day but the first working day of the month).
        "reports-monthly": {
            "task": TaskName.MONTHLY_REPORTS.value,
            "schedule": crontab(hour=7, minute=0),
        },
        # Next year's holidays, loaded in advance on 1 November.
        "calendar-next-year": {
            "task": TaskName.ENSURE_NEXT_YEAR.value,
            "schedule": crontab(day_of_month=1, month_of_year=11, hour=6, minute=0),
        },
    }
