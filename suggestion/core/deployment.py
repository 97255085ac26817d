"""`flask check-deploy` (DESIGN §2): what a production site must not run
with, checked from its settings and its database. Each problem is one line
an operator can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from suggestion.core.ctype import check_connection

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
    if not str(config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        problems.append(
            f"PUBLIC_BASE_URL={config.get('PUBLIC_BASE_URL')!r} is not an https:// address: "
            "links in e-mails would send filers' keys in clear"
        )
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL is not set: the site would run on the embedded SQLite")
    return problems


def database_problems(engine: sa.Engine) -> list[str]:
    try:
        with engine.connect() as connection:
            problem = check_connection(connection)
    except sa.exc.SQLAlchemyError as error:
        return [f"the database does not answer: {error.__class__.__name__}: {error}"]
    return [problem] if problem else []


def deploy_problems(config: Mapping[str, Any], engine: sa.Engine) -> list[str]:
    return settings_problems(config) + database_problems(engine)
