"""The deployment files of deploy/ as shipped: checked by the programs that
read them (deploy/verify), and the site served by Debian's nginx with the
shipped site file (TLS on) in front of gunicorn with the shipped settings
(4 sync workers) on a real PostgreSQL — filing over https, each client
throttled by its real address, and slow clients held by nginx, not by the
workers."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.slow_clients import SlowClients
from bench.slow_clients import timed_get
from tests import services
from tests.helpers import free_port
from tests.helpers import port_open
from tests.helpers import RedisServer
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def need(program: str) -> None:
    """Fail in CI, skip elsewhere, when a program the test runs is missing."""
    if shutil.which(program) or os.access(program, os.X_OK):
        return
    why = f"{program}: not installed"
    if services.IN_CI:
        pytest.fail(why)
    pytest.skip(why)


def test_the_deployment_files_pass_their_checkers():
    """systemd-analyze verify (units), systemd-tmpfiles, nginx -t (site)."""
    for program in ("systemd-analyze", "systemd-tmpfiles", NGINX, "openssl"):
        need(program)
    result = subprocess.run(
        [DEPLOY / "verify"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_environment_example_names_every_setting():
    """Every variable config.py reads (but the tests' own) and DESIGN §2
    lists is in deploy/suggestion.env.example, with the production values
    the deployment files rely on."""
    example = (DEPLOY / "suggestion.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z_]+)=", example, re.MULTILINE))
    read = set(re.findall(r'_(?:env|flag)\("([A-Z_]+)"', (ROOT / "config.py").read_text()))
    design = {"METRICS_TOKEN", "LOG_FORMAT"}  # read by the metrics and logging code
    assert (read | design) - {"TEST_DATABASE_URL", "TEST_BROKER_URL"} <= named
    for line in (
        "SUGGESTION_ENV=production",
        "PROXY_COUNT=1",
        "LOG_FORMAT=json",
        "PROMETHEUS_MULTIPROC_DIR=/run/suggestion/metrics",
        "UPLOAD_DIR=/var/lib/suggestion/uploads",
    ):
        assert line in example.splitlines()
    # The units may write the uploads and the metrics, and the site's body
    # limit is the app's.
    web = (DEPLOY / "systemd" / "suggestion-web.service").read_text()
    worker = (DEPLOY / "systemd" / "suggestion-worker.service").read_text()
    assert "ReadWritePaths=/var/lib/suggestion/uploads /run/suggestion\n" in web
    assert "ReadWritePaths=/var/lib/suggestion/uploads /run/suggestion/metrics\n" in worker
    from config import Config

    limit = Config("/nonexistent").MAX_CONTENT_LENGTH
    site = (DEPLOY / "nginx" / "suggestion.conf").read_text()
    assert f"client_max_body_size {limit // 2**20}m;" in site and limit % 2**20 == 0


def test_a_gunicorn_worker_that_exits_leaves_the_metrics_tidy(monkeypatch, tmp_path):
    """child_exit does nothing without PROMETHEUS_MULTIPROC_DIR, and does not
    fail with it, whether prometheus_client is installed or not."""
    import runpy

    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    worker = SimpleNamespace(pid=999_999)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert settings["child_exit"](None, worker) is None
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "gauge_livesum_999999.db").write_bytes(b"")
    settings["child_exit"](None, worker)
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        return
    assert not (tmp_path / "gauge_livesum_999999.db").exists()


@dataclass
class Site:
    http_port: int
    https_port: int
    context: ssl.SSLContext
    folder: Path


def _certificate(folder: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _site_file(folder: Path, socket_path: Path, http_port: int, https_port: int) -> str:
    """The shipped site, with this checkout, the test's ports, socket,
    certificate and logs in place of the production ones."""
    site = (DEPLOY / "nginx" / "suggestion.conf").read_text()
    for production, here in (
        ("/opt/suggestion", str(ROOT)),
        ("/run/suggestion/web.sock", str(socket_path)),
        ("/etc/letsencrypt/live/suggestion.agency.go.th/", f"{folder}/"),
        ("/var/log/nginx/", f"{folder}/"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
    ):
        assert production in site, production
        site = site.replace(production, here)
    return re.sub(r"^\s*listen \[::\]:.*$", "", site, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def deployed(database: None) -> Iterator[Site]:
    """nginx (the shipped site) → gunicorn (the shipped settings, 4 workers)
    → PostgreSQL; the throttles on a Redis of the test's own, shared by the
    workers as in production."""
    for program in (NGINX, "openssl", "redis-server"):
        need(program)
    folder = Path(tempfile.mkdtemp(prefix="sg-deploy-"))  # short: a socket's path
    folder.chmod(0o755)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir()
    _certificate(folder)
    socket_path = folder / "web.sock"
    http_port, https_port = free_port(), free_port()
    (folder / "suggestion.conf").write_text(_site_file(folder, socket_path, http_port, https_port))
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 512; }}
http {{
  include /etc/nginx/mime.types;
  client_body_temp_path {folder / "body"};
  {temp}
  include {folder / "suggestion.conf"};
}}
""")
    redis = RedisServer()
    redis.start()
    log = (folder / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"),
         "--bind", f"unix:{socket_path}", "wsgi:app"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "SUGGESTION_ENV": "testing", "WEB_CONCURRENCY": "4",
             "PROXY_COUNT": "1", "TEST_DATABASE_URL": services.DATABASE_URL,
             "TEST_BROKER_URL": redis.url, "RATELIMIT_STORAGE_URI": redis.url,
             "CELERY_QUEUE": "deploy-test", "LOG_FORMAT": "json"},
    )  # fmt: skip
    nginx = None
    try:
        wait_until(socket_path.exists, timeout=60, what="gunicorn's socket")
        nginx = subprocess.Popen(
            [NGINX, "-e", str(folder / "error.log"), "-p", str(folder),
             "-c", str(folder / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: port_open(https_port), timeout=10, what="nginx")
        context = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
        site = Site(http_port, https_port, context, folder)
        # Every worker has loaded the app before a test times anything: the
        # first answer, then four at once (each worker takes one).
        wait_until(lambda: https(site, "GET", "/healthz")[0] == 200, timeout=60, what="the site")
        with ThreadPoolExecutor(4) as pool:
            assert (
                list(pool.map(lambda _: https(site, "GET", "/healthz")[0], range(4))) == [200] * 4
            )
        yield site
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        gunicorn.terminate()
        gunicorn.wait(timeout=60)
        log.close()
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)


def https(site: Site, method: str, path: str, source: str = "127.0.0.1", **kwargs):  # type: ignore[no-untyped-def]
    """A request over TLS from the local address ``source``: (status, headers, body)."""
    import http.client
    import json

    connection = http.client.HTTPSConnection(
        "127.0.0.1", site.https_port, context=site.context, source_address=(source, 0), timeout=30
    )
    try:
        body = kwargs.get("json")
        headers = dict(kwargs.get("headers") or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.mark.postgres
def test_a_filing_over_https_through_nginx_and_gunicorn(deployed, live_db):
    import http.client
    import json

    from tests.test_api import GOOD

    status, headers, body = https(deployed, "POST", "/api/v1/cases", json=GOOD)
    assert status == 201, body
    receipt = json.loads(body)
    # nginx's id of the request is the one the site logs and answers with.
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    wait_until(
        lambda: request_id in (deployed.folder / "suggestion.access.log").read_text(),
        timeout=10, what="the access log",
    )  # fmt: skip
    lines = (deployed.folder / "gunicorn.log").read_text().splitlines()
    assert all(line.startswith("{") for line in lines), lines  # gunicorn's own too
    filing = [json.loads(line) for line in lines if request_id in line]
    assert filing and filing[0]["route"] == "/api/v1/cases" and filing[0]["status"] == 201
    status, headers, body = https(
        deployed,
        "GET",
        f"/api/v1/cases/{receipt['tracking_code']}",
        headers={"X-Access-Key": receipt["access_key"]},
    )
    assert status == 200 and json.loads(body)["tracking_code"] == receipt["tracking_code"]
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]

    # Static files come from nginx (not the app: no content security policy),
    # kept a year under an address that names their content.
    _status, _headers, page = https(deployed, "GET", "/")
    address = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page)
    assert address, page[:500]
    status, headers, css = https(deployed, "GET", address.group(1))
    assert status == 200 and css == (ROOT / "static" / "style.css").read_text()
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Security-Policy" not in headers

    # Plain HTTP only redirects.
    connection = http.client.HTTPConnection("127.0.0.1", deployed.http_port, timeout=10)
    try:
        connection.request("GET", "/track?lang=en")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/track?lang=en"


