"""``make fuzz``: Schemathesis against ``/api/v1`` of the site in its
production configuration (gunicorn, PostgreSQL, a Redis broker and
rate-limit store), with every check, stateful tests included (the OpenAPI
link from a filing to its look-up).

The database (``FUZZ_DATABASE_URL``, default ``suggestion_fuzz``) is
recreated, migrated and given the demo data; e-mail goes to a temporary
folder, so no worker is needed (messages wait in the outbox). The throttles
are raised for the run: Schemathesis fails many look-ups on purpose, and a
throttled address would hide every later answer behind a 429. A throttle
added later must be raised in ``RAISED_LIMITS`` too.

``FUZZ_EXAMPLES`` bounds the test cases per operation and phase (CI sets a
small number); the exit status is Schemathesis's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get(
    "FUZZ_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/suggestion_fuzz"
)
BROKER_URL = os.environ.get("FUZZ_BROKER_URL", "redis://127.0.0.1:6379/13")
RATELIMIT_URL = os.environ.get("FUZZ_RATELIMIT_URL", "redis://127.0.0.1:6379/14")
QUEUE = os.environ.get("FUZZ_QUEUE", "suggestion-fuzz")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "100")
SEED = os.environ.get("FUZZ_SEED", "")
# Every throttle the site has, raised so that no request of the run is refused by it.
RAISED_LIMITS = {
    "TRACK_FAILED_LOOKUP_LIMIT": "1000000 per minute",
    "FILING_LIMIT": "1000000 per minute",
    "STATS_LIMIT": "1000000 per minute",
    "RECEIPT_EMAILS_PER_DAY": "1000000000",
}


def log(message: str) -> None:
    print(f"[fuzz] {message}", flush=True)


def recreate_database(url: str) -> None:
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own site)
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the site did not start (see its log); {url} did not answer")
        time.sleep(0.3)


def site_environment(work: Path) -> dict[str, str]:
    """The production settings of README's deployment section, on local services."""
    return {
        **os.environ,
        "SUGGESTION_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "fuzz-only-" + os.urandom(24).hex(),
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": QUEUE,
        "RATELIMIT_STORAGE_URI": RATELIMIT_URL,
        "MAIL_BACKEND": "folder",
        "MAIL_FOLDER": str(work / "mail"),
        "UPLOAD_DIR": str(work / "uploads"),
        "PUBLIC_BASE_URL": "https://suggestion.example.go.th",
        **RAISED_LIMITS,
    }


def schemathesis_command(base_url: str, work: Path) -> list[str]:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base_url}/api/v1/openapi.json",
        "--url",
        f"{base_url}/api/v1",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        EXAMPLES,
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(work / "report"),
    ]
    if SEED:
        command += ["--seed", SEED]
    return command


def forget_queue() -> None:
    """The filings' e-mail tasks that no worker of this run took."""
    client = redis.Redis.from_url(BROKER_URL)
    client.delete(QUEUE)
    client.close()


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="suggestion-fuzz-"))
    environment = site_environment(work)
    log(f"database {make_url(DATABASE_URL).database}, broker {BROKER_URL}, work folder {work}")
    recreate_database(DATABASE_URL)
    with (work / "setup.log").open("wb") as output:
        for args in (["db", "upgrade"], ["seed", "demo"]):
            subprocess.run(  # noqa: S603
                [str(BIN / "flask"), *args],
                cwd=ROOT,
                env=environment,
                check=True,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    site_log = work / "gunicorn.log"
    with site_log.open("wb") as output:
        site = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{base_url}/api/v1/openapi.json", site)
        log(f"site on {base_url} (gunicorn, production settings); {EXAMPLES} examples")
        started = time.monotonic()
        status = subprocess.run(schemathesis_command(base_url, work), cwd=work).returncode  # noqa: S603
        log(f"schemathesis exited {status} after {time.monotonic() - started:.0f} s")
    finally:
        site.terminate()
        site.wait(timeout=30)
        forget_queue()
    errors = [line for line in site_log.read_text().splitlines() if "ERROR" in line]
    if errors:
        log("the site logged errors:\n" + "\n".join(errors[:50]))
        status = status or 1
    if status == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"kept {work} (the site's log and the JUnit report)")
    return status


if __name__ == "__main__":
    sys.exit(main())
