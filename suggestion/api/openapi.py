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

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from suggestion.cases.forms import FilingForm
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.core.forms import strip_text
from suggestion.core.time import EARLIEST_FISCAL_YEAR
from suggestion.core.time import LATEST_FISCAL_YEAR
from suggestion.reports.indicators import ITA_KINDS

Schema = dict[str, Any]

# The largest body POST /cases reads: its longest valid filing, every
# character written as a JSON escape (\uXXXX), is about a tenth of it.
API_BODY_MAX_BYTES = 1024 * 1024

_THROTTLED = {
    "description": "Too many requests from this client (filings: FILING_LIMIT; statistics: "
    "STATS_LIMIT). Nothing was written; Retry-After says after how many seconds to try again.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def _character_class(characters: Iterable[str]) -> str:
    """The characters as a regular-expression class body of ``\\uXXXX`` ranges,
    read alike by Python, ECMA-262 (JSON Schema's dialect) and Rust."""
    codes = sorted(ord(c) for c in characters)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}"
        for first, last in ranges
    )


# What the filters drop (suggestion.core.forms.strip_text): white space at
# either end and control characters anywhere. Spelled out, since ``\\s`` is not
# the same set in Python as in JSON Schema. (Lone surrogates, dropped too, are
# not characters a JSON Schema string can hold.)
_DROPPED = _character_class(
    chr(code)
    for code in range(0x10000)
    if not 0xD800 <= code <= 0xDFFF and not strip_text(chr(code))
)
# Python's ``\\s``, which the telephone pattern of the form is read with.
_PYTHON_SPACE = _character_class(chr(code) for code in range(0x10000) if chr(code).isspace())
NON_BLANK = f"[^{_DROPPED}]"
BLANK = f"^[{_DROPPED}]*$"

_TEXT: Schema = {"type": "string"}
_NULLABLE_TEXT: Schema = {"type": ["string", "null"]}
_DATE_TIME: Schema = {"type": "string", "format": "date-time"}
_DATE: Schema = {"type": "string", "format": "date"}
_COUNT: Schema = {"type": "integer", "minimum": 0}
_PERCENT: Schema = {"type": ["number", "null"], "description": "One decimal; null of nothing"}


def max_length(field: UnboundField) -> int:
    """The longest text a field of the filing form accepts (its Length validator)."""
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


def _any_case(word: str) -> str:
    """A pattern matching ``word`` in any case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def phone_pattern() -> str:
    """The filing form's telephone pattern (suggestion.cases.forms) as the API
    reads it: Thai digits count as digits, and the number is matched once the
    blanks around it are dropped, so it cannot end in a blank that the
    pattern's seven digits, spaces or hyphens would otherwise count.
    tests/test_openapi.py holds the two to the same verdicts."""
    digit, space = "[0-9๐-๙]", f"[{_PYTHON_SPACE}]"
    extension = f"{space}*(ต่อ|ext\\.?|x){space}*{digit}{{1,6}}"
    number = f"\\+?{digit}([0-9๐-๙ \\-]{{6,}}[0-9๐-๙\\-]|[0-9๐-๙ \\-]{{7,}}{extension})"
    return f"^[{_DROPPED}]*{number}[{_DROPPED}]*$"


def _blank_or(schema: Schema) -> Schema:
    """An optional contact: null, blank, or a value that meets ``schema``."""
    return {
        "anyOf": [{"type": "null"}, {"type": "string", "pattern": BLANK}, schema],
    }


def _non_blank(max_chars: int, description: str | None = None) -> Schema:
    schema: Schema = {
        "type": "string",
        "minLength": 1,
        "maxLength": max_chars,
        "pattern": NON_BLANK,
    }
    if description:
        schema["description"] = description
    return schema


def contact_schema() -> Schema:
    """The filer's details: each checked whenever given, anonymous or not."""
    special_use = "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
    return {
        "type": ["object", "null"],
        "description": "Who files, and at least one way to reach them, unless anonymous. "
        "Blank values count as not given.",
        "properties": {
            "name": {"type": ["string", "null"], "maxLength": max_length(FilingForm.name)},
            "email": _blank_or(
                {
                    "type": "string",
                    "format": "idn-email",
                    "maxLength": max_length(FilingForm.email),
                    # What the e-mail validator refuses besides: addresses of
                    # domains for special use, a domain without a dot or with
                    # a numeric top level, a domain literal, a quoted name.
                    "not": {
                        "anyOf": [
                            {"pattern": f"[.@]({special_use})$"},
                            {"pattern": "@[^.]*$"},
                            {"pattern": "\\.[0-9]+$"},
                            {"pattern": "@\\["},
                            {"pattern": '^"'},
                        ]
                    },
                }
            ),
            "phone": _blank_or(
                {
                    "type": "string",
                    "maxLength": max_length(FilingForm.phone),
                    "pattern": phone_pattern(),
                    "examples": ["02 123 4567", "081 234 5678 ext. 12"],
                }
            ),
            "address": {"type": ["string", "null"], "maxLength": max_length(FilingForm.address)},
        },
    }


