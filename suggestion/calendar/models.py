from __future__ import annotations

import enum
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from suggestion.core.db import Base
from suggestion.core.db import enum_check
from suggestion.core.time import utcnow


class HolidayCategory(enum.StrEnum):
    PUBLIC = "public"
    GOVERNMENT = "government"
    SPECIAL = "special"  # declared by the Cabinet, added by an administrator


HOLIDAY_CATEGORY_LABELS = {
    HolidayCategory.PUBLIC: _l("public holiday"),
    HolidayCategory.GOVERNMENT: _l("government offices' holiday"),
    HolidayCategory.SPECIAL: _l("special holiday"),
}


class HolidaySource(enum.StrEnum):
    PACKAGE = "package"
    ADMIN = "admin"


class Holiday(Base):
    """A day on which the agency does not work, besides Saturdays and Sundays."""

    __tablename__ = "holidays"
    __table_args__ = (
        sa.CheckConstraint(enum_check("category", HolidayCategory), name="category"),
        sa.CheckConstraint(enum_check("source", HolidaySource), name="source"),
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[str] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
