"""Tracking codes, access keys and secret links.

A tracking code (``2569-000123``) is guessable by design; every public look-up
also needs the access key (49 bits, no look-alike characters) or the secret link
(192 bits). Only digests of the two secrets are stored. The access key's is
keyed (an HMAC under DIGEST_KEY, suggestion.core.digests): 49 bits could be
enumerated from a stolen database if its digest were a plain SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from suggestion.cases.models import TrackingSequence
from suggestion.core.digests import keyed_digest
from suggestion.core.extensions import db

# Crockford-like: no 0/O, 1/I/L, and no U (to avoid accidental words).
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_LENGTH = 10  # 30^10 ≈ 2^49
TRACKING_CODE_RE = re.compile(r"^(\d{4})-(\d{6,})$")


def next_tracking_code(fiscal_year: int) -> tuple[str, int]:
    """The next code of a fiscal year, unique even when filings arrive at once."""
    (sequence,) = tracking_numbers(fiscal_year, 1)
    return f"{fiscal_year}-{sequence:06d}", sequence


def tracking_numbers(fiscal_year: int, count: int) -> list[int]:
    """``count`` new numbers of a fiscal year, in ascending order; never given twice.

    PostgreSQL takes them from the year's sequence (migration 0007): no lock,
    so concurrent filings do not wait for each other, and a filing that rolls
    back leaves a gap. SQLite, which runs one writer at a time, increments the
    year's counter row.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return sorted(
            db.session.scalars(
                sa.select(sa.func.next_tracking_number(fiscal_year)).select_from(
                    sa.func.generate_series(1, count)
                )
            )
        )
    db.session.execute(
        sqlite.insert(TrackingSequence)
        .values(fiscal_year=fiscal_year, last_value=0)
        .on_conflict_do_nothing(index_elements=["fiscal_year"])
    )
    last = db.session.execute(
        sa.update(TrackingSequence)
        .where(TrackingSequence.fiscal_year == fiscal_year)
        .values(last_value=TrackingSequence.last_value + count)
        .returning(TrackingSequence.last_value)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def new_access_key() -> str:
    """Ten characters shown as ``ABCDE-FGHJK``."""
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_access_key(value: str) -> str:
    """What people type, in any case and with or without spaces and dashes."""
    return re.sub(r"[\s\-]", "", value).upper()


def new_track_token() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


ACCESS_KEY_PURPOSE = "access-key"


def access_key_digest(key: str) -> str:
    """The keyed digest stored for an access key: an HMAC of its SHA-256, so
    that migration 0014 could re-key the plain digests stored before."""
    return keyed_digest(ACCESS_KEY_PURPOSE, digest(normalise_access_key(key)))


def normalise_tracking_code(value: str) -> str | None:
    """``2569-000123`` from what was typed, or None if it cannot be a code."""
    cleaned = value.strip().replace(" ", "")
    return cleaned if TRACKING_CODE_RE.match(cleaned) and len(cleaned) <= 20 else None
