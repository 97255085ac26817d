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
from flask import current_app
from flask import Flask
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import Session

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName
from suggestion.core.time import utcnow

log = logging.getLogger(__name__)

_AFTER_COMMIT = "tasks_after_commit"


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            from suggestion.core.extensions import db

            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


# --- Publishing after commit -----------------------------------------------------


def after_commit(session: Session, task_name: TaskName, *args: Any) -> None:
    """Publish ``task_name(*args)`` once ``session`` commits (never on rollback)."""
    session.info.setdefault(_AFTER_COMMIT, []).append((task_name, args))


def send_tasks(calls: list[tuple[TaskName, tuple[Any, ...]]]) -> int:
    """Publish tasks; a broker that cannot be reached is logged, not raised:
    the rows behind the tasks wait for the periodic requeue."""
    celery = current_app.extensions["celery"]
    sent = 0
    for task_name, args in calls:
        try:
            celery.send_task(task_name, args=list(args), retry=False)
        except Exception:  # the broker is unreachable: the rows wait
            log.warning("broker unavailable; %s left for the requeue", task_name)
            break
        sent += 1
    return sent


def _publish(session: Session) -> None:
    calls = session.info.pop(_AFTER_COMMIT, None)
    if calls:
        send_tasks(calls)


def _forget(session: Session, *args: Any) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def init_publishing() -> None:
    """Hook publishing into every SQLAlchemy session (once per process)."""
    if not sa.event.contains(Session, "after_commit", _publish):
        sa.event.listen(Session, "after_commit", _publish)
        sa.event.listen(Session, "after_rollback", _forget)


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


def enqueue_job(session: Session, name: JobName, **args: Any) -> BackgroundJob:
    job = BackgroundJob(name=name, args=args)
    session.add(job)
    session.flush()
    after_commit(session, TaskName.RUN_JOB, job.id)
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
