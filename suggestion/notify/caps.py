"""The daily cap on receipts e-mailed to one address.

A filing's receipt is the one e-mail anyone on the internet can make the
agency send, to any address they type, with their own subject in it. Each
receipt row records a digest of its normalised address; a filing counts the
receipts to that digest since the start of the agency's day (one indexed
range scan, migration 0012) and the receipt is queued only under the cap.
On PostgreSQL a transaction lock per address makes filings at once to one
address count one after another, so that they cannot all pass together.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app

from suggestion.core.extensions import db
from suggestion.core.settings import agency_today
from suggestion.core.settings import agency_zone
from suggestion.core.time import start_of_day
from suggestion.notify.models import Notification

# pg_advisory_xact_lock(namespace, key): the two-key form, apart from the
# sweep's one-key lock.
RECEIPT_LOCK_NAMESPACE = 0x52_43_50_54  # "RCPT"


def recipient_digest(address: str) -> str:
    """SHA-256 of the address as mail systems deliver it: in lower case and
    without a ``+tag`` (``Victim+1@Example.org`` reaches victim@example.org),
    so that spelling it otherwise does not earn more receipts. The digest,
    not the address, is indexed."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    return hashlib.sha256(f"{local}@{domain}".encode()).hexdigest()


def receipts_sent_today(digest: str) -> int:
    """Receipts queued to this address since the start of the agency's day."""
    since = start_of_day(agency_today(), agency_zone())
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.recipient_digest == digest, Notification.created_at >= since)
        )
        or 0
    )


def _lock(digest: str) -> None:
    """Hold this address's lock until the transaction ends (PostgreSQL;
    SQLite runs one writer at a time anyway)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(bytes.fromhex(digest[:8]), "big", signed=True)
    db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(RECEIPT_LOCK_NAMESPACE, key)))


def receipt_allowed(digest: str) -> bool:
    """Whether one more receipt may go to this address today; taking the
    address's lock first, so the answer holds until the filing commits."""
    _lock(digest)
    return receipts_sent_today(digest) < int(current_app.config["RECEIPT_EMAILS_PER_DAY"])
