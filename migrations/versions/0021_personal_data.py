"""Personal data (issue 16): the access log, personal_data_views — every staff
view of a filer's contact details and every download of a case's file, who,
when, which case, and the reason given for a corruption reporter's identity
(suggestion.cases.personal_data).

Append-only like the audit trails: triggers refuse UPDATE and DELETE on
PostgreSQL and SQLite, and TRUNCATE on PostgreSQL (audit_refuse_truncate of
0011, which also tells `flask db grant` to give the site SELECT and INSERT
only). The indexes serve /admin/audit's keyset pages: all, by case, by person.

The register of personal-data breaches (suggestion.sla.breaches): breaches,
with their stored thresholds for the sweep (24 h, 48 h, 72 h after discovery,
PDPA s.37(4)), the cases each concerns (breach_cases), and breach_alerts,
one row per threshold crossed, unique per (breach, kind) so that nothing is
sent twice. admin_events' vocabulary gains the breach's four actions.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 07:22:45

"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

LOG = "personal_data_views"
APPEND_ONLY_MESSAGE = f"{LOG} is append-only"

ADMIN_ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
    "two_factor_enabled", "two_factor_disabled", "two_factor_reset", "personal_data_exported",
    # 0019's and 0020's
    "retention_changed", "legal_hold_placed", "legal_hold_lifted", "personal_data_anonymised",
    "subject_request_registered", "subject_request_closed", "contact_rectified",
    "contact_erased", "erasure_refused", "processing_restricted",
)
BREACH_ACTIONS = (
    "breach_recorded", "breach_pdpc_notified", "breach_subjects_notified", "breach_closed",
)


def _admin_actions(actions):
    """admin_events.action's vocabulary (its check constraint), as 0013 sets it."""
    condition = "action IN ({})".format(", ".join(f"'{a}'" for a in actions))
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_admin_events_action"), "admin_events", type_="check")
        op.create_check_constraint("action", "admin_events", condition)
        return
    # SQLite rebuilds the table to change a constraint, and its triggers with it.
    with op.batch_alter_table("admin_events", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_admin_events_action"), type_="check")
        batch_op.create_check_constraint("action", condition)
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER IF NOT EXISTS admin_events_no_{action.lower()} BEFORE {action} ON admin_events
            BEGIN SELECT RAISE(ABORT, 'admin_events is append-only'); END
        """)


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

    op.create_table('breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discovered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('affected_count', sa.Integer(), nullable=False),
    sa.Column('notify_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pdpc_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('subjects_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('affected_count >= 0', name=op.f('ck_breaches_affected_count')),
    sa.CheckConstraint('closed_at IS NULL OR pdpc_notified_at IS NOT NULL', name=op.f('ck_breaches_closed_after_notice')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_breaches_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breaches'))
    )
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breaches_escalate_at'), ['escalate_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_breaches_final_remind_at'), ['final_remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_breaches_remind_at'), ['remind_at'], unique=False)
    op.create_table('breach_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('breach_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('remind', 'final_remind', 'escalate')", name=op.f('ck_breach_alerts_kind')),
    sa.ForeignKeyConstraint(['breach_id'], ['breaches.id'], name=op.f('fk_breach_alerts_breach_id_breaches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breach_alerts')),
    sa.UniqueConstraint('breach_id', 'kind', name='uq_breach_alerts_breach_kind')
    )
    op.create_table('breach_cases',
    sa.Column('breach_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['breach_id'], ['breaches.id'], name=op.f('fk_breach_cases_breach_id_breaches')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_breach_cases_case_id_cases')),
    sa.PrimaryKeyConstraint('breach_id', 'case_id', name=op.f('pk_breach_cases'))
    )
    _admin_actions(ADMIN_ACTIONS + BREACH_ACTIONS)


def downgrade():
    _admin_actions(ADMIN_ACTIONS)
    op.drop_table('breach_cases')
    op.drop_table('breach_alerts')
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breaches_remind_at'))
        batch_op.drop_index(batch_op.f('ix_breaches_final_remind_at'))
        batch_op.drop_index(batch_op.f('ix_breaches_escalate_at'))
    op.drop_table('breaches')
    _drop_append_only(LOG)
    with op.batch_alter_table(LOG, schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_views_case_at_id')
        batch_op.drop_index('ix_personal_data_views_at_id')
        batch_op.drop_index('ix_personal_data_views_actor_at_id')
    op.drop_table(LOG)
