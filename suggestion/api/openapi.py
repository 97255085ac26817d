"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

It states the rules the server enforces, read from where they are enforced:
lengths and the telephone pattern from the filing form, the kinds and states
from their enums, the fiscal years from ``suggestion.core.time``, and the
categories each kind may be filed under from the database (they are the
administrators' to change). ``make fuzz`` holds the server to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from suggestion.api.filing_rules import API_BODY_MAX_BYTES
from suggestion.api.filing_rules import new_case_schema
from suggestion.api.indicator_schemas import indicator_schemas
from suggestion.api.schema_types import DATE_TIME
from suggestion.api.schema_types import NULLABLE_TEXT
from suggestion.api.schema_types import Schema
from suggestion.api.schema_types import TEXT
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.core.time import EARLIEST_FISCAL_YEAR
from suggestion.core.time import LATEST_FISCAL_YEAR

_THROTTLED = {
    "description": "Too many requests from this client (filings: FILING_LIMIT; statistics: "
    "STATS_LIMIT). Nothing was written; Retry-After says after how many seconds to try again.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(description: str) -> Schema:
    return _json({"$ref": "#/components/schemas/Errors"}, description)


def openapi_document(categories: Iterable[tuple[str, Sequence[str]]] = ()) -> dict[str, Any]:
    """The document; ``categories`` as for :func:`new_case_schema`."""
    statuses = [s.value for s in Status]
    kinds = [k.value for k in Kind]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Suggestion API",
            "version": "1",
            "description": (
                "File and track complaints, corruption reports, suggestions, compliments "
                "and inquiries. Messages follow the Accept-Language header (th or en). "
                "Text is read without surrounding white space and control characters. "
                'Every error is JSON, {"errors": {field: [message, ...]}}, and writes '
                "nothing: a path that does not exist answers 404 and a method a path "
                "does not have answers 405 with an Allow header, both with the field "
                "`_request`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/stats": {
                "get": {
                    "operationId": "getStats",
                    "summary": "The fiscal-year indicators, as open data (no personal data)",
                    "description": "Each year's answer is kept until a case changes, and at "
                    "most STATS_CACHE_SECONDS (60); requests are limited per client.",
                    "parameters": [
                        {
                            "name": "fiscal_year",
                            "in": "query",
                            "required": False,
                            "allowEmptyValue": True,
                            "schema": {
                                "type": "integer",
                                "minimum": EARLIEST_FISCAL_YEAR,
                                "maximum": LATEST_FISCAL_YEAR,
                                "example": 2569,
                            },
                            "description": "Buddhist Era, in ASCII digits; the current "
                            "fiscal year if omitted or empty",
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/FiscalYearIndicators"},
                            "The indicators of DESIGN §1.6; ita: per kind (complaint, "
                            "corruption), the October–March half and the whole year",
                        ),
                        "400": _errors(
                            "Not a fiscal year in the accepted range (field `fiscal_year`)"
                        ),
                        "429": _THROTTLED,
                    },
                }
            },
            "/categories": {
                "get": {
                    "operationId": "listCategories",
                    "summary": "Categories that a case can be filed under",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["categories"],
                                "properties": {
                                    "categories": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Category"},
                                    }
                                },
                            },
                            "The active categories",
                        )
                    },
                }
            },
            "/cases": {
                "post": {
                    "operationId": "fileCase",
                    "summary": "File a case",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/NewCase"}}
                        },
                    },
                    "responses": {
                        "201": {
                            **_json(
                                {"$ref": "#/components/schemas/Receipt"},
                                "Filed. Keep the tracking code and access key.",
                            ),
                            "links": {
                                "TrackCase": {
                                    "operationId": "trackCase",
                                    "parameters": {
                                        "path.tracking_code": "$response.body#/tracking_code",
                                        "header.X-Access-Key": "$response.body#/access_key",
                                    },
                                    "description": "The case just filed, as its filer sees it",
                                }
                            },
                        },
                        "400": _errors("The body is not a JSON object (field `_body`)"),
                        "413": _errors(
                            f"The body is larger than {API_BODY_MAX_BYTES} bytes (field `_request`)"
                        ),
                        "415": _errors("The body is not sent as application/json (field `_body`)"),
                        "422": _errors(
                            "A rule of the filing is not met: each field named with its "
                            "messages (`complainant.email` for the filer's details)"
                        ),
                        "429": _THROTTLED,
                    },
                }
            },
            "/cases/{tracking_code}": {
                "get": {
                    "operationId": "trackCase",
                    "summary": "The public view of a case",
                    "parameters": [
                        {
                            "name": "tracking_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "example": "2569-000123"},
                        },
                        {
                            "name": "X-Access-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "example": "K7M2Q-9XHTP"},
                            "description": "The access key of the receipt",
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/PublicCase"},
                            "The case as its filer sees it",
                        ),
                        "404": _errors(
                            "Unknown code, wrong or missing key: the three look the same "
                            "(field `tracking_code`)"
                        ),
                        "429": _errors(
                            "Too many failed look-ups from this address; even the right key "
                            "is refused until the period ends (field `_request`)"
                        ),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Category": {
                    "type": "object",
                    "required": ["code", "name_th", "name_en", "kinds"],
                    "properties": {
                        "code": TEXT,
                        "name_th": TEXT,
                        "name_en": TEXT,
                        "kinds": {"type": "array", "items": {"enum": kinds}},
                    },
                },
                "NewCase": new_case_schema(categories),
                "Receipt": {
                    "type": "object",
                    "required": [
                        "tracking_code",
                        "access_key",
                        "status",
                        "public_status",
                        "due_at",
                    ],
                    "properties": {
                        "tracking_code": TEXT,
                        "access_key": TEXT,
                        "status": {"enum": statuses},
                        "public_status": TEXT,
                        "due_at": DATE_TIME,
                        "receipt_email": {
                            "enum": ["queued", "withheld", "none"],
                            "description": (
                                "queued: the receipt (code, key and secret link) is on its "
                                "way to complainant.email. withheld: not sent, because that "
                                "address has had its receipts for the day "
                                "(RECEIPT_EMAILS_PER_DAY); the case is recorded, and nothing "
                                "about it will be e-mailed to that address. none: no e-mail "
                                "address was given (or the filing is anonymous)."
                            ),
                        },
                    },
                },
                "PublicCase": {
                    "type": "object",
                    "required": [
                        "tracking_code",
                        "kind",
                        "status",
                        "public_status",
                        "merged_into",
                        "received_at",
                        "due_at",
                        "resolved_at",
                        "deadline_explanation",
                        "timeline",
                    ],
                    "properties": {
                        "tracking_code": TEXT,
                        "kind": {"enum": kinds},
                        "status": {"enum": statuses},
                        "public_status": TEXT,
                        "merged_into": NULLABLE_TEXT,
                        "received_at": DATE_TIME,
                        "due_at": DATE_TIME,
                        "resolved_at": {"type": ["string", "null"], "format": "date-time"},
                        "deadline_explanation": {
                            "$ref": "#/components/schemas/DeadlineExplanation"
                        },
                        "timeline": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["at", "title", "message"],
                                "properties": {
                                    "at": DATE_TIME,
                                    "title": TEXT,
                                    "message": NULLABLE_TEXT,
                                },
                            },
                        },
                    },
                },
                "DeadlineExplanation": {
                    "type": "object",
                    "description": "How due_at was counted: the day of receipt (not counted, "
                    "Civil and Commercial Code s.193/3), the working days counted after it, "
                    "every day between that was not counted and why, and the spans in which "
                    "the case waited for the filer (`to` is null while it waits: the deadline "
                    "then moves on by the working days it waits).",
                    "required": ["received_on", "working_days", "skipped", "pauses", "due_at"],
                    "properties": {
                        "received_on": {"type": "string", "format": "date"},
                        "working_days": {"type": "integer", "minimum": 0},
                        "skipped": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["day", "reason"],
                                "properties": {
                                    "day": {"type": "string", "format": "date"},
                                    "reason": {"enum": ["weekend", "holiday", "paused"]},
                                    "name": {
                                        "type": "string",
                                        "description": "The holiday's name (reason holiday)",
                                    },
                                },
                            },
                        },
                        "pauses": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["from", "to", "working_days"],
                                "properties": {
                                    "from": {"type": "string", "format": "date"},
                                    "to": {"type": ["string", "null"], "format": "date"},
                                    "working_days": {"type": "integer", "minimum": 0},
                                },
                            },
                        },
                        "due_at": DATE_TIME,
                    },
                },
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": {
                                "type": "array",
                                "minItems": 1,
                                "items": TEXT,
                            },
                        }
                    },
                },
                **indicator_schemas(),
            }
        },
    }
