"""Demo data: divisions, categories, policies, holidays, one user per role
and a few reply templates.

What it adds is recorded on the administrative audit trail, as the command
line's doing (it runs from `flask seed demo`).

Safe to run again: it adds what is missing and changes nothing else.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from suggestion.admin.services import create_account
from suggestion.admin.services import create_template
from suggestion.auth.models import Division
from suggestion.auth.models import Role
from suggestion.auth.models import User
from suggestion.calendar.services import load_year
from suggestion.cases.models import Case
from suggestion.cases.models import Category
from suggestion.cases.models import ReplyTemplate
from suggestion.cases.states import EventAction
from suggestion.cases.states import Kind
from suggestion.core.audit import AdminAction
from suggestion.core.audit import AdminActor
from suggestion.core.audit import record_admin_change
from suggestion.core.extensions import db
from suggestion.core.settings import agency_today
from suggestion.core.settings import agency_zone
from suggestion.core.time import local_date
from suggestion.core.time import start_of_day
from suggestion.core.time import utcnow
from suggestion.deadlines.models import SlaPolicy
from suggestion.deadlines.policies import POLICY_FIELDS

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
    (Role.PRIVACY, "privacy@example.go.th", "เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล ตัวอย่าง", "CENTRAL"),
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
            policy = SlaPolicy(kind=kind.value)
            db.session.add(policy)
            db.session.flush()
            record_admin_change(
                None,
                AdminActor.COMMAND_LINE,
                AdminAction.POLICY_CREATED,
                f"policy {kind.value}",
                {name: (None, getattr(policy, name)) for name in POLICY_FIELDS},
            )

    this_year = agency_today().year
    for year in (this_year - 1, this_year, this_year + 1):
        load_year(year, actor_id=None, actor_label=AdminActor.COMMAND_LINE)
    db.session.flush()
    return divisions


# Replies officers start from (the reply form's "Start from a template"), in
# both languages: a case is answered in the language its filer used.
REPLY_TEMPLATES = [
    {
        "title_th": "ได้รับเรื่องและอยู่ระหว่างตรวจสอบ",
        "title_en": "Received and being looked into",
        "body_th": "ขอบคุณที่แจ้งเรื่องมายังหน่วยงาน เจ้าหน้าที่ได้รับเรื่องของท่านแล้ว"
        " และอยู่ระหว่างตรวจสอบข้อเท็จจริง จะแจ้งผลให้ท่านทราบภายในกำหนด",
        "body_en": "Thank you for writing to us. An officer has your case and is checking"
        " the facts; we will tell you the outcome by the deadline.",
    },
    {
        "title_th": "ส่งข้อมูลที่ขอแล้ว",
        "title_en": "The data you asked for",
        "body_th": "หน่วยงานได้จัดส่งข้อมูลสถิติที่ท่านขอไปยังอีเมลที่ให้ไว้แล้ว"
        " หากต้องการข้อมูลเพิ่มเติม กรุณาแจ้งผ่านช่องทางติดตามเรื่อง",
        "body_en": "We have sent the statistics you asked for to the e-mail address you"
        " gave. If you need more, please tell us through the tracking page.",
    },
    {
        "title_th": "ขอบคุณสำหรับข้อเสนอแนะ",
        "title_en": "Thank you for the suggestion",
        "body_th": "ขอบคุณสำหรับข้อเสนอแนะ หน่วยงานจะนำไปพิจารณาปรับปรุงการให้บริการต่อไป",
        "body_en": "Thank you for your suggestion. We will consider it as we improve our services.",
    },
]


def seed_reply_templates() -> None:
    titles = set(db.session.scalars(sa.select(ReplyTemplate.title_en)))
    for texts in REPLY_TEMPLATES:
        if texts["title_en"] not in titles:
            create_template(None, texts=texts)


def seed_demo() -> list[tuple[str, str]]:
    """Everything of :func:`seed_reference_data`, one log-in per role, and a few
    cases: one of them comes due soon, so the demo officer gets a reminder from
    the first deadline sweep."""
    divisions = seed_reference_data()
    existing = set(db.session.scalars(sa.select(User.email)))
    for role, email, name, division in USERS:
        if email not in existing:
            create_account(
                None,
                email=email,
                name=name,
                role=role,
                division_id=divisions[division].id,
                password=DEMO_PASSWORD,
            )
    seed_reply_templates()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0:
        seed_demo_cases()
    return [(role.value, email) for role, email, _name, _division in USERS]


def seed_demo_cases() -> None:
    from suggestion.calendar.services import holiday_dates
    from suggestion.calendar.workdays import subtract_working_days
    from suggestion.cases.events import record_event
    from suggestion.cases.filing import file_case
    from suggestion.cases.filing import Filing

    tz = agency_zone()
    today = local_date(utcnow(), tz)
    holidays = holiday_dates(today - timedelta(days=60), today)
    officer = db.session.scalars(sa.select(User).where(User.email == "officer@example.go.th")).one()
    categories = {c.code: c for c in db.session.scalars(sa.select(Category))}
    demo = [
        # Received 13 working days ago: due in 2, so the reminder is already due.
        (13, Kind.COMPLAINT, "data-service", "ขอข้อมูลสำมะโนประชากรแล้วยังไม่ได้รับ",
         "ยื่นคำขอข้อมูลสำมะโนประชากรรายตำบลทางอีเมล ยังไม่ได้รับคำตอบ", True),
        (2, Kind.INQUIRY, "data-service", "สอบถามวิธีอ้างอิงข้อมูลสถิติ",
         "ต้องการทราบรูปแบบการอ้างอิงตารางสถิติในรายงานวิชาการ", False),
        (0, Kind.SUGGESTION, "website", "เสนอให้มีไฟล์ CSV ทุกตาราง",
         "อยากให้เว็บไซต์มีไฟล์ CSV ให้ดาวน์โหลดทุกตาราง", False),
    ]  # fmt: skip
    for days_ago, kind, code, subject, text, assign in demo:
        received_day = subtract_working_days(today, days_ago, holidays)
        received_at = max(
            start_of_day(received_day, tz) + timedelta(hours=10), utcnow() - timedelta(days=90)
        )
        receipt = file_case(
            Filing(
                kind=kind,
                category=categories[code],
                subject=subject,
                description=text,
                name="ประชาชน ตัวอย่าง",
                email="citizen@example.com",
                locale="th",
                received_at=min(received_at, utcnow()),
            ),
            actor=officer if days_ago else None,
        )
        if assign:
            receipt.case.assignee_id = officer.id
            record_event(
                receipt.case, EventAction.ASSIGNED, diff={"assignee": (None, officer.email)}
            )
    db.session.flush()
