"""Thin tasks: take ids, call one service, safe to run twice. Each runs in the
unit of work (suggestion.core.jobs.celery_init_app): it commits once at its
end; a job commits after each of its batches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from functools import partial
from typing import Any

from celery import shared_task
from celery import Task
from flask import current_app

from suggestion.cases import attachments
from suggestion.core.extensions import db
from suggestion.core.jobs import beat
from suggestion.core.jobs import claim_job
from suggestion.core.jobs import finish_job
from suggestion.core.jobs import JobLost
from suggestion.core.jobs import JobStatus
from suggestion.core.jobs import send_tasks
from suggestion.core.jobs import stale_job_ids
from suggestion.core.settings import agency_today
from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName
from suggestion.core.time import utcnow
from suggestion.notify import delivery
from suggestion.notify import outbox
from suggestion.privacy.forgetting import run_retention
from suggestion.reports.mailing import send_monthly_reports
from suggestion.sla.digest import send_digest
from suggestion.sla.recompute import recompute_open_deadlines
from suggestion.sla.sweep import run_sweep
from suggestion.sla.yearly import ensure_year

log = logging.getLogger(__name__)

# The jobs that changes can ask for (suggestion.core.jobs.enqueue_job). Each
# takes its arguments and ``heartbeat``, which it calls before each commit.
JOBS: dict[JobName, Callable[..., dict[str, Any]]] = {
    JobName.RECOMPUTE_DEADLINES: recompute_open_deadlines,
}


def _requeue_grace() -> timedelta:
    return timedelta(seconds=current_app.config["REQUEUE_GRACE_SECONDS"])


@shared_task(name=TaskName.DELIVER_NOTIFICATION, bind=True, max_retries=None)
def deliver_notification(self: Task, notification_id: int) -> str:
    """Deliver once; a retry waits until the row's next attempt is due (the
    row, not this message's retry count, holds the back-off)."""
    delivery_ = delivery.deliver(notification_id)  # a retry keeps the attempt it records
    if delivery_.next_attempt_at is not None:
        wait = (delivery_.next_attempt_at - utcnow()).total_seconds()
        raise self.retry(countdown=max(wait, 0.0))
    return delivery_.result


@shared_task(name=TaskName.REQUEUE_STALE)
def requeue_stale() -> dict[str, int]:
    """Publish again what a broker outage left pending, and the jobs whose
    worker died; returns how many of each were published."""
    grace = _requeue_grace()
    notifications = outbox.stale_notification_ids(grace.total_seconds())
    jobs = stale_job_ids(db.session(), grace)
    db.session.rollback()
    return {
        "notifications": outbox.publish(notifications),
        "jobs": send_tasks([(TaskName.RUN_JOB, (job_id,)) for job_id in jobs]),
    }


@shared_task(name=TaskName.SLA_SWEEP, ignore_result=True)
def sweep() -> dict[str, Any]:
    report = run_sweep()  # commits after each batch
    return {"skipped": report.skipped, **report.counts}


@shared_task(name=TaskName.SLA_DIGEST)
def digest() -> int:
    today = agency_today()
    return send_digest(today)


@shared_task(name=TaskName.MONTHLY_REPORTS)
def monthly_reports(day: str | None = None) -> int:
    """The monthly SLA report to managers and administrators (the task itself
    skips every day but the first working day of the month)."""
    today = date.fromisoformat(day) if day else agency_today()
    return send_monthly_reports(today)


@shared_task(name=TaskName.ENSURE_NEXT_YEAR)
def ensure_next_year() -> int:
    today = agency_today()
    return ensure_year(today.year + 1)


@shared_task(name=TaskName.SWEEP_STAGED_FILES)
def sweep_staged_files() -> dict[str, int]:
    return attachments.sweep_staged()


@shared_task(name=TaskName.RETENTION, ignore_result=True)
def retention() -> dict[str, Any]:
    report = run_retention()  # commits after each batch
    return {
        "skipped": report.skipped,
        "files": report.files,
        "requests": report.requests,
        **report.cases,
    }


@shared_task(name=TaskName.RUN_JOB)
def run_job(job_id: int) -> str:
    """Claim the job and run it. A job another worker holds, or that has
    finished, is skipped: published twice, it still runs once."""
    session = db.session()
    claim = claim_job(session, job_id, _requeue_grace())
    session.commit()  # the claim is seen at once; the job's own work commits in batches
    if claim is None:
        return "skipped"
    try:
        job = JOBS[JobName(claim.name)]
        result = job(**claim.args, heartbeat=partial(beat, session, claim))
    except JobLost:
        session.rollback()
        log.warning("job %d was claimed again by another worker; this run stops", job_id)
        return "lost"
    except Exception as error:
        session.rollback()
        finish_job(session, claim, JobStatus.FAILED, {"error": str(error)[:500]})
        session.commit()
        raise
    finished = finish_job(session, claim, JobStatus.DONE, result)
    session.commit()
    return "done" if finished else "lost"
