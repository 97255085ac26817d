"""Periodic scans that must not overlap (the deadline sweep, the retention
run) take an advisory lock, held on a connection of its own, which
PostgreSQL releases by itself if the process dies. SQLite has one writer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from suggestion.core.extensions import db


@contextmanager
def advisory_lock(key: int) -> Iterator[bool]:
    """True if this process holds ``key`` now; False if another does."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        acquired = bool(conn.scalar(sa.select(sa.func.pg_try_advisory_lock(key))))
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                conn.commit()
