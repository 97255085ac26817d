"""Settings: production refuses to start without its secrets."""

import pytest

from config import ConfigError
from config import load_config
from config import normalise_database_url


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, tmp_path, missing):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/suggestion")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        load_config(str(tmp_path), "production")


def test_production_with_its_settings_uses_secure_cookies_and_psycopg(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://db/suggestion")
    config = load_config(str(tmp_path), "production")
    assert config.SESSION_COOKIE_SECURE
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db/suggestion"


def test_the_embedded_default_needs_no_settings(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(str(tmp_path), "development")
    assert f"sqlite:///{tmp_path}/suggestion.sqlite" == config.SQLALCHEMY_DATABASE_URI
    assert config.CELERY["broker_url"].startswith("sqla+sqlite:///")
    assert config.MAIL_BACKEND == "folder"


def test_an_unknown_environment_is_named(tmp_path):
    with pytest.raises(ConfigError, match="staging"):
        load_config(str(tmp_path), "staging")


def test_normalise_database_url_leaves_sqlite_alone():
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
