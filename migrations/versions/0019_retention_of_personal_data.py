"""Retention of the filer's personal data (issue 16, item 1): each kind's
period (retention_periods; a kind without a row keeps its default), legal
holds that stop a case's anonymisation, the moment a case was anonymised
(with a partial index of the cases not yet anonymised, which the daily run
reads by keyset), the audit trail's new actions, and the one change the
append-only case_events now allows: the filer's words replaced by the
retention placeholder, through redact_filer_events (SECURITY DEFINER, so the
site's role needs no UPDATE on the trail, and only for a case already marked
anonymised).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 07:24:13.472912

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

ADMIN_ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
    "two_factor_enabled", "two_factor_disabled", "two_factor_reset", "personal_data_exported",
)
NEW_ADMIN_ACTIONS = (
    "retention_changed", "legal_hold_placed", "legal_hold_lifted", "personal_data_anonymised",
)
# suggestion.cases.anonymise.REDACTED, as it was when this ran.
REDACTED = "[ลบแล้วเมื่อครบระยะเวลาเก็บรักษา · removed after the retention period]"
CASE_EVENTS_MESSAGE = "case_events is append-only"
ADMIN_EVENTS_MESSAGE = "admin_events is append-only"
UNCHANGED = ("id", "case_id", "at", "action", "actor_id", "actor_label", "is_public")

PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.body = '{redacted}'
       AND ({new}, NEW.diff::text) IS NOT DISTINCT FROM ({old}, OLD.diff::text) THEN
        RETURN NEW;  -- the filer's words removed at the end of the retention period
    END IF;
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql
"""
PG_APPEND_ONLY_BEFORE = f"""
CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{CASE_EVENTS_MESSAGE}';
END;
$$ LANGUAGE plpgsql
"""
REDACT_FILER_EVENTS = """
CREATE FUNCTION redact_filer_events(case_ids integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    changed integer;
BEGIN
    UPDATE case_events e SET body = '{redacted}'
    FROM cases c
    WHERE c.id = e.case_id AND c.id = ANY(case_ids) AND c.anonymised_at IS NOT NULL
      AND e.actor_label = 'public' AND e.body IS NOT NULL AND e.body <> '{redacted}';
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$
"""


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
            BEGIN SELECT RAISE(ABORT, '{ADMIN_EVENTS_MESSAGE}'); END
        """)


def _sqlite_update_trigger(allow_redaction):
    op.execute("DROP TRIGGER IF EXISTS case_events_no_update")
    when = ""
    if allow_redaction:
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*UNCHANGED, "diff"))
        when = f"WHEN NOT (NEW.body = '{REDACTED}' AND {same})"
    op.execute(f"""
        CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events {when}
        BEGIN SELECT RAISE(ABORT, '{CASE_EVENTS_MESSAGE}'); END
    """)


def _events_allow_redaction():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        _sqlite_update_trigger(True)
        return
    new = ", ".join(f"NEW.{c}" for c in UNCHANGED)
    old = ", ".join(f"OLD.{c}" for c in UNCHANGED)
    op.execute(PG_APPEND_ONLY.format(
        redacted=REDACTED, new=new, old=old, message=CASE_EVENTS_MESSAGE
    ))
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    op.execute(REDACT_FILER_EVENTS.format(schema=schema, redacted=REDACTED))


def _events_refuse_redaction():
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_update_trigger(False)
        return
    op.execute("DROP FUNCTION redact_filer_events(integer[])")
    op.execute(PG_APPEND_ONLY_BEFORE)


def upgrade():
    op.create_table('retention_periods',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'corruption', 'suggestion', 'compliment', 'inquiry')", name=op.f('ck_retention_periods_kind')),
    sa.CheckConstraint('years BETWEEN 1 AND 50', name=op.f('ck_retention_periods_years_range')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_retention_periods'))
    )
    op.create_table('legal_holds',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_holds_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_legal_holds_placed_by_id_users')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_cases_not_anonymised_id', ['id'], unique=False, postgresql_include=['kind', 'status', 'resolved_at', 'closed_at', 'updated_at'], postgresql_where=sa.text('anonymised_at IS NULL'), sqlite_where=sa.text('anonymised_at IS NULL'))

    _admin_actions(ADMIN_ACTIONS + NEW_ADMIN_ACTIONS)
    _events_allow_redaction()


def downgrade():
    # Records of the new actions stay (the trail is append-only): going below
    # this revision is refused while there are any. Redacted bodies stay redacted.
    _events_refuse_redaction()
    _admin_actions(ADMIN_ACTIONS)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_not_anonymised_id', postgresql_include=['kind', 'status', 'resolved_at', 'closed_at', 'updated_at'], postgresql_where=sa.text('anonymised_at IS NULL'), sqlite_where=sa.text('anonymised_at IS NULL'))
        batch_op.drop_column('anonymised_at')

    op.drop_table('legal_holds')
    op.drop_table('retention_periods')
