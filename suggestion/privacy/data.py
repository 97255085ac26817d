"""A filer's data, as the bundle of an access or portability request (PDPA
ss.30–31) holds it: for each case, the filer's contact details, the case as
they filed it, its public timeline and the files they sent. Never another
filer's, nor the staff's internal notes. Read in a fixed number of queries,
whatever the number of cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from suggestion.cases.attachments import download_name
from suggestion.cases.attachments import path_of
from suggestion.cases.models import Attachment
from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.tracking import event_title
from suggestion.core.extensions import db

FORMAT = "suggestion-personal-data/1"


@dataclass(frozen=True)
class BundleFile:
    """A file the filer sent, and its name inside the ZIP."""

    name: str
    path: Path


@dataclass(frozen=True)
class FilerData:
    data: dict[str, Any]
    files: list[BundleFile]


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def filer_data(case_ids: list[int], locale: str) -> FilerData:
    """The data of these cases' filers (the caller decides whose cases they
    are: the request's, or the one case opened with its key)."""
    cases = list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.id.in_(case_ids))
            .order_by(Case.id)
            .options(selectinload(Case.complainant), selectinload(Case.category))
        )
    )
    events: dict[int, list[CaseEvent]] = {c.id: [] for c in cases}
    for event in db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.is_public.is_(True))
        .order_by(CaseEvent.id)
    ):
        events[event.case_id].append(event)
    uploads: dict[int, list[Attachment]] = {c.id: [] for c in cases}
    for attachment in db.session.scalars(
        sa.select(Attachment)
        .where(Attachment.case_id.in_(case_ids), Attachment.is_public_upload.is_(True))
        .order_by(Attachment.id)
    ):
        uploads[attachment.case_id].append(attachment)
    files: list[BundleFile] = []
    out = []
    for case in cases:
        filer = case.complainant
        names = []
        for attachment in uploads[case.id]:
            name = f"files/{case.tracking_code}/{attachment.id}-{download_name(attachment)}"
            files.append(BundleFile(name, path_of(attachment)))
            names.append(name)
        out.append(
            {
                "tracking_code": case.tracking_code,
                "kind": case.kind,
                "category": case.category.name(locale) if case.category else None,
                "subject": case.subject,
                "description": case.description,
                "received_at": _iso(case.received_at),
                "status": case.status,
                "filer": {
                    "anonymous": case.is_anonymous,
                    "name": filer.name if filer else None,
                    "email": filer.email if filer else None,
                    "phone": filer.phone if filer else None,
                    "address": filer.address if filer else None,
                    "contact_erased_at": _iso(filer.anonymised_at) if filer else None,
                    "processing_restricted_at": _iso(filer.processing_restricted_at)
                    if filer
                    else None,
                },
                "timeline": [
                    {"at": _iso(e.at), "what": event_title(e), "text": e.body}
                    for e in events[case.id]
                ],
                "files": names,
            }
        )
    return FilerData({"format": FORMAT, "cases": out}, files)
