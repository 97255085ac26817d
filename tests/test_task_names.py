"""The names the code asks for work by (the outbox, jobs, beat) are declared
once, in suggestion.core.tasks, and each is one the worker runs."""

from __future__ import annotations

from suggestion.core.tasks import JobName
from suggestion.core.tasks import TaskName


def test_every_task_name_is_registered_with_the_worker(worker_package):
    registered = set(worker_package.app.tasks)
    assert set(TaskName) <= registered
    # ...and the worker registers no task of its own under a name declared elsewhere.
    assert {name for name in registered if not name.startswith("celery.")} == set(TaskName)


def test_every_beat_entry_names_a_registered_task(worker_package):
    schedule = worker_package.app.conf.beat_schedule
    assert schedule
    for entry, options in schedule.items():
        assert options["task"] in set(TaskName), entry
        assert type(options["task"]) is str, "beat pickles its entries: plain names only"
        assert options["task"] in worker_package.app.tasks, entry


def test_every_job_name_has_a_function_in_the_workers_table(worker_package):
    jobs = worker_package.tasks.JOBS
    assert set(jobs) == set(JobName)
    assert all(callable(jobs[name]) for name in JobName)
