"""`flask check-deploy` (DESIGN §2): what a production site must not run
with, checked from its settings and its database. Each problem is one line
an operator can act on."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from typing import Any

import sqlalchemy as sa

from suggestion.core.ctype import check_connection
from suggestion.core.roles import problems as role_problems

MIN_SECRET_LENGTH = 32
KNOWN_SECRETS = {"development-only-not-secret", "testing-only-not-secret", "change-me", "secret"}


def settings_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        problems.append("SECRET_KEY is not set")
    elif secret in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"SECRET_KEY is weak: use at least {MIN_SECRET_LENGTH} random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if config.get("MAIL_BACKEND") != "smtp" or not config.get("MAIL_SERVER"):
        problems.append(
            "MAIL_SERVER is not set: e-mails to filers (access keys, secret links) "
            "would go to a folder"
        )
    public_https = str(config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    if not public_https:
        problems.append(
            f"PUBLIC_BASE_URL={config.get('PUBLIC_BASE_URL')!r} is not an https:// address: "
            "links in e-mails would send filers' keys in clear"
        )
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL is not set: the site would run on the embedded SQLite")
    problems += _monitoring_problems(config)
    if public_https and not int(config.get("PROXY_COUNT") or 0):
        problems.append(
            "PROXY_COUNT is 0 behind an https address: with nginx in front (README, "
            "'Production') set PROXY_COUNT=1, or every client is throttled as the proxy"
        )
    return problems


def _monitoring_problems(config: Mapping[str, Any]) -> list[str]:
    """What monitoring and the logs need (README, 'Monitoring')."""
    found = []
    if config.get("LOG_FORMAT") != "json":
        found.append(
            "LOG_FORMAT is not json: the logs have no line per request and per task, "
            "and no request id to find them by"
        )
    token = config.get("METRICS_TOKEN") or ""
    if token and not (token.isascii() and token.isprintable() and " " not in token):
        found.append(
            "METRICS_TOKEN has spaces or characters outside ASCII: a scraper's header cannot "
            'carry it (python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    elif token and len(token) < MIN_SECRET_LENGTH:
        found.append(
            f"METRICS_TOKEN is weak: use at least {MIN_SECRET_LENGTH} random characters, "
            "or none (and METRICS_ALLOWED_ADDRESSES)"
        )
    for entry in str(config.get("METRICS_ALLOWED_ADDRESSES") or "").split(","):
        try:
            if entry.strip():
                ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            found.append(
                f"METRICS_ALLOWED_ADDRESSES: {entry.strip()!r} is not an address or a network "
                "(it allows nobody)"
            )
    if not token and not str(config.get("METRICS_ALLOWED_ADDRESSES") or "").strip():
        found.append(
            "neither METRICS_TOKEN nor METRICS_ALLOWED_ADDRESSES is set: /metrics answers "
            "404 to everyone, so nothing watches the deadlines (README, 'Monitoring')"
        )
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        found.append(
            "PROMETHEUS_MULTIPROC_DIR is not set: each scrape of /metrics would count one "
            "gunicorn worker's requests (set it to /run/suggestion/metrics, "
            "deploy/suggestion.env.example)"
        )
    elif not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
        found.append(
            f"PROMETHEUS_MULTIPROC_DIR={folder} is not a folder this user may write: "
            "install deploy/systemd/suggestion.tmpfiles.conf (systemd-tmpfiles --create)"
        )
    return found


SWEEP_SILENT_FOR = timedelta(minutes=15)


def database_problems(engine: sa.Engine, *, now: datetime | None = None) -> list[str]:
    """The database's ctype, the role the site connects as, next year's
    holidays, and the sweep's last run."""
    now = now or datetime.now(UTC)
    found: list[str] = []
    try:
        with engine.connect() as connection:
            if problem := check_connection(connection):
                found.append(problem)
            if connection.dialect.name == "postgresql":
                role = connection.execute(sa.text("SELECT current_user")).scalar_one()
                found += [
                    f"the site's database role: {problem} (connect as a role that owns "
                    "nothing: README, 'The database roles'; flask db grant ROLE)"
                    for problem in role_problems(connection, role)
                ]
            found += _calendar_problems(connection, now) + _sweep_problems(connection, now)
    except sa.exc.SQLAlchemyError as error:
        return [f"the database does not answer: {error.__class__.__name__}: {error}"]
    return found


def _calendar_problems(connection: sa.Connection, now: datetime) -> list[str]:
    year = now.year + 1
    loaded = connection.execute(
        sa.text("SELECT count(*) FROM holidays WHERE day BETWEEN :first AND :last"),
        {"first": date(year, 1, 1), "last": date(year, 12, 31)},
    ).scalar_one()
    if loaded:
        return []
    return [
        f"the holidays of {year} are not loaded: deadlines that reach into {year} would "
        f"count its holidays as working days (flask holidays sync --year {year})"
    ]


def _sweep_problems(connection: sa.Connection, now: datetime) -> list[str]:
    # The newest run that finished, found through the index on started_at.
    last = connection.execute(
        sa.text(
            "SELECT finished_at FROM sweep_runs WHERE finished_at IS NOT NULL"
            " ORDER BY started_at DESC LIMIT 1"
        )
    ).scalar()
    if isinstance(last, str):  # SQLite keeps it as text
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is not None and now - last <= SWEEP_SILENT_FOR:
        return []
    when = "has never run" if last is None else f"last ran at {last:%Y-%m-%d %H:%M} UTC"
    return [
        f"the deadline sweep {when}: is celery beat running? (exactly one: "
        "celery -A worker beat; README, 'Production')"
    ]


def deploy_problems(config: Mapping[str, Any], engine: sa.Engine) -> list[str]:
    return settings_problems(config) + database_problems(engine)
