"""Demo data: divisions, categories, policies, holidays and one user per role.

Safe to run again: it adds what is missing and changes nothing else.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from suggestion.auth.models import Division
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.calendar.services import sync_year
from suggestion.cases.models import Category
from suggestion.cases.states import Kind
from suggestion.core.time import local_date
from suggestion.core.time import utcnow
from suggestion.core.time import zone
from suggestion.extensions import db
from suggestion.sla.models import SlaPolicy

DEMO_PASSWORD = "demo-password-2569"  # noqa: S105  (demo data only)

DIVISIONS = [
    ("CENTRAL", "สำนักงานเลขาธิการ", "Office of the Secretary"),
    ("SERVICE", "กองบริการข้อมูลสถิติ", "Statistical Data Services Division"),
    ("FIELD", "กองการสำรวจภาคสนาม", "Field Survey Division"),
    ("IT", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "Information and Communication Technology Centre"),
    ("INTEGRITY", "ศูนย์ปฏิบัติการต่อต้านการทุจริต", "Anti-Corruption Operation Centre"),
]

ALL_BUT_CORRUPTION = [k.value for k in Kind if k != Kind.CORRUPTION]
CATEGORIES = [
    ("data-service", "การให้บริการข้อมูลสถิติ", "Statistical data services", ALL_BUT_CORRUPTION, "SERVICE"),
    ("survey", "การสำรวจและการเก็บข้อมูลภาคสนาม", "Surveys and field data collection", ALL_BUT_CORRUPTION, "FIELD"),
    ("staff-conduct", "พฤติกรรมการให้บริการของเจ้าหน้าที่", "Conduct of staff", ["complaint", "compliment", "suggestion"], "CENTRAL"),
    ("website", "เว็บไซต์และบริการออนไลน์", "Website and online services", ["complaint", "suggestion", "inquiry"], "IT"),
    ("bribery", "การเรียกรับสินบน", "Bribery", ["corruption"], "INTEGRITY"),
    ("procurement", "การจัดซื้อจัดจ้าง", "Procurement", ["corruption"], "INTEGRITY"),
    ("abuse-of-power", "การใช้อำนาจหน้าที่โดยมิชอบ", "Abuse of authority", ["corruption"], "INTEGRITY"),
    ("other", "เรื่องอื่น ๆ", "Other matters", [k.value for k in Kind], None),
]  # fmt: skip

USERS = [
    (Role.ADMIN, "admin@example.go.th", "ผู้ดูแลระบบ ตัวอย่าง", "CENTRAL"),
    (Role.MANAGER, "manager@example.go.th", "ผู้อำนวยการ ตัวอย่าง", "SERVICE"),
    (Role.OFFICER, "officer@example.go.th", "เจ้าหน้าที่ ตัวอย่าง", "SERVICE"),
    (Role.INTEGRITY, "integrity@example.go.th", "เจ้าหน้าที่ศูนย์ต่อต้านการทุจริต ตัวอย่าง", "INTEGRITY"),
]


def seed_reference_data() -> dict[str, Division]:
    """Divisions, categories, one policy per kind, and this and next year's holidays."""
    divisions = {d.code: d for d in db.session.scalars(sa.select(Division))}
    for code, name_th, name_en in DIVISIONS:
        if code not in divisions:
            divisions[code] = Division(code=code, name_th=name_th, name_en=name_en)
            db.session.add(divisions[code])
    db.session.flush()

    existing = set(db.session.scalars(sa.select(Category.code)))
    for position, (code, name_th, name_en, kinds, division) in enumerate(CATEGORIES):
        if code not in existing:
            db.session.add(
                Category(
                    code=code,
                    name_th=name_th,
                    name_en=name_en,
                    kinds=kinds,
                    division_id=divisions[division].id if division else None,
                    position=position,
                )
            )

    with_policy = set(
        db.session.scalars(sa.select(SlaPolicy.kind).where(SlaPolicy.kind.is_not(None)))
    )
    for kind in Kind:
        if kind.value not in with_policy:
            db.session.add(SlaPolicy(kind=kind.value))

    this_year = local_date(utcnow(), zone(current_app.config["AGENCY_TIMEZONE"])).year
    for year in (this_year - 1, this_year, this_year + 1):
        sync_year(year)
    db.session.flush()
    return divisions


def seed_demo() -> list[tuple[str, str]]:
    """Everything of :func:`seed_reference_data`, and one log-in per role."""
    divisions = seed_reference_data()
    existing = set(db.session.scalars(sa.select(User.email)))
    for role, email, name, division in USERS:
        if email not in existing:
            user = User(email=email, name=name, role=role, division_id=divisions[division].id)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
    db.session.flush()
    return [(role.value, email) for role, email, _name, _division in USERS]
