"""Recognising a filer again without keeping a readable copy of their contact:
keyed digests of the normalised e-mail address and telephone number, stored
beside the complainant and indexed, so that triage can find the same filer's
earlier cases (suggestion.cases.similar). The digests are never shown.

Migration 0016 computes the same digests for the complainants filed before
it; a change to the normalisation here needs a migration that recomputes them.
"""

from __future__ import annotations

import re

from suggestion.core.digests import keyed_digest

EMAIL_PURPOSE = "filer-email"
PHONE_PURPOSE = "filer-phone"


def normalise_email(address: str | None) -> str | None:
    """In lower case and without a ``+tag``, as mail systems deliver it."""
    if not address or "@" not in address:
        return None
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    return f"{local}@{domain}"


def normalise_phone(number: str | None) -> str | None:
    """Digits only, in the national form: ``+66 81 234 5678``, ``0066812345678``
    and ``081-234-5678`` are one number. Fewer than 6 digits is no number."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0066"):
        digits = "0" + digits[4:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else None


def contact_digests(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """The (e-mail, telephone) digests of a filer's contact; None where not given."""
    address = normalise_email(email)
    number = normalise_phone(phone)
    return (
        keyed_digest(EMAIL_PURPOSE, address) if address else None,
        keyed_digest(PHONE_PURPOSE, number) if number else None,
    )
