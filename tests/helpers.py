"""What the tests share besides fixtures (conftest.py): forms and log-in,
counting statements and rows, a mailbox for the real SMTP server, a real
Celery worker process, waiting for a condition, and a publisher that records."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import services

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    from config import normalise_database_url

    target = make_url(normalise_database_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"{utf8_ctype_clause(conn)}'))
    admin.dispose()


def utf8_ctype_clause(conn: sa.Connection, ctype: str | None = None) -> str:
    """What CREATE DATABASE needs for pg_trgm to see Thai (suggestion.core.ctype):
    nothing when the server's default ctype is UTF-8-aware; otherwise a UTF-8
    ctype the server has (a cluster made with ``initdb --locale=C`` has C)."""
    if ctype is None:
        default = conn.execute(
            sa.text("SELECT datctype FROM pg_database WHERE datname = 'template1'")
        ).scalar_one()
        if re.search(r"utf-?8", default, re.IGNORECASE):
            return ""
        ctype = conn.execute(
            sa.text(
                "SELECT collctype FROM pg_collation WHERE collprovider = 'c' "
                "AND collctype ~* 'utf-?8' ORDER BY collctype !~* '^c\\.', collctype LIMIT 1"
            )
        ).scalar_one()
    return f" TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE '{ctype}'"


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block (not the tests' own savepoints),
    for tests that a page costs the same however many rows it shows."""
    from suggestion.core.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "SAVEPOINT" not in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def count_rows(table: str) -> int:
    from suggestion.core.extensions import db

    return int(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


class Mailbox:
    """What a real SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.1)
        raise AssertionError(f"{address} received {len(self.to(address))} of {count} e-mails")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_worker(smtp_port: int, queue: str, log_path: Path, **env: str) -> subprocess.Popen[bytes]:
    """A real `celery worker` process (solo pool) on the test broker; returns once ready."""
    environment = {
        **os.environ,
        "SUGGESTION_ENV": "testing",
        "TEST_DATABASE_URL": services.DATABASE_URL,
        "TEST_BROKER_URL": services.BROKER_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        **env,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-mingle",
                "--without-gossip",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the Celery worker did not start:\n" + log_path.read_text())
        time.sleep(0.2)
    return process


def login(client: FlaskClient, email: str, password: str | None = None) -> None:
    """Log in through the pages; an account with two-factor log-in types the
    current code of tests.factories.TOTP_SECRET."""
    from tests.factories import PASSWORD

    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client, "/staff/login"),
            "email": email,
            "password": password or PASSWORD,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    if response.headers["Location"].startswith("/staff/login/code"):
        second = response.headers["Location"]
        token = csrf_token(client, second)
        with client.application.app_context():
            code = totp_code(email)
        response = client.post(second, data={"csrf_token": token, "code": code})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]


def totp_code(email: str) -> str:
    """The account's current code, as its app would show it. The same code
    is accepted once only, and tests log the same account in many times in a
    few seconds: the account's last used step is forgotten first."""
    import pyotp

    from suggestion.auth.models import User
    from suggestion.core.extensions import db
    from tests.factories import TOTP_SECRET

    db.session.execute(sa.update(User).where(User.email == email).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(TOTP_SECRET).now()


def wait_until(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """Poll ``condition`` until it returns something true, or fail after
    ``timeout`` seconds; returns what it returned."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.05)


class RecordingPublisher:
    """Stands in for the Celery publisher: each call the app would send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def send(self, calls: list[tuple[str, tuple[Any, ...]]]) -> int:
        self.sent.extend(calls)
        return len(calls)

    def unreachable(self) -> str | None:
        return None


def worker_caught_up(app: Flask, mailbox: Mailbox, queue: str | None = None) -> None:
    """Return once the worker has done everything published to its queue
    before now: a marker e-mail published last arrives only after the
    worker (one process, the solo pool, one message at a time) has handled
    every message ahead of it. Tests assert "nothing more arrived" after
    this, instead of sleeping and hoping."""
    from uuid import uuid4

    from suggestion.core.extensions import db
    from suggestion.core.tasks import TaskName
    from suggestion.notify.models import Notification

    address = f"marker-{uuid4().hex[:12]}@example.com"
    with app.app_context():
        marker = Notification(template="marker", to_address=address, subject="marker", body=".")
        db.session.add(marker)
        db.session.commit()
        app.extensions["celery"].send_task(
            TaskName.DELIVER_NOTIFICATION,
            args=[marker.id],
            queue=queue or app.config["CELERY"]["task_default_queue"],
        )
        db.session.remove()
    mailbox.wait_for(address, timeout=60)
    with app.app_context():  # the marker leaves no trace for the test to count
        db.session.execute(sa.delete(Notification).where(Notification.to_address == address))
        db.session.commit()
        db.session.remove()
    mailbox.messages[:] = [m for m in mailbox.messages if m["To"] != address]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def copy_case(template_id: int, copies: int, fiscal_year: int, salt: str) -> None:
    """``copies`` copies of a case, in one INSERT … SELECT, numbered in a
    fiscal year of their own (for tests that need many cases fast)."""
    from suggestion.cases.models import Case
    from suggestion.core.extensions import db

    columns = [
        c.name
        for c in Case.__table__.columns
        if c.name not in {"id", "tracking_code", "sequence", "track_token_hash"}
    ]
    listed = ", ".join(columns)
    db.session.execute(
        sa.text(f"""
        INSERT INTO cases (tracking_code, sequence, track_token_hash, {listed})
        SELECT '{fiscal_year}-' || lpad(n::text, 6, '0'), 900000 + n, md5(:salt || n), {listed}
        FROM cases, generate_series(1, :copies) AS n WHERE cases.id = :id
    """),  # noqa: S608 (the names are the model's columns)
        {"copies": copies, "id": template_id, "salt": salt},
    )


class SiteProcess:
    """The site in a process of its own (gunicorn, as deployed), with the
    settings a test gives it; a browser-less client that keeps its cookies."""

    def __init__(self, log_path: Path, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "SUGGESTION_ENV": "testing",
            "TEST_DATABASE_URL": services.DATABASE_URL,
            "TEST_BROKER_URL": services.BROKER_URL,
            **env,
        }
        self.log = log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "wsgi:app"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), timeout=60, what="gunicorn")
        import http.cookiejar
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(
        self,
        path: str,
        data: dict[str, str] | None = None,
        json: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """GET, or POST a form (``data``) or a JSON body (``json``)."""
        import json as json_module
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = dict(headers or {})
        if json is not None:
            body = json_module.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, body, headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, email: str, password: str) -> int:
        _status, page = self.request("/staff/login")
        token = CSRF_RE.search(page)
        assert token, page[:300]
        status, _ = self.request(
            "/staff/login", {"csrf_token": token.group(1), "email": email, "password": password}
        )
        return status

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder,
    its own port), for tests that stop the database; the shared one stays up."""

    def __init__(self) -> None:
        import shutil
        import tempfile

        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = versions[-1] if versions else Path(shutil.which("initdb") or "initdb").parent
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="suggestion-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/suggestion"
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        engine = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE suggestion"))
        engine.dispose()

    def remove(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def flask_command(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``flask …`` in a process of its own, as an operator runs it."""
    environment = {**os.environ, "SUGGESTION_ENV": "testing", **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT, env=environment, input=stdin, capture_output=True, text=True, check=True,
    )  # fmt: skip


