"""Background work: Celery made from the Flask app, and tasks asked for only
after the transaction that needs them has committed.

Every task runs inside the app context, so services and the database session
work as in a request; the task commits once and the session is removed after.
Work that must not be lost (e-mail, recomputations) is first written as a row
in the same transaction (the outbox, ``background_jobs``); the task is then
published after commit, and a periodic requeue publishes whatever a broker
outage left behind.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from celery import Celery
from celery import Task
from celery.exceptions import Retry
from flask import current_app
from flask import Flask
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import Session

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.db import StrEnumType
from suggestion.core.extensions import db
from suggestion.core.logs import REQUEST_ID
from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName
from suggestion.core.telemetry import task_run
from suggestion.core.time import utcnow
from suggestion.core.uow import on_commit
from suggestion.core.uow import on_rollback
from suggestion.core.uow import unit_of_work

log = logging.getLogger(__name__)

_AFTER_COMMIT = "tasks_after_commit"


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        """Runs in the app context and in the unit of work: a task commits once
        at its end (a job may commit batch by batch before), and rolls back on
        any error; a task asking to be retried keeps what it recorded."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            given = self.request.get("request_id")
            with app.app_context(), task_run(self.name, self.request.id, given):
                try:
                    with unit_of_work(keep_on=(Retry,)):
                        return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    app.extensions["task_publisher"] = CeleryPublisher(celery_app)
    return celery_app


# --- Publishing after commit -----------------------------------------------------


class CeleryPublisher:
    """Publishes tasks to the broker, failing fast: a broker that cannot be
    reached is logged, not raised, and not waited for — the rows behind the
    tasks wait for the periodic requeue.

    Kombu retries a connection it cannot make (2 s, then 4 s) even for
    ``send_task(retry=False)``: with the broker down, every request that
    published held its worker for about six seconds and the site stalled
    (issue 12). Publishing therefore uses a connection of its own that tries
    once, with a short connect timeout.
    """

    CONNECT_TIMEOUT = 0.5  # seconds; a refused connection fails at once

    def __init__(self, celery: Celery, queue: str | None = None) -> None:
        self.celery = celery
        self.queue = queue  # None: the app's default queue

    def send(self, calls: list[tuple[TaskName, tuple[Any, ...]]]) -> int:
        if not calls:
            return 0
        sent = 0
        # The request (or the task) that asks for them: its id rides along.
        request_id = REQUEST_ID.get()
        headers = {"request_id": request_id} if request_id else None
        try:
            with self.celery.connection_for_write(
                connect_timeout=self.CONNECT_TIMEOUT,
                transport_options={
                    **self.celery.conf.broker_transport_options,
                    "max_retries": 0,
                },
            ) as connection:
                for task_name, args in calls:
                    self.celery.send_task(
                        task_name,
                        args=list(args),
                        retry=False,
                        connection=connection,
                        queue=self.queue,
                        headers=headers,
                    )
                    sent += 1
        except Exception:  # the broker is unreachable: the rows wait
            log.warning("broker unavailable; %d tasks left for the requeue", len(calls) - sent)
        return sent

    def unreachable(self) -> str | None:
        """Why the broker cannot be reached now (None: it answers), trying
        once, as briefly as publishing does (``/readyz``)."""
        try:
            with self.celery.connection_for_write(
                connect_timeout=self.CONNECT_TIMEOUT,
                transport_options={
                    **self.celery.conf.broker_transport_options,
                    "max_retries": 0,
                },
            ) as connection:
                connection.ensure_connection(max_retries=1, timeout=self.CONNECT_TIMEOUT)
        except Exception as error:
            return f"{type(error).__name__}: {str(error).strip()[:200]}"
        return None


def send_tasks(calls: list[tuple[TaskName, tuple[Any, ...]]]) -> int:
    """Publish tasks now, through the app's publisher; returns how many went."""
    return int(current_app.extensions["task_publisher"].send(calls))


def after_commit(session: Session, task_name: TaskName, *args: Any) -> None:
    """Publish ``task_name(*args)`` once ``session`` commits (never on rollback),
    all of a transaction's tasks together."""
    calls = session.info.get(_AFTER_COMMIT)
    if calls is None:
        calls = session.info[_AFTER_COMMIT] = []

        def publish() -> None:
            send_tasks(session.info.pop(_AFTER_COMMIT, []))

        on_commit(publish, session)
        on_rollback(lambda: session.info.pop(_AFTER_COMMIT, None), session)
    calls.append((task_name, args))


