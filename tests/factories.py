"""Building cases through the real services, so events and deadlines are real."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa

from suggestion.cases.attachments import CheckedFile
from suggestion.cases.filing import file_case
from suggestion.cases.filing import Filing
from suggestion.cases.filing import Receipt
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.core.extensions import db
from suggestion.core.time import utcnow

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def category(code: str = "data-service") -> Category:
    return db.session.scalars(sa.select(Category).where(Category.code == code)).one()


def make_case(**overrides: Any) -> Receipt:
    kind = Kind(overrides.pop("kind", Kind.COMPLAINT))
    fields: dict[str, Any] = {
        "kind": kind,
        "category": category("bribery" if kind == Kind.CORRUPTION else "data-service"),
        "subject": "ขอข้อมูลสถิติแรงงานล่าช้า",
        "description": "ยื่นคำขอข้อมูลตั้งแต่เดือนที่แล้ว ยังไม่ได้รับคำตอบ",
        "name": "สมชาย ใจดี",
        "email": "somchai@example.com",
        "phone": "0812345678",
    }
    fields.update(overrides)
    if fields.get("is_anonymous"):
        fields.update(name=None, email=None, phone=None)
    return file_case(Filing(**fields))


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def checked_pdf() -> CheckedFile:
    return CheckedFile(original_name="evidence.pdf", content_type="application/pdf", data=PDF)


PASSWORD = "correct-horse-battery"
# The authenticator app of every account whose role requires two-factor
# log-in (tests.helpers.login types its codes).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_user(role: str, division: str, email: str | None = None) -> Any:
    from suggestion.auth.models import Division
    from suggestion.auth.models import User

    division_row = db.session.scalars(sa.select(Division).where(Division.code == division)).one()
    user = User(
        email=email or f"{role}.{division.lower()}@example.go.th",
        name=f"{role.title()} {division}",
        role=role,
        division_id=division_row.id,
    )
    user.set_password(PASSWORD)
    if role in ("admin", "integrity", "privacy"):
        user.totp_secret = TOTP_SECRET
        user.totp_enabled_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user