class ScriptedMailServer(Mailbox):
    """A real SMTP server (aiosmtpd) of the test's own that answers each
    recipient's tries from a script — ``script[address]`` is the answers to
    its next tries, e.g. ``["451 4.3.0 Try again later"]`` — and accepts once
    the script runs out; it notes when each try came."""

    def __init__(self) -> None:
        super().__init__()
        self.script: dict[str, list[str]] = {}
        self.tries: list[tuple[float, str, str]] = []
        self.port = free_port()
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        answers = self.script.get(address) or []
        answer = answers.pop(0) if answers else "250 OK"
        self.tries.append((time.monotonic(), address, answer))
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    def tries_of(self, address: str) -> list[tuple[float, str]]:
        return [(at, answer) for at, to, answer in self.tries if to == address]

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class NginxProxy:
    """Debian's nginx in front of the site, as README's production section
    sets it up (one trusted proxy adding X-Forwarded-For, the access log of
    deploy/nginx/suggestion-log.conf), on ports of the test's own."""

    def __init__(self, folder: Path, upstream_port: int) -> None:
        import shutil

        self.port = free_port()
        self.folder = folder / "nginx"
        for sub in ("", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
            (self.folder / sub).chmod(0o777)
        temp = " ".join(
            f"{kind}_temp_path {self.folder / kind};"
            for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.folder / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {self.folder / "nginx.pid"};
events {{ worker_connections 64; }}
http {{
  include {ROOT / "deploy" / "nginx" / "suggestion-log.conf"};
  access_log {self.folder / "access.log"} suggestion;
  client_body_temp_path {self.folder / "body"};
  {temp}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(  # noqa: S603
            [nginx, "-e", str(self.folder / "error.log"), "-p", str(self.folder),
             "-c", str(self.folder / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), timeout=10, what="nginx")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def get_from(source: str, port: int, path: str, headers: dict[str, str]) -> int:
    """The status of a GET sent from the local address ``source`` (127.0.0.x),
    so that a proxy sees clients of different addresses."""
    import http.client

    connection = http.client.HTTPConnection(
        "127.0.0.1", port, source_address=(source, 0), timeout=30
    )
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


class RedisServer:
    """A redis-server of the test's own, on a port of its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",  # noqa: S607
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
