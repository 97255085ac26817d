"""Settings, chosen by ``SUGGESTION_ENV`` and read from the environment.

The embedded default (``development``) needs no settings at all: SQLite and an
SQLite-backed Celery broker in the instance folder, e-mail written to a folder.
Production refuses to start without the secrets and URLs it cannot guess.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever the URL's scheme says."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"

    def __init__(self, instance_path: str) -> None:
        instance = Path(instance_path)
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _env("SECRET_KEY")
        # The key of the stored digests of access keys and recovery codes
        # (suggestion.core.digests); SECRET_KEY when not set.
        self.DIGEST_KEY = _env("DIGEST_KEY")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            _env("DATABASE_URL", f"sqlite:///{instance / 'suggestion.sqlite'}") or ""
        )
        # hide_parameters: a database error's text (logged with its traceback)
        # never quotes the values of the statement, a filer's details among them.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
        self.AGENCY_TIMEZONE = _env("AGENCY_TIMEZONE", "Asia/Bangkok")
        self.AGENCY_NAME_TH = _env("AGENCY_NAME_TH", "หน่วยงานตัวอย่าง")
        self.AGENCY_NAME_EN = _env("AGENCY_NAME_EN", "Example Agency")
        self.UPLOAD_DIR = _env("UPLOAD_DIR", str(instance / "uploads"))
        self.MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # five 10 MB files and the form
        self.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
        self.ATTACHMENT_MAX_COUNT = 5

        # E-mail: "smtp" sends through MAIL_SERVER; "folder" writes .eml files
        # to MAIL_FOLDER and logs a line to the console.
        self.MAIL_SERVER = _env("MAIL_SERVER")
        self.MAIL_PORT = int(_env("MAIL_PORT", "25") or 25)
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USERNAME = _env("MAIL_USERNAME")
        self.MAIL_PASSWORD = _env("MAIL_PASSWORD")
        self.MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "no-reply@suggestion.localhost")
        self.MAIL_BACKEND = _env("MAIL_BACKEND") or ("smtp" if self.MAIL_SERVER else "folder")
        # The folder backend also prints each message (its access key and
        # secret link included) on the console: in development only.
        self.MAIL_ECHO = False
        self.MAIL_FOLDER = _env("MAIL_FOLDER", str(instance / "mail"))
        self.MAIL_MAX_ATTEMPTS = 8
        # The first retry of a temporary failure waits this long; each next
        # one twice as long, at most an hour (30 s: about 63 minutes in all).
        self.MAIL_RETRY_BASE_SECONDS = float(_env("MAIL_RETRY_BASE_SECONDS", "30") or 30)
        # How often beat runs the deadline sweep.
        self.SLA_SWEEP_SECONDS = int(_env("SLA_SWEEP_SECONDS", "300") or 300)
        # Cases per batch of the sweep (each batch is committed before the next).
        self.SLA_SWEEP_BATCH = int(_env("SLA_SWEEP_BATCH", "500") or 500)
        # Open cases per committed batch of a deadline recomputation (a job).
        self.SLA_RECOMPUTE_BATCH = int(_env("SLA_RECOMPUTE_BATCH", "200") or 200)
        # Cases per committed batch of the retention run (suggestion.cases.anonymise).
        self.RETENTION_BATCH = int(_env("RETENTION_BATCH", "500") or 500)
        # How late a pending notification or job must be before the requeue
        # publishes it again; a running job is presumed dead after five of these
        # without a heartbeat (suggestion.core.jobs).
        self.REQUEUE_GRACE_SECONDS = float(_env("REQUEUE_GRACE_SECONDS", "60") or 60)
        # The one address every process (site, worker, beat, command line)
        # starts the links in e-mails from. Never derived from PORT: honcho
        # gives each process of `make run` its own PORT (5000, 5100, 5200),
        # so the worker's and beat's links pointed to ports nothing serves.
        # `make run` derives it once from the site's port and passes it on.
        self.PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

        # How many trusted reverse proxies stand in front of the site (nginx: 1).
        # With 0, X-Forwarded-* headers are ignored: anyone could send them.
        self.PROXY_COUNT = int(_env("PROXY_COUNT", "0") or 0)
        # Logs: "text" (one line per warning or error) or "json" (also one
        # line per request and per task, with the request's id); production
        # defaults to json.
        self.LOG_FORMAT = _env("LOG_FORMAT", "text")
        # /metrics answers a bearer METRICS_TOKEN, or the client addresses
        # (or networks) listed, comma-separated; anyone else gets 404.
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        self.METRICS_ALLOWED_ADDRESSES = _env("METRICS_ALLOWED_ADDRESSES", "")
        # How long the domain gauges (open, overdue cases, the outbox, …) are
        # kept by each process before they are counted again.
        self.METRICS_CACHE_SECONDS = float(_env("METRICS_CACHE_SECONDS", "10") or 10)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
        # No X-RateLimit-* headers: they would tell a guesser how many tries
        # are left, and cost two Redis round trips on every look-up (measured:
        # 13% of the tracking API's throughput, docs/performance.md).
        self.RATELIMIT_HEADERS_ENABLED = False
        # A rate-limit store that is down must not refuse a log-in or any other
        # limited request: Flask-Limiter then counts in this process's memory,
        # logs that it does, and goes back to the store once it answers again.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.TRACK_FAILED_LOOKUP_LIMIT = _env("TRACK_FAILED_LOOKUP_LIMIT", "10 per 15 minutes")
        # Filings from one client address (the web form and the API together;
        # an IPv6 client counts by its /64). Only filings that would be
        # recorded count: a form sent back with mistakes costs nothing.
        self.FILING_LIMIT = _env("FILING_LIMIT", "5 per minute;20 per hour")
        # Receipts e-mailed to one address per day (agency time): anyone can
        # type anyone's address into the form. Past it the case is recorded
        # but nothing about it is e-mailed to that address (docs/decisions.md).
        self.RECEIPT_EMAILS_PER_DAY = int(_env("RECEIPT_EMAILS_PER_DAY", "5") or 5)
        # /api/v1/stats and the /stats page (one budget, one kept answer):
        # requests per client address, and how long an answer is kept (a change to any case makes the next request compute it anew).
        self.STATS_LIMIT = _env("STATS_LIMIT", "30 per minute")
        self.STATS_CACHE_SECONDS = int(_env("STATS_CACHE_SECONDS", "60") or 60)

        # Flask-Caching: Redis when CACHE_STORAGE_URI names one (shared by
        # every process), else each process's memory. A cache that is down
        # only costs the work it would have saved (suggestion.core.cache).
        cache_uri = _env("CACHE_STORAGE_URI", "memory://") or "memory://"
        self.CACHE_STORAGE_URI = cache_uri
        self.CACHE_KEY_PREFIX = "suggestion:"
        self.CACHE_DEFAULT_TIMEOUT = 300
        if cache_uri.startswith(("redis://", "rediss://", "unix://")):
            self.CACHE_TYPE = "RedisCache"
            self.CACHE_REDIS_URL = cache_uri
            # A Redis that does not answer must not hold a request up.
            self.CACHE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        elif cache_uri == "memory://":
            self.CACHE_TYPE = "SimpleCache"
        else:
            raise ConfigError(f"CACHE_STORAGE_URI={cache_uri!r}: use memory:// or redis://…")

        self.BABEL_DEFAULT_LOCALE = "th"
        self.BABEL_DEFAULT_TIMEZONE = self.AGENCY_TIMEZONE
        self.LANGUAGES = ("th", "en")

        self.SESSION_COOKIE_HTTPONLY = True
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
        self.STAFF_IDLE_MINUTES = int(_env("STAFF_IDLE_MINUTES", "60") or 60)
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = 4 * 3600

        broker = _env("CELERY_BROKER_URL", f"sqla+sqlite:///{instance / 'celery-broker.sqlite'}")
        self.CELERY = {
            "broker_url": broker,
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "task_default_queue": _env("CELERY_QUEUE", "suggestion"),
            "broker_connection_retry_on_startup": True,
            "beat_schedule_filename": str(instance / "celerybeat-schedule"),
            # Beat's crontab times are the agency's.
            "timezone": self.AGENCY_TIMEZONE,
        }

    def check(self) -> None:
        """Raise :class:`ConfigError` if the settings cannot run this environment."""
        if not self.SECRET_KEY:
            raise ConfigError("SECRET_KEY is not set")


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self, instance_path: str) -> None:
        super().__init__(instance_path)
        self.SECRET_KEY = self.SECRET_KEY or "development-only-not-secret"  # noqa: S105
        self.MAIL_ECHO = True
        # Sweep every minute, so the demo's reminder shows soon after `make run`.
        self.SLA_SWEEP_SECONDS = int(_env("SLA_SWEEP_SECONDS", "60") or 60)
        # The developer's own machine may read /metrics.
        self.METRICS_ALLOWED_ADDRESSES = _env("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")


class TestingConfig(Config):
    ENV_NAME = "testing"

    def __init__(self, instance_path: str) -> None:
        super().__init__(instance_path)
        self.TESTING = True
        self.SECRET_KEY = "testing-only-not-secret"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            _env("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/suggestion_test") or ""
        )
        self.CELERY["broker_url"] = _env("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
        self.CELERY["task_default_queue"] = _env("CELERY_QUEUE", "suggestion-test")
        self.PUBLIC_BASE_URL = "http://localhost"
        # Many tests file several cases, to one address, from the test
        # client's one address; the tests of these limits set them lower.
        self.FILING_LIMIT = "1000 per minute"
        self.RECEIPT_EMAILS_PER_DAY = 1000
        self.STATS_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self, instance_path: str) -> None:
        super().__init__(instance_path)
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PREFERRED_URL_SCHEME = "https"
        self.LOG_FORMAT = _env("LOG_FORMAT", "json")

    def check(self) -> None:
        super().check()
        if not _env("DATABASE_URL"):
            raise ConfigError("DATABASE_URL is not set")
        if not self.MAIL_SERVER and _env("MAIL_BACKEND") != "folder":
            # Without it, e-mails to filers (access keys, secret links) would
            # quietly go to a folder and count as sent.
            raise ConfigError(
                "MAIL_SERVER is not set (set MAIL_BACKEND=folder to write e-mails to MAIL_FOLDER)"
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(instance_path: str, env_name: str | None = None) -> Config:
    """The settings object for ``SUGGESTION_ENV`` (``development`` by default)."""
    name = env_name or _env("SUGGESTION_ENV", "development") or "development"
    try:
        config_class = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"SUGGESTION_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
    config = config_class(instance_path)
    config.check()
    return config
