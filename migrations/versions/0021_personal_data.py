"""Personal data (issue 16): the access log, personal_data_views — every staff
view of a filer's contact details and every download of a case's file, who,
when, which case, and the reason given for a corruption reporter's identity
(suggestion.cases.personal_data).

Append-only like the audit trails: triggers refuse UPDATE and DELETE on
PostgreSQL and SQLite, and TRUNCATE on PostgreSQL (audit_refuse_truncate of
0011, which also tells `flask db grant` to give the site SELECT and INSERT
only). The indexes serve /admin/audit's keyset pages: all, by case, by person.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-01 07:22:45

"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None

LOG = "personal_data_views"
APPEND_ONLY_MESSAGE = f"{LOG} is append-only"


def _append_only(table, message):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{message}';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
        """)
        op.execute(f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()
        """)
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
            BEGIN SELECT RAISE(ABORT, '{message}'); END
        """)


def _drop_append_only(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION {table}_append_only()")
        return
    op.execute(f"DROP TRIGGER {table}_no_update")
    op.execute(f"DROP TRIGGER {table}_no_delete")


def upgrade():
    op.create_table(LOG,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.String(length=20), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(data = 'attachment') = (attachment_id IS NOT NULL)", name=op.f('ck_personal_data_views_attachment_named')),
    sa.CheckConstraint("data IN ('contact_details', 'attachment')", name=op.f('ck_personal_data_views_data')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_personal_data_views_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_personal_data_views_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_views'))
    )
    with op.batch_alter_table(LOG, schema=None) as batch_op:
        batch_op.create_index('ix_personal_data_views_actor_at_id', ['actor_id', 'at', 'id'], unique=False)
        batch_op.create_index('ix_personal_data_views_at_id', ['at', 'id'], unique=False)
        batch_op.create_index('ix_personal_data_views_case_at_id', ['case_id', 'at', 'id'], unique=False)
    _append_only(LOG, APPEND_ONLY_MESSAGE)


def downgrade():
    _drop_append_only(LOG)
    with op.batch_alter_table(LOG, schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_views_case_at_id')
        batch_op.drop_index('ix_personal_data_views_at_id')
        batch_op.drop_index('ix_personal_data_views_actor_at_id')
    op.drop_table(LOG)
