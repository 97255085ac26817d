"""Jobs are claimed before they run: a running job is neither published again
by the requeue nor run twice, and a job whose worker died is claimed again.
(tests/test_job_claims.py shows the same through real worker processes.)"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from suggestion.cases.models import Case
from suggestion.cases.states import OPEN_STATES
from suggestion.core.extensions import db
from suggestion.core.jobs import BackgroundJob
from suggestion.core.jobs import beat
from suggestion.core.jobs import claim_job
from suggestion.core.jobs import finish_job
from suggestion.core.jobs import HEARTBEAT_GRACES
from suggestion.core.jobs import JobLost
from suggestion.core.jobs import JobStatus
from suggestion.core.jobs import stale_job_ids
from suggestion.core.tasks import JobName
from suggestion.core.time import utcnow
from suggestion.sla.recompute import recompute_open_deadlines
from tests.factories import make_case

GRACE = timedelta(seconds=60)
SILENT = GRACE * HEARTBEAT_GRACES  # no beat for this long: the worker is presumed dead
SECOND = timedelta(seconds=1)


def add_job(session, **fields) -> BackgroundJob:  # type: ignore[no-untyped-def]
    job = BackgroundJob(name=JobName.RECOMPUTE_DEADLINES, args={}, **fields)
    session.add(job)
    session.flush()
    return job


def reloaded(session, job: BackgroundJob) -> BackgroundJob:  # type: ignore[no-untyped-def]
    session.expire(job)  # the claims are Core statements
    return job


def silent_for(session, job: BackgroundJob, span: timedelta) -> None:  # type: ignore[no-untyped-def]
    session.execute(
        sa.update(BackgroundJob)
        .where(BackgroundJob.id == job.id)
        .values(heartbeat_at=utcnow() - span)
    )


def test_a_running_job_is_not_listed_as_stale(ctx, db_session, worker_package, monkeypatch):
    """A job asked for long ago looks for itself in the requeue's list while it
    runs: it must not be there. (Before claims, ``jobs.run`` left the job
    pending while it ran, so every requeue published it again and a job longer
    than the grace could run twice at once.)"""
    seen: list[list[int]] = []

    def look(**args: object) -> dict[str, object]:
        seen.append(stale_job_ids(db.session(), GRACE))
        return {}

    monkeypatch.setitem(worker_package.tasks.JOBS, JobName.RECOMPUTE_DEADLINES, look)
    job = add_job(db_session, created_at=utcnow() - timedelta(hours=1))
    db_session.commit()
    assert stale_job_ids(db_session, GRACE) == [job.id]  # pending past the grace: published again

    assert worker_package.tasks.run_job.run(job.id) == "done"
    assert seen == [[]]
    assert stale_job_ids(db_session, GRACE) == []


def test_a_job_is_claimed_once_and_run_once(ctx, db_session, worker_package):
    job = add_job(db_session)
    claim = claim_job(db_session, job.id, GRACE)
    assert claim is not None and (claim.name, claim.attempt) == (JobName.RECOMPUTE_DEADLINES, 1)
    assert claim_job(db_session, job.id, GRACE) is None  # a second delivery of the same job
    job = reloaded(db_session, job)
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert job.started_at is not None and job.heartbeat_at == job.started_at

    beat(db_session, claim)
    assert finish_job(db_session, claim, JobStatus.DONE, {"checked": 0})
    assert claim_job(db_session, job.id, GRACE) is None  # finished: never claimed again
    assert worker_package.tasks.run_job.run(job.id) == "skipped"
    assert reloaded(db_session, job).status == JobStatus.DONE


def test_a_job_whose_worker_stopped_beating_is_claimed_again(ctx, db_session):
    job = add_job(db_session)
    first = claim_job(db_session, job.id, GRACE)
    assert first is not None

    # Silent for a little less than the limit: the worker may be in a long batch.
    silent_for(db_session, job, SILENT - 5 * SECOND)
    assert stale_job_ids(db_session, GRACE) == []
    assert claim_job(db_session, job.id, GRACE) is None

    # Silent for longer: the requeue publishes it and the next worker claims it.
    silent_for(db_session, job, SILENT + SECOND)
    assert stale_job_ids(db_session, GRACE) == [job.id]
    second = claim_job(db_session, job.id, GRACE)
    assert second is not None and second.attempt == 2
    assert stale_job_ids(db_session, GRACE) == []

    # The first worker was alive after all: its next beat stops it, and it
    # cannot report the job as its own.
    with pytest.raises(JobLost):
        beat(db_session, first)
    assert not finish_job(db_session, first, JobStatus.DONE, {"by": "first"})
    assert finish_job(db_session, second, JobStatus.DONE, {"by": "second"})
    job = reloaded(db_session, job)
    assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 2, {"by": "second"})


def test_the_requeue_lists_late_pending_jobs_and_silent_running_ones(ctx, db_session):
    long_ago = utcnow() - timedelta(hours=1)
    late = add_job(db_session, created_at=long_ago)
    add_job(db_session)  # just asked for: its message is on its way
    add_job(  # running for an hour, and beating: however long it takes
        db_session, created_at=long_ago, status=JobStatus.RUNNING, heartbeat_at=utcnow()
    )
    silent = add_job(
        db_session, created_at=long_ago, status=JobStatus.RUNNING, heartbeat_at=long_ago
    )
    add_job(db_session, created_at=long_ago, status=JobStatus.DONE)
    add_job(db_session, created_at=long_ago, status=JobStatus.FAILED)
    assert stale_job_ids(db_session, GRACE) == [late.id, silent.id]


def test_a_job_that_lost_its_claim_stops_without_committing(
    ctx, db_session, worker_package, monkeypatch
):
    job = add_job(db_session)
    db_session.commit()

    def taken_over(*, heartbeat, **args):  # type: ignore[no-untyped-def]
        # Another worker claims the job meanwhile (this one looked dead) ...
        db.session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == job.id)
            .values(attempts=BackgroundJob.attempts + 1)
        )
        db.session.commit()
        # ... and this one's batch ends with its beat.
        db.session.execute(
            sa.update(BackgroundJob).where(BackgroundJob.id == job.id).values(args={"half": 1})
        )
        heartbeat()
        db.session.commit()
        raise AssertionError("the beat should have stopped the job")

    monkeypatch.setitem(worker_package.tasks.JOBS, JobName.RECOMPUTE_DEADLINES, taken_over)
    assert worker_package.tasks.run_job.run(job.id) == "lost"
    job = reloaded(db_session, job)
    assert (job.status, job.attempts, job.args) == (JobStatus.RUNNING, 2, {})


def test_a_job_that_fails_is_recorded_as_failed(ctx, db_session, worker_package, monkeypatch):
    def broken(**args: object) -> dict[str, object]:
        raise RuntimeError("the holiday table is empty")

    monkeypatch.setitem(worker_package.tasks.JOBS, JobName.RECOMPUTE_DEADLINES, broken)
    job = add_job(db_session)
    db_session.commit()
    with pytest.raises(RuntimeError):
        worker_package.tasks.run_job.run(job.id)
    job = reloaded(db_session, job)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert job.result == {"error": "the holiday table is empty"}
    assert job.finished_at is not None


def test_the_recompute_beats_after_each_batch(ctx, db_session):
    for _ in range(5):
        make_case(email=None)
    db_session.commit()
    open_cases = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(Case)
        .where(Case.status.in_([s.value for s in OPEN_STATES]))
    )
    beats: list[int] = []
    result = recompute_open_deadlines(heartbeat=lambda: beats.append(1), batch_size=2)
    assert result["checked"] == open_cases >= 5
    assert len(beats) == -(-open_cases // 2)  # one beat a batch


def test_of_many_workers_claiming_a_job_at_once_one_gets_it(app, live_db):
    """The claim is one statement: the others wait for the row, then find it
    taken (PostgreSQL re-checks the condition on the row they waited for)."""
    with app.app_context():
        job_id = add_job(db.session()).id
        db.session.commit()
        db.session.remove()
    others = 6
    claims: list[object] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            with app.app_context():
                claims.append(claim_job(db.session(), job_id, GRACE))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    with app.app_context():
        holder = db.engine.connect()
        waiting = db.engine.connect()
    try:
        with holder.begin(), Session(bind=holder) as session:
            first = claim_job(session, job_id, GRACE)
            threads = [threading.Thread(target=claim) for _ in range(others)]
            for thread in threads:
                thread.start()
            # Commit the first claim only once every other one waits for the row.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                blocked = waiting.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
                waiting.rollback()
                if blocked == others:
                    break
                time.sleep(0.05)
            assert blocked == others
        for thread in threads:
            thread.join(timeout=30)
    finally:
        holder.close()
        waiting.close()
    assert not errors, errors
    assert first is not None and claims == [None] * others
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        assert job is not None and (job.status, job.attempts) == (JobStatus.RUNNING, 1)
        db.session.remove()
