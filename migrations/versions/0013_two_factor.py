"""Staff log-in, hardened (issue 13): two-factor log-in (the TOTP secret on
the account, hashed recovery codes), lock-out per account *and* address
(login_failures replaces the account-wide counter that let anyone keep any
account locked), and the audit trail's new actions (second factors, exports
of personal data).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 03:42:27.834357

"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
)
NEW_ACTIONS = (
    "two_factor_enabled", "two_factor_disabled", "two_factor_reset", "personal_data_exported",
)
APPEND_ONLY_MESSAGE = "admin_events is append-only"


def _admin_actions(actions):
    """admin_events.action's vocabulary (its check constraint)."""
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
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
        """)


def upgrade():
    op.create_table('login_failures',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address_digest', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_failures_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'address_digest', name=op.f('pk_login_failures'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    _admin_actions(ACTIONS + NEW_ACTIONS)


def downgrade():
    _admin_actions(ACTIONS)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    op.drop_table('login_failures')
