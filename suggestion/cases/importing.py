"""Importing historical cases from CSV (DESIGN §2): the whole file or nothing,
every bad row reported with its line number and the reason.

The file is read twice: once to check every row, holding nothing but the
problems, and once to insert, a batch of Core INSERTs at a time inside one
transaction, so memory stays flat however long the file is.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from typing import IO
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from suggestion.auth.models import Division
from suggestion.calendar.models import Holiday
from suggestion.calendar.workdays import working_days_between
from suggestion.cases.codes import digest
from suggestion.cases.codes import tracking_numbers
from suggestion.cases.events import record_events
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.states import Actor
from suggestion.cases.states import Channel
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.cases.states import OPEN_STATES
from suggestion.cases.states import OUTCOMES
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.deadlines.computation import case_deadlines
from suggestion.deadlines.computation import PolicyTerms
from suggestion.deadlines.policies import terms_for

COLUMNS = (
    "reference", "kind", "category", "channel", "subject", "description", "received_at",
    "due_at", "resolved_at", "closed_at", "status", "division", "satisfaction",
)  # fmt: skip
REQUIRED = ("kind", "subject", "received_at")
BATCH_SIZE = 1000


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    reference: str | None
    kind: str
    category_id: int | None
    channel: str
    subject: str
    description: str
    received_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    status: Status
    division_id: int | None
    satisfaction: int | None


class _Lookups:
    def __init__(self) -> None:
        self.tz: ZoneInfo = agency_zone()
        self.categories = {c.code: c for c in db.session.scalars(sa.select(Category))}
        self.divisions = {d.code: d.id for d in db.session.scalars(sa.select(Division))}
        self.holidays = frozenset(db.session.scalars(sa.select(Holiday.day)))
        self._terms: dict[tuple[str, int | None], PolicyTerms] = {}

    def terms(self, kind: str, category_id: int | None) -> PolicyTerms:
        key = (kind, category_id)
        if key not in self._terms:
            self._terms[key] = terms_for(kind, category_id)
        return self._terms[key]


class RowProblem(Exception):
    """What is wrong with one row of the file (reported with its line)."""


def _moment(value: str, tz: ZoneInfo) -> datetime:
    """ISO 8601; a bare date is the start of that day in the agency's zone."""
    value = value.strip()
    if len(value) == 10:
        return start_of_day(date.fromisoformat(value), tz)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _parse(raw: dict[str, str], look: _Lookups) -> Row:
    """One row, or RowProblem with the reasons."""
    get = lambda name: (raw.get(name) or "").strip()  # noqa: E731
    problems: list[str] = []
    kind = get("kind")
    if kind not in {k.value for k in Kind}:
        problems.append(f"kind {kind!r} is not one of {', '.join(k.value for k in Kind)}")
    subject = get("subject")
    if not subject:
        problems.append("subject is empty")
    elif len(subject) > 200:
        problems.append("subject is longer than 200 characters")
    moments: dict[str, datetime | None] = {}
    for name in ("received_at", "due_at", "resolved_at", "closed_at"):
        value = get(name)
        try:
            moments[name] = _moment(value, look.tz) if value else None
        except ValueError:
            problems.append(f"{name} {value!r} is not an ISO 8601 date or date-time")
    if moments.get("received_at") is None and "received_at" not in " ".join(problems):
        problems.append("received_at is empty")
    category = look.categories.get(get("category")) if get("category") else None
    if get("category") and category is None:
        problems.append(f"category {get('category')!r} does not exist")
    division_id = look.divisions.get(get("division")) if get("division") else None
    if get("division") and division_id is None:
        problems.append(f"division {get('division')!r} does not exist")
    channel = get("channel") or Channel.IMPORT.value
    if channel not in {c.value for c in Channel}:
        problems.append(f"channel {channel!r} is not one of {', '.join(c.value for c in Channel)}")
    satisfaction = None
    if get("satisfaction"):
        if get("satisfaction") in {"1", "2", "3", "4", "5"}:
            satisfaction = int(get("satisfaction"))
        else:
            problems.append("satisfaction must be a whole number from 1 to 5")
    received, resolved, closed = (
        moments.get("received_at"),
        moments.get("resolved_at"),
        moments.get("closed_at"),
    )
    given = get("status") or (
        Status.CLOSED if closed else Status.RESOLVED if resolved else Status.RECEIVED
    )
    status = Status(given) if given in set(Status) else None
    if status is None or status == Status.MERGED:
        problems.append(f"status {given!r} cannot be imported")
    elif status in OUTCOMES and resolved is None:
        problems.append(f"status {status} needs resolved_at")
    if received and resolved and resolved < received:
        problems.append("resolved_at is before received_at")
    if received and received > utcnow():
        problems.append("received_at is in the future")
    if problems:
        raise RowProblem("; ".join(problems))
    assert received is not None and status is not None
    return Row(
        reference=get("reference") or None,
        kind=kind,
        category_id=category.id if category else None,
        channel=channel,
        subject=subject,
        description=get("description"),
        received_at=received,
        due_at=moments.get("due_at"),
        resolved_at=resolved,
        closed_at=closed,
        status=status,
        division_id=division_id if division_id else (category.division_id if category else None),
        satisfaction=satisfaction,
    )


