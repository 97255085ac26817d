"""A mail server that refuses, for a while or for good, and a worker that
dies: each message is delivered once, with the designed back-off, or given up
at once with the server's answer for administrators to send again."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from suggestion.core.extensions import db
from suggestion.core.jobs import CeleryPublisher
from suggestion.core.tasks import TaskName
from suggestion.notify import outbox
from suggestion.notify.models import Notification
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.helpers import login
from tests.helpers import ScriptedMailServer
from tests.helpers import start_worker
from tests.helpers import wait_until

pytestmark = [pytest.mark.worker]

BASE = 1.0  # seconds: the first retry's wait in these tests (30 s in production)


@pytest.fixture
def mail_server() -> Iterator[ScriptedMailServer]:
    server = ScriptedMailServer()
    server.start()
    yield server
    server.stop()


def _worker(mail_server, queue, tmp_path, name):  # type: ignore[no-untyped-def]
    return start_worker(
        mail_server.port, queue, tmp_path / f"{name}.log",
        CELERY_QUEUE=queue, MAIL_RETRY_BASE_SECONDS=str(BASE),
    )  # fmt: skip


def _file_for(app, address: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A case whose receipt goes to ``address``; its notification's id."""
    with app.test_request_context():
        code = make_case(email=address).case.tracking_code
        db.session.commit()
        notification_id = db.session.scalars(
            sa.select(Notification.id).where(Notification.to_address == address)
        ).one()
        db.session.remove()
    return notification_id, code


def _row(app, notification_id: int) -> Notification:  # type: ignore[no-untyped-def]
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        db.session.expunge_all()
        db.session.remove()
        return row


def test_a_server_that_says_451_three_times_gets_the_message_once_at_the_fourth_try(
    app, live_db, mail_server, tmp_path
):
    """With the designed back-off between tries (1, 2, 4 × the base), counted
    by the row, even when the worker is killed between tries and the requeue,
    not the dead worker's retry, publishes the message again."""
    address = "busy@example.com"
    mail_server.script[address] = ["451 4.3.0 Try again later"] * 3
    queue = "mail-451-test"
    celery = app.extensions["celery"]
    worker = _worker(mail_server, queue, tmp_path, "first")
    try:
        notification_id, _ = _file_for(app, address)
        celery.send_task(TaskName.DELIVER_NOTIFICATION, args=[notification_id], queue=queue)
        # Killed once its second try is recorded: the retry it had reserved
        # dies with it.
        wait_until(lambda: _row(app, notification_id).attempts >= 2, timeout=30, what="two tries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    worker = _worker(mail_server, queue, tmp_path, "second")
    try:

        def requeue() -> bool:  # what beat's requeue does, every half second here
            with app.app_context():
                for stale in outbox.stale_notification_ids(grace_seconds=0):
                    celery.send_task(TaskName.DELIVER_NOTIFICATION, args=[stale], queue=queue)
                db.session.remove()
            return len(mail_server.to(address)) >= 1

        wait_until(requeue, timeout=60, what="the fourth try")
        wait_until(lambda: _row(app, notification_id).status == "sent", timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    tries = mail_server.tries_of(address)
    assert [answer[:3] for _, answer in tries] == ["451", "451", "451", "250"]
    gaps = [later - earlier for (earlier, _), (later, _) in zip(tries, tries[1:], strict=False)]
    for gap, designed in zip(gaps, (BASE, 2 * BASE, 4 * BASE), strict=True):
        assert gap >= designed - 0.05, (gaps, "a try came before its back-off")
    assert len(mail_server.to(address)) == 1
    row = _row(app, notification_id)
    assert row.attempts == 4 and row.last_error is None


def test_a_server_that_says_550_fails_at_once_and_an_administrator_sends_it_again(
    app, live_db, mail_server, tmp_path, monkeypatch
):
    address = "nobody-here@example.com"
    mail_server.script[address] = ["550 5.1.1 No such mailbox"]
    queue = "mail-550-test"
    celery = app.extensions["celery"]
    worker = _worker(mail_server, queue, tmp_path, "worker")
    try:
        notification_id, code = _file_for(app, address)
        celery.send_task(TaskName.DELIVER_NOTIFICATION, args=[notification_id], queue=queue)
        wait_until(lambda: _row(app, notification_id).status == "failed", timeout=30)
        row = _row(app, notification_id)
        assert row.attempts == 1 and row.last_error.startswith("550")
        assert "No such mailbox" in row.last_error

        with app.app_context():
            make_user("admin", "CENTRAL", "mail.admin@example.go.th")
            db.session.commit()
            db.session.remove()
        client = app.test_client()
        login(client, "mail.admin@example.go.th")
        client.set_cookie("lang", "en")
        page = client.get("/admin/").get_data(as_text=True)
        failed = re.search(r'data-testid="failed-mail">(.*?)</ul>', page, re.S).group(1)
        assert address in failed and f"/staff/cases/{code}" in failed and "550" in failed

        # The address is fixed (the mailbox exists now): send it again.
        monkeypatch.setitem(app.extensions, "task_publisher", CeleryPublisher(celery, queue))
        token = csrf_token(client, "/admin/")
        resent = client.post(
            "/admin/failed-mail/resend",
            data={"csrf_token": token, "notification": str(notification_id)},
        )
        assert resent.status_code == 303
        [message] = mail_server.wait_for(address)
        wait_until(lambda: _row(app, notification_id).status == "sent", timeout=30)
        audit = client.get("/admin/audit").get_data(as_text=True)
        assert "Failed e-mail sent again" in audit and f"e-mail {notification_id}" in audit
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(mail_server.to(address)) == 1
    assert message["Message-ID"].startswith(f"<notification-{notification_id}@")
