"""The database's part of a backup: ``pg_dump -Fc`` and ``pg_restore`` for
PostgreSQL, SQLite's backup API for the embedded default.

The PostgreSQL dump is taken in a snapshot exported from a transaction that
also reads the schema's revision, so that the manifest names the revision of
exactly what was dumped. A restore runs as the role that connects (the
owner, who runs the migrations), with ``--no-owner --no-acl``: everything
restored belongs to it, whatever role owned it where the backup was made,
and no other role gets any right until ``flask db grant`` gives the site's
role exactly its own (the role names of another cluster mean nothing here).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from suggestion.ops.manifest import BackupError

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
FILE_NAMES = {POSTGRESQL: "database.dump", SQLITE: "database.sqlite"}
# How long pg_dump waits for a table that a migration holds, before it gives up.
LOCK_WAIT = "120s"
# The stock comment of an extension: only the extension's owner may set it,
# and an extension a superuser made beforehand is not the restoring role's.
EXTENSION_COMMENT = re.compile(r"^\d+; \d+ \d+ COMMENT - EXTENSION ")
RELATIONS = """
    SELECT n.nspname || '.' || c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY 1
"""


@dataclass(frozen=True)
class Dumped:
    """The database written into a backup: its file, the schema's revision
    in it, and the versions of what wrote it."""

    path: Path
    revision: str
    versions: dict[str, str]


def engine_name(engine: sa.Engine) -> str:
    name = engine.dialect.name
    if name not in FILE_NAMES:
        raise BackupError(f"backups know PostgreSQL and SQLite, not {name}")
    return name


def dump(engine: sa.Engine, folder: Path) -> Dumped:
    """Write the database into ``folder``, consistently."""
    target = folder / FILE_NAMES[engine_name(engine)]
    if engine.dialect.name == POSTGRESQL:
        return _pg_dump(engine, target)
    return _sqlite_dump(engine, target)


def restore(engine: sa.Engine, path: Path) -> None:
    """Load the backup's database into the (checked, empty) database, all or
    nothing."""
    if engine.dialect.name == POSTGRESQL:
        _pg_restore(engine, path)
    else:
        _sqlite_restore(engine, path)


def check_restorable(engine: sa.Engine, backup_engine: str, versions: dict[str, str]) -> None:
    """Refuse, before anything is written, a restore that could not finish or
    would mix two databases: another engine, an older pg_restore, a database
    that holds anything, a role that may not create the tables."""
    here = engine_name(engine)
    if backup_engine != here:
        raise BackupError(
            f"the backup holds a {backup_engine} database; DATABASE_URL names a {here} one"
        )
    relations = tables(engine)
    if relations:
        listed = ", ".join(relations[:5]) + (", …" if len(relations) > 5 else "")
        new = "made with CREATE DATABASE" if here == POSTGRESQL else "in a file that does not exist"
        raise BackupError(
            f"the database {engine.url.database} is not empty ({len(relations)}"
            f" table{'s' if len(relations) != 1 else ''}:"
            f" {listed}); restore only into an empty database, such as a new one {new}"
        )
    if here != POSTGRESQL:
        return
    made_by = _major(versions.get("pg_dump", ""))
    restorer = _tool_version("pg_restore")
    if made_by and _major(restorer) < made_by:
        raise BackupError(
            f"the dump was made by pg_dump {versions['pg_dump']}; this pg_restore is"
            f" {restorer}: install PostgreSQL {made_by}'s client programs or newer"
        )
    with engine.connect() as conn:
        role, schema, may_create = conn.execute(
            sa.text(
                "SELECT current_user, current_schema(),"
                " coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)"
            )
        ).one()
    if not may_create:
        raise BackupError(
            f"{role} may not create tables in schema {schema}: restore as the owner"
            " (the role that runs flask db upgrade), not as the site's role"
        )


def tables(engine: sa.Engine) -> list[str]:
    """What the database holds: its tables, views and sequences."""
    if engine.dialect.name == POSTGRESQL:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text(RELATIONS)))
    path = _sqlite_path(engine)
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        return [name for (name,) in rows]


def revision_of(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _pg_dump(engine: sa.Engine, target: Path) -> Dumped:
    program = _program("pg_dump")
    conninfo, env = _libpq(engine)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            revision = _read_revision(conn)
            server = str(conn.scalar(sa.text("SHOW server_version")))
            command = [
                program,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--lock-wait-timeout={LOCK_WAIT}",
                f"--file={target}",
                f"--dbname={conninfo}",
            ]
            try:
                _run(command, env)
            except BackupError as error:
                if "permission denied" not in str(error):
                    raise
                raise BackupError(
                    f"{error}: run it as the owner (the role that runs flask db upgrade);"
                    " the site's role may not read every table and sequence"
                ) from None
    versions = {"postgresql": server, "pg_dump": _tool_version("pg_dump")}
    return Dumped(target, revision, {"python": platform.python_version(), **versions})


def _pg_restore(engine: sa.Engine, dump_file: Path) -> None:
    program = _program("pg_restore")
    conninfo, env = _libpq(engine)
    listing = _run([program, "--list", str(dump_file)], env).stdout
    kept = [line for line in listing.splitlines() if not EXTENSION_COMMENT.match(line)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as use_list:
        use_list.write("\n".join(kept) + "\n")
        use_list.flush()
        _run(
            [
                program,
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--use-list={use_list.name}",
                f"--dbname={conninfo}",
                str(dump_file),
            ],
            env,
        )


def _sqlite_dump(engine: sa.Engine, target: Path) -> Dumped:
    source_path = _sqlite_path(engine)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}: run flask db upgrade first")
    with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # a consistent copy, even while the site writes
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, without -wal and -shm
        try:
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
    if row is None:
        raise BackupError("the database has no schema revision: run flask db upgrade first")
    versions = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    return Dumped(target, str(row[0]), versions)


def _sqlite_restore(engine: sa.Engine, path: Path) -> None:
    target = _sqlite_path(engine)
    engine.dispose()  # no pooled connection holds the old (empty) file
    target.parent.mkdir(parents=True, exist_ok=True)
    source_uri = path.resolve().as_uri() + "?mode=ro"
    with (
        closing(sqlite3.connect(source_uri, uri=True)) as source,
        closing(sqlite3.connect(target)) as restored,
    ):
        source.backup(restored)


def _sqlite_path(engine: sa.Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backups need an SQLite database in a file, named by its path")
    return Path(database)


def _read_revision(conn: sa.Connection) -> str:
    try:
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.ProgrammingError:
        revision = None
    if revision is None:
        raise BackupError("the database has no schema revision: run flask db upgrade first")
    return str(revision)


def _libpq(engine: sa.Engine) -> tuple[str, dict[str, str]]:
    """The connection as libpq's programs take it; the password goes in the
    environment, never on the command line that other users can list."""
    url = engine.url
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client programs"
            " (of the server's major version or newer)"
        )
    return found


def _tool_version(name: str) -> str:
    """``15.20 (Debian 15.20-0+deb12u1)`` of ``pg_dump (PostgreSQL) 15.20 (…)``."""
    said = _run([_program(name), "--version"]).stdout.strip()
    return said.split(") ", 1)[-1] if ") " in said else said


def _major(version: str) -> int:
    match = re.match(r"\d+", version)
    return int(match.group()) if match else 0


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed: {_said(program, result.stderr, result.returncode)}")
    return result


def _said(program: str, stderr: str, status: int) -> str:
    """The program's own lines of its complaint, without the details, context
    and statements that follow them: those can quote a row's values, and a
    row holds personal data."""
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.startswith(f"{program}:") and not line.startswith(f"{program}: detail:")
    ]
    return "; ".join(line[:300] for line in lines[:5]) or f"exit status {status}"
