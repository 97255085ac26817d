"""Retention of the filer's personal data (issue 16, item 1): the cases past
their kind's period are anonymised, exactly those, once, whatever kills the
run, and every figure of the indicators and reports stays the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from suggestion.cases.anonymise import REDACTED
from suggestion.cases.anonymise import run_retention
from suggestion.cases.attachments import path_of
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Complainant
from suggestion.cases.retention import lift_hold
from suggestion.cases.retention import place_hold
from suggestion.cases.retention import set_retention_years
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.cases.tracking import add_information
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminEvent
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.notify.models import Notification
from suggestion.notify.outbox import ERASED_ADDRESS
from suggestion.reports.indicators import fiscal_year_indicators
from suggestion.reports.indicators import monthly_report
from suggestion.reports.indicators import monthly_sla
from suggestion.reports.periods import Period
from suggestion.reports.published import compute
from tests.factories import checked_pdf
from tests.factories import make_case
from tests.helpers import copy_case
from tests.helpers import ROOT
from tests.helpers import wait_until

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
ALL_KINDS = [k.value for k in Kind]
NAME, EMAIL, PHONE = "สมชาย ใจดี", "somchai@example.com", "0812345678"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def finished_case(kind: Kind, status: Status, finished: str, *, rating: int | None = None) -> Case:
    """A filed case with the filer's data, a file, the filer's added words and
    a staff note, then set (as history) to ``status`` at ``finished``."""
    case = make_case(kind=kind, address="99 ถนนพหลโยธิน", files=[checked_pdf()]).case
    add_information(case, "บ้านเลขที่ 12 ของนายสมชาย", [checked_pdf()])
    db.session.add(
        CaseEvent(case_id=case.id, action="note", actor_label="staff", body="staff note")
    )
    end = at(finished)
    received = end.replace(day=1) if end.day > 1 else end
    values: dict[str, Any] = {
        "status": status.value,
        "received_at": received,
        "ack_due_at": received,
        "acknowledged_at": received,
        "due_at": end,
        "satisfaction": rating,
    }
    if status in (Status.RESOLVED, Status.REJECTED, Status.FORWARDED, Status.CLOSED):
        values.update(resolved_at=end, outcome_working_days=5)
    if status == Status.CLOSED:
        values["closed_at"] = end
    if status == Status.MERGED:
        values["updated_at"] = end
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(**values))
    db.session.flush()
    return case


def figures() -> dict[str, Any]:
    """Every indicator and report figure the cases of this test feed."""
    found: dict[str, Any] = {}
    for year in range(2558, 2571):
        found[f"fy{year}"] = fiscal_year_indicators(year, ALL_KINDS).to_json()
        found[f"fy{year}-default"] = fiscal_year_indicators(year).to_json()
        found[f"published{year}"] = compute(year).to_json()
        found[f"sla{year}"] = monthly_sla(year, ALL_KINDS)
    for year, month in [(2015, 5), (2020, 5), (2022, 1), (2022, 3), (2024, 12), (2025, 9)]:
        report = monthly_report(Period.month(year, month), ALL_KINDS)
        found[f"month{year}-{month}"] = (
            report.total,
            report.by_division,
            report.by_category,
            len(report.overdue),
            report.disputed_outcomes,
        )
    return found


def personal(case: Case) -> tuple[Any, ...]:
    c = db.session.get(
        Complainant,
        db.session.scalar(sa.select(Complainant.id).where(Complainant.case_id == case.id)),
    )
    assert c is not None
    return c.name, c.email, c.phone, c.address, c.email_digest, c.phone_digest


def test_retention_anonymises_exactly_the_cases_past_their_period(ctx, db_session, app):
    set_retention_years(None, {Kind.INQUIRY: 3})  # an administrator's period
    due = {
        "complaint closed 2022": finished_case(
            Kind.COMPLAINT, Status.CLOSED, "2022-03-01", rating=5
        ),
        "complaint resolved 2022": finished_case(Kind.COMPLAINT, Status.RESOLVED, "2022-01-10"),
        "corruption declined 2015": finished_case(Kind.CORRUPTION, Status.REJECTED, "2015-05-01"),
        "suggestion closed 2024": finished_case(
            Kind.SUGGESTION, Status.CLOSED, "2024-12-01", rating=2
        ),
    }
    kept = {
        "complaint closed 2025": finished_case(
            Kind.COMPLAINT, Status.CLOSED, "2025-09-01", rating=4
        ),
        "complaint open since 2021": finished_case(
            Kind.COMPLAINT, Status.IN_PROGRESS, "2021-02-01"
        ),
        "corruption closed 2020": finished_case(Kind.CORRUPTION, Status.CLOSED, "2020-05-01"),
        "inquiry closed 2024 (3 years)": finished_case(Kind.INQUIRY, Status.CLOSED, "2024-12-01"),
        "complaint closed 2022, held": finished_case(Kind.COMPLAINT, Status.CLOSED, "2022-03-01"),
    }
    place_hold(None, kept["complaint closed 2022, held"], "คดีปกครองหมายเลขดำ 123/2566")
    db.session.commit()
    files = {name: [path_of(a) for a in case.attachments] for name, case in {**due, **kept}.items()}
    assert all(p.is_file() for paths in files.values() for p in paths)
    events_before = db.session.scalar(sa.select(sa.func.count(CaseEvent.id)))
    before = figures()

    report = run_retention(NOW, batch_size=2)

    assert report.total == len(due) and report.held == 1 and report.batches == 2
    assert report.files == 2 * len(due)
    db.session.expire_all()
    assert figures() == before
    assert db.session.scalar(sa.select(sa.func.count(CaseEvent.id))) == events_before
    for name, case in due.items():
        assert case.anonymised_at == NOW, name
        assert personal(case) == (None,) * 6, name
        assert (case.subject, case.description) == (REDACTED[:200], REDACTED)
        bodies = dict(
            db.session.execute(
                sa.select(CaseEvent.actor_label, CaseEvent.body).where(
                    CaseEvent.case_id == case.id, CaseEvent.body.is_not(None)
                )
            ).all()
        )
        assert bodies == {"public": REDACTED, "staff": "staff note"}
        assert not db.session.scalars(
            sa.select(Attachment).where(Attachment.case_id == case.id)
        ).all()
        assert not any(p.exists() for p in files[name])
        mail = db.session.scalars(
            sa.select(Notification).where(Notification.case_id == case.id)
        ).all()
        assert mail and all(
            m.to_address == ERASED_ADDRESS and m.recipient_digest is None for m in mail
        )
        assert all(m.body is None and EMAIL not in m.subject for m in mail)
    for name, case in kept.items():
        assert case.anonymised_at is None, name
        assert personal(case)[:3] == (NAME, EMAIL, PHONE), name
        assert all(p.is_file() for p in files[name]), name
    records = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == AdminAction.PERSONAL_DATA_ANONYMISED)
    ).all()
    assert sorted(r.target for r in records) == sorted(
        f"case {c.tracking_code}" for c in due.values()
    )
    assert {r.actor_label for r in records} == {"system"}

    # Again: nothing is left to do, and nothing is recorded twice.
    assert run_retention(NOW).total == 0
    assert db.session.scalar(
        sa.select(sa.func.count(AdminEvent.id)).where(
            AdminEvent.action == AdminAction.PERSONAL_DATA_ANONYMISED
        )
    ) == len(due)

    # Lifting the hold lets the next run anonymise the case; both are audited.
    held = kept["complaint closed 2022, held"]
    assert lift_hold(None, held)
    db.session.commit()
    assert run_retention(NOW).total == 1
    assert held.anonymised_at == NOW
    with pytest.raises(Invalid):
        place_hold(None, held, "too late")
    actions = db.session.scalars(sa.select(AdminEvent.action).order_by(AdminEvent.id)).all()
    assert AdminAction.LEGAL_HOLD_PLACED in actions and AdminAction.LEGAL_HOLD_LIFTED in actions
    assert AdminAction.RETENTION_CHANGED in actions


def test_the_trail_refuses_any_other_change_to_an_event(ctx, db_session):
    case = finished_case(Kind.COMPLAINT, Status.CLOSED, "2020-01-10")
    db.session.commit()
    event_id = db.session.scalar(
        sa.select(sa.func.min(CaseEvent.id)).where(CaseEvent.case_id == case.id)
    )
    for values in ({"body": "rewritten"}, {"body": REDACTED, "is_public": False}):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(
                sa.update(CaseEvent).where(CaseEvent.id == event_id).values(**values)
            )
    # The owner's function redacts only the cases already marked anonymised.
    assert db.session.scalar(sa.select(sa.func.redact_filer_events([case.id]))) == 0


def test_dry_run_writes_nothing_and_prints_counts_without_personal_data(ctx, db_session, app):
    case = finished_case(Kind.COMPLAINT, Status.CLOSED, "2020-01-10")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would anonymise 1 cases (complaint 1," in result.output
    assert "would remove 2 files" in result.output and "nothing was written" in result.output
    db.session.expire_all()
    assert case.anonymised_at is None and personal(case)[0] == NAME
    result = app.test_cli_runner().invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1 cases" in result.output and "removed 2 files" in result.output
    for secret in (NAME, EMAIL, PHONE, case.tracking_code, "สมชาย"):
        assert secret not in result.output


CASES = 3000


def test_a_run_killed_midway_is_finished_by_the_next_exactly_once(app, live_db, tmp_path: Path):
    with app.test_request_context():
        template = finished_case(Kind.COMPLAINT, Status.CLOSED, "2021-01-10")
        recent = finished_case(Kind.COMPLAINT, Status.CLOSED, "2026-01-10")
        copy_case(template.id, CASES, 2564, "retention")
        db.session.execute(
            sa.text("UPDATE cases SET fiscal_year = 2564 WHERE tracking_code LIKE '2564-%'")
        )
        copy_case(recent.id, 200, 2569, "recent")
        db.session.execute(
            sa.text("""
            INSERT INTO complainants (case_id, name, email, phone, is_email_withheld)
            SELECT id, 'สมชาย ใจดี', 'somchai@example.com', '0812345678', false FROM cases
            WHERE NOT EXISTS (SELECT FROM complainants c WHERE c.case_id = cases.id)
        """)
        )
        db.session.execute(
            sa.text("""
            INSERT INTO case_events (case_id, at, action, actor_label, is_public, diff, body)
            SELECT id, now(), 'information_added', 'public', true, '{}', 'บ้านเลขที่ 12' FROM cases
        """)
        )
        db.session.commit()
        due = set(db.session.scalars(sa.select(Case.id).where(Case.closed_at < at("2024-01-01"))))
        assert len(due) == CASES + 1
    env = {**os.environ, "SUGGESTION_ENV": "testing", "RETENTION_BATCH": "5"}
    command = [sys.executable, "-m", "flask", "privacy", "retention"]
    run = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )  # noqa: S603

    def anonymised() -> int:
        with app.app_context():
            n = db.session.scalar(
                sa.select(sa.func.count(Case.id)).where(Case.anonymised_at.is_not(None))
            )
            db.session.remove()
            return n or 0

    try:
        wait_until(lambda: anonymised() >= 100, timeout=60, what="the first batches")
        run.send_signal(signal.SIGKILL)
        run.wait(10)
    finally:
        if run.poll() is None:
            run.kill()
    midway = anonymised()
    assert 0 < midway < len(due), "killed midway"
    time.sleep(0.1)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert f"anonymised {len(due) - midway} cases" in done.stdout
    with app.app_context():
        rows = db.session.execute(sa.select(Case.id, Case.anonymised_at, Case.description)).all()
        assert {r.id for r in rows if r.anonymised_at is not None} == due
        assert all(r.description == REDACTED for r in rows if r.id in due)
        named = db.session.scalars(
            sa.select(Complainant.case_id).where(Complainant.name.is_not(None))
        )
        assert set(named).isdisjoint(due)
        bodies = db.session.execute(
            sa.select(CaseEvent.case_id, CaseEvent.body).where(
                CaseEvent.actor_label == "public", CaseEvent.body.is_not(None)
            )
        ).all()
        assert all((body == REDACTED) == (case_id in due) for case_id, body in bodies)
        per_case = db.session.execute(
            sa.select(AdminEvent.target, sa.func.count())
            .where(AdminEvent.action == AdminAction.PERSONAL_DATA_ANONYMISED)
            .group_by(AdminEvent.target)
        ).all()
        assert len(per_case) == len(due) and {n for _, n in per_case} == {1}
        assert {r.actor_label for r in db.session.scalars(sa.select(AdminEvent))} >= {
            "command line"
        }
        db.session.remove()


@pytest.mark.worker
def test_beats_daily_task_anonymises_through_a_real_worker(app, live_db, celery_worker):
    """What beat publishes every day (privacy.retention), run by a real
    Celery worker: the case past its period loses its filer's data, the
    recent one keeps it."""
    from suggestion.core.jobs import send_tasks
    from suggestion.core.tasks import TaskName
    from tests.helpers import wait_until

    with app.test_request_context():
        old = finished_case(Kind.COMPLAINT, Status.CLOSED, "2021-01-10").id
        recent = finished_case(Kind.COMPLAINT, Status.CLOSED, "2026-01-10").id
        db.session.commit()
        assert send_tasks([(TaskName.RETENTION, ())]) == 1

    def anonymised_at(case_id: int) -> datetime | None:
        with app.app_context():
            moment = db.session.scalar(sa.select(Case.anonymised_at).where(Case.id == case_id))
            db.session.remove()
            return moment

    wait_until(lambda: anonymised_at(old) is not None, timeout=30, what="the daily retention")
    assert anonymised_at(recent) is None
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Complainant.name).where(Complainant.case_id == recent))
            == "สมชาย ใจดี"
        )
        assert (
            db.session.scalar(sa.select(Complainant.name).where(Complainant.case_id == old)) is None
        )
        db.session.remove()


def test_a_duplicate_is_kept_as_long_as_the_case_it_was_merged_into(ctx, db_session):
    """Merged in 2021 into a case still being handled: kept; merged into a
    case closed in 2021: anonymised with it."""
    going_on = make_case().case
    closed = finished_case(Kind.COMPLAINT, Status.CLOSED, "2021-01-10")
    duplicates = {}
    for name, target in (("into_open", going_on), ("into_closed", closed)):
        duplicate = finished_case(Kind.COMPLAINT, Status.CLOSED, "2021-01-10")
        db.session.execute(
            sa.update(Case)
            .where(Case.id == duplicate.id)
            .values(
                status=Status.MERGED.value, merged_into_id=target.id, updated_at=at("2021-01-11")
            )
        )
        duplicates[name] = duplicate.id
    db.session.flush()
    run_retention(NOW)
    anonymised = dict(db.session.execute(sa.select(Case.id, Case.anonymised_at)).all())
    assert anonymised[duplicates["into_open"]] is None
    assert anonymised[duplicates["into_closed"]] is not None
    assert anonymised[closed.id] is not None and anonymised[going_on.id] is None
