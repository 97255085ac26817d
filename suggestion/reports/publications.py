"""The reports the agency hands on: the monthly SLA report and the ITA
publication, as documents (suggestion.reports.documents) in the current
language. No personal data: codes, kinds, places and dates only."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from suggestion.auth.models import Division
from suggestion.cases.models import Category
from suggestion.cases.states import Channel
from suggestion.cases.states import CHANNEL_LABELS
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.extensions import db
from suggestion.core.i18n import current_language
from suggestion.core.settings import agency_zone
from suggestion.core.time import format_date
from suggestion.core.time import format_month
from suggestion.reports.documents import change_text
from suggestion.reports.documents import Document
from suggestion.reports.documents import Percent
from suggestion.reports.documents import ratio_text
from suggestion.reports.documents import Table
from suggestion.reports.periods import Period
from suggestion.reports.results import BreakdownRow
from suggestion.reports.results import Change
from suggestion.reports.results import FiscalYearIndicators
from suggestion.reports.results import ItaFigures
from suggestion.reports.results import MonthlyReport
from suggestion.reports.results import PeriodIndicators
from suggestion.reports.results import PublishedIndicators
from suggestion.reports.results import Ratio
from suggestion.reports.results import SlaFigures


def names(model: type[Division] | type[Category]) -> dict[int | None, str]:
    """Division or category names by id, in the current language (none for None)."""
    locale = current_language()
    rows: list[Division | Category] = list(db.session.scalars(sa.select(model)))
    found: dict[int | None, str] = {row.id: row.name(locale) for row in rows}
    return found


def kind_names(kinds: Sequence[str]) -> str:
    return ", ".join(str(KIND_LABELS[Kind(k)]) for k in kinds)


def period_text(period: Period) -> str:
    locale = current_language()
    return f"{format_date(period.first, locale)} – {format_date(period.last, locale)}"


def sla_header(first: str) -> list[str]:
    return [
        first,
        _("Received"),
        _("Resolved"),
        _("Resolved on time"),
        _("Resolved on time, per cent of all resolved"),
        _("Open at the end"),
        _("Overdue and open at the end"),
        _("Median working days to an outcome"),
    ]


def sla_row(name: str, row: SlaFigures) -> list[Any]:
    median = row.median_working_days
    return [
        name,
        row.received,
        row.resolved,
        row.on_time,
        Percent(row.percent),
        row.open_at_end,
        row.overdue_at_end,
        "—" if median is None else median,
    ]


def monthly_document(report: MonthlyReport, where: str) -> Document:
    """The monthly SLA report: per division, per category, and the overdue cases."""
    period = report.period
    locale = current_language()
    divisions, categories = names(Division), names(Category)
    tz = agency_zone()
    title = _("Monthly SLA report, %(month)s", month=format_month(period.first, locale))
    overdue = [
        [
            case.tracking_code,
            str(KIND_LABELS[Kind(case.kind)]),
            categories.get(case.category_id, "—"),
            divisions.get(case.division_id, _("Not routed")),
            format_date(case.received_at, locale, tz),
            format_date(case.due_at, locale, tz),
        ]
        for case in report.overdue
    ]
    return Document(
        title=title,
        lines=[
            _("Period: %(dates)s", dates=period_text(period)),
            _("Kinds: %(kinds)s", kinds=kind_names(report.kinds)),
            _("Covering: %(where)s", where=where),
        ],
        tables=[
            Table(
                _("By division"),
                sla_header(_("Division")),
                [sla_row(divisions.get(r.id, _("Not routed")), r) for r in report.by_division]
                + [sla_row(_("Total"), report.total)],
                sheet=_("By division"),
            ),
            Table(
                _("By category"),
                sla_header(_("Category")),
                [sla_row(categories.get(r.id, _("None")), r) for r in report.by_category]
                + [sla_row(_("Total"), report.total)],
                sheet=_("By category"),
            ),
            Table(
                _("Cases overdue and without an outcome at the end of the month"),
                [_("Code"), _("Kind"), _("Category"), _("Division"), _("Received"), _("Due")],
                overdue,
                numeric_from=6,
                # A spreadsheet's sheet name holds at most 31 characters.
                sheet=_("Overdue cases"),
            ),
        ],
    )


def ita_rows(figures: ItaFigures) -> list[list[Any]]:
    def both(label: str, pick: Callable[[PeriodIndicators], Any]) -> list[Any]:
        return [label, pick(figures.half), pick(figures.year)]

    def ratio(pick: Callable[[PeriodIndicators], Ratio]) -> Callable[[PeriodIndicators], str]:
        return lambda d: ratio_text(pick(d).percent, pick(d).part, pick(d).whole)

    def median(d: PeriodIndicators) -> float | str:
        m = d.median_working_days_to_outcome
        return "—" if m is None else m

    return [
        both(_("Received"), lambda d: d.received),
        both(_("Resolved within the deadline"), ratio(lambda d: d.resolved_within_deadline)),
        both(
            _("Resolved within the deadline, strict"),
            ratio(lambda d: d.resolved_within_deadline_strict),
        ),
        both(_("Acknowledged on time"), ratio(lambda d: d.acknowledged_on_time)),
        both(_("Median working days to an outcome"), median),
        both(_("Satisfied users"), ratio(lambda d: d.satisfaction)),
    ]


def ita_tables(fiscal_year: int, sections: list[tuple[str, ItaFigures]]) -> list[Table]:
    """A table for each section: October–March and the whole year side by side."""
    header = [
        _("Indicator"),
        _("October – March"),
        _("Fiscal year %(year)d", year=fiscal_year),
    ]
    return [Table(title, header, ita_rows(figures)) for title, figures in sections]


def ita_document(fiscal_year: int, sections: list[tuple[str, ItaFigures]], where: str) -> Document:
    return Document(
        title=_(
            "Complaints and corruption reports: ITA summary, fiscal year %(year)d", year=fiscal_year
        ),
        lines=[
            _("Period: %(dates)s", dates=period_text(Period.fiscal_year(fiscal_year))),
            _("Covering: %(where)s", where=where),
            _("Figures only: this summary holds no personal data."),
        ],
        tables=ita_tables(fiscal_year, sections),
    )


def ita_section_title(kind: str) -> str:
    """The heading of a kind's table in the ITA publication."""
    if kind == Kind.CORRUPTION.value:
        return _("Corruption and misconduct reports")
    return _("Complaints")


