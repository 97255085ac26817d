"""Whether the PostgreSQL database's character classification (LC_CTYPE)
knows Thai letters.

pg_trgm keeps only the characters the ctype calls letters or digits: under
``C`` (or ``POSIX``) no Thai character is one, so every Thai text has no
trigrams at all. The queue's Thai search index is then never used (a
sequential scan) and possible duplicates are never found, silently. `flask db
check` (and every migration), the first connection of each process and
`flask check-deploy` say so loudly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

# A Thai word pg_trgm must see: it has 8 trigrams under a UTF-8 ctype, none under C.
PROBE_SQL = "SELECT coalesce(array_length(show_trgm('ภาษาไทย'), 1), 0)"
ADVICE = (
    "Create the database with a UTF-8 ctype, e.g. CREATE DATABASE … TEMPLATE template0 "
    "ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' (any UTF-8 locale the server has: SELECT collname "
    "FROM pg_collation), then restore into it (README, Production)."
)


def ctype_problem(fetch: Callable[[str], Any]) -> str | None:
    """The problem with the database's ctype, or None; ``fetch`` runs one
    query and returns the first column of its first row."""
    ctype = str(fetch("SHOW lc_ctype"))
    encoding = str(fetch("SHOW server_encoding"))
    knows_utf8 = encoding.upper() == "UTF8" and re.search(r"utf-?8", ctype, re.IGNORECASE)
    seen = None
    if fetch("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"):
        seen = fetch(PROBE_SQL)
    if knows_utf8 and seen != 0:
        return None
    return (
        f"the database's LC_CTYPE is {ctype!r} (encoding {encoding}), which is not UTF-8-aware: "
        "pg_trgm sees no Thai characters, so the Thai search index goes unused and possible "
        "duplicates are never found. " + ADVICE
    )


def check_connection(connection: sa.Connection) -> str | None:
    """:func:`ctype_problem` on an SQLAlchemy connection; None for SQLite."""
    if connection.dialect.name != "postgresql":
        return None
    return ctype_problem(lambda sql: connection.exec_driver_sql(sql).scalar())


def warn_on_first_connect(engine: sa.Engine) -> None:
    """Log a warning, once per process, when the database's ctype is wrong: on
    the first connection, so that a start-up never waits for the database."""
    if engine.dialect.name != "postgresql":
        return

    def check(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()

        def fetch(sql: str) -> Any:
            cursor.execute(sql)
            row = cursor.fetchone()
            return row[0] if row else None

        try:
            problem = ctype_problem(fetch)
        except Exception:  # noqa: BLE001  (a check must never break a connection)
            log.warning("could not check the database's LC_CTYPE", exc_info=True)
            problem = None
        finally:
            cursor.close()
            dbapi_connection.rollback()
        if problem:
            log.warning("DATABASE CTYPE: %s", problem)

    sa.event.listen(engine, "first_connect", check)
