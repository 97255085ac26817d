"""The JSON Schema pieces the API's document is built of."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
NULLABLE_TEXT: Schema = {"type": ["string", "null"]}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
COUNT: Schema = {"type": "integer", "minimum": 0}
PERCENT: Schema = {"type": ["number", "null"], "description": "One decimal; null of nothing"}
