"""The Celery application: ``celery -A worker worker`` and ``celery -A worker beat``."""

import logging
import os
from typing import Any

from celery.signals import setup_logging
from celery.signals import worker_process_shutdown

from suggestion import create_app
from suggestion.core import logs
from worker.schedule import beat_schedule

flask_app = create_app()
app = flask_app.extensions["celery"]
app.conf.beat_schedule = beat_schedule(flask_app.config)


@setup_logging.connect
def _log_like_the_site(loglevel: Any = None, **_: Any) -> None:
    """The worker and beat log in the site's LOG_FORMAT, each line with the
    ids of its task and of the request behind it. With json, a task writes
    the one line of suggestion.core.telemetry instead of Celery's "received"
    and "succeeded" lines; failures still log their traceback."""
    log_format = flask_app.config["LOG_FORMAT"]
    logs.configure(log_format, replace=True, level=loglevel or logging.WARNING)
    if log_format == "json":
        for name in ("celery.app.trace", "celery.worker.strategy"):
            logging.getLogger(name).setLevel(logging.WARNING)


@worker_process_shutdown.connect
def _tidy_metrics(pid: int | None = None, **_: Any) -> None:
    """Prometheus multiprocess mode: a pool process that ends takes its live
    gauges out of /metrics' sum (as gunicorn's child_exit does for the site)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


from worker import tasks  # noqa: E402,F401  (registers the tasks)
