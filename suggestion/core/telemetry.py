"""What the site and the worker record of each request and each task: one log
line (LOG_FORMAT=json) and the Prometheus counts and durations that
``/metrics`` serves (suggestion.ops.metrics).

Under gunicorn and Celery's prefork pool, each process writes its figures to
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode), so that
the site's ``/metrics`` adds up every worker process of the site and of the
Celery workers on the host; without it (``make run``, the tests) each process
counts in its own memory.

No line and no label holds personal data: a request is named by its route
(``/track/link/<token>``, never the token) and endpoint, a task by its name;
ids are the request's, the task's and the logged-in user's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from typing import Any

from celery.exceptions import Retry
from flask import Flask
from flask import g
from flask import request
from flask import Response
from prometheus_client import Counter
from prometheus_client import disable_created_metrics
from prometheus_client import Histogram

from suggestion.core.logs import REQUEST_ID
from suggestion.core.logs import request_id_from
from suggestion.core.logs import TASK_ID

# No "_created" series beside each counter: twice the series, nothing to alert on.
disable_created_metrics()

request_log = logging.getLogger("suggestion.request")
task_log = logging.getLogger("suggestion.task")

REQUESTS = Counter(
    "suggestion_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "suggestion_http_request_duration_seconds",
    "Time to answer a request, by endpoint and status.",
    ["endpoint", "status"],
)
TASKS = Counter(
    "suggestion_tasks",
    "Celery tasks run, by task and outcome (succeeded, retried, failed).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "suggestion_task_duration_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
)

# Methods outside these are counted together: a label per made-up method
# would let any client grow the metrics without bound.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the endpoint of a path that no route matches


# --- Requests ---------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Time, count and log every request. Registered before every other hook,
    so that the time covers them all and the status is the one sent."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)  # after_request runs last-registered first
    app.teardown_request(_forget)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    g.request_id_token = REQUEST_ID.set(g.request_id)


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    endpoint = request.endpoint or UNMATCHED
    status = str(response.status_code)
    method = request.method if request.method in _METHODS else "other"
    REQUESTS.labels(endpoint, method, status).inc()
    REQUEST_SECONDS.labels(endpoint, status).observe(seconds)
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    if request_log.isEnabledFor(logging.INFO):
        route = request.url_rule.rule if request.url_rule is not None else None
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        }
        user = g.get("_login_user")  # only if this request loaded it
        if user is not None and getattr(user, "is_authenticated", False):
            fields["user_id"] = user.id
        request_log.info("%s %s %s", method, route or f"({UNMATCHED})", status, extra=fields)
    return response


def _forget(_error: BaseException | None) -> None:
    """Back to the id there was before the request (none, or a task's when
    a task makes a request context of its own)."""
    token = g.pop("request_id_token", None)
    if token is None:
        return
    # A token set in another context (a thread of its own) has nothing to undo here.
    with suppress(ValueError):
        REQUEST_ID.reset(token)


# --- Tasks ------------------------------------------------------------------------


@contextmanager
def task_run(name: str, task_id: str | None, request_id: str | None) -> Iterator[None]:
    """Time, count and log one run of a task; the lines written meanwhile carry
    its id and the id of the request that caused it."""
    task_token = TASK_ID.set(task_id)
    request_token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "succeeded"
    except Retry:
        outcome = "retried"
        raise
    finally:
        seconds = time.perf_counter() - started
        TASKS.labels(name, outcome).inc()
        TASK_SECONDS.labels(name).observe(seconds)
        task_log.info(
            "%s %s",
            name,
            outcome,
            extra={"task": name, "outcome": outcome, "duration_ms": round(seconds * 1000, 1)},
        )
        REQUEST_ID.reset(request_token)
        TASK_ID.reset(task_token)
