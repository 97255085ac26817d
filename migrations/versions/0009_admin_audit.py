"""The administrative audit trail: admin_events, one row per change to an
account, a policy, a holiday or a reply template, by the pages, the command
line or the system (suggestion.core.audit).

Append-only like case_events: triggers refuse UPDATE and DELETE on both
PostgreSQL and SQLite. (A later migration that rebuilds this table on SQLite
must create its triggers again, as 0010 does for case_events.)

The number comes after 0010 in the history: 0009 was left free when 0010 was
written, and takes its place at the head.

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None

ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
)
APPEND_ONLY_MESSAGE = "admin_events is append-only"


def upgrade():
    op.create_table('admin_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.CheckConstraint(
        "action IN ({})".format(", ".join(f"'{a}'" for a in ACTIONS)),
        name=op.f('ck_admin_events_action'),
    ),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_events'))
    )
    with op.batch_alter_table('admin_events', schema=None) as batch_op:
        batch_op.create_index('ix_admin_events_at_id', ['at', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION admin_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER admin_events_append_only BEFORE UPDATE OR DELETE ON admin_events
            FOR EACH ROW EXECUTE FUNCTION admin_events_append_only()
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER admin_events_no_{action.lower()} BEFORE {action} ON admin_events
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER admin_events_append_only ON admin_events")
        op.execute("DROP FUNCTION admin_events_append_only()")
    else:
        op.execute("DROP TRIGGER admin_events_no_update")
        op.execute("DROP TRIGGER admin_events_no_delete")
    with op.batch_alter_table('admin_events', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_events_at_id')

    op.drop_table('admin_events')
