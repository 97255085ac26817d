"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from suggestion.cases.states import Kind
from suggestion.cases.states import Status

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_ERRORS = {
    "description": "The request was refused; nothing was written.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}

_THROTTLED = {
    "description": "Too many requests from this client (filings: FILING_LIMIT; statistics: "
    "STATS_LIMIT). Nothing was written; Retry-After says after how many seconds to try again.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Suggestion API",
            "version": "1",
            "description": (
                "File and track complaints, corruption reports, suggestions, compliments "
                "and inquiries. Messages follow the Accept-Language header (th or en)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/stats": {
                "get": {
                    "summary": "The fiscal-year indicators, as open data (no personal data)",
                    "description": "Each year's answer is kept until a case changes, and at "
                    "most STATS_CACHE_SECONDS (60); requests are limited per client.",
                    "parameters": [
                        {
                            "name": "fiscal_year",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "example": 2569},
                            "description": "Buddhist Era; the current fiscal year if omitted",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "fiscal_year, start, end, kinds, resolved_within_deadline, "
                            "resolved_within_deadline_strict, received, satisfaction and more; "
                            "ita: per kind (complaint, corruption), the October–March half "
                            "and the whole year"
                        },
                        "400": _ERRORS,
                        "429": _THROTTLED,
                    },
                }
            },
            "/categories": {
                "get": {
                    "summary": "Categories that a case can be filed under",
                    "responses": {
                        "200": {
                            "description": "The active categories",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "categories": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Category"},
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/cases": {
                "post": {
                    "summary": "File a case",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/NewCase"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Filed. Keep the tracking code and access key.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Receipt"}
                                }
                            },
                        },
                        "400": _ERRORS,
                        "422": _ERRORS,
                        "429": _THROTTLED,
                    },
                }
            },
            "/cases/{tracking_code}": {
                "get": {
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
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The case as its filer sees it",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/PublicCase"}
                                }
                            },
                        },
                        "404": {
                            "description": "Unknown code or wrong key (the two look the same)",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Errors"}
                                }
                            },
                        },
                        "429": {"description": "Too many failed look-ups; try again later"},
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
                        "kinds": {"type": "array", "items": {"enum": [k.value for k in Kind]}},
                    },
                },
                "NewCase": {
                    "type": "object",
                    "required": [
                        "kind",
                        "category",
                        "subject",
                        "description",
                        "consent",
                        "certify_true",
                    ],
                    "properties": {
                        "kind": {"enum": [k.value for k in Kind]},
                        "category": {"type": "string", "description": "A code from /categories"},
                        "subject": {"type": "string", "maxLength": 200},
                        "description": {"type": "string", "maxLength": 10000},
                        "complainant": {
                            "type": ["object", "null"],
                            "description": "Name and at least one contact, unless anonymous",
                            "properties": {
                                "name": _NULLABLE_TEXT,
                                "email": _NULLABLE_TEXT,
                                "phone": _NULLABLE_TEXT,
                                "address": _NULLABLE_TEXT,
                            },
                        },
                        "anonymous": {"type": "boolean", "default": False},
                        "consent": {
                            "type": "boolean",
                            "description": "Has read the privacy notice",
                        },
                        "certify_true": {
                            "type": "boolean",
                            "description": "Certifies the facts are true",
                        },
                    },
                },
                "Receipt": {
                    "type": "object",
                    "properties": {
                        "tracking_code": _TEXT,
                        "access_key": _TEXT,
                        "status": {"enum": [s.value for s in Status]},
                        "public_status": _TEXT,
                        "due_at": {"type": "string", "format": "date-time"},
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
                    "properties": {
                        "tracking_code": _TEXT,
                        "kind": {"enum": [k.value for k in Kind]},
                        "status": {"enum": [s.value for s in Status]},
                        "public_status": _TEXT,
                        "merged_into": _NULLABLE_TEXT,
                        "received_at": {"type": "string", "format": "date-time"},
                        "due_at": {"type": "string", "format": "date-time"},
                        "resolved_at": {"type": ["string", "null"], "format": "date-time"},
                        "timeline": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "at": {"type": "string", "format": "date-time"},
                                    "title": _TEXT,
                                    "message": _NULLABLE_TEXT,
                                },
                            },
                        },
                    },
                },
                "Errors": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": _TEXT},
                        }
                    },
                },
            }
        },
    }
