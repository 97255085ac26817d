"""Faults of the services the site depends on (DESIGN §5 "Faults"): each test
starts and stops a service of its own — a redis-server, an upload folder —
and leaves the shared ones alone."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from suggestion import create_app
from suggestion.core.extensions import db
from suggestion.notify import outbox
from tests import services
from tests.factories import upload
from tests.helpers import flask_command
from tests.helpers import get_from
from tests.helpers import NginxProxy
from tests.helpers import PostgresServer
from tests.helpers import RedisServer
from tests.helpers import SiteProcess
from tests.helpers import start_worker
from tests.helpers import wait_until
from tests.helpers import worker_caught_up

FILING = {
    "kind": "complaint",
    "category": "data-service",
    "subject": "ระหว่างที่ระบบคิวหยุด",
    "description": "ทดสอบ",
    "consent": True,
    "certify_true": True,
}


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    redis = RedisServer()
    redis.start()
    yield redis
    redis.stop()


@pytest.mark.worker
def test_with_the_broker_down_filings_do_not_wait_and_each_receipt_arrives_once(
    app, live_db, own_redis, smtp_server, tmp_path
):
    mailbox, smtp_port = smtp_server
    queue = "broker-down-under-load"
    worker = start_worker(
        smtp_port, queue, tmp_path / "worker.log", TEST_BROKER_URL=own_redis.url,
        CELERY_QUEUE=queue,
    )  # fmt: skip
    site = create_app(
        "testing",
        {"CELERY": {**app.config["CELERY"], "broker_url": own_redis.url,
                    "task_default_queue": queue}},
    )  # fmt: skip
    client = site.test_client()
    try:
        own_redis.stop()
        slowest_filing = slowest_page = 0.0
        addresses = [f"down-{n}@example.com" for n in range(20)]
        for address in addresses:
            started = time.monotonic()
            response = client.post(
                "/api/v1/cases", json={**FILING, "complainant": {"name": "ก", "email": address}}
            )
            slowest_filing = max(slowest_filing, time.monotonic() - started)
            assert response.status_code == 201
            started = time.monotonic()
            assert client.get("/process").status_code == 200  # needs no broker
            slowest_page = max(slowest_page, time.monotonic() - started)
        assert slowest_filing < 1.0, f"a filing took {slowest_filing:.2f} s"
        assert slowest_page < 1.0, f"a page took {slowest_page:.2f} s"
        assert all(mailbox.to(address) == [] for address in addresses)

        own_redis.start()  # the broker is back: the requeue publishes what waited
        with site.app_context():
            wait_until(
                lambda: outbox.publish(outbox.stale_notification_ids(grace_seconds=0)) >= 20,
                timeout=60,
                what="the requeue to reach the broker again",
            )
            db.session.remove()
        for address in addresses:
            mailbox.wait_for(address, timeout=60)
        worker_caught_up(site, mailbox, queue)
        received = Counter(m["To"] for m in mailbox.messages if m["To"] in addresses)
        assert received == Counter(dict.fromkeys(addresses, 1))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        with site.app_context():
            db.engine.dispose()


@pytest.mark.redis
def test_staff_log_in_while_the_rate_limit_store_is_down(app, live_db, own_redis, tmp_path):
    """The site as deployed (gunicorn), counting log-in failures in a Redis of
    the test's own: with Redis stopped, staff still log in and failures are
    counted in memory; once Redis is back, they are counted there again."""
    import redis as redis_client

    from tests.factories import make_user
    from tests.factories import PASSWORD

    with app.app_context():
        make_user("officer", "SERVICE", "limits.officer@example.go.th")
        db.session.commit()
        db.session.remove()
    site = SiteProcess(
        tmp_path / "site.log", RATELIMIT_STORAGE_URI=own_redis.url, CELERY_QUEUE="limits-test"
    )
    store = redis_client.Redis(port=own_redis.port)
    try:
        assert site.log_in("nobody@example.go.th", "a-wrong-password") == 401
        assert store.dbsize() > 0  # the failure is counted in Redis

        own_redis.stop()
        assert site.log_in("limits.officer@example.go.th", PASSWORD) == 303
        failures = [site.log_in("nobody@example.go.th", "a-wrong-password") for _ in range(21)]
        assert failures[:20] == [401] * 20 and failures[20] == 429  # counted in memory

        own_redis.start()  # empty, as a restarted Redis without persistence is
        store = redis_client.Redis(port=own_redis.port)
        wait_until(
            lambda: (
                site.log_in("nobody@example.go.th", "a-wrong-password") == 401
                and store.dbsize() > 0
            ),
            timeout=90,
            what="the limiter to use Redis again",
        )
        again = [site.log_in("nobody@example.go.th", "a-wrong-password") for _ in range(20)]
        assert again[-1] == 429 and store.dbsize() > 0  # throttled again, in Redis
    finally:
        site.stop()
    assert "falling back to in-memory storage" in (tmp_path / "site.log").read_text()


@pytest.mark.postgres
def test_the_error_page_with_the_database_down_is_the_sites_own_in_thai(tmp_path):
    """A logged-in officer, a database that stops: the 500 page must not need
    the database (it used to load the officer's name from it, fail, and leave
    Werkzeug's bare English page), and it says that nothing was saved."""
    database = PostgresServer()
    try:
        database.start()
        database.create_database()
        settings = {"TEST_DATABASE_URL": database.url, "CELERY_QUEUE": "database-down-test"}
        flask_command("db", "upgrade", **settings)
        flask_command("seed", "demo", **settings)
        site = SiteProcess(tmp_path / "site.log", **settings)
        try:
            assert site.log_in("officer@example.go.th", "demo-password-2569") == 303
            assert site.request("/staff/")[0] == 200
            database.stop()
            status, page = site.request("/staff/")
        finally:
            site.stop()
    finally:
        database.remove()
    assert status == 500
    assert '<html lang="th">' in page and "/static/style.css" in page  # the site's own page
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in page  # in Thai: nothing was saved
    assert "Internal Server Error" not in page


@pytest.fixture
def small_upload_folder(app, tmp_path, monkeypatch) -> Iterator[Path]:
    """An upload folder of the test's own: a 64 KiB tmpfs, so that the test
    can fill it or make it read-only (the shared disk is never touched)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],  # noqa: S607
        capture_output=True, text=True,
    )  # fmt: skip
    if mounted.returncode != 0:
        why = f"cannot mount a small folder here: {mounted.stderr.strip()}"
        if services.IN_CI:
            pytest.fail(why)
        pytest.skip(why)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)  # noqa: S603,S607


def _file_with_a_large_text_file(client, form_data) -> tuple[int, str]:
    response = client.post(
        "/file/complaint",
        data=form_data(client, attachments=[upload(b"x" * 40_000, "notes.txt")]),
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_an_upload_folder_that_fails_records_nothing_and_keeps_what_was_typed(
    client, small_upload_folder, fault
):
    from tests.test_filing import form_data
    from tests.test_filing import written

    if fault == "full":
        (small_upload_folder / "filler").write_bytes(b"\0" * 40_000)
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_upload_folder)], check=True)  # noqa: S603,S607
    before = written()
    status, page = _file_with_a_large_text_file(client, form_data)
    assert status == 503
    assert "เรื่องของท่านยังไม่ได้รับการบันทึก" in page  # in Thai: the case was NOT recorded
    assert 'value="บริการข้อมูลล่าช้า"' in page  # the subject typed is still there
    assert "ขอข้อมูลสถิติเมื่อวันที่ 1 พฤศจิกายน" in page  # and the facts
    assert written() == before
    left = sorted(p.name for p in small_upload_folder.rglob("*") if p.is_file())
    assert left == (["filler"] if fault == "full" else [])


@pytest.mark.postgres
def test_behind_nginx_each_client_is_throttled_on_its_own(app, live_db, tmp_path):
    """PROXY_COUNT=1 behind a real nginx: ten failed look-ups lock out the
    outsider who made them — whatever X-Forwarded-For they forge — and not
    the citizen next to them (before, every client was the proxy's address)."""
    if services.missing("nginx"):
        if services.IN_CI:
            pytest.fail(services.missing("nginx"))
        pytest.skip(services.missing("nginx"))
    site = SiteProcess(tmp_path / "site.log", PROXY_COUNT="1", CELERY_QUEUE="proxy-test")
    proxy = NginxProxy(tmp_path, site.port)
    wrong_key = {"X-Access-Key": "AAAAA-AAAAA"}
    path = "/api/v1/cases/2570-000001"
    try:
        outsider = [
            get_from("127.0.0.2", proxy.port, path, {**wrong_key, "X-Forwarded-For": f"10.0.0.{n}"})
            for n in range(11)
        ]
        citizen = get_from("127.0.0.3", proxy.port, path, wrong_key)
        # The e-mailed secret link opens a case without the key: its token
        # stays out of the documented access log (deploy/nginx/suggestion-log.conf).
        token = "kept-out-of-the-log-2e7f9c1d0b8a"
        get_from(
            "127.0.0.4",
            proxy.port,
            f"/track/link/{token}?lang=en",
            {"Referer": f"https://x/track/link/{token}"},
        )
    finally:
        proxy.stop()
        site.stop()
    assert outsider[:10] == [404] * 10 and outsider[10] == 429
    assert citizen == 404  # not locked out by the outsider
    log = (proxy.folder / "access.log").read_text()
    assert '"GET /track/link/[token]?lang=en HTTP/1.1"' in log and '/track/link/[token]"' in log
    assert token not in log


def test_without_trusted_proxies_forwarded_headers_are_ignored(client):
    """PROXY_COUNT=0 (the default): X-Forwarded-For is anyone's to send, so
    it is not believed — changing it does not buy more look-ups."""
    path = "/api/v1/cases/2570-000001"
    statuses = [
        client.get(
            path, headers={"X-Access-Key": "AAAAA-AAAAA", "X-Forwarded-For": f"10.0.0.{n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
