"""The declarative base: one metadata with a naming convention, so that
constraint names are the same on SQLite and PostgreSQL and in every migration."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import registry

from suggestion.core.time import utcnow

E = TypeVar("E", bound=enum.StrEnum)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC timestamp on every database.

    PostgreSQL keeps the zone; SQLite does not, so values are normalised to UTC on
    the way in and made aware again on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(utcnow().tzinfo)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=utcnow().tzinfo)
        return value.astimezone(utcnow().tzinfo)


class StrEnumType(sa.types.TypeDecorator[E]):
    """A StrEnum stored as its string (kept to its values by a check
    constraint), read back as the enum, so that code compares typed values."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> E | None:
        return None if value is None else self.enum_class(value)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def enum_check(column: str, values: object) -> str:
    """The SQL of a check constraint keeping ``column`` to the values of a StrEnum."""
    names = ", ".join(f"'{v}'" for v in values)  # type: ignore[attr-defined]
    return f"{column} IN ({names})"
