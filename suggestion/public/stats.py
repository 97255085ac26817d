"""``/stats``: the indicators the agency publishes (PMQA category 7.2 and the
ITA), for everyone, with no log-in: a fiscal year's indicators as the annual
report prints them, the ITA's two rounds (October–March and the whole year),
charts drawn on the server (inline SVG) and the same tables as CSV.

The figures are those of ``/api/v1/stats``: the same kept computation
(suggestion.reports.published) under the same throttle, so the page, its CSV
and the JSON cannot disagree, and no visitor makes the database do the work
twice. Figures only: nothing on the page or in the CSV names anyone.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask import request
from flask import Response
from flask_babel import gettext as _

from suggestion.auth.models import Division
from suggestion.cases.models import Category
from suggestion.core import throttle
from suggestion.core.time import parse_fiscal_year
from suggestion.public.views import bp
from suggestion.reports import documents
from suggestion.reports import publications
from suggestion.reports.periods import current_fiscal_year
from suggestion.reports.published import published_indicators

CSV_MIMETYPE = "text/csv; charset=utf-8"
YEARS_OFFERED = 6  # this fiscal year and the five before it


def _years(shown: int) -> list[int]:
    """The chooser's years, newest first: the recent ones, and the one shown."""
    current = current_fiscal_year()
    return sorted({*range(current, current - YEARS_OFFERED, -1), shown}, reverse=True)


@bp.get("/stats", defaults={"fmt": None})
@bp.get("/stats.<any(csv):fmt>")
def stats(fmt: str | None) -> Any:
    throttle.check_stats()  # one budget with the API's, counted before anything else
    raw = request.args.get("fiscal_year", "")
    year = parse_fiscal_year(raw) if raw else current_fiscal_year()
    if year is None:
        message = _("Give a fiscal year in the Buddhist Era, such as 2569.")
        if fmt:
            return Response(f"{message}\n", status=400, mimetype="text/plain")
        page = render_template(
            "public/stats_bad_year.html", message=message, current=current_fiscal_year()
        )
        return page, 400
    published = published_indicators(year)
    document = publications.published_document(published)
    if fmt:
        return Response(
            documents.to_excel_csv(document),
            content_type=CSV_MIMETYPE,  # as given: mimetype= would add a second charset
            headers={"Content-Disposition": f"attachment; filename=stats-{year}.csv"},
        )
    return render_template(
        "public/stats.html",
        year=year,
        years=_years(year),
        published=published,
        document=document,
        division_names=publications.names(Division),
        category_names=publications.names(Category),
    )
