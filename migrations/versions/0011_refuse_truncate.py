"""The audit trails refuse TRUNCATE: `TRUNCATE case_events CASCADE` went
through the append-only triggers, which guard UPDATE and DELETE only
(PostgreSQL; SQLite has no TRUNCATE, and its DELETE trigger holds).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01 03:40:00

"""
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ("case_events", "admin_events")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql
    """)
    for table in TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()
        """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION audit_refuse_truncate()")
