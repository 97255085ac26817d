"""Jobs through real worker processes on the real broker: a job longer than the
requeue's grace runs exactly once while the requeue runs beside it, and a job
whose worker was killed is claimed again and finished, nothing moved twice.

The job is the real one, the recomputation of open cases' deadlines, over a
few thousand cases in small batches so that it outlasts the grace (set small
for the workers through REQUEUE_GRACE_SECONDS). No job exists only for tests:
a sleeping job would be code in the worker that production never asks for.

Tasks ignore their results, so what a worker did is read from its log, where
Celery writes each task's return value ("Task jobs.run[id] succeeded in 0.1s:
'done'")."""

from __future__ import annotations

import ast
import re
import signal
import time
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from suggestion import create_app
from suggestion.core.extensions import db
from suggestion.core.jobs import BackgroundJob
from suggestion.core.jobs import enqueue_job
from suggestion.core.jobs import HEARTBEAT_GRACES
from suggestion.core.jobs import JobStatus
from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName
from suggestion.core.time import utcnow
from tests.factories import make_case
from tests.helpers import copy_case
from tests.helpers import start_worker

pytestmark = [pytest.mark.worker]

GRACE = 0.5  # seconds: the workers' REQUEUE_GRACE_SECONDS
PRESUMED_DEAD = timedelta(seconds=GRACE * HEARTBEAT_GRACES)
# Enough cases that the job runs well past PRESUMED_DEAD + GRACE (3 s) on a
# fast, quiet machine: 1,500 once ended at 3.1 s and 3.2 s, too soon to show
# anything (whether in batches of 10 or of 5: the time is the cases', not the
# commits').
CASES = 3000
BATCH = 10  # cases per committed batch of the recomputation, each with its beat
NOTHING = {"notifications": 0, "jobs": 0}


class WorkerLogs:
    """The return values the workers logged, looked up by task id or name."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths

    def _text(self) -> str:
        return "".join(path.read_text() for path in self.paths if path.exists())

    def result(self, task_id: str, timeout: float = 60) -> Any:
        pattern = re.compile(rf"\[{re.escape(task_id)}\] succeeded in [0-9.e-]+s: (.*)$", re.M)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if match := pattern.search(self._text()):
                return ast.literal_eval(match.group(1))
            time.sleep(0.05)
        raise AssertionError(f"no worker reported task {task_id}:\n{self._text()[-3000:]}")

    def results(self, task_name: str) -> list[Any]:
        pattern = re.compile(
            rf"Task {re.escape(task_name)}\[[^]]+\] succeeded in [0-9.e-]+s: (.*)$", re.M
        )
        return [ast.literal_eval(m.group(1)) for m in pattern.finditer(self._text())]


def _open_cases_whose_deadlines_move(app, n: int) -> None:  # type: ignore[no-untyped-def]
    """One complaint through the service, then copies in one statement; then a
    longer outcome period for complaints, so every open case's due date moves."""
    with app.test_request_context():
        template = make_case(email=None).case
        db.session.commit()
        copy_case(template.id, n - 1, 2591, "claims")
        db.session.execute(
            sa.text("UPDATE sla_policies SET outcome_days = 30 WHERE kind = 'complaint'")
        )
        db.session.commit()
        db.session.remove()


