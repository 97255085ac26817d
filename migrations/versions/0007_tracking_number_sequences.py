"""Tracking numbers from a PostgreSQL sequence per fiscal year.

The counter row of ``tracking_sequences`` was locked from a filing's number
to its commit, so concurrent filings waited for each other (docs/performance.md:
75 filings a second at one connection, 68 at eight). On PostgreSQL the number
now comes from ``next_tracking_number(year)``: ``nextval`` of the sequence
``tracking_number_<year>``, created on the year's first filing from the
highest number already given. Numbers never repeat; a filing that rolls back
leaves a gap (DESIGN §2: "a sequence per fiscal year that never repeats").
SQLite keeps the counter: it runs one writer at a time anyway.

The function runs with the rights of the role that migrates (SECURITY
DEFINER, with its schema pinned), so that the web role needs no right to
create objects for a new year's sequence, and every sequence has one owner.
Stop the processes of the older version before upgrading (README).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


NEXT_TRACKING_NUMBER = """
CREATE FUNCTION next_tracking_number(year integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    name text := 'tracking_number_' || year;
    start integer;
BEGIN
    IF to_regclass(name) IS NULL THEN
        SELECT greatest(
            (SELECT coalesce(max(sequence), 0) FROM cases WHERE fiscal_year = year),
            (SELECT coalesce(max(last_value), 0) FROM tracking_sequences WHERE fiscal_year = year)
        ) + 1 INTO start;
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I START WITH %s', name, start);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- a concurrent filing created it first
        END;
    END IF;
    RETURN nextval(name);
END
$$
"""


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        op.execute(NEXT_TRACKING_NUMBER.replace("{schema}", schema))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Hand the numbers back to the counter, so that none is given twice.
    op.execute("""
        DO $$
        DECLARE
            seq record;
        BEGIN
            FOR seq IN SELECT sequencename, last_value FROM pg_sequences
                       WHERE sequencename ~ '^tracking_number_[0-9]+$' LOOP
                INSERT INTO tracking_sequences (fiscal_year, last_value)
                VALUES (substr(seq.sequencename, 17)::integer, coalesce(seq.last_value, 0))
                ON CONFLICT (fiscal_year) DO UPDATE
                SET last_value = greatest(tracking_sequences.last_value, excluded.last_value);
                EXECUTE format('DROP SEQUENCE %I', seq.sequencename);
            END LOOP;
        END
        $$
    """)
    op.execute("DROP FUNCTION next_tracking_number(integer)")
