"""Access keys are stored as a keyed digest (issue 13, item 9): an HMAC under
DIGEST_KEY (or SECRET_KEY) of the plain SHA-256 stored until now, so that a
stolen database alone can no longer be enumerated for every case's 49-bit key.

The keys themselves were never stored, so the old digests are re-keyed where
they stand: every existing key keeps working. It reads the key from the
application's settings (run it with `flask db upgrade`, which has them), and
goes through the cases in batches by id; at a million cases it takes about a
minute. It cannot be undone: going below it leaves the digests keyed, and
older code will not recognise the keys of existing cases.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 04:00:00

"""
import hashlib
import hmac

from alembic import op
from flask import current_app
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

BATCH = 10_000
PURPOSE = b"access-key"  # suggestion.cases.codes.ACCESS_KEY_PURPOSE


def _rekey(key, old):
    """suggestion.core.digests.keyed_digest, as it was when this was written."""
    return hmac.new(key, old.encode(), hashlib.sha256).hexdigest()


def upgrade():
    secret = current_app.config.get("DIGEST_KEY") or current_app.config["SECRET_KEY"]
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    connection = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("access_key_hash", sa.String))
    update = (
        cases.update()
        .where(cases.c.id == sa.bindparam("case_id"))
        .values(access_key_hash=sa.bindparam("rekeyed"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(cases.c.id, cases.c.access_key_hash)
            .where(cases.c.id > last)
            .order_by(cases.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update,
            [{"case_id": id_, "rekeyed": _rekey(key, old)} for id_, old in rows],
        )
        last = rows[-1][0]


def downgrade():
    # The plain digests cannot come back: the digests stay keyed, and the
    # access keys of existing cases do not open them under older code.
    if op.get_bind().execute(sa.text("SELECT 1 FROM cases LIMIT 1")).first() is not None:
        print("0014: access keys stay keyed; older code will not recognise existing keys")
