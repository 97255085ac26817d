"""Load N realistic cases into a fresh PostgreSQL database, with COPY.

The schema comes from the migrations and the reference data (divisions,
categories, policies, holidays) from the product's own seed, so the data is
what the product would have written: deadlines from the working-day rules and
the holiday table, pauses that moved them, one event per state change, access
keys stored as the product's digest, tracking codes per fiscal year.

Cases are spread over five fiscal years (the current one and the four before),
growing 10% a year, mostly on working days and in office hours. Older cases
have outcomes; the last weeks' cases are still open, plus a small backlog.

    python -m bench.generate --database-url URL --cases N --out DIR
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

GENERATOR_VERSION = 4
STAFF_PASSWORD = "bench-password-2569"  # noqa: S105  (benchmark data only)
# One case a search should find now and then: a place named in about 1 in 250
# cases, as an officer would look up a village or a person.
SEARCH_TERM = "บ้านหนองบัวแดง"
KEYS_SAMPLE = 5000  # codes and keys handed to the tracking load test

KINDS = [
    ("complaint", 45),
    ("inquiry", 25),
    ("suggestion", 14),
    ("compliment", 7),
    ("corruption", 9),
]
CHANNELS = [
    ("web", 48), ("api", 8), ("phone", 12), ("letter", 8), ("walk_in", 5),
    ("email", 11), ("gov_1111", 6), ("agency", 2),
]  # fmt: skip
PLACES = [
    "กรุงเทพมหานคร", "เชียงใหม่", "ขอนแก่น", "นครราชสีมา", "สงขลา", "ชลบุรี", "อุดรธานี",
    "ภูเก็ต", "พิษณุโลก", "อุบลราชธานี", "นครศรีธรรมราช", "ลำปาง", "สุราษฎร์ธานี", "ระยอง",
]  # fmt: skip
TOPICS = [
    ("ขอข้อมูลสถิติ", "ยื่นคำขอข้อมูลแล้วยังไม่ได้รับคำตอบ ขอให้ช่วยติดตามให้ด้วย"),
    ("เจ้าหน้าที่สำรวจ", "เจ้าหน้าที่มาเก็บข้อมูลที่บ้านแต่ไม่แสดงบัตรประจำตัว"),
    ("เว็บไซต์ใช้งานไม่ได้", "ดาวน์โหลดตารางสถิติจากเว็บไซต์ไม่ได้ ขึ้นข้อผิดพลาดทุกครั้ง"),
    ("การให้บริการล่าช้า", "รอรับบริการนานเกินกว่าที่ประกาศไว้ ขอให้ปรับปรุงการให้บริการ"),
    ("ข้อเสนอแนะการเผยแพร่ข้อมูล", "อยากให้มีไฟล์ข้อมูลแบบ CSV ให้ดาวน์โหลดทุกตาราง"),
    ("ชมเชยเจ้าหน้าที่", "เจ้าหน้าที่ให้บริการดีมาก อธิบายชัดเจน ขอบคุณครับ"),
    ("สอบถามวิธีอ้างอิง", "ต้องการทราบวิธีอ้างอิงข้อมูลสถิติในรายงานวิชาการ"),
    ("การจัดซื้อจัดจ้าง", "พบความไม่โปร่งใสในการจัดซื้อจัดจ้างของหน่วยงาน"),
]  # fmt: skip
CLOSED_STATES = ("resolved", "forwarded", "rejected")


@dataclass
class Staff:
    officers: dict[int, list[int]]  # division id -> user ids
    login_email: str
    login_division_id: int
    admin_email: str


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterable[str]
) -> int:
    """COPY text-format lines into a table, in chunks of a few megabytes."""
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor() as cur, cur.copy(statement) as copy:
        buffer = io.StringIO()
        for line in rows:
            buffer.write(line)
            count += 1
            if buffer.tell() > 4_000_000:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _text(value: Any) -> str:
    """One COPY text field."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _line(values: Iterable[Any]) -> str:
    return "\t".join(_text(v) for v in values) + "\n"


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_schema(url: str, now: datetime) -> tuple[Any, Staff]:
    """Migrate, seed the reference data and the staff; returns the app and the staff."""
    os.environ.update(SUGGESTION_ENV="production", DATABASE_URL=url, MAIL_BACKEND="folder")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    from flask_migrate import upgrade

    from suggestion import create_app
    from suggestion.auth.models import Division
    from suggestion.auth.models import Role
    from suggestion.auth.models import User
    from suggestion.calendar.services import sync_year
    from suggestion.core.extensions import db
    from suggestion.seed import seed_reference_data

    app = create_app()
    with app.app_context():
        upgrade()
        divisions = seed_reference_data()
        for year in range(now.year - 6, now.year + 2):
            sync_year(year)
        # One password hash for every account: scrypt is slow on purpose.
        template = User(email="x", name="x", role="officer", division_id=0)
        template.set_password(STAFF_PASSWORD)
        officers: dict[int, list[int]] = {}
        users = []
        for code, division in divisions.items():
            for i in range(4):
                role = Role.INTEGRITY if code == "INTEGRITY" else Role.OFFICER
                users.append((f"officer{i}.{code.lower()}@bench.go.th", role, division))
            users.append((f"manager.{code.lower()}@bench.go.th", Role.MANAGER, division))
        users.append(("admin@bench.go.th", Role.ADMIN, divisions["CENTRAL"]))
        for email, role, division in users:
            user = User(
                email=email,
                name=email.split("@")[0],
                role=role.value,
                division_id=division.id,
                password_hash=template.password_hash,
            )
            db.session.add(user)
            db.session.flush()
            if role in (Role.OFFICER, Role.INTEGRITY):
                officers.setdefault(division.id, []).append(user.id)
        db.session.commit()
        service = db.session.scalars(db.select(Division).where(Division.code == "SERVICE")).one()
    staff = Staff(officers, "officer0.service@bench.go.th", service.id, "admin@bench.go.th")
    return app, staff


