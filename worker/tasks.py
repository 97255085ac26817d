"""Thin tasks: take ids, call one service, commit once, safe to run twice."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from celery import shared_task
from celery import Task
from flask import current_app

from suggestion.core.extensions import db
from suggestion.core.jobs import BackgroundJob
from suggestion.core.jobs import JobStatus
from suggestion.core.jobs import send_tasks
from suggestion.core.jobs import stale_job_ids
from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName
from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.core.time import zone
from suggestion.notify import delivery
from suggestion.notify import outbox
from suggestion.reports.mailing import send_monthly_reports
from suggestion.sla.digest import send_digest
from suggestion.sla.recompute import recompute_open_deadlines
from suggestion.sla.sweep import run_sweep
from suggestion.sla.yearly import ensure_year

# How late a pending notification or job must be before the requeue publishes it again.
REQUEUE_GRACE_SECONDS = 60

# The jobs that changes can ask for (suggestion.core.jobs.enqueue_job).
JOBS = {JobName.RECOMPUTE_DEADLINES: recompute_open_deadlines}


@shared_task(name=TaskName.DELIVER_NOTIFICATION, bind=True, max_retries=None)
def deliver_notification(self: Task, notification_id: int) -> str:
    result = delivery.deliver(notification_id)
    db.session.commit()
    if result == delivery.DeliveryResult.RETRY:
        raise self.retry(countdown=delivery.backoff(self.request.retries + 1).total_seconds())
    return result


@shared_task(name=TaskName.REQUEUE_STALE)
def requeue_stale() -> int:
    """Publish again what a broker outage or a dead worker left pending."""
    notifications = outbox.stale_notification_ids(REQUEUE_GRACE_SECONDS)
    jobs = stale_job_ids(db.session(), timedelta(seconds=REQUEUE_GRACE_SECONDS))
    db.session.rollback()
    return outbox.publish(notifications) + send_tasks([(TaskName.RUN_JOB, (j,)) for j in jobs])


@shared_task(name=TaskName.SLA_SWEEP, ignore_result=True)
def sweep() -> dict[str, Any]:
    report = run_sweep()  # commits after each batch
    return {"skipped": report.skipped, **report.counts}


@shared_task(name=TaskName.SLA_DIGEST)
def digest() -> int:
    today = local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"]))
    sent = send_digest(today)
    db.session.commit()
    return sent


@shared_task(name=TaskName.MONTHLY_REPORTS)
def monthly_reports(day: str | None = None) -> int:
    """The monthly SLA report to managers and administrators (the task itself
    skips every day but the first working day of the month)."""
    today = (
        date.fromisoformat(day)
        if day
        else local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"]))
    )
    sent = send_monthly_reports(today)
    db.session.commit()
    return sent


@shared_task(name=TaskName.ENSURE_NEXT_YEAR)
def ensure_next_year() -> int:
    today = local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"]))
    added = ensure_year(today.year + 1)
    db.session.commit()
    return added


@shared_task(name=TaskName.RUN_JOB)
def run_job(job_id: int) -> str:
    job = db.session.get(BackgroundJob, job_id, with_for_update={"skip_locked": True})
    if job is None or job.status != JobStatus.PENDING:
        db.session.rollback()
        return "skipped"
    name, args = job.name, dict(job.args)
    db.session.commit()  # the job's own work commits in batches

    def finish(status: JobStatus, result: dict[str, Any]) -> None:
        db.session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(status=status, result=result, finished_at=utcnow())
        )
        db.session.commit()

    try:
        result = JOBS[JobName(name)](**args)
    except Exception as error:
        db.session.rollback()
        finish(JobStatus.FAILED, {"error": str(error)[:500]})
        raise
    finish(JobStatus.DONE, result)
    return "done"
