"""``/admin/processing-record``: the record of processing activities (PDPA
s.39) for administrators and the data protection officer, as a page and as a
PDF made from the same document (suggestion.reports.processing_record)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask import Response

from suggestion.admin.views import bp
from suggestion.core.time import utcnow
from suggestion.reports.documents import to_pdf
from suggestion.reports.processing_record import processing_record


@bp.get("/processing-record", defaults={"fmt": None})
@bp.get("/processing-record.<any(pdf):fmt>")
def processing_record_page(fmt: str | None) -> Any:
    made_at = utcnow()
    document = processing_record(made_at)
    if fmt:
        return Response(
            to_pdf(document),
            mimetype="application/pdf",
            headers={
                "Content-Disposition": (
                    f"attachment; filename=processing-record-{made_at:%Y-%m-%d}.pdf"
                )
            },
        )
    return render_template("admin/processing_record.html", document=document)
