"""Versions of the privacy notice (issue 16): privacy_notices holds each
published text, Thai and English, with when and by whom; a new text is a new
version, never an edit, so the table is append-only like the audit trails
(triggers refuse UPDATE and DELETE on PostgreSQL and SQLite, and TRUNCATE on
PostgreSQL through 0011's audit_refuse_truncate, which also tells `flask db
grant` to give the site SELECT and INSERT only).

Version 1 is the notice as the site showed it until now (its /process text),
written here so that every database has it. cases.privacy_notice_version
records the version a filer saw; existing cases keep NULL, "not recorded":
which text their filers saw was never stored (docs/decisions.md, "Versions of
the privacy notice"). admin_events' vocabulary gains the publishing.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 08:03:00

"""
from datetime import datetime
from datetime import UTC

from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLE = "privacy_notices"

ADMIN_ACTIONS = (
    "account_created", "account_changed", "account_deactivated", "account_reactivated",
    "password_reset", "policy_created", "policy_changed", "holiday_set", "holiday_removed",
    "holidays_loaded", "template_created", "template_changed", "email_resent",
    "two_factor_enabled", "two_factor_disabled", "two_factor_reset", "personal_data_exported",
    # 0019's and 0020's
    "retention_changed", "legal_hold_placed", "legal_hold_lifted", "personal_data_anonymised",
    "subject_request_registered", "subject_request_closed", "contact_rectified",
    "contact_erased", "erasure_refused", "processing_restricted",
    # 0021's
    "breach_recorded", "breach_pdpc_notified", "breach_subjects_notified", "breach_closed",
)
NOTICE_ACTIONS = ("privacy_notice_published",)

FIRST_TEXT_EN = (
    "We use the information you give only to handle your case, under the Personal Data "
    "Protection Act B.E. 2562 (section 24(4), the agency's public task). Only the staff who "
    "handle the case can see your contact details; they are never published, and figures we "
    "publish contain no personal data. You may ask to see or correct your data by contacting "
    "the centre.\n\n"
    "Corruption reports and the identity of their reporters are seen only by the integrity "
    "officers."
)
FIRST_TEXT_TH = (
    "หน่วยงานจะใช้ข้อมูลที่ท่านให้ไว้เพื่อดำเนินการเรื่องของท่านเท่านั้น "
    "ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 (มาตรา 24 (4) "
    "การดำเนินภารกิจเพื่อประโยชน์สาธารณะของหน่วยงาน) "
    "เฉพาะเจ้าหน้าที่ผู้รับผิดชอบเรื่องเท่านั้นที่สามารถเห็นข้อมูลการติดต่อของท่าน "
    "ข้อมูลดังกล่าวจะไม่ถูกเผยแพร่ และสถิติที่หน่วยงานเผยแพร่จะไม่มีข้อมูลส่วนบุคคล "
    "ท่านสามารถขอเข้าถึงหรือขอแก้ไขข้อมูลของท่านได้โดยติดต่อศูนย์รับเรื่องร้องเรียนและข้อเสนอแนะ\n\n"
    "เรื่องร้องเรียนการทุจริตและประพฤติมิชอบ รวมถึงข้อมูลตัวตนของผู้ร้องเรียน "
    "จะเปิดเผยเฉพาะต่อเจ้าหน้าที่ศูนย์ปฏิบัติการต่อต้านการทุจริตเท่านั้น"
)


def _admin_actions(actions):
    """admin_events.action's vocabulary (its check constraint), as 0021 sets it."""
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
    """As 0021's: UPDATE and DELETE refused, and TRUNCATE on PostgreSQL."""
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
    notices = op.create_table(TABLE,
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('text_th', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_label', sa.String(length=254), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_privacy_notices_version_positive')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_privacy_notices_published_by_id_users')),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_privacy_notices'))
    )
    op.bulk_insert(notices, [{
        "version": 1,
        "text_th": FIRST_TEXT_TH,
        "text_en": FIRST_TEXT_EN,
        "published_at": datetime.now(UTC),
        "published_by_id": None,
        "published_by_label": "system",
    }])
    _append_only(TABLE, f"{TABLE} is append-only: publish a new version instead")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_privacy_notice_version_privacy_notices'), TABLE, ['privacy_notice_version'], ['version'])
    _admin_actions(ADMIN_ACTIONS + NOTICE_ACTIONS)


def downgrade():
    _admin_actions(ADMIN_ACTIONS)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_privacy_notice_version_privacy_notices'), type_='foreignkey')
        batch_op.drop_column('privacy_notice_version')
    _drop_append_only(TABLE)
    op.drop_table(TABLE)