def _rows(stream: IO[str], look: _Lookups) -> Iterator[tuple[int, Row | None, str | None]]:
    reader = csv.DictReader(stream)
    for raw in reader:
        line = reader.line_num
        try:
            yield line, _parse(raw, look), None
        except RowProblem as error:
            yield line, None, str(error)


def _header_problems(stream: IO[str]) -> list[tuple[int, str]]:
    header = next(csv.reader(stream), None)
    if header is None:
        return [(1, "the file is empty")]
    names = [h.strip() for h in header]
    problems = []
    if missing := [c for c in REQUIRED if c not in names]:
        problems.append((1, f"the header lacks {', '.join(missing)}"))
    if unknown := [c for c in names if c not in COLUMNS]:
        problems.append((1, f"unknown columns: {', '.join(unknown)}"))
    return problems


def _values(row: Row, look: _Lookups, code: str, sequence: int, fiscal_year: int) -> dict[str, Any]:
    now = utcnow()
    deadlines = case_deadlines(
        row.received_at,
        look.terms(row.kind, row.category_id),
        look.holidays,
        look.tz,
        now=now,
        due_at=row.due_at,
        clock_running=row.status in OPEN_STATES,
    )
    received_day = local_date(row.received_at, look.tz)
    return {
        "tracking_code": code,
        "fiscal_year": fiscal_year,
        "sequence": sequence,
        "kind": row.kind,
        "category_id": row.category_id,
        "channel": row.channel,
        "status": row.status,
        "priority": "normal",
        "subject": row.subject,
        "description": row.description,
        "is_anonymous": True,
        "locale": "th",
        "division_id": row.division_id,
        "access_key_hash": digest(secrets.token_hex(16)),
        "track_token_hash": digest(secrets.token_hex(16)),
        "received_at": row.received_at,
        "acknowledged_at": row.received_at if row.status != Status.RECEIVED else None,
        **asdict(deadlines),
        "resolved_at": row.resolved_at,
        "closed_at": row.closed_at,
        "satisfaction": row.satisfaction,
        "outcome_working_days": (
            working_days_between(received_day, local_date(row.resolved_at, look.tz), look.holidays)
            if row.resolved_at
            else None
        ),
        "rated_at": row.resolved_at if row.satisfaction else None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _insert(batch: list[Row], look: _Lookups) -> list[int]:
    by_year: dict[int, list[Row]] = {}
    for row in batch:
        by_year.setdefault(fiscal_year_of(local_date(row.received_at, look.tz)), []).append(row)
    values = []
    for fiscal_year, rows in by_year.items():
        numbers = tracking_numbers(fiscal_year, len(rows))
        for row, sequence in zip(rows, numbers, strict=True):
            values.append(
                _values(row, look, f"{fiscal_year}-{sequence:06d}", sequence, fiscal_year)
            )
    references = {
        v["tracking_code"]: r.reference
        for v, r in zip(values, [r for rs in by_year.values() for r in rs], strict=True)
    }
    ids = db.session.execute(sa.insert(Case).returning(Case.id, Case.tracking_code), values).all()
    record_events(
        ((case_id, {"reference": (None, references[code])}) for case_id, code in ids),
        EventAction.IMPORTED,
        actor_label=Actor.IMPORT,
    )
    return [case_id for case_id, _code in ids]


def import_cases(
    path: str,
    *,
    dry_run: bool = False,
    on_inserted: Callable[[list[int]], object] | None = None,
) -> ImportResult:
    """Check every row; unless it is a dry run and if nothing is wrong, insert
    them all. ``on_inserted`` is given the ids of each batch inserted (the
    command marks their past thresholds as swept). The caller commits (or
    rolls back) the one transaction."""
    look = _Lookups()
    result = ImportResult()
    with open(path, newline="", encoding="utf-8-sig") as stream:
        result.problems.extend(_header_problems(stream))
        if result.problems:
            return result
        stream.seek(0)
        for line, _row, problem in _rows(stream, look):
            result.rows += 1
            if problem:
                result.problems.append((line, problem))
    if result.problems or dry_run:
        return result
    with open(path, newline="", encoding="utf-8-sig") as stream:
        batch: list[Row] = []
        for _line, row, _problem in _rows(stream, look):
            assert row is not None
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                _inserted(batch, look, result, on_inserted)
                batch = []
        if batch:
            _inserted(batch, look, result, on_inserted)
    return result


def _inserted(
    batch: list[Row],
    look: _Lookups,
    result: ImportResult,
    on_inserted: Callable[[list[int]], object] | None,
) -> None:
    ids = _insert(batch, look)
    result.imported += len(ids)
    if on_inserted is not None:
        on_inserted(ids)