def identified_filer() -> Schema:
    """Not anonymous: a name, and an e-mail address, a telephone or an address."""
    contacts = ("email", "phone", "address")
    return {
        "required": ["complainant"],
        "properties": {
            "complainant": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "pattern": NON_BLANK}},
                "anyOf": [
                    {
                        "required": [contact],
                        "properties": {contact: {"type": "string", "pattern": NON_BLANK}},
                    }
                    for contact in contacts
                ],
            }
        },
    }


def new_case_schema(categories: Iterable[tuple[str, Sequence[str]]]) -> Schema:
    """A filing, as POST /cases checks it. ``categories`` are the active
    categories' codes with the kinds each may be filed under."""
    codes_by_kind: dict[str, list[str]] = {k.value: [] for k in Kind}
    for code, kinds in categories:
        for kind in kinds:
            if kind in codes_by_kind:
                codes_by_kind[kind].append(code)
    return {
        "type": "object",
        "required": ["kind", "category", "subject", "description", "consent", "certify_true"],
        "properties": {
            "kind": {"type": "string", "enum": [k.value for k in Kind]},
            "category": {
                "type": "string",
                "description": "The code of an active category of this kind (GET /categories)",
            },
            "subject": _non_blank(max_length(FilingForm.subject)),
            "description": _non_blank(max_length(FilingForm.description), "The facts"),
            "complainant": contact_schema(),
            "anonymous": {
                "type": ["boolean", "null"],
                "default": False,
                "description": "File without a name; the filer's details are then not kept",
            },
            "consent": {"const": True, "description": "Has read the privacy notice"},
            "certify_true": {"const": True, "description": "Certifies that the facts are true"},
        },
        "allOf": [
            {
                # The category must be one of the kind's; a kind without one cannot be filed.
                "oneOf": [
                    {
                        "properties": {"kind": {"const": kind}, "category": {"enum": codes}},
                    }
                    for kind, codes in codes_by_kind.items()
                    if codes
                ]
            },
            {
                "anyOf": [
                    {"required": ["anonymous"], "properties": {"anonymous": {"const": True}}},
                    identified_filer(),
                ]
            },
        ],
    }


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(description: str) -> Schema:
    return _json({"$ref": "#/components/schemas/Errors"}, description)


def _ratio(part: str, whole: str) -> Schema:
    return {
        "type": "object",
        "required": [part, whole, "percent"],
        "properties": {part: _COUNT, whole: _COUNT, "percent": _PERCENT},
    }


def _indicator_schemas() -> dict[str, Schema]:
    period_properties: Schema = {
        "start": _DATE,
        "end": _DATE,
        "kinds": {"type": "array", "items": {"enum": [k.value for k in Kind]}},
        "resolved_within_deadline": _ratio("on_time", "resolved"),
        "resolved_within_deadline_strict": _ratio("on_time", "total"),
        "received": _COUNT,
        "satisfaction": _ratio("satisfied", "ratings"),
        "acknowledged_on_time": _ratio("on_time", "total"),
        "median_working_days_to_outcome": {"type": ["number", "null"]},
        "disputed_outcomes": {
            **_ratio("disputed", "answers"),
            "description": "Of the filers' answers in the period to “was your problem "
            "solved?”, those “not yet”: each reopened its case",
        },
        "now": {
            "type": "object",
            "required": ["open", "overdue"],
            "properties": {"open": _COUNT, "overdue": _COUNT},
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
            "count": _COUNT,
            "previous": _COUNT,
            "change": {"type": "integer"},
            "change_percent": _PERCENT,
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
                    "properties": {**change["properties"], "until": _DATE},
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
                        "code": _TEXT,
                        "name_th": _TEXT,
                        "name_en": _TEXT,
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
                        "tracking_code": _TEXT,
                        "access_key": _TEXT,
                        "status": {"enum": statuses},
                        "public_status": _TEXT,
                        "due_at": _DATE_TIME,
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
                        "tracking_code": _TEXT,
                        "kind": {"enum": kinds},
                        "status": {"enum": statuses},
                        "public_status": _TEXT,
                        "merged_into": _NULLABLE_TEXT,
                        "received_at": _DATE_TIME,
                        "due_at": _DATE_TIME,
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
                                    "at": _DATE_TIME,
                                    "title": _TEXT,
                                    "message": _NULLABLE_TEXT,
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
                        "due_at": _DATE_TIME,
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
                                "items": _TEXT,
                            },
                        }
                    },
                },
                **_indicator_schemas(),
            }
        },
    }
