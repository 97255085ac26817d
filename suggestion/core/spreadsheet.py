"""Values bound for a spreadsheet (CSV or XLSX). Text that Excel or LibreOffice
would run as a formula (=, +, -, @, a tab or a carriage return first) gets an
apostrophe in front, so that a filer's name cannot become a live formula in an
officer's spreadsheet (OWASP: CSV injection)."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
