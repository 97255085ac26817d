"""Receipts counted per address and day; a filer's address withheld when it
had had its receipts (issue 13, item 2).

`notifications.recipient_digest` is set on receipts only (the SHA-256 of the
normalised address), with a partial index on (recipient_digest, created_at)
for the count a filing makes; no existing row has one, so the index is built
at once. `complainants.is_email_withheld` marks the filers to whom nothing
about their case is e-mailed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_digest', sa.String(length=64), nullable=True))
        batch_op.create_index(
            'ix_notifications_recipient_digest_created_at',
            ['recipient_digest', 'created_at'],
            unique=False,
            sqlite_where=sa.text('recipient_digest IS NOT NULL'),
            postgresql_where=sa.text('recipient_digest IS NOT NULL'),
        )
    with op.batch_alter_table('complainants', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_email_withheld', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('complainants', schema=None) as batch_op:
        batch_op.drop_column('is_email_withheld')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_digest_created_at')
        batch_op.drop_column('recipient_digest')
