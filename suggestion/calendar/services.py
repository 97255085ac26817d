"""Loading and reading the holiday table."""

from __future__ import annotations

import time
from datetime import date
from typing import NamedTuple

import holidays as holidays_package
import sqlalchemy as sa

from suggestion.calendar.models import Holiday
from suggestion.calendar.models import HolidayCategory
from suggestion.calendar.models import HolidaySource
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.extensions import db


class HolidaySync(NamedTuple):
    """What loading a year changed: ``changes`` is ``{day: (old name, new name)}``."""

    added: int
    updated: int
    changes: dict[date, tuple[str | None, str]]


def holiday_dates(first: date, last: date) -> frozenset[date]:
    """The holidays between two dates, inclusive, as a set for the arithmetic."""
    rows = db.session.scalars(sa.select(Holiday.day).where(Holiday.day.between(first, last)))
    return frozenset(rows)


# The holidays' names for explanations, read at most every NAMES_SECONDS per
# process: the public look-up shows them, and the table changes a few times a
# year. (Deadlines are never computed from this copy: see holiday_dates.)
NAMES_SECONDS = 30.0
_names: tuple[float, dict[date, str]] | None = None


def holiday_names(first: date, last: date) -> dict[date, str]:
    """The holidays from ``first`` to ``last`` (inclusive), with their names,
    as the table stood at most NAMES_SECONDS ago in this process."""
    global _names
    now = time.monotonic()
    if _names is None or now - _names[0] > NAMES_SECONDS:
        rows = db.session.execute(sa.select(Holiday.day, Holiday.name))
        _names = (now, {day: name for day, name in rows})
    return {day: name for day, name in _names[1].items() if first <= day <= last}


def forget_holiday_names() -> None:
    """After a change to the table: this process reads it again."""
    global _names
    _names = None


def thai_holidays(year: int) -> dict[date, tuple[str, str]]:
    """Thailand's public and government holidays of a C.E. year, from `holidays`.

    Returns ``{day: (name, category)}``; Royal Ploughing Day is a government-only
    day off, so it is the one day that comes out as ``government``.
    """
    found: dict[date, tuple[str, str]] = {}
    for category in (HolidayCategory.GOVERNMENT, HolidayCategory.PUBLIC):
        table = holidays_package.country_holidays(
            "TH", years=year, categories=(str(category),), language="th"
        )
        for day, name in table.items():
            found[day] = (name, str(category))  # public overrides government
    return found


def sync_year(year: int) -> HolidaySync:
    """Load a C.E. year's Thai holidays; days an administrator set are kept."""
    forget_holiday_names()
    existing = {
        h.day: h
        for h in db.session.scalars(
            sa.select(Holiday).where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
    }
    added = updated = 0
    changed: dict[date, tuple[str | None, str]] = {}
    for day, (name, category) in sorted(thai_holidays(year).items()):
        holiday = existing.get(day)
        if holiday is None:
            db.session.add(
                Holiday(day=day, name=name, category=category, source=HolidaySource.PACKAGE)
            )
            added += 1
            changed[day] = (None, name)
        elif holiday.source == HolidaySource.PACKAGE and (
            holiday.name != name or holiday.category != category
        ):
            changed[day] = (holiday.name, name)
            holiday.name, holiday.category = name, category
            updated += 1
    db.session.flush()
    return HolidaySync(added, updated, changed)


def load_year(year: int, *, actor_id: int | None, actor_label: str) -> HolidaySync:
    """Load a year as :func:`sync_year` does and record what it changed on the
    administrative audit trail (nothing is recorded when nothing changed)."""
    result = sync_year(year)
    if result.changes:
        record_admin_change(
            actor_id,
            actor_label,
            AdminAction.HOLIDAYS_LOADED,
            f"holidays {year}",
            {day.isoformat(): names for day, names in sorted(result.changes.items())},
        )
    return result


def is_year_loaded(year: int) -> bool:
    """Whether the package's holidays of a C.E. year are in the table."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Holiday)
            .where(
                Holiday.day.between(date(year, 1, 1), date(year, 12, 31)),
                Holiday.source == HolidaySource.PACKAGE,
            )
        )
    )
