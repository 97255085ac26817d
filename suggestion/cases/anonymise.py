"""The retention run: anonymise the filer's personal data of every case
finished longer ago than its kind's period (suggestion.cases.retention),
unless it is under a legal hold. Beat runs it daily; ``flask privacy
retention`` runs it now.

What goes: the filer's name, e-mail, telephone, address and their digests;
the case's subject and description and the text of every event the filer
wrote (replaced by :data:`REDACTED`; the events stay, so the timeline keeps
its shape); the attached files and their rows; the filer's address, subject
and text in the outbox. What stays: kind, category, division, channel,
dates, deadlines, states, outcome, rating, every event and its diff, so
every figure of the indicators and reports is unchanged.

Set-based, in keyset batches by case id, each committed on its own and
recorded on the administrative audit trail (one record per case), so a run
killed midway leaves only whole batches and the next run does the rest. The
files of a batch are removed just before its commit: a run killed between
the two leaves rows without files on cases still due, which the next run
finishes; never a file without its row that nothing would remove.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from suggestion.cases.attachments import STAGED
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.models import Complainant
from suggestion.cases.retention import finished_at
from suggestion.cases.retention import LegalHold
from suggestion.cases.retention import retention_years
from suggestion.cases.states import Actor
from suggestion.cases.states import FINISHED_STATES
from suggestion.cases.states import Kind
from suggestion.cases.states import values
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.locks import advisory_lock
from suggestion.core.time import utcnow
from suggestion.notify.models import Notification
from suggestion.notify.models import NotificationStatus
from suggestion.notify.outbox import clear_filer_mail

RETENTION_LOCK_KEY = 0x52_45_54  # "RET", for pg_try_advisory_lock
# What replaces the filer's words; stored, so in both languages.
REDACTED = "[ลบแล้วเมื่อครบระยะเวลาเก็บรักษา · removed after the retention period]"


@dataclass
class RetentionReport:
    """What a run did (or, dry, would do): cases per kind, files removed,
    cases past their period kept under a legal hold."""

    dry_run: bool = False
    skipped: bool = False  # another run held the lock
    cases: Counter[str] = field(default_factory=Counter)
    files: int = 0
    held: int = 0
    batches: int = 0
    # Data-subject requests that forgot their requester with their cases
    # (suggestion.privacy.forgetting; a dry run does not count them).
    requests: int = 0

    @property
    def total(self) -> int:
        return sum(self.cases.values())


def cutoff(now: datetime, years: int) -> datetime:
    """The moment ``years`` calendar years before ``now`` (29 February → 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _past_period(now: datetime) -> sa.ColumnElement[bool]:
    """Finished longer ago than the kind's period, and not yet anonymised."""
    moment = finished_at()
    return sa.and_(
        Case.anonymised_at.is_(None),
        Case.status.in_(values(FINISHED_STATES)),
        sa.or_(
            *(
                sa.and_(Case.kind == kind.value, moment < cutoff(now, years))
                for kind, years in retention_years().items()
            )
        ),
    )


def _held() -> sa.ColumnElement[bool]:
    return sa.exists().where(LegalHold.case_id == Case.id)


def _pick(now: datetime, after: int, limit: int) -> tuple[list[tuple[int, str, str]], int | None]:
    """The next batch, (id, kind, tracking code) each, and the last id read
    (None: nothing is left). The cases are locked, so that a hold being
    placed meanwhile waits for this batch (and is then refused); a hold
    committed after the statement's snapshot but before its lock (placing a
    hold changes no column of the case, so the lock does not recheck it) is
    seen by a second read, which leaves that case out."""
    statement = (
        sa.select(Case.id, Case.kind, Case.tracking_code)
        .where(_past_period(now), ~_held(), Case.id > after)
        .order_by(Case.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Case, skip_locked=True)
    rows = [(r[0], r[1], r[2]) for r in db.session.execute(statement)]
    if not rows:
        return [], None
    held = set(
        db.session.scalars(
            sa.select(LegalHold.case_id).where(LegalHold.case_id.in_([r[0] for r in rows]))
        )
    )
    return [r for r in rows if r[0] not in held], rows[-1][0]


def _remove_files(ids: list[int]) -> int:
    keys = list(
        db.session.scalars(sa.select(Attachment.storage_key).where(Attachment.case_id.in_(ids)))
    )
    root = Path(current_app.config["UPLOAD_DIR"])
    for key in keys:
        final = root / key[:2] / key
        for path in (final, final.with_name(final.name + STAGED)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    db.session.execute(sa.delete(Attachment).where(Attachment.case_id.in_(ids)))
    return len(keys)


def _clear_outbox(ids: list[int]) -> None:
    """The filer's e-mails lose their address, subject and text
    (:func:`clear_filer_mail`); every other e-mail of the case loses its text
    (staff alerts quote the subject), and one still waiting is given up
    rather than sent without it."""
    clear_filer_mail(ids)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.case_id.in_(ids), Notification.body.is_not(None))
        .values(
            body=None,
            status=sa.case(
                (Notification.status == NotificationStatus.PENDING.value, "failed"),
                else_=Notification.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def _redact_events(ids: list[int]) -> None:
    """The filer's words in their events. The trail is append-only: the
    database lets an event's body change to REDACTED and nothing else
    (migration 0019), on PostgreSQL only through a function of the owner."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(sa.func.redact_filer_events(sa.cast(ids, sa.ARRAY(sa.Integer))))
        )
        return
    db.session.execute(
        sa.update(CaseEvent)
        .where(
            CaseEvent.case_id.in_(ids),
            CaseEvent.actor_label == Actor.PUBLIC.value,
            CaseEvent.body.is_not(None),
            CaseEvent.body != REDACTED,
        )
        .values(body=REDACTED)
        .execution_options(synchronize_session=False)
    )


def _anonymise(batch: list[tuple[int, str, str]], now: datetime, actor_label: str) -> int:
    ids = [case_id for case_id, _, _ in batch]
    _clear_outbox(ids)
    db.session.execute(
        sa.update(Complainant)
        .where(Complainant.case_id.in_(ids))
        .values(
            name=None,
            email=None,
            phone=None,
            address=None,
            email_digest=None,
            phone_digest=None,
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Case)
        .where(Case.id.in_(ids))
        .values(
            subject=REDACTED[:200],
            description=REDACTED,
            anonymised_at=now,
            version=Case.version + 1,  # an officer's open form is now stale
        )
        .execution_options(synchronize_session=False)
    )
    _redact_events(ids)  # after the case is marked: the database checks it
    db.session.execute(
        sa.insert(AdminEvent),
        [
            {
                "at": now,
                "actor_id": None,
                "actor_label": actor_label,
                "action": AdminAction.PERSONAL_DATA_ANONYMISED,
                "target": f"case {code}",
                "diff": {"kind": [None, kind], "anonymised_at": [None, now.isoformat()]},
            }
            for _, kind, code in batch
        ],
    )
    return _remove_files(ids)  # last: a failure before this keeps the files


def _dry_run(report: RetentionReport, now: datetime) -> RetentionReport:
    report.cases.update(
        dict(
            db.session.execute(
                sa.select(Case.kind, sa.func.count())
                .where(_past_period(now), ~_held())
                .group_by(Case.kind)
            ).all()
        )
    )
    report.files = (
        db.session.scalar(
            sa.select(sa.func.count(Attachment.id))
            .join(Case, Case.id == Attachment.case_id)
            .where(_past_period(now), ~_held())
        )
        or 0
    )
    return report


def run_retention(
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    batch_size: int | None = None,
    actor_label: str = AdminActor.SYSTEM,
) -> RetentionReport:
    """One run; a job, so it commits after each batch (a dry run writes nothing)."""
    now = now or utcnow()
    batch_size = batch_size or current_app.config["RETENTION_BATCH"]
    report = RetentionReport(dry_run=dry_run)
    with advisory_lock(RETENTION_LOCK_KEY) as acquired:
        if not acquired:
            report.skipped = True
            return report
        report.held = (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Case).where(_past_period(now), _held())
            )
            or 0
        )
        if dry_run:
            return _dry_run(report, now)
        after = 0
        while True:
            batch, last = _pick(now, after, batch_size)
            if last is None:
                break
            after = last
            if batch:
                report.files += _anonymise(batch, now, actor_label)
                report.batches += 1
                report.cases.update(kind for _, kind, _ in batch)
            db.session.commit()
    return report


def kind_counts(report: RetentionReport) -> list[tuple[Kind, int]]:
    """The report's cases per kind, every kind listed, for the command's output."""
    return [(kind, report.cases.get(kind.value, 0)) for kind in Kind]
