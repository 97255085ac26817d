"""A data-subject request forgets its requester (issue 16): once the filer's
data of every case a closed request concerns is gone (retention, or an
erasure), the request's own copies of the requester's name, contact and note
go too; subject_requests.requester_forgotten_at says when. The request, its
right, dates, deadline and outcome stay: they are the agency's record that it
answered (docs/decisions.md, "What a data-subject request keeps").

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject_requests") as batch_op:
        batch_op.add_column(sa.Column("requester_forgotten_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("subject_requests") as batch_op:
        batch_op.drop_column("requester_forgotten_at")
