"""Each staff account keeps its language (issue 14, item 5): the last one the
person chose while logged in, in which their e-mails go out. Thai until then.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 05:03:19.733668

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), server_default='th', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')

