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


@pytest.fixture
def own_queue(app, request, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """The app publishes to a queue of the test's own, which only the test's
    worker (on the test's mail server) reads."""
    queue = f"mail-faults-{request.node.name[:40]}"
    celery = app.extensions["celery"]
    monkeypatch.setitem(app.extensions, "task_publisher", CeleryPublisher(celery, queue))
    return queue


def _worker(mail_server, queue, tmp_path, name):  # type: ignore[no-untyped-def]
    return start_worker(
        mail_server.port, queue, tmp_path / f"{name}.log",
        CELERY_QUEUE=queue, MAIL_RETRY_BASE_SECONDS=str(BASE),
    )  # fmt: skip


def _file_for(app, address: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A case whose receipt goes to ``address``, published after its commit
    (to the test's queue: see ``own_queue``); its notification's id."""
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
    app, live_db, mail_server, own_queue, tmp_path
):
    """With the designed back-off between tries (1, 2, 4 × the base), counted
    by the row, even when the worker is killed between tries and the requeue,
    not the dead worker's retry, publishes the message again."""
    address = "busy@example.com"
    mail_server.script[address] = ["451 4.3.0 Try again later"] * 3
    queue = own_queue
    celery = app.extensions["celery"]
    worker = _worker(mail_server, queue, tmp_path, "first")
    try:
        notification_id, _ = _file_for(app, address)
        # Killed once its second try is recorded: the retry it had reserved
        # dies with it.
        wait_until(lambda: _row(app, notification_id).attempts >= 2, timeout=30, what="two tries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
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
    app, live_db, mail_server, own_queue, tmp_path
):
    address = "nobody-here@example.com"
    mail_server.script[address] = ["550 5.1.1 No such mailbox"]
    worker = _worker(mail_server, own_queue, tmp_path, "worker")
    try:
        notification_id, code = _file_for(app, address)
        wait_until(lambda: _row(app, notification_id).status == "failed", timeout=30)
        row = _row(app, notification_id)
        assert row.attempts == 1 and row.last_error.startswith("550")
        assert "No such mailbox" in row.last_error
        # The failed receipt waits sealed: the database reads no key or link.
        assert code not in row.body and "/track/link/" not in row.body

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
    text = message.get_content()
    assert code in text and "/track/link/" in text  # sent again whole


def test_a_worker_killed_three_times_in_a_burst_delivers_every_message_with_one_id(
    app, live_db, mail_server, own_queue, tmp_path
):
    """300 e-mails; the worker is SIGKILLed three times while it sends them. A
    message it sent but had not yet recorded goes again after the restart —
    with the same Message-ID, so mail systems keep one — and none is lost:
    the requeue publishes what the dead worker held."""
    from suggestion.notify.outbox import outbox_row
    from suggestion.notify.outbox import queue_emails

    queue = own_queue
    addresses = [f"burst-{n}@example.com" for n in range(300)]
    worker = _worker(mail_server, queue, tmp_path, "worker-0")
    try:
        with app.app_context():
            queue_emails(
                [
                    outbox_row("reply", address, ("A reply", "Text"), dedupe_key=f"burst:{n}")
                    for n, address in enumerate(addresses)
                ]
            )
            db.session.commit()  # published after the commit, to the test's queue
            db.session.remove()
        for round_, after in enumerate((40, 110, 180), start=1):
            wait_until(lambda after=after: len(mail_server.messages) >= after, timeout=60)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            worker = _worker(mail_server, queue, tmp_path, f"worker-{round_}")

        def requeue() -> bool:  # beat's requeue: what waited longer than the grace
            with app.app_context():
                outbox.publish(outbox.stale_notification_ids(grace_seconds=5))
                db.session.remove()
            return set(addresses) <= {m["To"] for m in mail_server.messages}

        wait_until(requeue, timeout=120, what="every e-mail")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    ids_by_address: dict[str, set[str]] = {}
    for message in mail_server.messages:
        ids_by_address.setdefault(message["To"], set()).add(message["Message-ID"])
    assert set(ids_by_address) == set(addresses)  # all 300 delivered
    assert all(len(ids) == 1 for ids in ids_by_address.values())  # one ID each, however often
