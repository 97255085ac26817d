"""Values bound for a spreadsheet (CSV or XLSX). Text that Excel or LibreOffice
would run as a formula (=, +, -, @, a tab or a carriage return first) gets an
apostrophe in front, so that a filer's name cannot become a live formula in an
officer's spreadsheet (OWASP: CSV injection); and the invisible characters
that reverse text's direction (U+202A–U+202E, U+2066–U+2069) are dropped, so
that ``\u202efdp.exe`` cannot show as "exe.pdf" in a cell."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.translate(BIDI_CONTROLS)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
