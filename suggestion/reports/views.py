"""``/reports/``: managers see their division's figures, administrators all.
Everyone else gets 404."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import Blueprint
from flask import render_template
from flask import request
from flask import Response
from flask import stream_with_context
from flask_login import current_user
from flask_login import login_required

from suggestion.auth.models import Role
from suggestion.auth.views import expire_idle_sessions
from suggestion.cases.models import Case
from suggestion.cases.states import Kind
from suggestion.cases.states import KIND_LABELS
from suggestion.core.time import fiscal_year_bounds
from suggestion.extensions import db
from suggestion.reports.indicators import current_fiscal_year
from suggestion.reports.indicators import DEFAULT_KINDS
from suggestion.reports.indicators import fiscal_year_indicators
from suggestion.reports.indicators import monthly_sla
from suggestion.reports.indicators import Period
from suggestion.reports.indicators import period_indicators
from suggestion.reports.indicators import Scope

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(expire_idle_sessions)

EXPORT_COLUMNS = (
    "tracking_code", "kind", "category", "channel", "status", "division", "received_at",
    "ack_due_at", "acknowledged_at", "due_at", "resolved_at", "closed_at", "on_time", "satisfaction",
)  # fmt: skip


@bp.before_request
@login_required
def _managers_and_admins() -> None:
    if current_user.role not in (Role.MANAGER, Role.ADMIN):
        abort(404)


def scope() -> Scope:
    """A manager's division, never corruption reports; an administrator's all."""
    if current_user.role == Role.ADMIN:
        return ()
    return (Case.division_id == current_user.division_id, Case.kind != Kind.CORRUPTION.value)


def _choices() -> tuple[int, list[str]]:
    year = request.args.get("fiscal_year", type=int) or current_fiscal_year()
    if not 2500 <= year <= 2700:
        abort(404)
    kinds = [k for k in request.args.getlist("kind") if k in {x.value for x in Kind}] or list(
        DEFAULT_KINDS
    )
    return year, kinds


@bp.get("/")
def index() -> Any:
    year, kinds = _choices()
    data = fiscal_year_indicators(year, kinds, scope())
    corruption = None
    if current_user.role == Role.ADMIN and Kind.CORRUPTION.value not in kinds:
        corruption = fiscal_year_indicators(year, [Kind.CORRUPTION.value])
    first, _ = fiscal_year_bounds(year)  # the ITA's first round: October to March
    half = period_indicators(Period(first, date(first.year + 1, 3, 31)), kinds, scope())
    return render_template(
        "reports/index.html",
        year=year,
        kinds=kinds,
        data=data,
        half=half,
        corruption=corruption,
        months=monthly_sla(year, kinds, scope()),
        current=current_fiscal_year(),
        Kind=Kind,
        KIND_LABELS=KIND_LABELS,
    )


@bp.get("/cases.csv")
def export_cases() -> Response:
    """The fiscal year's cases (no personal data), streamed a page at a time."""
    year, kinds = _choices()
    start, end = Period(*fiscal_year_bounds(year)).bounds()
    where = (Case.kind.in_(kinds), *scope(), Case.received_at >= start, Case.received_at < end)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        last_id = 0
        while True:
            page = db.session.execute(
                sa.select(
                    Case.id,
                    Case.tracking_code,
                    Case.kind,
                    Case.category_id,
                    Case.channel,
                    Case.status,
                    Case.division_id,
                    Case.received_at,
                    Case.ack_due_at,
                    Case.acknowledged_at,
                    Case.due_at,
                    Case.resolved_at,
                    Case.closed_at,
                    Case.satisfaction,
                )
                .where(*where, Case.id > last_id)
                .order_by(Case.id)
                .limit(1000)
            ).all()
            if not page:
                break
            for r in page:
                on_time = (
                    "" if r.resolved_at is None else ("yes" if r.resolved_at <= r.due_at else "no")
                )
                writer.writerow(
                    [
                        r.tracking_code,
                        r.kind,
                        r.category_id or "",
                        r.channel,
                        r.status,
                        r.division_id or "",
                        *(
                            v.isoformat() if v else ""
                            for v in (
                                r.received_at,
                                r.ack_due_at,
                                r.acknowledged_at,
                                r.due_at,
                                r.resolved_at,
                                r.closed_at,
                            )
                        ),
                        on_time,
                        r.satisfaction or "",
                    ]
                )
            last_id = page[-1].id
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=cases-{year}.csv"},
    )
