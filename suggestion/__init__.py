"""Suggestion: complaint and suggestion management for Thai government agencies."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(env_name: str | None = None, overrides: dict[str, object] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, errors, commands, Celery."""
    from config import load_config
    from suggestion import cli
    from suggestion import errors
    from suggestion.admin import audit as _admin_audit  # noqa: F401  (its routes)
    from suggestion.admin import breaches as _admin_breaches  # noqa: F401  (its routes)
    from suggestion.admin import calendar as _admin_calendar  # noqa: F401  (its routes)
    from suggestion.admin import privacy_notice as _admin_notice  # noqa: F401  (its routes)
    from suggestion.admin import processing_record as _admin_record  # noqa: F401  (its routes)
    from suggestion.admin import retention as _admin_retention  # noqa: F401  (its routes)
    from suggestion.admin.privacy import bp as privacy_bp
    from suggestion.admin.views import bp as admin_bp
    from suggestion.api.views import bp as api_bp
    from suggestion.auth import session as _user_loader  # noqa: F401
    from suggestion.auth.views import bp as auth_bp
    from suggestion.cases import changes
    from suggestion.core import extensions
    from suggestion.core import headers
    from suggestion.core import i18n
    from suggestion.core import logs
    from suggestion.core import static
    from suggestion.core import telemetry
    from suggestion.core import uow
    from suggestion.core.jobs import celery_init_app
    from suggestion.core.routing import IdConverter
    from suggestion.ops import metrics as _metrics  # noqa: F401  (its routes)
    from suggestion.ops.health import bp as ops_bp
    from suggestion.public import notice as _public_notice  # noqa: F401  (its routes)
    from suggestion.public import stats as _public_stats  # noqa: F401  (its routes)
    from suggestion.public.privacy import bp as public_privacy_bp
    from suggestion.public.views import bp as public_bp
    from suggestion.reports.views import bp as reports_bp
    from suggestion.staff.views import bp as staff_bp

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.url_map.converters["id"] = IdConverter
    app.config.from_object(load_config(app.instance_path, env_name))
    app.config.update(overrides or {})
    _trust_proxies(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logs.configure(app.config["LOG_FORMAT"])
    if app.config["MAIL_ECHO"]:  # development: each e-mail on the console, at INFO
        logging.getLogger("suggestion.mail").setLevel(logging.INFO)

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.cache.init_app(app)
    extensions.login_manager.init_app(app)
    telemetry.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)
    static.init_app(app)
    uow.init_effects()
    changes.listen()
    _use_sqlite_pragmas(app)
    _warn_about_ctype(app)

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(public_privacy_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(ops_bp)
    extensions.csrf.exempt(api_bp)
    # The filing form checks its own token, so that an expired one keeps what
    # was typed on the page instead of ending on an error page.
    extensions.csrf.exempt("suggestion.public.views.file")

    # One request boundary: every view runs in a unit of work (core/uow.py).
    uow.wrap_views(app.view_functions)
    errors.init_app(app)
    cli.init_app(app)
    celery_init_app(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N trusted reverse proxies (PROXY_COUNT), take the client's
    address and scheme from the last N X-Forwarded-* entries, so that every
    throttle counts each client, never the proxy; with 0, ignore them."""
    count = int(app.config.get("PROXY_COUNT", 0))
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def _use_sqlite_pragmas(app: Flask) -> None:
    """WAL and a busy timeout, so the site and the worker can share SQLite."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    import sqlalchemy as sa

    from suggestion.core.extensions import db

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _warn_about_ctype(app: Flask) -> None:
    """A PostgreSQL database whose ctype is not UTF-8-aware is logged as a
    warning on the process's first connection (suggestion.core.ctype)."""
    from suggestion.core.ctype import warn_on_first_connect
    from suggestion.core.extensions import db

    with app.app_context():
        warn_on_first_connect(db.engine)