def _recomputed_cases(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Events of recomputation, and the cases they belong to."""
    with app.app_context():
        events, cases = db.session.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT case_id) FROM case_events"
                " WHERE action = 'deadlines_recomputed'"
            )
        ).one()
        db.session.remove()
    return int(events), int(cases)


def _job(app, job_id: int) -> BackgroundJob:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        assert job is not None
        db.session.expunge(job)
        db.session.remove()
    return job


def _wait_for_job(  # type: ignore[no-untyped-def]
    app, job_id: int, condition: Callable[[BackgroundJob], bool], timeout: float = 120
) -> BackgroundJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(app, job_id)
        if condition(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is {job.status} after {timeout}s")


@pytest.fixture
def on_queue(app) -> Iterator[Callable[[str], Any]]:  # type: ignore[no-untyped-def]
    """An app that publishes to a queue of the test's own (its workers' queue)."""
    made: list[Any] = []

    def make(queue: str) -> Any:
        asking = create_app(
            "testing", {"CELERY": {**app.config["CELERY"], "task_default_queue": queue}}
        )
        with asking.extensions["celery"].connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)  # nothing left from an earlier run
        made.append(asking)
        return asking

    yield make
    app.extensions["celery"].set_default()
    for asking in made:
        with asking.app_context():
            db.engine.dispose()


def _worker(port: int, queue: str, log: Path) -> Any:
    return start_worker(
        port,
        queue,
        log,
        CELERY_QUEUE=queue,  # the requeue publishes to it too
        REQUEUE_GRACE_SECONDS=str(GRACE),
        SLA_RECOMPUTE_BATCH=str(BATCH),
    )


def _send(asking, task: TaskName, *args: Any) -> str:  # type: ignore[no-untyped-def]
    return str(asking.extensions["celery"].send_task(task, args=list(args)).id)


def _enqueue_recompute(asking) -> int:  # type: ignore[no-untyped-def]
    with asking.app_context():
        job_id = enqueue_job(
            db.session(), JobName.RECOMPUTE_DEADLINES, kind="complaint", reason="claims test"
        ).id
        db.session.commit()  # published after commit, to the test's queue
        db.session.remove()
    return job_id


def test_a_job_longer_than_the_grace_runs_exactly_once(
    app, live_db, smtp_server, tmp_path, on_queue
):
    _, port = smtp_server
    queue = "job-claims-once"
    _open_cases_whose_deadlines_move(app, CASES)
    asking = on_queue(queue)
    logs = WorkerLogs([tmp_path / "a.log", tmp_path / "b.log"])
    workers = [_worker(port, queue, path) for path in logs.paths]  # one runs the job, one is free
    try:
        job_id = _enqueue_recompute(asking)
        started_at = _wait_for_job(app, job_id, lambda j: j.status == JobStatus.RUNNING).started_at

        # The job delivered a second time while it runs (the old requeue did
        # this every minute; a broker may redeliver): the free worker skips it.
        assert logs.result(_send(asking, TaskName.RUN_JOB, job_id)) == "skipped"
        assert _job(app, job_id).status == JobStatus.RUNNING

        # The requeue, as beat runs it, on the free worker, until the job has run
        # for longer than a silent worker would be presumed dead: the job beats,
        # so it is never published again.
        requeues = []
        while True:
            sent_at = utcnow()
            requeues.append(logs.result(_send(asking, TaskName.REQUEUE_STALE)))
            job = _job(app, job_id)
            assert (job.status, job.attempts) == (JobStatus.RUNNING, 1), (
                f"{sent_at - started_at} after it began (if it is done, it ended too"
                " soon to show anything: give it more cases)"
            )
            if sent_at - started_at > PRESUMED_DEAD + timedelta(seconds=GRACE):
                break
            time.sleep(GRACE / 2)
        assert requeues == [NOTHING] * len(requeues) and len(requeues) > HEARTBEAT_GRACES

        job = _wait_for_job(app, job_id, lambda j: j.status != JobStatus.RUNNING)
        # A requeue after the end: nothing to publish, and every earlier task
        # has been reported (each worker takes its queue in order).
        assert logs.result(_send(asking, TaskName.REQUEUE_STALE)) == NOTHING
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
    assert (job.status, job.attempts, job.started_at) == (JobStatus.DONE, 1, started_at)
    assert job.result is not None
    assert (job.result["checked"], job.result["moved"]) == (CASES, CASES)
    assert _recomputed_cases(app) == (CASES, CASES)  # each case moved once
    # Two deliveries of the job (after commit, and the second one above): run once.
    assert sorted(logs.results(TaskName.RUN_JOB)) == ["done", "skipped"]


def test_a_job_whose_worker_was_killed_is_claimed_again_and_finished(
    app, live_db, smtp_server, tmp_path, on_queue
):
    _, port = smtp_server
    queue = "job-claims-killed"
    _open_cases_whose_deadlines_move(app, CASES)
    asking = on_queue(queue)
    first = _worker(port, queue, tmp_path / "first.log")
    try:
        job_id = _enqueue_recompute(asking)
        deadline = time.monotonic() + 60
        while _recomputed_cases(app)[0] < 10 * BATCH and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    moved_before, _ = _recomputed_cases(app)
    killed = _job(app, job_id)
    assert 0 < moved_before < CASES, "the job should have been killed in the middle"
    assert (killed.status, killed.attempts) == (JobStatus.RUNNING, 1)
    assert killed.heartbeat_at is not None

    logs = WorkerLogs([tmp_path / "second.log"])
    second = _worker(port, queue, logs.paths[0])
    try:
        # The requeue, as beat runs it, until the silent job is published again.
        requeues = []
        deadline = time.monotonic() + 60
        while not any(r["jobs"] for r in requeues) and time.monotonic() < deadline:
            sent_at = utcnow()
            requeues.append(logs.result(_send(asking, TaskName.REQUEUE_STALE)))
            # The requeue ran between sending and this moment (the worker runs
            # it when it comes to it, not when it was sent).
            answered_at = utcnow()
            if not requeues[-1]["jobs"]:
                assert sent_at < killed.heartbeat_at + PRESUMED_DEAD + timedelta(seconds=5)
                time.sleep(GRACE / 2)
        assert requeues[-1] == {"notifications": 0, "jobs": 1}
        assert answered_at >= killed.heartbeat_at + PRESUMED_DEAD  # not before it was presumed dead

        job = _wait_for_job(app, job_id, lambda j: j.status != JobStatus.RUNNING)
        # A requeue after the end publishes nothing; the worker has reported
        # every task before it (one worker takes its queue in order).
        assert logs.result(_send(asking, TaskName.REQUEUE_STALE)) == NOTHING
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert job.result is not None
    assert (job.result["checked"], job.result["moved"]) == (CASES, CASES - moved_before)
    assert _recomputed_cases(app) == (CASES, CASES)  # nothing lost, nothing moved twice
    assert logs.results(TaskName.RUN_JOB) == ["done"]
