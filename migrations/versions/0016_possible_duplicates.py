"""Possible duplicates at triage (issue 14, item 2).

`complainants.email_digest` and `phone_digest` are keyed digests of the
filer's normalised e-mail and telephone (suggestion.cases.filers), indexed, so
that triage finds the same filer's earlier cases. Existing filers get theirs
here, in batches by id: the key comes from the application's settings (run it
with `flask db upgrade`, which has them), as in 0014.

On PostgreSQL, `ix_cases_received_at_text_trgm` is a GiST index of
(received_at, subject || ' ' || description) with trigram signatures
(btree_gist for the first column): a similarity search within the 180 days
before a case reads that window of the index, not the agency's whole history
(docs/performance.md).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:00:00

"""

import hashlib
import hmac
import re

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 10_000
TEXT_INDEX = (
    "CREATE INDEX ix_cases_received_at_text_trgm ON cases USING gist "
    "(received_at, (subject || ' ' || description) gist_trgm_ops(siglen=128))"
)


# suggestion.cases.filers and suggestion.core.digests, as they were when this
# was written.
def _email(address):
    if not address or "@" not in address:
        return None
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    return f"{local}@{domain}"


def _phone(number):
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0066"):
        digits = "0" + digits[4:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else None


def _digest(secret, purpose, value):
    if value is None:
        return None
    key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _backfill():
    secret = current_app.config.get("DIGEST_KEY") or current_app.config["SECRET_KEY"]
    connection = op.get_bind()
    filers = sa.table(
        "complainants",
        sa.column("id", sa.Integer),
        sa.column("email", sa.String),
        sa.column("phone", sa.String),
        sa.column("email_digest", sa.String),
        sa.column("phone_digest", sa.String),
    )
    update = (
        filers.update()
        .where(filers.c.id == sa.bindparam("filer_id"))
        .values(email_digest=sa.bindparam("e"), phone_digest=sa.bindparam("p"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(filers.c.id, filers.c.email, filers.c.phone)
            .where(filers.c.id > last)
            .order_by(filers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = [
            {
                "filer_id": id_,
                "e": _digest(secret, "filer-email", _email(email)),
                "p": _digest(secret, "filer-phone", _phone(phone)),
            }
            for id_, email, phone in rows
        ]
        values = [v for v in values if v["e"] or v["p"]]
        if values:
            connection.execute(update, values)
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table("complainants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_digest", sa.String(length=64), nullable=True))
    # Filled before the indexes are built: one build, not an update per row.
    _backfill()
    with op.batch_alter_table("complainants", schema=None) as batch_op:
        batch_op.create_index("ix_complainants_email_digest", ["email_digest"], unique=False)
        batch_op.create_index("ix_complainants_phone_digest", ["phone_digest"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(TEXT_INDEX)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_received_at_text_trgm")
    with op.batch_alter_table("complainants", schema=None) as batch_op:
        batch_op.drop_index("ix_complainants_phone_digest")
        batch_op.drop_index("ix_complainants_email_digest")
        batch_op.drop_column("phone_digest")
        batch_op.drop_column("email_digest")
