"""Time in one place: aware UTC inside, the agency's zone at the edges, fiscal
years and Buddhist Era dates for people."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import UTC
from zoneinfo import ZoneInfo

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The agency's calendar date of an aware moment."""
    return moment.astimezone(tz).date()


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """23:59:59 of ``day`` in the agency's zone, as an aware UTC datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def fiscal_year_of(day: date) -> int:
    """The Thai fiscal year (B.E.) that ``day`` falls in: it ends on 30 September."""
    year_ce = day.year + 1 if day.month >= 10 else day.year
    return year_ce + BE_OFFSET


# The fiscal years (B.E.) a report may be asked for: any archive's, while a
# year typed in C.E. (2026) or with a digit too many is refused.
EARLIEST_FISCAL_YEAR = 2500
LATEST_FISCAL_YEAR = 2700


def is_fiscal_year(year: int) -> bool:
    return EARLIEST_FISCAL_YEAR <= year <= LATEST_FISCAL_YEAR


def parse_fiscal_year(text: str) -> int | None:
    """The fiscal year (B.E.) written in ``text`` in ASCII digits, or None if it
    is not one (``"²".isdigit()`` is true, but int() refuses it; a long run of
    digits is refused before int() reads it)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    year = int(text)
    return year if is_fiscal_year(year) else None


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[date, date]:
    """First and last day of a fiscal year given in B.E."""
    end_ce = fiscal_year_be - BE_OFFSET
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)


def format_date(day: date | datetime, locale: str, tz: ZoneInfo | None = None) -> str:
    """``8 พฤษภาคม 2569`` in Thai (B.E.), ``8 May 2026`` in English (C.E.)."""
    if isinstance(day, datetime):
        if tz is None:
            raise ValueError("a datetime needs the zone it is shown in")
        day = day.astimezone(tz).date()
    if locale == "th":
        return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def format_month(day: date, locale: str, *, short: bool = False) -> str:
    """``ตุลาคม 2568`` (short ``ต.ค. 68``) in Thai, ``October 2025`` (``Oct 2025``) in English."""
    if locale == "th":
        if short:
            return f"{THAI_MONTHS_SHORT[day.month - 1]} {(day.year + BE_OFFSET) % 100:02d}"
        return f"{THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"
    name = ENGLISH_MONTHS[day.month - 1]
    return f"{name[:3]} ’{day.year % 100:02d}" if short else f"{name} {day.year}"


def format_datetime(moment: datetime, locale: str, tz: ZoneInfo) -> str:
    """``8 พฤษภาคม 2569 เวลา 23:59 น.`` in Thai, ``8 May 2026, 23:59`` in English."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), locale)
    if locale == "th":
        return f"{day} เวลา {local:%H:%M} น."
    return f"{day}, {local:%H:%M}"