# --- Jobs: longer work asked for by a change, with its report ---------------------
#
# A job is claimed before it runs: one UPDATE moves it to ``running`` (whoever
# gets the row runs it, anyone else skips), so a job published twice (the
# requeue, a broker's redelivery) runs once. While it runs, its worker beats
# (``heartbeat_at``) after each batch, so a job longer than the requeue's grace
# is not published again; a job whose worker died stops beating, and after
# HEARTBEAT_GRACES graces the requeue publishes it and a worker claims it again.


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# A running job whose worker has not beaten for this many requeue graces is
# presumed dead: published again and claimable again.
HEARTBEAT_GRACES = 5

# What a job calls after each batch (before it commits): the worker still lives.
Heartbeat = Callable[[], None]


class BackgroundJob(Base):
    """A piece of work recorded with the change that asks for it, run by the
    worker after commit, with what it did kept for the people who asked."""

    __tablename__ = "background_jobs"
    __table_args__ = (sa.CheckConstraint(enum_check("status", JobStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    args: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        StrEnumType(JobStatus, 10), default=JobStatus.PENDING, index=True
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the latest claim; the heartbeat moves on while the job runs.
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # Claims so far. The number of its claim is also a worker's token: a worker
    # presumed dead, yet alive, finds another claim in its place and stops.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None]


class JobLost(Exception):
    """The job was claimed again by another worker (this one had not beaten for
    long enough to be presumed dead): what this one did since its last beat is
    rolled back, and it stops."""


@dataclass(frozen=True)
class JobClaim:
    """A job this worker holds: what to run, and the claim it runs under."""

    job_id: int
    name: str
    args: dict[str, Any]
    attempt: int


def enqueue_job(session: Session, name: JobName, **args: Any) -> BackgroundJob:
    job = BackgroundJob(name=name, args=args)
    session.add(job)
    session.flush()
    after_commit(session, TaskName.RUN_JOB, job.id)
    return job


def presumed_dead_before(grace: timedelta) -> datetime:
    """A running job whose last beat is older than this has lost its worker."""
    return utcnow() - grace * HEARTBEAT_GRACES


def claim_job(session: Session, job_id: int, grace: timedelta) -> JobClaim | None:
    """Move the job to ``running`` in one statement, if it is pending or its
    worker stopped beating; None if it is not there to take (another worker
    holds it, or it has finished). The caller commits at once."""
    now = utcnow()
    row = session.execute(
        sa.update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            sa.or_(
                BackgroundJob.status == JobStatus.PENDING,
                sa.and_(
                    BackgroundJob.status == JobStatus.RUNNING,
                    BackgroundJob.heartbeat_at < presumed_dead_before(grace),
                ),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=BackgroundJob.attempts + 1,
        )
        .returning(BackgroundJob.name, BackgroundJob.args, BackgroundJob.attempts)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return None
    return JobClaim(job_id=job_id, name=row.name, args=dict(row.args), attempt=row.attempts)


def _held(claim: JobClaim) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        BackgroundJob.id == claim.job_id,
        BackgroundJob.status == JobStatus.RUNNING,
        BackgroundJob.attempts == claim.attempt,
    )


def beat(session: Session, claim: JobClaim) -> None:
    """The job's worker lives. Written in the job's own transaction, so a batch
    commits with its beat; raises :class:`JobLost` if another worker claimed
    the job meanwhile, so that this batch is not committed at all."""
    beaten = session.execute(
        sa.update(BackgroundJob)
        .where(*_held(claim))
        .values(heartbeat_at=utcnow())
        .returning(BackgroundJob.id)
        .execution_options(synchronize_session=False)
    ).first()
    if beaten is None:
        raise JobLost(claim.job_id)


def finish_job(
    session: Session, claim: JobClaim, status: JobStatus, result: dict[str, Any]
) -> bool:
    """Record how the job ended, if it is still this claim's; False if another
    worker has claimed it since (its own run will report)."""
    finished = session.execute(
        sa.update(BackgroundJob)
        .where(*_held(claim))
        .values(status=status, result=result, finished_at=utcnow())
        .returning(BackgroundJob.id)
        .execution_options(synchronize_session=False)
    ).first()
    return finished is not None


def stale_job_ids(session: Session, grace: timedelta, limit: int = 100) -> list[int]:
    """The jobs the requeue publishes again: pending for longer than the grace
    (the broker never had them, or lost them), or running without a beat for
    HEARTBEAT_GRACES graces (their worker died). A job that runs and beats is
    never among them, however long it takes."""
    return list(
        session.scalars(
            sa.select(BackgroundJob.id)
            .where(
                sa.or_(
                    sa.and_(
                        BackgroundJob.status == JobStatus.PENDING,
                        BackgroundJob.created_at <= utcnow() - grace,
                    ),
                    sa.and_(
                        BackgroundJob.status == JobStatus.RUNNING,
                        BackgroundJob.heartbeat_at < presumed_dead_before(grace),
                    ),
                )
            )
            .order_by(BackgroundJob.id)
            .limit(limit)
        )
    )