class Calendar:
    """The product's working-day arithmetic, cached per local day."""

    def __init__(self, holidays: frozenset[date], tz: Any) -> None:
        from suggestion.calendar.workdays import add_working_days
        from suggestion.calendar.workdays import subtract_working_days
        from suggestion.calendar.workdays import working_days_between
        from suggestion.core.time import end_of_day
        from suggestion.core.time import start_of_day

        self.holidays, self.tz = holidays, tz
        self._add, self._sub, self._between = (
            add_working_days,
            subtract_working_days,
            working_days_between,
        )
        self._end, self._start = end_of_day, start_of_day
        self._cache: dict[tuple[str, date, int], Any] = {}

    def add(self, day: date, n: int) -> date:
        key = ("add", day, n)
        if key not in self._cache:
            self._cache[key] = self._add(day, n, self.holidays)
        return self._cache[key]

    def sub(self, day: date, n: int) -> date:
        key = ("sub", day, n)
        if key not in self._cache:
            self._cache[key] = self._sub(day, n, self.holidays)
        return self._cache[key]

    def between(self, a: date, b: date) -> int:
        return int(self._between(a, b, self.holidays)) if b > a else 0

    def end(self, day: date) -> datetime:
        key = ("end", day, 0)
        if key not in self._cache:
            self._cache[key] = self._end(day, self.tz)
        return self._cache[key]

    def start(self, day: date) -> datetime:
        key = ("start", day, 0)
        if key not in self._cache:
            self._cache[key] = self._start(day, self.tz)
        return self._cache[key]

    def local(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


def receipt_moments(
    n: int, first: date, now: datetime, cal: Calendar, rng: random.Random
) -> list[datetime]:
    """N moments of receipt, sorted: working days weigh 5 times a day off, and
    each year 10% more than the one before; office hours mostly."""
    last = cal.local(now)
    days = []
    weights = []
    day = first
    while day <= last:
        is_working = day.weekday() < 5 and day not in cal.holidays
        years = (day - first).days / 365.25
        days.append(day)
        weights.append((5.0 if is_working else 1.0) * 1.1**years)
        day += timedelta(days=1)
    moments = []
    for chosen in rng.choices(days, weights=weights, k=n):
        hour = rng.choice((8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 19, 21))
        moment = cal.start(chosen) + timedelta(
            hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
        )
        moments.append(min(moment, now - timedelta(minutes=5)))
    moments.sort()
    return moments


def resolution_days(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.70:
        return rng.randint(1, 10)
    if roll < 0.92:
        return rng.randint(11, 15)
    if roll < 0.985:
        return rng.randint(16, 30)
    return rng.randint(31, 80)


CASE_COLUMNS = [
    "id", "tracking_code", "fiscal_year", "sequence", "kind", "category_id", "channel",
    "status", "priority", "subject", "description", "is_anonymous", "locale", "division_id",
    "assignee_id", "merged_into_id", "access_key_hash", "track_token_hash", "received_at",
    "ack_due_at", "acknowledged_at", "due_at", "resolved_at", "closed_at", "remind_at",
    "final_remind_at", "escalate_at", "progress_due_at", "outcome_working_days",
    "satisfaction", "rated_at", "created_at", "updated_at", "version",
]  # fmt: skip
EVENT_COLUMNS = ["case_id", "at", "action", "actor_id", "actor_label", "is_public", "diff", "body"]
PAUSE_COLUMNS = ["case_id", "paused_at", "resumed_at", "resume_status", "shifted_days"]
COMPLAINANT_COLUMNS = ["case_id", "name", "email", "phone", "address"]


@dataclass
class Generated:
    cases: list[str]
    events: list[str]
    pauses: list[str]
    complainants: list[str]
    sequences: dict[int, int]
    keys: list[tuple[str, str]]
    long_case: str


def generate_rows(
    n: int, now: datetime, cal: Calendar, categories: list[dict[str, Any]], staff: Staff, seed: int
) -> Generated:
    from suggestion.cases.codes import access_key_digest
    from suggestion.core.time import fiscal_year_bounds
    from suggestion.core.time import fiscal_year_of

    rng = random.Random(seed)
    current_fy = fiscal_year_of(cal.local(now))
    first, _ = fiscal_year_bounds(current_fy - 4)
    moments = receipt_moments(n, first, now, cal, rng)
    kinds, kind_weights = _weighted(KINDS)
    channels, channel_weights = _weighted(CHANNELS)
    by_kind = {k: [c for c in categories if k in c["kinds"]] for k in kinds}
    routable = [d for d in staff.officers if d != _integrity(categories)]
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    today = cal.local(now)
    sequences: dict[int, int] = {}
    out = Generated([], [], [], [], sequences, [], "")
    key_every = max(1, n // KEYS_SAMPLE)
    long_case_id = None
    for case_id, received_at in enumerate(moments, start=1):
        received_day = cal.local(received_at)
        fy = fiscal_year_of(received_day)
        sequences[fy] = sequences.get(fy, 0) + 1
        code = f"{fy}-{sequences[fy]:06d}"
        kind = rng.choices(kinds, kind_weights)[0]
        category = rng.choice(by_kind[kind])
        division_id = category["division_id"] or rng.choice(routable)
        is_anonymous = rng.random() < (0.35 if kind == "corruption" else 0.08)
        channel = rng.choices(channels, channel_weights)[0]
        place = SEARCH_TERM if rng.random() < 0.004 else rng.choice(PLACES)
        topic, text = rng.choice(TOPICS)
        subject = f"{topic} จังหวัด{place}"
        description = f"{text} เรื่องเกิดที่{place} เลขที่อ้างอิงภายใน {rng.randrange(10**6):06d}"
        key = "".join(rng.choice(alphabet) for _ in range(10))

        # Deadlines as filing sets them, then moved by a pause if there was one.
        ack_due_at = cal.end(cal.add(received_day, 1))
        due_day = cal.add(received_day, 15)
        take = resolution_days(rng)
        paused = rng.random() < 0.08
        pause_start = pause_days = 0
        if paused:
            pause_start = rng.randint(1, 4)
            pause_days = rng.randint(2, 7)
            due_day = cal.add(due_day, pause_days)
            take += pause_days
        due_at = cal.end(due_day)
        outcome_day = cal.add(received_day, take)
        outcome_at = cal.start(outcome_day) + timedelta(
            hours=rng.randint(9, 16), minutes=rng.randrange(60)
        )
        backlog = rng.random() < 0.004
        age = cal.between(received_day, today)

        acknowledged_at = None
        if age >= 1 or rng.random() < 0.5:
            acknowledged_at = received_at + timedelta(hours=rng.uniform(0.5, 20))
            acknowledged_at = min(acknowledged_at, now - timedelta(minutes=1))
        assignee = None
        officers = staff.officers.get(division_id, [])
        events: list[tuple[datetime, str, Any, str, bool, dict[str, Any], str | None]] = [
            (received_at, "filed", None, "public", True, {}, None)
        ]
        status = "received"
        if acknowledged_at is not None:
            actor = rng.choice(officers) if officers else None
            events.append(
                (
                    acknowledged_at,
                    "status_changed",
                    actor,
                    "staff",
                    True,
                    {"status": ["received", "screening"]},
                    None,
                )
            )
            status = "screening"
            if age >= 1:
                assignee = actor
                at = acknowledged_at + timedelta(minutes=20)
                events.append(
                    (at, "assigned", actor, "staff", False, {"assignee": [None, actor]}, None)
                )
                events.append(
                    (
                        at,
                        "status_changed",
                        actor,
                        "staff",
                        True,
                        {"status": ["screening", "in_progress"]},
                        None,
                    )
                )
                status = "in_progress"
        resolved_at = closed_at = rated_at = None
        satisfaction = outcome_wd = merged_into = None
        pause_row: tuple[int, datetime, datetime | None, str, int | None] | None = None
        if paused and status == "in_progress":
            paused_day = cal.add(received_day, pause_start)
            paused_at = cal.start(paused_day) + timedelta(hours=10)
            if paused_at < now:
                resume_day = cal.add(paused_day, pause_days)
                resumed_at = cal.start(resume_day) + timedelta(hours=14)
                events.append(
                    (
                        paused_at,
                        "status_changed",
                        assignee,
                        "staff",
                        True,
                        {"status": ["in_progress", "awaiting_info"]},
                        "กรุณาส่งเอกสารเพิ่มเติม",
                    )
                )
                if resumed_at < now:
                    events.append(
                        (
                            resumed_at,
                            "information_added",
                            None,
                            "public",
                            True,
                            {},
                            "ส่งเอกสารเพิ่มเติมแล้ว",
                        )
                    )
                    events.append(
                        (
                            resumed_at,
                            "status_changed",
                            None,
                            "public",
                            True,
                            {"status": ["awaiting_info", "in_progress"]},
                            None,
                        )
                    )
                    pause_row = (
                        case_id,
                        paused_at,
                        resumed_at,
                        "in_progress",
                        cal.between(paused_day, resume_day),
                    )
                else:
                    status = "awaiting_info"
                    pause_row = (case_id, paused_at, None, "in_progress", None)
        if status == "in_progress" and outcome_at < now and not backlog:
            roll = rng.random()
            if roll < 0.03 and case_id > 100:
                status = "merged"
                merged_into = rng.randrange(max(1, case_id - 500), case_id)
                events.append(
                    (
                        outcome_at,
                        "status_changed",
                        assignee,
                        "staff",
                        True,
                        {"status": ["in_progress", "merged"]},
                        None,
                    )
                )
            else:
                status = "resolved" if roll < 0.85 else "forwarded" if roll < 0.93 else "rejected"
                resolved_at = outcome_at
                outcome_wd = cal.between(received_day, outcome_day)
                events.append(
                    (
                        outcome_at,
                        "public_reply",
                        assignee,
                        "staff",
                        True,
                        {},
                        "ขอแจ้งผลการดำเนินการตามเรื่องของท่าน",
                    )
                )
                events.append(
                    (
                        outcome_at,
                        "status_changed",
                        assignee,
                        "staff",
                        True,
                        {
                            "status": ["in_progress", status],
                            "resolved_at": [None, outcome_at.isoformat()],
                        },
                        None,
                    )
                )
                if outcome_at + timedelta(days=10) < now and rng.random() < 0.9:
                    closed_at = outcome_at + timedelta(days=rng.randint(1, 10))
                    closer = "system"
                    if not is_anonymous and rng.random() < 0.45:
                        satisfaction = rng.choices((1, 2, 3, 4, 5), (2, 3, 8, 35, 52))[0]
                        rated_at = closed_at
                        closer = "public"  # the filer's rating closes the case
                        events.append(
                            (
                                closed_at,
                                "rated",
                                None,
                                "public",
                                True,
                                {"satisfaction": [None, satisfaction]},
                                None,
                            )
                        )
                    events.append(
                        (
                            closed_at,
                            "status_changed",
                            None,
                            closer,
                            True,
                            {
                                "status": [status, "closed"],
                                "closed_at": [None, closed_at.isoformat()],
                            },
                            None,
                        )
                    )
                    status = "closed"
        if (
            long_case_id is None
            and status == "in_progress"
            and division_id == staff.login_division_id
            and kind != "corruption"
            and received_day >= today - timedelta(days=20)
        ):
            long_case_id = case_id
            out.long_case = code
            base = events[-1][0]
            while len(events) < 50:
                i = len(events)
                public = i % 3 == 0
                events.append(
                    (
                        min(base + timedelta(minutes=i), now),
                        "public_reply" if public else "note",
                        assignee,
                        "staff",
                        public,
                        {},
                        f"บันทึกการดำเนินการครั้งที่ {i}",
                    )
                )
        remind_at = start_of = escalate_at = progress_due_at = None
        if True:  # set at filing, as the product does, and kept afterwards
            remind_at = max(cal.start(cal.sub(due_day, 3)), received_at)
            start_of = max(cal.start(due_day), received_at)
            escalate_at = max(cal.end(cal.add(due_day, 1)), received_at)
            progress_due_at = max(cal.end(cal.add(received_day, 15)), received_at)
        updated_at = max(e[0] for e in events)
        out.cases.append(
            _line(
                (
                    case_id, code, fy, sequences[fy], kind, category["id"], channel, status,
                    "normal", subject, description, is_anonymous, "th",
                    None if status == "received" and category["division_id"] is None else division_id,
                    assignee, merged_into, access_key_digest(key),
                    hashlib.sha256(f"{seed}:{case_id}:{rng.random()}".encode()).hexdigest(),
                    received_at, ack_due_at, acknowledged_at, due_at, resolved_at, closed_at,
                    remind_at, start_of, escalate_at, progress_due_at, outcome_wd, satisfaction,
                    rated_at, received_at, updated_at, len(events),
                )
            )
        )  # fmt: skip
        for at, action, actor, label, public, diff, body in events:
            out.events.append(_line((case_id, at, action, actor, label, public, diff, body)))
        if pause_row:
            out.pauses.append(_line(pause_row))
        if not is_anonymous:
            out.complainants.append(
                _line(
                    (
                        case_id,
                        f"ผู้ร้อง {case_id}",
                        f"filer{case_id}@example.com" if rng.random() < 0.7 else None,
                        f"08{rng.randrange(10**8):08d}",
                        f"{rng.randrange(1, 999)} หมู่ {rng.randrange(1, 15)} จังหวัด{place}",
                    )
                )
            )
        if case_id % key_every == 0 and status != "merged":
            out.keys.append((code, f"{key[:5]}-{key[5:]}"))
    return out


def _integrity(categories: list[dict[str, Any]]) -> int | None:
    for c in categories:
        if c["kinds"] == ["corruption"]:
            return int(c["division_id"])
    return None


def load(url: str, n: int, out_dir: Path, seed: int = 2569) -> dict[str, Any]:
    """Build the database at ``url`` with ``n`` cases; returns what the scenarios need."""
    import sqlalchemy as sa

    from suggestion.calendar.models import Holiday
    from suggestion.cases.models import Category
    from suggestion.core.extensions import db
    from suggestion.core.time import utcnow
    from suggestion.core.time import zone

    started = time.perf_counter()
    now = utcnow()
    recreate_database(url)
    app, staff = prepare_schema(url, now)
    with app.app_context():
        holidays = frozenset(db.session.scalars(sa.select(Holiday.day)))
        categories = [
            {"id": c.id, "kinds": c.kinds, "division_id": c.division_id}
            for c in db.session.scalars(sa.select(Category))
        ]
        cal = Calendar(holidays, zone(app.config["AGENCY_TIMEZONE"]))
    with app.app_context():  # the access keys' digests are keyed with the site's DIGEST_KEY
        rows = generate_rows(n, now, cal, categories, staff, seed)
    generated = time.perf_counter()
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as conn:
        counts = {
            "cases": _copy(conn, "cases", CASE_COLUMNS, rows.cases),
            "case_events": _copy(conn, "case_events", EVENT_COLUMNS, rows.events),
            "case_pauses": _copy(conn, "case_pauses", PAUSE_COLUMNS, rows.pauses),
            "complainants": _copy(conn, "complainants", COMPLAINANT_COLUMNS, rows.complainants),
        }
        for fy, last in rows.sequences.items():
            conn.execute(
                "INSERT INTO tracking_sequences (fiscal_year, last_value) VALUES (%s, %s)",
                (fy, last),
            )
        for table in ("cases", "case_events", "case_pauses", "complainants"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        # Every threshold before now has been swept: the benchmark's sweeps
        # start from a quiet table, as a running system's do.
        conn.execute(
            "INSERT INTO sweep_runs (started_at, finished_at, counts) VALUES (%s, %s, '{}')",
            (now, now),
        )
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        meta = {
            "cases": n,
            "generator_version": GENERATOR_VERSION,
            "generated_at": now.isoformat(),
            "counts": counts,
            "long_case": rows.long_case,
            "search_term": SEARCH_TERM,
            "officer": staff.login_email,
            "admin": staff.admin_email,
            "password": STAFF_PASSWORD,
            "fiscal_years": sorted(rows.sequences),
        }
        conn.execute("INSERT INTO bench_meta VALUES ('meta', %s)", (json.dumps(meta),))
        conn.execute("INSERT INTO bench_meta VALUES ('keys', %s)", (json.dumps(rows.keys),))
        conn.commit()
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    meta["seconds"] = {
        "generate": round(generated - started, 1),
        "total": round(time.perf_counter() - started, 1),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args()
    meta = load(args.database_url, args.cases, Path(args.out))
    print(json.dumps({k: meta[k] for k in ("cases", "counts", "seconds")}))


if __name__ == "__main__":
    main()
