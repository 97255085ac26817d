"""A report as a document: a title, a few lines and tables, written out as
PDF (fpdf2, with Thai shaped by HarfBuzz and the Noto fonts shipped in
``fonts/``, so it needs nothing from the system), XLSX (openpyxl, write-only:
one sheet a table) or CSV. The page and the three files are made from the same
figures, so they cannot disagree.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from suggestion.core.spreadsheet import safe_cell

FONTS = Path(__file__).parent / "fonts"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]
    # Columns that hold numbers, right-aligned in the PDF.
    numeric_from: int = 1
    # The XLSX sheet's name: Excel allows 31 characters, so a long title
    # gets a short name of whole words rather than being cut mid-word.
    sheet: str | None = None


@dataclass(frozen=True)
class Percent:
    """A percentage (0–100, None for a percentage of nothing): ``98.8%`` in
    text, a number formatted as a percentage in a spreadsheet."""

    value: float | None

    def __str__(self) -> str:
        return percent_text(self.value)


@dataclass
class Document:
    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def percent_text(value: float | None) -> str:
    """``98.8%``; a percentage of nothing is a dash."""
    return "—" if value is None else f"{value:g}%"


def ratio_text(value: float | None, part: int, whole: int) -> str:
    """``100% (54/54)``, as the annual report prints it."""
    return f"{percent_text(value)} ({part}/{whole})"


def change_text(count: int, previous: int, change: int, change_percent: float | None) -> str:
    """``42 → 25 (−17, −40.5%)``, as the annual report prints it."""

    def sign(value: float) -> str:
        return "+" if value > 0 else ("−" if value < 0 else "")

    text = f"{previous} → {count} ({sign(change) or '±'}{abs(change)}"
    if change_percent is not None:
        text += f", {sign(change_percent)}{abs(change_percent):g}%"
    return text + ")"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def to_csv(document: Document) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([document.title])
    for line in document.lines:
        writer.writerow([line])
    for table in document.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([[safe_cell(_text(v)) for v in row] for row in table.rows])
    return buffer.getvalue()


def to_excel_csv(document: Document) -> str:
    """CSV that opens in Excel as it should: a byte-order mark first, so that
    Excel reads the Thai as UTF-8 (sent as ``text/csv; charset=utf-8``)."""
    return "\ufeff" + to_csv(document)


def to_text(document: Document) -> str:
    """Plain text, for e-mail: each row a line of ``column: value`` pairs."""
    out = [document.title, *document.lines]
    for table in document.tables:
        out += ["", table.title, "-" * min(len(table.title), 60)]
        if not table.rows:
            out.append("—")
        for row in table.rows:
            pairs = [f"{h}: {_text(v)}" for h, v in zip(table.header[1:], row[1:], strict=False)]
            out.append(f"{_text(row[0])} · " + " · ".join(pairs))
    return "\n".join(out)


def _whole_words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a space, never inside a word
    (inside one only if its first word alone is longer)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip()
    return cut if 0 < len(cut) <= limit else text[:limit]


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    base = _whole_words(re.sub(r"[\[\]:*?/\\]", " ", title).strip(), 31) or "Sheet"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{_whole_words(base, 26)} ({n})"
    taken.add(name)
    return name


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, Percent):
        return safe_cell(value)
    if value.value is None:
        return str(value)
    cell = WriteOnlyCell(sheet, value=value.value / 100)
    cell.number_format = "0.0%"  # DESIGN §2: percentages to one decimal
    return cell


def to_xlsx(document: Document) -> bytes:
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in document.tables:
        sheet = workbook.create_sheet(_sheet_title(table.sheet or table.title, taken))
        sheet.append([document.title])
        for line in document.lines:
            sheet.append([line])
        sheet.append([])
        sheet.append([table.title])
        header = [WriteOnlyCell(sheet, value=name) for name in table.header]
        for cell in header:
            cell.font = bold
        sheet.append(header)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    if not document.tables:
        workbook.create_sheet("Report").append([document.title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.report_title = title
        self.add_font("NotoSans", "", FONTS / "NotoSans-Regular.ttf")
        self.add_font("NotoSans", "B", FONTS / "NotoSans-Bold.ttf")
        self.add_font("NotoSansThai", "", FONTS / "NotoSansThai-Regular.ttf")
        self.add_font("NotoSansThai", "B", FONTS / "NotoSansThai-Bold.ttf")
        self.add_font("NotoSansMath", "", FONTS / "NotoSansMath-Regular.ttf")
        self.set_fallback_fonts(["NotoSansThai", "NotoSansMath"], exact_match=False)
        self.set_text_shaping(True)
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("NotoSans", size=8)
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="C")


def to_pdf(document: Document) -> bytes:
    pdf = _Pdf(document.title)
    pdf.add_page()
    pdf.set_font("NotoSans", "B", 15)
    pdf.multi_cell(0, 9, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", size=10)
    for line in document.lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    for table in document.tables:
        pdf.ln(4)
        pdf.set_font("NotoSans", "B", 12)
        pdf.multi_cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSans", size=9)
        if not table.rows:
            pdf.multi_cell(0, 6, "—", new_x="LMARGIN", new_y="NEXT")
            continue
        align = ["LEFT"] * table.numeric_from + ["RIGHT"] * (len(table.header) - table.numeric_from)
        widths = (3,) * table.numeric_from + (1,) * (len(table.header) - table.numeric_from)
        with pdf.table(
            col_widths=widths,
            text_align=tuple(align),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
            line_height=6,
            repeat_headings=1,
        ) as grid:
            head = grid.row()
            for name in table.header:
                head.cell(name)
            for values in table.rows:
                row = grid.row()
                for value in values:
                    row.cell(_text(value))
    return bytes(pdf.output())
