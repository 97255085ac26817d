"""Jobs are claimed: a job moves to `running` in the statement that claims it,
and its worker beats (`heartbeat_at`) as it works, so that the requeue
republishes only jobs that are pending or whose worker stopped beating.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(op.f('ck_background_jobs_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_background_jobs_status'), "status IN ('pending', 'running', 'done', 'failed')"
        )


def downgrade():
    # A job caught running goes back to pending: the older code runs it again.
    op.execute("UPDATE background_jobs SET status = 'pending' WHERE status = 'running'")
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_background_jobs_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_background_jobs_status'), "status IN ('pending', 'done', 'failed')"
        )
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('started_at')
