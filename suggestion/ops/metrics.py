"""``/metrics`` (DESIGN §2): Prometheus's text format, for the addresses or
the bearer token the settings allow; anyone else gets the site's 404.

Besides the request and task figures of suggestion.core.telemetry (added up
over every process that writes to ``PROMETHEUS_MULTIPROC_DIR``), it serves
the health of the deadlines themselves, as gauges: open, overdue and due-soon
cases; the outbox's pending and failed e-mails and the age of the oldest
pending one; when the deadline sweep last finished; jobs by status. They are
counted by a few indexed queries that read the open cases and the unsent
e-mails, never the whole history, and kept for ``METRICS_CACHE_SECONDS`` by
each process, so that scrapes cost the same at a million cases as at a
thousand (``make bench``). Counts only: no case, no address, no name.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import current_app
from flask import request
from flask import Response
from prometheus_client import CollectorRegistry
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import generate_latest
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from suggestion.calendar.services import holiday_dates
from suggestion.calendar.workdays import add_working_days
from suggestion.cases.models import Case
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import values
from suggestion.core.extensions import db
from suggestion.core.jobs import BackgroundJob
from suggestion.core.jobs import JobStatus
from suggestion.core.settings import agency_zone
from suggestion.core.time import end_of_day
from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus
from suggestion.ops.health import bp
from suggestion.sla.digest import DUE_SOON_DAYS
from suggestion.sla.models import SweepRun

log = logging.getLogger(__name__)


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed():
        abort(404)
    body = generate_latest(_process_registry()) + generate_latest(_domain_registry())
    response = Response(body, mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return _address_allowed(request.remote_addr, current_app.config["METRICS_ALLOWED_ADDRESSES"])


def _address_allowed(address: str | None, allowed: str) -> bool:
    """Whether the client's address is in one of the comma-separated
    addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``)."""
    if not address or not allowed.strip():
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed.split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            if client in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a mistyped entry allows nobody (check-deploy could name it)
    return False


def _process_registry() -> CollectorRegistry:
    """The request and task figures: of every process writing to the
    multiprocess folder if there is one, else of this process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _domain_registry() -> CollectorRegistry:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    registry = app.extensions.get("domain_metrics")
    if registry is None:
        registry = app.extensions["domain_metrics"] = CollectorRegistry(auto_describe=False)
        registry.register(DomainCollector())
    return registry


# --- The health of the deadlines ---------------------------------------------------


class DomainCollector(Collector):
    """The gauges of DESIGN §2, counted at most once per METRICS_CACHE_SECONDS
    by this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[float, dict[str, Any]] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures, counted = self._figures()
        yield GaugeMetricFamily(
            "suggestion_domain_metrics_up",
            "1 if the gauges below were counted (now or a moment ago); 0 if the "
            "database did not answer, and they are the last ones counted, if any.",
            value=1 if counted else 0,
        )
        if figures is None:
            return
        for name, help_text in GAUGES.items():
            yield GaugeMetricFamily(name, help_text, value=figures[name])
        jobs = GaugeMetricFamily(
            "suggestion_jobs", "Background jobs, by status.", labels=["status"]
        )
        for status in JobStatus:
            jobs.add_metric([status.value], figures["jobs"].get(status.value, 0))
        yield jobs

    def _figures(self) -> tuple[dict[str, Any] | None, bool]:
        """The figures, and whether they could be counted. A database that
        does not answer costs the scrape only these gauges: the request and
        task figures are served still, and the last gauges with them."""
        with self._lock:
            now = time.monotonic()
            seconds = float(current_app.config["METRICS_CACHE_SECONDS"])
            if self._kept is None or now - self._kept[0] >= seconds:
                try:
                    figures = count_figures()
                except sa.exc.SQLAlchemyError:
                    db.session.rollback()
                    log.warning("metrics: the database did not answer; the gauges are stale")
                    return (self._kept[1] if self._kept else None), False
                self._kept = (now, figures)
            return self._kept[1], True


GAUGES = {
    "suggestion_cases_open": "Cases being worked on (received, screening, awaiting "
    "information, in progress).",
    "suggestion_cases_overdue": "Open cases past their deadline (as the staff queue and the "
    "published figures count them).",
    "suggestion_cases_due_soon": "Open cases not yet overdue, due by the end of the 3rd "
    "working day from today.",
    "suggestion_outbox_pending": "E-mails waiting to be delivered.",
    "suggestion_outbox_failed": "E-mails given up on after every attempt.",
    "suggestion_outbox_oldest_pending_seconds": "Age of the oldest e-mail waiting "
    "(0 when none waits).",
    "suggestion_sweep_last_success_timestamp_seconds": "When the deadline sweep last "
    "finished (Unix time; 0: never).",
}


def count_figures() -> dict[str, Any]:
    """The gauges, from indexed queries over the open cases, the unsent
    e-mails, the newest sweep run and the jobs."""
    now = utcnow()
    cases = _case_figures(now)
    outbox = {
        status: (count, oldest)
        for status, count, oldest in db.session.execute(
            sa.select(Notification.status, sa.func.count(), sa.func.min(Notification.created_at))
            .where(
                Notification.status.in_(
                    [NotificationStatus.PENDING.value, NotificationStatus.FAILED.value]
                )
            )
            .group_by(Notification.status)
        )
    }
    pending, oldest = outbox.get(NotificationStatus.PENDING.value, (0, None))
    last_sweep = db.session.scalar(
        sa.select(SweepRun.finished_at)
        .where(SweepRun.finished_at.is_not(None))
        .order_by(SweepRun.started_at.desc())
        .limit(1)
    )
    jobs = dict(
        db.session.execute(
            sa.select(BackgroundJob.status, sa.func.count()).group_by(BackgroundJob.status)
        ).all()
    )
    db.session.rollback()  # a read: end the transaction, hold nothing
    return {
        "suggestion_cases_open": cases.open,
        "suggestion_cases_overdue": cases.overdue,
        "suggestion_cases_due_soon": cases.due_soon,
        "suggestion_outbox_pending": pending,
        "suggestion_outbox_failed": outbox.get(NotificationStatus.FAILED.value, (0, None))[0],
        "suggestion_outbox_oldest_pending_seconds": _age(now, oldest),
        "suggestion_sweep_last_success_timestamp_seconds": _timestamp(last_sweep),
        "jobs": {str(status): count for status, count in jobs.items()},
    }


def _case_figures(now: datetime) -> sa.Row[int, int, int]:
    """Open, overdue and due-soon cases in one pass over the open cases'
    index (ix_cases_open_due_at): what the staff queue and the published
    "overdue now" count, whatever the history holds."""
    tz = agency_zone()
    today = local_date(now, tz)
    holidays = holiday_dates(today, today + timedelta(days=3 * DUE_SOON_DAYS + 60))
    soon = end_of_day(add_working_days(today, DUE_SOON_DAYS, holidays), tz)
    count = sa.func.count()
    return db.session.execute(
        sa.select(
            count.label("open"),
            count.filter(Case.due_at < now).label("overdue"),
            count.filter(Case.due_at >= now, Case.due_at <= soon).label("due_soon"),
        ).where(Case.status.in_(values(OPEN_STATES)))
    ).one()


def _age(now: datetime, then: datetime | None) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


def _timestamp(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    return moment.replace(tzinfo=UTC).timestamp() if moment.tzinfo is None else moment.timestamp()
