"""gunicorn's settings for the site behind nginx (deploy/nginx/suggestion.conf):

    gunicorn -c deploy/gunicorn.conf.py wsgi:app     # deploy/systemd/suggestion-web.service

Settings given on the command line win over these (the tests bind elsewhere).
`systemctl reload suggestion-web` sends HUP: gunicorn reads this file again,
starts new workers with the code now on disk and lets the old ones finish
their requests (graceful_timeout) — no request is refused during an upgrade.
"""

from __future__ import annotations

import os
from typing import Any

# nginx holds every slow client: it reads a whole request (bodies of up to
# 60 MB included) before it passes it on, and takes the whole answer at once
# (proxy_request_buffering and proxy_buffering in the site). A worker is
# therefore busy only for the milliseconds the app itself takes, and the
# plain synchronous worker is the right one: one request per process, no
# threads for SQLAlchemy sessions or Flask-Limiter to share, nothing to patch.
# Without nginx in front, 4 sync workers are held by 4 slow clients (README,
# "Production").
worker_class = "sync"

# The work is waiting on PostgreSQL and Redis as much as computing: gunicorn's
# rule of thumb, 2 × cores + 1, keeps every core busy while some workers wait.
# WEB_CONCURRENCY overrides it. Each worker holds one database connection at a
# time: workers × machines + Celery's processes must stay below PostgreSQL's
# max_connections (100 by default).
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (_cores or 1) + 1)

# A unix socket that only nginx may reach: the directory /run/suggestion is
# suggestion:www-data 0750 (deploy/systemd/suggestion.tmpfiles.conf), so the
# socket itself may be open to all (umask 0). A TCP port on 127.0.0.1 would let
# any local user talk to gunicorn directly and choose their X-Forwarded-For,
# which PROXY_COUNT=1 believes.
bind = ["unix:/run/suggestion/web.sock"]
umask = 0o000  # the socket's mode only; the app's files follow the unit's UMask=

# A worker silent this long is killed and its request answered 502 by nginx.
# Most requests take milliseconds; the longest legitimate one is the staff's
# whole-history CSV export, streamed at about 23,000 rows a second
# (docs/performance.md): some 40 s at a million cases. nginx's
# proxy_read_timeout is the same 120 s.
timeout = 120

# On HUP (reload) or TERM (stop), a worker has this long to finish the
# request it is serving before it is killed. The unit's TimeoutStopSec= is
# longer.
graceful_timeout = 30

# The sync worker closes each connection after one answer and ignores
# keepalive; nginx keeps the clients' connections alive instead (its
# keepalive_timeout). Set for the day someone changes worker_class.
keepalive = 5

# Workers are not replaced after a number of requests (max_requests): each
# replaced worker would leave its figures' files in PROMETHEUS_MULTIPROC_DIR
# (memory: /run is a tmpfs) until the next boot, and every scrape of /metrics
# reads them all, so a busy site would slow its own scrapes day by day. The
# app keeps no state that grows with requests; if a library ever leaks, set
# max_requests here (in the tens of thousands) and reboot now and then.
max_requests = 0

# Only X-Forwarded-Proto tells gunicorn the scheme, and only from nginx:
# over the unix socket every peer is nginx; over TCP only these addresses.
# The client's address is the app's business, not gunicorn's: PROXY_COUNT=1
# (werkzeug's ProxyFix) takes the last X-Forwarded-For entry, which nginx sets.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# The heartbeat file of each worker on a memory file system, so that a busy
# disk never makes the master think a worker hangs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# No control socket (gunicorn 25.1+ opens one in $HOME/.gunicorn by default,
# which the units' ProtectHome= forbids): systemd is the one control, with
# `systemctl reload` (HUP) and `systemctl stop` (TERM).
control_socket_disable = True

# The app is loaded by each worker, not by the master (no preload_app), so that
# HUP brings in new code. Logs go to standard error, that is the journal.
accesslog = None  # nginx writes the access log, with the secret link's token masked
errorlog = "-"
# gunicorn's own lines (workers booted, timed out, restarted) in the site's
# format: with LOG_FORMAT=json (production's default) every line of the
# journal is one JSON object, the app's request lines among them.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "suggestion.core.logs.formatter", "log_format": "json"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        # The app's own records: the handler each worker's app adds
        # (suggestion.core.logs.configure), with the request's id.
        "root": {"level": "WARNING", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }


def child_exit(server: Any, worker: Any) -> None:
    """Prometheus multiprocess mode: a worker that exits takes its live
    gauges out of the sum /metrics reports (its counters stay counted)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    try:
        from prometheus_client import multiprocess
    except ImportError:  # the metrics are not installed: nothing to tidy
        return
    multiprocess.mark_process_dead(worker.pid)
