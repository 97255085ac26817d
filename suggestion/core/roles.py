"""The two database roles of DESIGN §5 (PostgreSQL): the migrations run as the
role that owns the schema; the site and the workers connect as a role that owns
nothing. That role reads and writes the tables, but only reads and appends to
the audit trails; it may not create, alter or drop anything, and, owning no
table, may not truncate one or set its triggers aside.

:func:`grant` gives a role exactly these rights over what the schema holds now
and takes back any other; the owner runs it after every upgrade (``flask db
grant ROLE``), so that a table a migration adds is covered by the next run.
:func:`problems` says what is wrong with a role's rights, for the command and
for checks of a deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

# What the site and the workers do to each kind of object (nothing else).
READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY = "SELECT, INSERT"
READ_ONLY = "SELECT"
# Only the migrations write the schema's version; /readyz and checks read it.
READ_ONLY_TABLES = frozenset({"alembic_version"})
# An audit trail is a table whose triggers refuse TRUNCATE (migration 0011's
# function): the migration that makes one declares it, and nothing here must
# remember to. Its UPDATE and DELETE triggers stay as a second guard.
APPEND_ONLY_FUNCTION = "audit_refuse_truncate"


class RoleError(Exception):
    """The role cannot be the site's: it does not exist, or it could do more
    than the site needs whatever is granted to it."""


@dataclass(frozen=True)
class Grants:
    """What :func:`grant` gave, for the operator to read."""

    schema: str
    read_write: list[str]
    append_only: list[str]
    read_only: list[str]
    sequences: list[str]
    functions: list[str]


def grant(conn: sa.Connection, role: str) -> Grants:
    """Give ``role`` the site's rights on the current schema, and no others.

    Run as the owner of the schema's objects, in one transaction, so that the
    site never sees a moment with fewer rights. Safe to run again."""
    _require_postgresql(conn)
    schema = _current_schema(conn)
    tables = _tables(conn)
    if "alembic_version" not in tables:
        raise RoleError(f"schema {schema} has not been migrated; run flask db upgrade first")
    me = str(conn.scalar(sa.text("SELECT current_user")))
    owners = _owners(conn)
    is_superuser = conn.scalar(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    )
    if owners != [me] and not is_superuser:
        raise RoleError(f"run this as the owner of the tables ({', '.join(owners)}), not as {me}")
    if not _exists(conn, role):
        raise RoleError(f"there is no role {role!r}; create it first (CREATE ROLE … LOGIN)")
    if unsafe := _unsafe(conn, role):
        raise RoleError("; ".join(unsafe))
    append_only = append_only_tables(conn)
    read_only = sorted(READ_ONLY_TABLES & set(tables))
    read_write = [t for t in tables if t not in append_only and t not in read_only]
    sequences = _column_sequences(conn)
    functions = _functions(conn)

    q = _quoter(conn)
    who = q(role)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q(schema)} TO {who}")
    if tables:  # earlier grants, of this command or by hand, are taken back first
        conn.exec_driver_sql(f"REVOKE ALL ON TABLE {_list(q, tables)} FROM {who}")
    for rights, names in (
        (READ_WRITE, read_write),
        (APPEND_ONLY, append_only),
        (READ_ONLY, read_only),
    ):
        if names:
            conn.exec_driver_sql(f"GRANT {rights} ON TABLE {_list(q, names)} TO {who}")
    if sequences:
        conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {_list(q, sequences)} FROM {who}")
        conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {_list(q, sequences)} TO {who}")
    for signature in functions:  # already quoted by regprocedure
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {signature} TO {who}")
    if _may_create_in_schema(conn, role, schema):
        # PostgreSQL 14 and older let every role create in "public".
        conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {q(schema)} FROM PUBLIC, {who}")
    if remaining := problems(conn, role):
        raise RoleError("; ".join(remaining))
    return Grants(schema, read_write, append_only, read_only, sequences, functions)


def problems(conn: sa.Connection, role: str) -> list[str]:
    """What is wrong with ``role`` as the site's role, in plain words; empty if
    nothing."""
    _require_postgresql(conn)
    if not _exists(conn, role):
        return [f"there is no role {role!r}"]
    found = _unsafe(conn, role)
    schema = _current_schema(conn)
    if _may_create_in_schema(conn, role, schema):
        found.append(f"{role} may create objects in schema {schema}")
    append_only = set(append_only_tables(conn))
    held = _table_rights(conn, role)
    for table in _tables(conn):
        if table in READ_ONLY_TABLES:
            needed, refused = ["SELECT"], ["INSERT", "UPDATE", "DELETE", "TRUNCATE"]
        elif table in append_only:
            needed, refused = ["SELECT", "INSERT"], ["UPDATE", "DELETE", "TRUNCATE", "TRIGGER"]
        else:
            needed, refused = ["SELECT", "INSERT", "UPDATE", "DELETE"], ["TRUNCATE", "TRIGGER"]
        rights = held.get(table, set())
        if missing := [r for r in needed if r not in rights]:
            found.append(f"{role} lacks {', '.join(missing)} on {table} (run flask db grant)")
        if extra := [r for r in refused if r in rights]:
            found.append(f"{role} may {', '.join(extra)} {table}")
    return found


def _unsafe(conn: sa.Connection, role: str) -> list[str]:
    """What the role could do whatever its grants: be a superuser, become the
    owner, make itself a member of it, or own something already."""
    found = []
    attributes = conn.execute(
        sa.text("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = :r"),
        {"r": role},
    ).one()
    if attributes.rolsuper:
        found.append(f"{role} is a superuser")
    if attributes.rolcreaterole:
        found.append(f"{role} may create roles (and so join the owner's)")
    if attributes.rolbypassrls:
        found.append(f"{role} bypasses row-level security")
    for owner in _owners(conn):
        if owner == role:
            found.append(f"{role} owns the schema's tables; connect the site as another role")
        elif conn.scalar(sa.text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}):
            found.append(f"{role} is a member of {owner}, which owns the tables")
    owned = conn.scalar(
        sa.text("""
            SELECT count(*) FROM (
                SELECT relowner AS owner FROM pg_class
                UNION ALL SELECT proowner FROM pg_proc
                UNION ALL SELECT nspowner FROM pg_namespace
                UNION ALL SELECT datdba FROM pg_database WHERE datname = current_database()
            ) AS objects WHERE owner = (SELECT oid FROM pg_roles WHERE rolname = :r)
        """),
        {"r": role},
    )
    if owned:
        found.append(f"{role} owns {owned} objects in this database; it must own nothing")
    if conn.scalar(
        sa.text("SELECT has_database_privilege(:r, current_database(), 'CREATE')"), {"r": role}
    ):
        found.append(f"{role} may create schemas in this database")
    return found


def _require_postgresql(conn: sa.Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise RoleError("database roles are PostgreSQL's; this database has none")


def _exists(conn: sa.Connection, role: str) -> bool:
    return bool(
        conn.scalar(sa.text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role})
    )


def _current_schema(conn: sa.Connection) -> str:
    return str(conn.scalar(sa.text("SELECT current_schema()")))


def _tables(conn: sa.Connection) -> list[str]:
    return list(
        conn.scalars(
            sa.text("""
                SELECT relname FROM pg_class
                WHERE relnamespace = current_schema()::regnamespace
                  AND relkind IN ('r', 'p', 'v', 'm', 'f')
                ORDER BY relname
            """)
        )
    )


def _owners(conn: sa.Connection) -> list[str]:
    return list(
        conn.scalars(
            sa.text("""
                SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class
                WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
            """)
        )
    )


def append_only_tables(conn: sa.Connection) -> list[str]:
    """The audit trails: the tables whose triggers refuse TRUNCATE."""
    return list(
        conn.scalars(
            sa.text("""
                SELECT DISTINCT c.relname FROM pg_trigger t
                JOIN pg_class c ON c.oid = t.tgrelid
                JOIN pg_proc p ON p.oid = t.tgfoid
                WHERE c.relnamespace = current_schema()::regnamespace AND p.proname = :function
                ORDER BY c.relname
            """),
            {"function": APPEND_ONLY_FUNCTION},
        )
    )


def _column_sequences(conn: sa.Connection) -> list[str]:
    """The sequences behind identity and serial columns (the fiscal years'
    tracking numbers are drawn through a function instead, migration 0007)."""
    return list(
        conn.scalars(
            sa.text("""
                SELECT DISTINCT s.relname FROM pg_class s
                JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace
                ORDER BY s.relname
            """)
        )
    )


def _functions(conn: sa.Connection) -> list[str]:
    """The schema's own functions the site calls (not trigger functions, which
    run without EXECUTE, nor an extension's)."""
    return list(
        conn.scalars(
            sa.text("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind = 'f'
                  AND p.prorettype <> 'trigger'::regtype
                  AND NOT EXISTS (
                      SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY 1
            """)
        )
    )


def _may_create_in_schema(conn: sa.Connection, role: str, schema: str) -> bool:
    return bool(
        conn.scalar(
            sa.text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": role, "s": schema}
        )
    )


def _table_rights(conn: sa.Connection, role: str) -> dict[str, set[str]]:
    """The role's rights on each table of the schema, however it holds them
    (granted, through PUBLIC or a role it is a member of)."""
    held: dict[str, set[str]] = {}
    rows = conn.execute(
        sa.text("""
            SELECT c.relname, r.name FROM pg_class c,
                unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER'])
                    AS r(name)
            WHERE c.relnamespace = current_schema()::regnamespace
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND has_table_privilege(:r, c.oid, r.name)
        """),
        {"r": role},
    )
    for table, right in rows:
        held.setdefault(table, set()).add(right)
    return held


def _quoter(conn: sa.Connection) -> Callable[[str], str]:
    return conn.dialect.identifier_preparer.quote_identifier


def _list(quote: Callable[[str], str], names: list[str]) -> str:
    return ", ".join(quote(name) for name in names)
