"""The cases behind a queue view as CSV, streamed a keyset page at a time so
that memory does not grow with the number of rows.

Without ``personal`` the file holds no personal data: codes, kinds, places,
dates and outcomes only. With it, the filer's contact details are added for
the cases whose filer the account may see — never an anonymous filer's, nor
a corruption reporter's, whose identity is shown only on the case page with
a reason each time — and each case whose details are written gets its row in
the access log (:func:`record_personal_views`) before the file streams.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from suggestion.auth.models import Division
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.models import Complainant
from suggestion.cases.personal_data import record_contact_views
from suggestion.cases.states import Kind
from suggestion.core.extensions import db
from suggestion.core.settings import agency_zone
from suggestion.core.spreadsheet import safe_cell
from suggestion.staff.queries import QueueFilters
from suggestion.staff.queries import where

PAGE = 1000
COLUMNS = (
    "tracking_code", "kind", "category", "channel", "status", "priority", "division",
    "received_at", "ack_due_at", "acknowledged_at", "due_at", "resolved_at", "closed_at",
    "on_time", "outcome_working_days", "satisfaction",
)  # fmt: skip
PERSONAL_COLUMNS = ("filer_name", "filer_email", "filer_phone", "filer_address")


def _moment(value: datetime | None, tz: ZoneInfo) -> str:
    """In the agency's zone, to the second: ``2026-11-25T14:04:10+07:00``."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value else ""


def _on_time(resolved_at: datetime | None, due_at: datetime) -> str:
    if resolved_at is None:
        return ""
    return "yes" if resolved_at <= due_at else "no"


def row_count(access: StaffAccess, filters: QueueFilters) -> int:
    """How many rows :func:`csv_rows` gives for the same access and filters."""
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(*where(access, filters))
    )
    return int(count or 0)


def _details_written() -> sa.ColumnElement[bool]:
    """Whether the file carries a case's filer's contact details."""
    return sa.and_(
        Case.is_anonymous.is_(False),
        Case.kind != Kind.CORRUPTION.value,
        Complainant.id.is_not(None),
        Complainant.anonymised_at.is_(None),
    )


def record_personal_views(access: StaffAccess, filters: QueueFilters) -> int:
    """Put in the access log, in one statement, every case of the export
    whose filer's contact details it will write; returns how many."""
    return record_contact_views(
        access,
        sa.select(Case.id)
        .select_from(Case)
        .outerjoin(Complainant, Complainant.case_id == Case.id)
        .where(*where(access, filters), _details_written()),
    )


def csv_rows(access: StaffAccess, filters: QueueFilters, *, personal: bool) -> Iterator[str]:
    """The CSV text, a page of rows at a time, in the queue's order."""
    columns: list[Any] = [
        Case.id,
        Case.tracking_code,
        Case.kind,
        Category.code.label("category"),
        Case.channel,
        Case.status,
        Case.priority,
        Division.code.label("division"),
        Case.received_at,
        Case.ack_due_at,
        Case.acknowledged_at,
        Case.due_at,
        Case.resolved_at,
        Case.closed_at,
        Case.outcome_working_days,
        Case.satisfaction,
    ]
    if personal:
        columns += [_details_written().label("shown"), Complainant.name, Complainant.email]
        columns += [Complainant.phone, Complainant.address]
    query = (
        sa.select(*columns)
        .select_from(Case)
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(Division, Division.id == Case.division_id)
    )
    if personal:
        query = query.outerjoin(Complainant, Complainant.case_id == Case.id)
    # Built now, while the request's account is loaded: the rows are read
    # as the response streams, after the request's transaction has ended.
    return _pages(query.where(*where(access, filters)), personal=personal)


def _pages(query: sa.Select[Any], *, personal: bool) -> Iterator[str]:
    tz = agency_zone()
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a byte-order mark, so that Excel reads Thai (as the monthly CSV)
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS + (PERSONAL_COLUMNS if personal else ()))

    after: tuple[datetime, int] | None = None
    while True:
        keyset = [sa.tuple_(Case.due_at, Case.id) > sa.tuple_(*after)] if after else []
        page = db.session.execute(
            query.where(*keyset).order_by(Case.due_at, Case.id).limit(PAGE)
        ).all()
        for r in page:
            row = [
                r.tracking_code, r.kind, r.category or "", r.channel, r.status, r.priority,
                r.division or "", _moment(r.received_at, tz), _moment(r.ack_due_at, tz),
                _moment(r.acknowledged_at, tz), _moment(r.due_at, tz),
                _moment(r.resolved_at, tz), _moment(r.closed_at, tz),
                _on_time(r.resolved_at, r.due_at),
                r.outcome_working_days if r.outcome_working_days is not None else "",
                r.satisfaction or "",
            ]  # fmt: skip
            if personal:
                details = (r.name, r.email, r.phone, r.address)
                row += [(v or "") if r.shown else "" for v in details]
            writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(page) < PAGE:
            return
        after = (page[-1].due_at, page[-1].id)
        # Nothing read so far stays in the session: memory stays flat.
        db.session.expunge_all()
