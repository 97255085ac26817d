"""``/reports/``: managers see their division's figures, administrators all.
Everyone else gets 404.

- ``/reports/``: the dashboard of a fiscal year, an ITA half, a month or any
  dates, with last year beside it; each figure links to its cases on the desk.
- ``/reports/monthly``: the monthly SLA report, also as PDF, XLSX and CSV.
- ``/reports/ita``: the ITA publication, also as PDF and CSV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from flask import abort
from flask import Blueprint
from flask import render_template
from flask import request
from flask import Response
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from suggestion.auth.models import Division
from suggestion.auth.permissions import can_read_reports
from suggestion.auth.permissions import reports_cover_agency
from suggestion.auth.views import guard_staff_session
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.errors import Invalid
from suggestion.core.forms import EARLIEST
from suggestion.core.forms import LATEST
from suggestion.core.forms import parse_local_date
from suggestion.core.i18n import current_language
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import parse_fiscal_year
from suggestion.reports import documents
from suggestion.reports import publications
from suggestion.reports.indicators import DEFAULT_KINDS
from suggestion.reports.indicators import ita_figures
from suggestion.reports.indicators import monthly_report
from suggestion.reports.indicators import monthly_sla
from suggestion.reports.indicators import period_indicators
from suggestion.reports.indicators import received_year_to_date
from suggestion.reports.periods import current_fiscal_year
from suggestion.reports.periods import month_periods
from suggestion.reports.periods import Period
from suggestion.reports.periods import previous_month
from suggestion.reports.periods import today
from suggestion.reports.results import Change
from suggestion.reports.results import ItaFigures
from suggestion.reports.scope import report_scope
from suggestion.reports.scope import Scope

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(guard_staff_session)

LONGEST_RANGE = timedelta(days=366 * 10)
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@bp.before_request
@login_required
def _managers_and_admins() -> None:
    if not can_read_reports(current_user):
        abort(404)


def scope() -> Scope:
    return report_scope(current_user)


def scope_label() -> str:
    if reports_cover_agency(current_user):
        return _("The whole agency")
    division = current_user.division
    return division.name(current_language()) if division else _("Your division only")


class BadChoice(Invalid):
    """A report asked for with a year or month that makes no sense."""


def _fiscal_year() -> int:
    """The fiscal year asked for (B.E.), or the current one; BadChoice if it is not one."""
    raw = request.args.get("fiscal_year", "")
    if not raw:
        return current_fiscal_year()
    year = parse_fiscal_year(raw)
    if year is None:
        raise BadChoice(_("Give a fiscal year in the Buddhist Era, such as 2569."))
    return year


def _kinds() -> list[str]:
    """The kinds asked for, or the default; managers' reports never hold
    corruption reports, so it is not listed among theirs."""
    known = {k.value for k in Kind}
    if not reports_cover_agency(current_user):
        known.discard(Kind.CORRUPTION.value)
    chosen = [k for k in request.args.getlist("kind") if k in known]
    return chosen or [k for k in DEFAULT_KINDS if k in known]


@bp.errorhandler(BadChoice)
def _bad_choice(error: BadChoice) -> Any:
    """A page says what was wrong and shows the current figures instead; a
    download says what was wrong and sends nothing."""
    if request.view_args and request.view_args.get("fmt"):
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    args: dict[str, Any] = {
        k: request.args.getlist(k) for k in request.args if k not in ("fiscal_year", "month")
    }
    return render_template(
        "reports/bad_choice.html",
        message=str(error),
        retry=url_for(request.endpoint or "reports.index", **args),
    ), 400


@dataclass
class Choice:
    """The period a report page shows, read from the URL."""

    year: int
    key: str  # "year", "half", "YYYY-MM" or "range"
    period: Period
    error: str | None = None


def _parse_day(text: str | None) -> date | None:
    day = parse_local_date(text)
    return day if day is not None and EARLIEST <= day <= LATEST else None


def _choice() -> Choice:
    year = _fiscal_year()
    key = request.args.get("period", "year")
    if key == "year" and (request.args.get("from") or request.args.get("to")):
        key = "range"  # dates typed in without choosing "these dates" in the list
    whole = Choice(year, "year", Period.fiscal_year(year))
    if key == "year":
        return whole
    if key == "half":
        return Choice(year, key, Period.first_half(year))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", key):
        y, m = int(match[1]), int(match[2])
        if EARLIEST.year <= y <= LATEST.year and 1 <= m <= 12:
            month = Period.month(y, m)  # the page then shows that month's fiscal year
            return Choice(fiscal_year_of(month.first), key, month)
    if key == "range":
        first = _parse_day(request.args.get("from"))
        last = _parse_day(request.args.get("to"))
        if first is None or last is None:
            whole.error = _("Give both dates of the range, between the years 1900 and 2200.")
        elif first > last:
            whole.error = _("The first date of the range is after the last.")
        elif last - first > LONGEST_RANGE:
            whole.error = _("Choose a range of at most ten years.")
        else:
            return Choice(year, key, Period(first, last))
        return whole
    whole.error = _("That period is not known; the whole fiscal year is shown.")
    return whole


def _cases_link(kinds: list[str]) -> Any:
    """A link to the staff queue listing the cases behind a figure."""

    def link(**filters: Any) -> str:
        args: dict[str, Any] = {"status": "all", "kind": kinds, **filters}
        if not reports_cover_agency(current_user):
            args.setdefault("division", current_user.division_id)
        return url_for("staff.queue", **args)

    return link


def _page_context(kinds: list[str]) -> dict[str, Any]:
    """What every report page shows beside its figures."""
    return {
        "division_names": publications.names(Division),
        "category_names": publications.names(Category),
        "scope_label": scope_label(),
        "cases_link": _cases_link(kinds),
        "Kind": Kind,
        "KIND_LABELS": KIND_LABELS,
    }


@bp.get("/")
def index() -> Any:
    choice, kinds = _choice(), _kinds()
    period = choice.period
    data = period_indicators(period, kinds, scope())
    before = period_indicators(period.year_before(), kinds, scope(), breakdowns=False)
    year_to_date = None
    if choice.key == "year":
        year_to_date = received_year_to_date(choice.year, kinds, scope())
    corruption = None
    if reports_cover_agency(current_user):
        corruption = period_indicators(period, [Kind.CORRUPTION.value], breakdowns=False)
    return render_template(
        "reports/index.html",
        choice=choice,
        kinds=kinds,
        data=data,
        before=before,
        received=Change(count=data.received, previous=before.received),
        year_to_date=year_to_date,
        corruption=corruption,
        months=monthly_sla(choice.year, kinds, scope()),
        month_choices=month_periods(choice.year),
        current=current_fiscal_year(),
        **_page_context(kinds),
    )


def _download(document: documents.Document, name: str, fmt: str) -> Response:
    if fmt == "pdf":
        body: bytes | str = documents.to_pdf(document)
    elif fmt == "xlsx":
        body = documents.to_xlsx(document)
    else:
        body = documents.to_excel_csv(document)
    return Response(
        body,
        content_type=MIMETYPES[fmt],  # as given: mimetype= would add a second charset
        headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"},
    )


@bp.get("/monthly", defaults={"fmt": None})
@bp.get("/monthly.<any(pdf, xlsx, csv):fmt>")
def monthly(fmt: str | None) -> Any:
    kinds = _kinds()
    period = previous_month(today())
    if "month" in request.args:
        match = re.fullmatch(r"(\d{4})-(\d{2})", request.args["month"])
        if match and EARLIEST.year <= int(match[1]) <= LATEST.year and 1 <= int(match[2]) <= 12:
            period = Period.month(int(match[1]), int(match[2]))
        else:
            raise BadChoice(_("Give the month as year and month, such as 2026-10."))
    report = monthly_report(period, kinds, scope())
    if fmt:
        document = publications.monthly_document(report, scope_label())
        return _download(document, f"sla-{period.first:%Y-%m}", fmt)
    this_month = today()
    recent = [previous_month(this_month)]
    for _i in range(23):
        recent.append(previous_month(recent[-1].first))
    return render_template(
        "reports/monthly.html",
        period=period,
        report=report,
        kinds=kinds,
        recent=[Period.month(this_month.year, this_month.month), *recent],
        **_page_context(kinds),
    )


def ita_sections(year: int) -> list[tuple[str, ItaFigures]]:
    sections = [(_("Complaints"), ita_figures(year, scope(), (Kind.COMPLAINT.value,)))]
    if reports_cover_agency(current_user):
        corruption = ita_figures(year, scope(), (Kind.CORRUPTION.value,))
        sections.append((_("Corruption and misconduct reports"), corruption))
    return sections


@bp.get("/ita", defaults={"fmt": None})
@bp.get("/ita.<any(pdf, csv):fmt>")
def ita(fmt: str | None) -> Any:
    year = _fiscal_year()
    document = publications.ita_document(year, ita_sections(year), scope_label())
    if fmt:
        return _download(document, f"ita-{year}", fmt)
    return render_template(
        "reports/ita.html", year=year, document=document, current=current_fiscal_year()
    )