def indicator_rows(data: FiscalYearIndicators) -> list[list[Any]]:
    """The fiscal-year indicators as the annual report prints them:
    ``100% (54/54)``, ``42 → 25 (−17, −40.5%)``, ``98.8% (83/84)``."""

    def ratio(figure: Ratio) -> str:
        return ratio_text(figure.percent, figure.part, figure.whole)

    def change(figure: Change) -> str:
        return change_text(figure.count, figure.previous, figure.change, figure.change_percent)

    d = data.indicators
    median = d.median_working_days_to_outcome
    rows: list[list[Any]] = [
        [_("Resolved within the deadline"), ratio(d.resolved_within_deadline)],
        [_("Resolved within the deadline, strict"), ratio(d.resolved_within_deadline_strict)],
        [_("Received, against last year"), change(data.received)],
    ]
    if data.running:  # else it is the line above
        rows.append(
            [
                _("Received so far, against the same span last year"),
                change(data.received_year_to_date),
            ]
        )
    return rows + [
        [_("Satisfied users"), ratio(d.satisfaction)],
        [_("Acknowledged on time"), ratio(d.acknowledged_on_time)],
        [_("Median working days to an outcome"), "—" if median is None else median],
        [_("Open now / overdue now"), f"{d.now.open} / {d.now.overdue}"],
    ]


def breakdown_table(
    title: str, first: str, rows: Sequence[BreakdownRow[Any]], label: Callable[[Any], str]
) -> Table:
    """The monthly SLA report's columns, one row per value (``label`` names it)."""
    return Table(title, sla_header(first), [sla_row(label(row.id), row) for row in rows])


def published_document(published: PublishedIndicators) -> Document:
    """The indicators the agency publishes for a fiscal year (``/stats`` and its
    CSV): as the annual report prints them, the ITA's two rounds, and the
    breakdowns. The whole agency, figures only."""
    data = published.indicators
    year = data.fiscal_year
    breakdowns = data.indicators.breakdowns
    lines = [
        _("Period: %(dates)s", dates=period_text(data.indicators.period)),
        _("Kinds: %(kinds)s", kinds=kind_names(data.indicators.kinds)),
    ]
    if data.running:
        lines.append(
            _(
                "The fiscal year is still running: these are the figures until %(date)s.",
                date=format_date(data.received_year_to_date.until, current_language()),
            )
        )
    lines.append(_("Figures only: this summary holds no personal data."))
    tables = [
        Table(
            _("Indicators as the annual report prints them"),
            [_("Indicator"), _("Fiscal year %(year)d", year=year)],
            indicator_rows(data),
        ),
        *ita_tables(year, [(ita_section_title(kind), f) for kind, f in published.ita]),
    ]
    if breakdowns is not None:
        divisions, categories = names(Division), names(Category)
        tables += [
            breakdown_table(
                _("By division"),
                _("Division"),
                breakdowns.by_division,
                lambda key: divisions.get(key, _("Not routed")),
            ),
            breakdown_table(
                _("By category"),
                _("Category"),
                breakdowns.by_category,
                lambda key: categories.get(key, _("None")),
            ),
            breakdown_table(
                _("By kind"), _("Kind"), breakdowns.by_kind, lambda k: str(KIND_LABELS[Kind(k)])
            ),
            breakdown_table(
                _("By channel"),
                _("Channel"),
                breakdowns.by_channel,
                lambda c: str(CHANNEL_LABELS[Channel(c)]),
            ),
        ]
    return Document(
        title=_("Complaint statistics, fiscal year %(year)d", year=year), lines=lines, tables=tables
    )
