"""The bundle of a filer's data (PDPA ss.30–31): a ZIP with the data as JSON
(machine-readable, for portability), a PDF summary to read (the reports'
fpdf2 document with the Thai fonts) and the files the filer sent."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from flask_babel import gettext as _

from suggestion.core.i18n import current_language
from suggestion.core.settings import agency_zone
from suggestion.core.time import format_datetime
from suggestion.privacy.data import filer_data
from suggestion.reports.documents import Document
from suggestion.reports.documents import Table
from suggestion.reports.documents import to_pdf


def _when(value: str | None, locale: str) -> str:
    if not value:
        return "—"
    return format_datetime(datetime.fromisoformat(value), locale, agency_zone())


def _summary(data: dict[str, object], locale: str, made_at: datetime) -> bytes:
    document = Document(
        _("Copy of your personal data"),
        lines=[
            _("Made on %(when)s.", when=format_datetime(made_at, locale, agency_zone())),
            _("The same data is in data.json, with the files you sent in files/."),
        ],
    )
    cases = data["cases"]
    assert isinstance(cases, list)
    for case in cases:
        filer = case["filer"]
        rows = [
            [_("Tracking code"), case["tracking_code"]],
            [_("Subject"), case["subject"]],
            [_("Received"), _when(case["received_at"], locale)],
            [_("Name"), filer["name"] or "—"],
            [_("E-mail"), filer["email"] or "—"],
            [_("Telephone"), filer["phone"] or "—"],
            [_("Address"), filer["address"] or "—"],
            [_("Files you sent"), str(len(case["files"]))],
        ]
        document.tables.append(
            Table(_("Case %(code)s", code=case["tracking_code"]), ["", ""], rows, numeric_from=2)
        )
        timeline = [[_when(e["at"], locale), e["what"]] for e in case["timeline"]]
        document.tables.append(
            Table(_("Public timeline"), [_("When"), _("What")], timeline, numeric_from=2)
        )
    return to_pdf(document)


def data_bundle(case_ids: list[int], made_at: datetime) -> bytes:
    """The ZIP of these cases' filer data."""
    locale = current_language()
    found = filer_data(case_ids, locale)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(
            "data.json", json.dumps(found.data, ensure_ascii=False, indent=2, default=str)
        )
        bundle.writestr("summary.pdf", _summary(found.data, locale, made_at))
        for file in found.files:
            if file.path.is_file():  # a file lost from the disk is named in the JSON still
                bundle.write(file.path, file.name)
    return buffer.getvalue()
