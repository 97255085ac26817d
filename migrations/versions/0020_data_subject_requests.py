"""The register of data-subject requests (PDPA ss.30–36, issue 16, item 2):
the requests with their 30-calendar-day deadline and the sweep's thresholds,
the cases each concerns, the alerts the sweep sent for them (recorded once,
as sla_alerts are), a flag on a filer's data whose processing is restricted,
the data protection officer's role, and the audit trail's new actions.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

ROLES = ("officer", "integrity", "manager", "admin")
NEW_ROLES = ("privacy",)
ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
    "two_factor_enabled", "two_factor_disabled", "two_factor_reset", "personal_data_exported",
    # 0019's
    "retention_changed", "legal_hold_placed", "legal_hold_lifted", "personal_data_anonymised",
)
NEW_ACTIONS = (
    "subject_request_registered", "subject_request_closed", "contact_rectified",
    "contact_erased", "erasure_refused", "processing_restricted",
)
APPEND_ONLY_MESSAGE = "admin_events is append-only"


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _admin_actions(actions):
    """admin_events.action's vocabulary (its check constraint), as 0013 set it."""
    condition = _in("action", actions)
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
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
        """)


def _roles(roles):
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", _in("role", roles))


def upgrade():
    op.create_table('subject_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('requester_contact', sa.String(length=300), nullable=False),
    sa.Column('subject_right', sa.String(length=20), nullable=False),
    sa.Column('identity_check', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(_in("subject_right", ("access", "rectification", "erasure", "objection", "restriction", "portability")), name=op.f('ck_subject_requests_subject_right')),
    sa.CheckConstraint(_in("identity_check", ("access_key", "id_card", "official_letter", "other")), name=op.f('ck_subject_requests_identity_check')),
    sa.CheckConstraint(_in("status", ("open", "done", "refused")), name=op.f('ck_subject_requests_status')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_subject_requests_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_requests'))
    )
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_requests_remind_at'), ['remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_requests_final_remind_at'), ['final_remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_requests_escalate_at'), ['escalate_at'], unique=False)

    op.create_table('subject_request_cases',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_subject_request_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_request_cases_request_id_subject_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'case_id', name=op.f('pk_subject_request_cases'))
    )
    with op.batch_alter_table('subject_request_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_request_cases_case_id'), ['case_id'], unique=False)

    op.create_table('subject_request_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in("kind", ("remind", "final_remind", "escalate")), name=op.f('ck_subject_request_alerts_kind')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_request_alerts_request_id_subject_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_request_alerts')),
    sa.UniqueConstraint('request_id', 'kind', 'deadline_at', name='uq_subject_request_alerts_request_kind')
    )

    with op.batch_alter_table('complainants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('processing_restricted_at', sa.DateTime(timezone=True), nullable=True))

    _roles(ROLES + NEW_ROLES)
    _admin_actions(ACTIONS + NEW_ACTIONS)


def downgrade():
    _admin_actions(ACTIONS)
    _roles(ROLES)
    with op.batch_alter_table('complainants', schema=None) as batch_op:
        batch_op.drop_column('processing_restricted_at')
    op.drop_table('subject_request_alerts')
    with op.batch_alter_table('subject_request_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_request_cases_case_id'))
    op.drop_table('subject_request_cases')
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_requests_escalate_at'))
        batch_op.drop_index(batch_op.f('ix_subject_requests_final_remind_at'))
        batch_op.drop_index(batch_op.f('ix_subject_requests_remind_at'))
    op.drop_table('subject_requests')
