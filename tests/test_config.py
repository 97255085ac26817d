"""Settings: production refuses to start without its secrets."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from honcho.environ import expand_processes
from honcho.environ import parse_procfile

from config import ConfigError
from config import load_config
from config import normalise_database_url


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, tmp_path, missing):
    monkeypatch.setenv("MAIL_SERVER", "smtp.agency.go.th")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/suggestion")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        load_config(str(tmp_path), "production")


def test_production_with_its_settings_uses_secure_cookies_and_psycopg(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.agency.go.th")
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


def test_production_without_a_mail_server_refuses_to_start_unless_the_folder_is_chosen(
    monkeypatch, tmp_path
):
    """Without MAIL_SERVER, production wrote every e-mail — access keys and
    secret links included — to a folder and the worker's console, and marked
    it sent. Now it refuses, unless the folder is chosen explicitly; and the
    folder backend prints messages in development only."""
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/suggestion")
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.delenv("MAIL_BACKEND", raising=False)
    with pytest.raises(ConfigError, match="MAIL_SERVER"):
        load_config(str(tmp_path), "production")
    monkeypatch.setenv("MAIL_BACKEND", "folder")
    config = load_config(str(tmp_path), "production")
    assert config.MAIL_BACKEND == "folder" and not config.MAIL_ECHO
    assert load_config(str(tmp_path), "development").MAIL_ECHO


def test_every_process_of_make_run_links_to_the_site(monkeypatch, tmp_path):
    """honcho gives the worker and beat their own PORT (5100, 5200), and the
    links in their e-mails followed it to ports nothing serves. `make run`
    derives one PUBLIC_BASE_URL from the site's port and passes it to all."""
    root = Path(__file__).resolve().parent.parent
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8123"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    honcho_line = " ".join(dry_run.replace("\\\n", " ").splitlines()[-1:])
    assert "honcho -f Procfile.dev start" in honcho_line
    passed = dict(
        word.split("=", 1) for word in shlex.split(honcho_line) if re.match(r"^[A-Z_]+=", word)
    )
    procfile = parse_procfile((root / "Procfile.dev").read_text())
    processes = expand_processes(procfile.processes, env={"PORT": passed["PORT"]})
    assert {process.name for process in processes} == {"web.1", "worker.1", "beat.1"}
    for process in processes:
        for name, value in {**passed, **process.env}.items():
            if name != "PATH":
                monkeypatch.setenv(name, value)
        config = load_config(str(tmp_path), "development")
        assert config.PUBLIC_BASE_URL == "http://127.0.0.1:8123", process.name
    web = next(process for process in processes if process.name == "web.1")
    assert web.env["PORT"] == "8123"


def test_the_public_address_does_not_follow_port(monkeypatch, tmp_path):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5100")
    assert load_config(str(tmp_path), "development").PUBLIC_BASE_URL == "http://127.0.0.1:5000"
