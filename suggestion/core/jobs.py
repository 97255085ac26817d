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
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.core.uow import on_commit
from suggestion.core.uow import on_rollback
from suggestion.core.uow import unit_of_work

log = logging.getLogger(__name__)

_AFTER_COMMIT = "tasks_after_commit"
RUN_JOB_TASK = "jobs.run"


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        """Runs in the app context and in the unit of work: a task commits once
        at its end (a job may commit batch by batch before), and rolls back on
        any error; a task asking to be retried keeps what it recorded."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
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
    """Publishes tasks to the broker; one that cannot be reached is logged,
    not raised: the rows behind the tasks wait for the periodic requeue."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    def send(self, calls: list[tuple[str, tuple[Any, ...]]]) -> int:
        sent = 0
        for task_name, args in calls:
            try:
                self.celery.send_task(task_name, args=list(args), retry=False)
            except Exception:  # the broker is unreachable: the rows wait
                log.warning("broker unavailable; %s left for the requeue", task_name)
                break
            sent += 1
        return sent


def send_tasks(calls: list[tuple[str, tuple[Any, ...]]]) -> int:
    """Publish tasks now, through the app's publisher; returns how many went."""
    return int(current_app.extensions["task_publisher"].send(calls))


def after_commit(session: Session, task_name: str, *args: Any) -> None:
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


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(Base):
    """A piece of work recorded with the change that asks for it, run by the
    worker after commit, with what it did kept for the people who asked."""

    __tablename__ = "background_jobs"
    __table_args__ = (sa.CheckConstraint(enum_check("status", JobStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    args: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default=JobStatus.PENDING, index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


def enqueue_job(session: Session, name: str, **args: Any) -> BackgroundJob:
    job = BackgroundJob(name=name, args=args)
    session.add(job)
    session.flush()
    after_commit(session, RUN_JOB_TASK, job.id)
    return job


def stale_job_ids(session: Session, grace: timedelta, limit: int = 100) -> list[int]:
    cutoff = utcnow() - grace
    return list(
        session.scalars(
            sa.select(BackgroundJob.id)
            .where(BackgroundJob.status == JobStatus.PENDING, BackgroundJob.created_at <= cutoff)
            .order_by(BackgroundJob.id)
            .limit(limit)
        )
    )
