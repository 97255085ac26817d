"""The privacy notice (PDPA B.E. 2562 s.23) in versions: which one is
current, which one a filing records, and publishing a new one.

Administrators publish a new version in Thai and English; the previous ones
stay as they were, for the cases whose filers saw them. The web form carries
the version it showed, so that a version published while the filer types does
not change what they agreed to; the API and staff intake record the current
version; an import records none.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from suggestion.auth.models import User
from suggestion.auth.permissions import can_administer
from suggestion.cases.models import PrivacyNotice
from suggestion.core.audit import AdminAction
from suggestion.core.audit import record_admin_change
from suggestion.core.errors import Conflict
from suggestion.core.errors import Invalid
from suggestion.core.errors import NotFound
from suggestion.core.extensions import db

TEXT_LIMIT = 20_000
TEXT_REQUIRED = _l("Write the notice in this language.")
TEXT_TOO_LONG = _l("At most %(n)d characters.", n=TEXT_LIMIT)
PUBLISHED_MEANWHILE = _l(
    "Someone else published a version while you were writing. Nothing of yours was "
    "saved: read the current version below and publish yours again."
)


def current_notice() -> PrivacyNotice | None:
    """The latest version (None only in a database that was never migrated to 0022)."""
    return db.session.scalars(
        sa.select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1)
    ).first()


def current_version() -> int | None:
    """The latest version's number, which the API and staff intake record."""
    return db.session.scalar(sa.select(sa.func.max(PrivacyNotice.version)))


def all_notices() -> list[PrivacyNotice]:
    """Every version, the latest first."""
    return list(db.session.scalars(sa.select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


def notice_for_filing(shown: object) -> PrivacyNotice | None:
    """The version a web filing records: the one the form showed, if it names
    a version; otherwise (no value, a value that is not a version) the
    current one. Nothing is refused because of it."""
    if isinstance(shown, str) and shown.isascii() and shown.isdigit() and len(shown) <= 9:
        found = db.session.get(PrivacyNotice, int(shown))
        if found is not None:
            return found
    return current_notice()


def _clean(text: str | None, code: str) -> str:
    """The text with its lines' trailing spaces and its ends trimmed; its
    paragraphs (blank lines) kept."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    cleaned = "\n".join(lines).strip()
    if not cleaned:
        raise Invalid(TEXT_REQUIRED, code=code)
    if len(cleaned) > TEXT_LIMIT:
        raise Invalid(TEXT_TOO_LONG, code=code)
    return cleaned


def publish_notice(actor: User, *, text_th: str | None, text_en: str | None) -> PrivacyNotice:
    """Publish the next version and record it on the administrative audit
    trail. Two administrators publishing at once take the same number, which
    is the primary key: the second insert fails and is reported as
    :class:`Conflict`, with nothing written."""
    if not can_administer(actor):
        raise NotFound()
    th, en = _clean(text_th, "text_th"), _clean(text_en, "text_en")
    latest = current_notice()
    number = latest.version + 1 if latest else 1
    notice = PrivacyNotice(
        version=number,
        text_th=th,
        text_en=en,
        published_by_id=actor.id,
        published_by_label=actor.email[:254],
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(PUBLISHED_MEANWHILE) from None
    record_admin_change(
        actor.id,
        actor.email,
        AdminAction.PRIVACY_NOTICE_PUBLISHED,
        f"privacy notice version {number}",
        {
            "version": (latest.version if latest else None, number),
            "text_th": (latest.text_th if latest else None, th),
            "text_en": (latest.text_en if latest else None, en),
        },
    )
    return notice
