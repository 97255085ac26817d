"""The fixes of issue 14: the sweep's acknowledgement threshold
(``cases.ack_alert_at``), so that a case registered past its acknowledgement
deadline (a back-dated intake) is still alerted; and
``users.must_change_password``, set when an administrator sets a password,
so that the person chooses their own at their next log-in.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("ack_alert_at", sa.DateTime(timezone=True), nullable=True))
    # Until now the sweep read ack_due_at itself; the cases still waiting for
    # their acknowledgement keep that moment.
    op.execute(
        "UPDATE cases SET ack_alert_at = ack_due_at "
        "WHERE acknowledged_at IS NULL AND status IN ('received', 'screening')"
    )
    op.drop_index("ix_cases_ack_due_at_id", table_name="cases")
    op.create_index("ix_cases_ack_alert_at_id", "cases", ["ack_alert_at", "id"])
    # Existing accounts keep their passwords: nobody is sent to change one.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(),
                      nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
    op.drop_index("ix_cases_ack_alert_at_id", table_name="cases")
    op.create_index("ix_cases_ack_due_at_id", "cases", ["ack_due_at", "id"])
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("ack_alert_at")
