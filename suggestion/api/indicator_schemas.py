"""The figures of ``GET /api/v1/stats`` as JSON Schema (DESIGN §1.6): the
fiscal-year indicators and the ITA's rounds, for the API's document."""

from __future__ import annotations

from suggestion.api.schema_types import COUNT
from suggestion.api.schema_types import DATE
from suggestion.api.schema_types import PERCENT
from suggestion.api.schema_types import Schema
from suggestion.cases.states import Kind
from suggestion.reports.indicators import ITA_KINDS


def ratio(part: str, whole: str) -> Schema:
    return {
        "type": "object",
        "required": [part, whole, "percent"],
        "properties": {part: COUNT, whole: COUNT, "percent": PERCENT},
    }


def indicator_schemas() -> dict[str, Schema]:
    period_properties: Schema = {
        "start": DATE,
        "end": DATE,
        "kinds": {"type": "array", "items": {"enum": [k.value for k in Kind]}},
        "resolved_within_deadline": ratio("on_time", "resolved"),
        "resolved_within_deadline_strict": ratio("on_time", "total"),
        "received": COUNT,
        "satisfaction": ratio("satisfied", "ratings"),
        "acknowledged_on_time": ratio("on_time", "total"),
        "median_working_days_to_outcome": {"type": ["number", "null"]},
        "disputed_outcomes": {
            **ratio("disputed", "answers"),
            "description": "Of the filers' answers in the period to “was your problem "
            "solved?”, those “not yet”: each reopened its case",
        },
        "now": {
            "type": "object",
            "required": ["open", "overdue"],
            "properties": {"open": COUNT, "overdue": COUNT},
        },
    }
    required = [
        "start",
        "end",
        "kinds",
        "resolved_within_deadline",
        "resolved_within_deadline_strict",
        "received",
        "satisfaction",
    ]
    change: Schema = {
        "type": "object",
        "required": ["count", "previous", "change", "change_percent"],
        "properties": {
            "count": COUNT,
            "previous": COUNT,
            "change": {"type": "integer"},
            "change_percent": PERCENT,
        },
    }
    half_and_year = {
        "type": "object",
        "required": ["half", "year"],
        "properties": {
            "half": {"$ref": "#/components/schemas/PeriodIndicators"},
            "year": {"$ref": "#/components/schemas/PeriodIndicators"},
        },
    }
    return {
        "PeriodIndicators": {
            "type": "object",
            "required": required,
            "properties": period_properties,
        },
        "FiscalYearIndicators": {
            "type": "object",
            "description": "DESIGN §1.6 and §2; more keys may be added beside these. "
            "`received` is the count against the year before.",
            "required": [*required, "fiscal_year", "ita"],
            "properties": {
                **period_properties,
                "fiscal_year": {"type": "integer"},
                "running": {"type": "boolean"},
                "received": change,
                "received_year_to_date": {
                    **change,
                    "required": [*change["required"], "until"],
                    "properties": {**change["properties"], "until": DATE},
                },
                "ita": {
                    "type": "object",
                    "description": "The ITA publication: each kind apart, "
                    "October–March (half) and the whole year",
                    "required": [kinds[0] for kinds in ITA_KINDS],
                    "additionalProperties": half_and_year,
                },
            },
        },
    }