@pytest.mark.postgres
def test_behind_the_shipped_site_each_client_is_throttled_by_its_real_address(deployed, live_db):
    """PROXY_COUNT=1 behind the shipped site: an outsider's forged
    X-Forwarded-For buys no more failed look-ups, and their 429 is theirs
    alone, not the next client's — across 4 workers sharing the throttle."""
    wrong_key = {"X-Access-Key": "AAAAA-AAAAA"}
    path = "/api/v1/cases/2570-000001"
    outsider = [
        https(deployed, "GET", path, "127.0.0.1", headers={**wrong_key, "X-Forwarded-For": f"10.0.0.{n}"})[0]
        for n in range(11)
    ]  # fmt: skip
    citizen = https(deployed, "GET", path, "127.0.0.2", headers=wrong_key)[0]
    assert outsider[:10] == [404] * 10 and outsider[10] == 429
    assert citizen == 404
    # nginx writes a request's line after its answer: wait for the citizen's.
    access_log = deployed.folder / "suggestion.access.log"
    wait_until(lambda: "\n127.0.0.2 - " in access_log.read_text(), timeout=10, what="the log")
    assert "10.0.0." not in access_log.read_text()


@pytest.mark.postgres
def test_fifty_slow_clients_do_not_hold_up_the_others(deployed, live_db):
    """50 connections trickling a request body a byte a second are held by
    nginx; the 4 workers stay free and another client's page comes at once
    (without nginx, gunicorn's 4 workers are held by the first 4 slow clients
    and every other client waits: README, "Production"). SLOW_CLIENT_SECONDS
    holds them longer (8 by default) and ``-s`` prints the times."""
    hold = float(os.environ.get("SLOW_CLIENT_SECONDS", "8"))
    slow = SlowClients("127.0.0.1", deployed.https_port, 50, deployed.context, source="127.0.0.3")
    slow.start()
    try:
        wait_until(
            lambda: len(slow.sockets) + slow.dropped >= 50, timeout=30, what="50 slow clients"
        )
        answers = []
        started = time.monotonic()
        while time.monotonic() - started < hold:
            status, seconds = timed_get(
                "127.0.0.1", deployed.https_port, "/api/v1/categories", deployed.context,
                source="127.0.0.4", timeout=30,
            )  # fmt: skip
            answers.append((status, seconds))
            time.sleep(1)
        held = len(slow.sockets)
    finally:
        slow.stop()
    times = sorted(seconds for _, seconds in answers)
    print(f"\n50 slow clients behind nginx for {hold:.0f} s: {len(times)} requests,"
          f" median {times[len(times) // 2]:.3f} s, slowest {times[-1]:.3f} s")  # fmt: skip
    assert held == 50 and slow.dropped == 0
    assert all(status == 200 for status, _ in answers), answers
    assert max(seconds for _, seconds in answers) < 2, answers
