"""The names of the worker's tasks and of the jobs changes ask for, declared once.

The web code asks for work by name (the outbox, ``enqueue_job``), so it never
imports the worker; the worker registers its tasks and beat schedules them
under the same names. ``tests/test_task_names.py`` holds the two sides together.
"""

from __future__ import annotations

import enum


class TaskName(enum.StrEnum):
    """Celery tasks, registered in ``worker/tasks.py``."""

    DELIVER_NOTIFICATION = "notify.deliver"
    REQUEUE_STALE = "notify.requeue_stale"
    SLA_SWEEP = "sla.sweep"
    SLA_DIGEST = "sla.digest"
    MONTHLY_REPORTS = "reports.monthly"
    ENSURE_NEXT_YEAR = "calendar.ensure_next_year"
    RUN_JOB = "jobs.run"
    SWEEP_STAGED_FILES = "files.sweep_staged"
    RETENTION = "privacy.retention"


class JobName(enum.StrEnum):
    """Background jobs (``suggestion.core.jobs.enqueue_job``), each run by
    ``jobs.run`` through the worker's table of job functions."""

    RECOMPUTE_DEADLINES = "sla.recompute_deadlines"
