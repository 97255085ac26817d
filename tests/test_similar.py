"""Possible duplicates at triage (issue 14, item 2): Thai near-duplicates and
the same filer found, everything else left out, the JSON, the one-click
merge, the plan at some thousands of cases, and the loud warning about a
database whose ctype hides Thai from pg_trgm."""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
import sqlalchemy as sa

from suggestion.cases import similar
from suggestion.cases.access import StaffAccess
from suggestion.cases.filers import contact_digests
from suggestion.cases.filers import normalise_email
from suggestion.cases.filers import normalise_phone
from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.cases.similar import possible_duplicates
from suggestion.cases.similar import Reason
from suggestion.cases.states import Kind
from suggestion.cases.states import Status
from suggestion.core.extensions import db
from tests import services
from tests.factories import category
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import login

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

# A complaint about a census enumerator, and the ways people file it again.
SUBJECT = "เจ้าหน้าที่สำรวจสำมะโนประชากรพูดจาไม่สุภาพ"
FACTS = (
    "เมื่อวันที่ 3 มีนาคม เจ้าหน้าที่สำรวจสำมะโนประชากรมาเก็บข้อมูลที่บ้านเลขที่ 45 หมู่ 2 "
    "ตำบลบางพลี พูดจาไม่สุภาพและขอดูบัตรประชาชนโดยไม่แสดงบัตรเจ้าหน้าที่ "
    "ขอให้ตรวจสอบและแจ้งผลให้ทราบ ผู้ร้องเรียน นายสมชาย ใจดี"
)
NEAR = {
    "reworded": (
        "พนักงานเก็บข้อมูลสำมะโนประชากรใช้วาจาไม่สุภาพ",
        "วันที่ 3 มี.ค. มีพนักงานสำรวจสำมะโนประชากรมาที่บ้านเลขที่ 45 หมู่ 2 ต.บางพลี "
        "ใช้คำพูดไม่สุภาพ ขอดูบัตรประชาชนแต่ไม่ยอมแสดงบัตรเจ้าหน้าที่ ขอให้ช่วยตรวจสอบด้วย",
    ),
    "shortened": (
        "สำมะโนประชากร เจ้าหน้าที่ไม่สุภาพ",
        "เจ้าหน้าที่สำรวจสำมะโนประชากรที่บ้านเลขที่ 45 บางพลี พูดจาไม่สุภาพ",
    ),
    "typos": (
        "เจ้าหน้าทีสำรวจสำมโนประชาการพูดจาไม่สุภาบ",
        "เมื่อวันที 3 มีนาคม เจ้าหน้าทีสำรวจสำมะโนประชากรมาเก็บข้อมูนที่บ้านเลขที่ 45 หมู่ 2 "
        "ตำบลบางพี พูดจาไม่สุพาพและขอดูบัตประชาชนโดยไม่แสดงบัตรเจ้าหน้าที "
        "ขอให้ตรวจสอบและแจ้งผลให้ทาบ",
    ),
    "another name": (
        SUBJECT,
        FACTS.replace("นายสมชาย ใจดี", "นางสาวมาลี ศรีสุข ภรรยา"),
    ),
}
UNRELATED = [
    (
        "เว็บไซต์ดาวน์โหลดข้อมูลสถิติใช้งานไม่ได้",
        "ตั้งแต่เมื่อวานไม่สามารถดาวน์โหลดไฟล์ข้อมูลสถิติแรงงานจากเว็บไซต์ได้ ขึ้นข้อความผิดพลาดทุกครั้ง ขอให้แก้ไขด้วย",
    ),
    (
        "ขอชมเชยเจ้าหน้าที่ที่ให้บริการดี",
        "เจ้าหน้าที่สำนักงานสถิติจังหวัดให้คำแนะนำเรื่องข้อมูลอย่างสุภาพและรวดเร็ว ขอชมเชย",
    ),
    (
        "สอบถามผลสำรวจภาวะการทำงานของประชากร",
        "ต้องการทราบว่าผลการสำรวจภาวะการทำงานของประชากรไตรมาสล่าสุดจะเผยแพร่เมื่อใด",
    ),
    (
        "เจ้าหน้าที่สำรวจไม่มาตามนัด",
        "เจ้าหน้าที่สำรวจข้อมูลครัวเรือนนัดว่าจะมาเก็บข้อมูลวันจันทร์แต่ไม่มาตามนัด ทำให้ต้องลางานเสียเวลา",
    ),
]

_filers = iter(range(1, 10_000))


def filed(subject=SUBJECT, description=FACTS, days_before=10, **fields):
    """A case filed ``days_before`` NOW, by a filer of its own unless given."""
    n = next(_filers)
    fields.setdefault("email", f"filer{n}@example.org")
    fields.setdefault("phone", None)
    received = NOW - timedelta(days=days_before)
    return make_case(subject=subject, description=description, received_at=received, **fields).case


def codes(found):
    return [d.case.tracking_code for d in found]


@pytest.fixture
def officer(ctx):
    return StaffAccess(make_user("officer", "SERVICE"))


def test_thai_near_duplicates_are_found_and_unrelated_cases_stay_out(officer):
    near = {name: filed(s, d, days_before=20 + i) for i, (name, (s, d)) in enumerate(NEAR.items())}
    unrelated = [filed(s, d, days_before=5) for s, d in UNRELATED]
    case = filed(days_before=0)

    found = possible_duplicates(officer, case)

    assert sorted(codes(found)) == sorted(c.tracking_code for c in near.values())
    assert not {c.tracking_code for c in unrelated} & set(codes(found))
    by_code = {d.case.tracking_code: d for d in found}
    for name, earlier in near.items():
        duplicate = by_code[earlier.tracking_code]
        assert 0.25 <= duplicate.score <= 1, name
        assert Reason.SAME_FILER not in duplicate.reasons, name
        assert (
            Reason.SIMILAR_FACTS in duplicate.reasons or Reason.SIMILAR_SUBJECT in duplicate.reasons
        )
    assert by_code[near["another name"].tracking_code].reasons == (
        Reason.SIMILAR_SUBJECT,
        Reason.SIMILAR_FACTS,
    )
    # Best first: the copy with another name reads most alike.
    assert found[0].case == near["another name"]
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)


def test_only_the_180_days_before_the_case_count(officer):
    inside = filed(days_before=179)
    outside = filed(days_before=181)
    later = filed(days_before=-3)  # after the case: not an earlier case
    case = filed(days_before=0)
    assert codes(possible_duplicates(officer, case)) == [inside.tracking_code]
    assert outside and later


def test_at_most_five_and_never_merged_cases(officer):
    copies = [filed(days_before=10 + i) for i in range(7)]
    case = filed(days_before=0)
    db.session.execute(
        sa.update(Case)
        .where(Case.id == copies[0].id)
        .values(status=Status.MERGED, merged_into_id=copies[1].id)
    )
    found = possible_duplicates(officer, case)
    assert len(found) == similar.LIMIT
    assert copies[0].tracking_code not in codes(found)


def test_cases_out_of_reach_stay_out(ctx):
    other_division = filed(category=category("website"))  # the IT division's
    corruption = filed(kind=Kind.CORRUPTION, category=category("bribery"))
    same_filer_elsewhere = filed(
        "เว็บไซต์ช้า", "หน้าเว็บเปิดช้ามาก", category=category("website"), email="kanda@example.org"
    )
    mine = filed()
    case = filed(days_before=0, email="kanda@example.org")

    officer = StaffAccess(make_user("officer", "SERVICE"))
    assert codes(possible_duplicates(officer, case)) == [mine.tracking_code]

    it_officer = StaffAccess(make_user("officer", "IT"))
    it_case = filed(days_before=0, category=category("website"), email="kanda@example.org")
    found = codes(possible_duplicates(it_officer, it_case))
    assert other_division.tracking_code in found and same_filer_elsewhere.tracking_code in found
    assert mine.tracking_code not in found and corruption.tracking_code not in found

    # Corruption reports: the integrity officers only.
    integrity = StaffAccess(make_user("integrity", "INTEGRITY"))
    report = filed(days_before=0, kind=Kind.CORRUPTION, category=category("bribery"))
    assert corruption.tracking_code in codes(possible_duplicates(integrity, report))
    admin = StaffAccess(make_user("admin", "CENTRAL"))
    assert corruption.tracking_code not in codes(possible_duplicates(admin, case))


def test_the_same_filer_is_found_whatever_the_text(officer):
    by_email = filed(
        "ขอข้อมูลดัชนีราคาผู้บริโภค", "ต้องการไฟล์ดัชนีราคาผู้บริโภคปี 2568",
        email="Somsri.K+nso@Example.org",
    )  # fmt: skip
    by_phone = filed(
        "ขอใบรับรองข้อมูล", "ขอหนังสือรับรองข้อมูลสถิติเพื่อใช้ประกอบการยื่นขอทุน",
        email=None, phone="+66 89 765 4321",
    )  # fmt: skip
    stranger = filed("ขอข้อมูลภาวะเศรษฐกิจ", "ต้องการข้อมูลภาวะเศรษฐกิจครัวเรือน")
    anonymous = filed(is_anonymous=True)  # alike, but no filer to match
    case = filed(
        "แบบสอบถามยาวเกินไป", "แบบสอบถามออนไลน์มีคำถามมากเกินไป ใช้เวลานาน",
        days_before=0, email="somsri.k@example.org", phone="089-765-4321",
    )  # fmt: skip

    found = {d.case.tracking_code: d for d in possible_duplicates(officer, case)}
    assert set(found) == {by_email.tracking_code, by_phone.tracking_code}
    for duplicate in found.values():
        assert duplicate.reasons == (Reason.SAME_FILER,)
        assert duplicate.score == similar.FILER_WEIGHT
    assert stranger.tracking_code not in found and anonymous.tracking_code not in found


def test_contacts_are_normalised_and_only_their_digests_stored(ctx):
    assert normalise_email(" Somsri.K+nso@Example.ORG ") == "somsri.k@example.org"
    assert normalise_email("no address") is None
    for number in ("+66 89 765 4321", "0066897654321", "089-765-4321", "(089) 765 4321"):
        assert normalise_phone(number) == "0897654321"
    assert normalise_phone("02 123 4567") == "021234567"
    assert normalise_phone("12-34") is None
    case = filed(email="somsri@example.org", phone="089-765-4321")
    email_digest, phone_digest = contact_digests("SOMSRI@example.org", "+66897654321")
    assert (case.complainant.email_digest, case.complainant.phone_digest) == (
        email_digest,
        phone_digest,
    )
    assert "0897654321" not in phone_digest and len(phone_digest) == 64


def test_the_python_measure_follows_pg_trgm(ctx):
    """SQLite's fallback measures as PostgreSQL does, near enough."""
    for s, d in [*NEAR.values(), *UNRELATED]:
        theirs = db.session.scalar(sa.select(sa.func.similarity(f"{SUBJECT} {FACTS}", f"{s} {d}")))
        ours = similar.similarity(f"{SUBJECT} {FACTS}", f"{s} {d}")
        assert abs(theirs - ours) < 0.05, (s, theirs, ours)
        assert (theirs >= similar.TEXT_THRESHOLD) == (ours >= similar.TEXT_THRESHOLD)


def test_the_json_lists_them_best_first_and_hides_cases_out_of_reach(app, client, staff):
    email = staff("officer", "SERVICE")
    with app.test_request_context():
        near = filed(*NEAR["another name"])
        same_filer = filed("ขอข้อมูลแรงงาน", "ต้องการข้อมูลแรงงานนอกระบบ", email="nok@example.org")
        case = filed(days_before=0, email="nok@example.org")
        it_case = filed(days_before=0, category=category("website"))
        db.session.commit()
        near, same_filer, case, it_case = (
            c.tracking_code for c in (near, same_filer, case, it_case)
        )
    login(client, email)

    answer = client.get(f"/staff/cases/{case}/similar.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert [set(item) for item in body] == [{"tracking_code", "score", "reasons"}] * 2
    assert [item["tracking_code"] for item in body] == [
        near,
        same_filer,
    ]
    assert body[0]["reasons"] == ["similar_subject", "similar_facts"]
    assert body[1] == {
        "tracking_code": same_filer,
        "score": 0.5,
        "reasons": ["same_filer"],
    }
    assert 0.5 < body[0]["score"] <= 1

    assert client.get(f"/staff/cases/{it_case}/similar.json").status_code == 404
    assert client.get("/staff/cases/2569-999999/similar.json").status_code == 404


def test_the_page_shows_them_and_merges_one_in_one_click(app, client, staff):
    email = staff("officer", "SERVICE")
    with app.test_request_context():
        earlier = filed(*NEAR["reworded"])
        case = filed(days_before=0)
        db.session.commit()
        ids = case.id, earlier.id
        case, earlier = case.tracking_code, earlier.tracking_code
    login(client, email)

    page = client.get(f"/staff/cases/{case}").get_data(as_text=True)
    row = page[page.index(f'data-testid="duplicate-{earlier}"') :]
    row = row[: row.index("</tr>")]
    assert "similar facts" in row or "ข้อเท็จจริงคล้ายกัน" in row
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', row))
    assert form["target"] == earlier
    assert f'action="/staff/cases/{case}/merge"' in row

    response = client.post(f"/staff/cases/{case}/merge", data=form)
    assert response.status_code == 303
    with app.app_context():
        merged = db.session.get(Case, ids[0])
        assert merged.status == Status.MERGED and merged.merged_into_id == ids[1]

    # A merged case offers no more merges.
    page = client.get(f"/staff/cases/{case}").get_data(as_text=True)
    assert f'name="target" value="{earlier}"' not in page


def _plan(statement) -> str:
    compiled = statement.compile(dialect=db.session.get_bind().dialect)
    rows = db.session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS) " + compiled.string, compiled.params
    )
    return "\n".join(r[0] for r in rows)


def test_the_search_reads_the_window_through_the_trigram_index(officer, capsys):
    """Some thousands of cases over three years: the text search goes
    through the GiST index of (received_at, text), the filer's through theirs."""
    words = [
        "ข้อมูล", "สถิติ", "แรงงาน", "ครัวเรือน", "เกษตร", "อุตสาหกรรม", "ราคา", "ดัชนี",
        "เว็บไซต์", "ดาวน์โหลด", "ล่าช้า", "รายงาน", "จังหวัด", "สำรวจ", "แบบสอบถาม", "รายได้",
        "หนี้สิน", "ประมง", "ธุรกิจ", "ท่องเที่ยว", "โทรศัพท์", "เอกสาร",
    ]  # fmt: skip
    rows = []
    for i in range(6000):
        picked = [words[(i * 7 + j * 13 + j * j) % len(words)] for j in range(3 + i % 5)]
        rows.append(
            {"subject": "".join(picked[:3]), "description": " ".join(picked) + f" เรื่องที่ {i}",
             "received_at": NOW - timedelta(days=(i * 37) % 1100, hours=i % 24)}
        )  # fmt: skip
    template = filed(days_before=2000)
    columns = {
        c.key: getattr(template, c.key)
        for c in Case.__table__.columns
        if c.key
        not in {"id", "tracking_code", "fiscal_year", "sequence", "track_token_hash", *rows[0]}
    }
    ids = db.session.scalars(
        sa.insert(Case).returning(Case.id),
        [
            {**columns, **row, "tracking_code": f"2400-{i:06d}", "fiscal_year": 2400, "sequence": i,
             "track_token_hash": f"{i:064d}"}
            for i, row in enumerate(rows, start=1)
        ],
    ).all()  # fmt: skip
    # Their filers, each another (only a digest is needed here).
    db.session.execute(
        sa.insert(Complainant),
        [{"case_id": id_, "email_digest": f"{id_:064x}", "phone_digest": None} for id_ in ids],
    )
    near = filed(*NEAR["shortened"], days_before=30)
    case = filed(days_before=0)
    db.session.execute(sa.text("ANALYZE cases"))
    db.session.execute(sa.text("ANALYZE complainants"))

    started = time.perf_counter()
    found = possible_duplicates(officer, case)
    elapsed = time.perf_counter() - started
    assert codes(found) == [near.tracking_code]

    window = similar.window_of(officer, case)
    db.session.execute(sa.text("SET LOCAL pg_trgm.similarity_threshold = 0.25"))
    text_plan = _plan(similar.alike_query(case, window, 20))
    assert "ix_cases_received_at_text_trgm" in text_plan, text_plan
    assert "Seq Scan" not in text_plan, text_plan
    filer_plan = _plan(similar.same_filer_query(case, window, 20))
    assert "ix_complainants_email_digest" in filer_plan, filer_plan
    with capsys.disabled():
        print(
            f"\n6,000 cases: possible_duplicates {elapsed * 1000:.1f} ms\n{text_plan}\n{filer_plan}"
        )


# --- A database whose ctype hides Thai -----------------------------------------


@pytest.fixture
def c_ctype_app(database):
    from sqlalchemy.engine import make_url

    from config import normalise_database_url
    from suggestion import create_app

    url = make_url(normalise_database_url(services.DATABASE_URL))
    c_database = f"{url.database}_ctype_c"  # beside the suite's own, whoever runs it
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{c_database}" WITH (FORCE)'))
        conn.execute(
            sa.text(
                f'CREATE DATABASE "{c_database}" TEMPLATE template0 '
                "ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'"
            )
        )
    c_url = url.set(database=c_database).render_as_string(hide_password=False)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": c_url})
    yield app
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{c_database}" WITH (FORCE)'))
    admin.dispose()


def test_a_c_ctype_database_is_reported_everywhere(c_ctype_app, caplog):
    # The first connection of the process logs it.
    with (
        caplog.at_level(logging.WARNING, logger="suggestion.core.ctype"),
        c_ctype_app.app_context(),
    ):
        db.session.execute(sa.text("SELECT 1"))
    assert any("LC_CTYPE is 'C'" in r.getMessage() for r in caplog.records)

    runner = c_ctype_app.test_cli_runner()
    # Migrations and `flask db check` warn, loudly, and still work.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output
    warning = checked.stderr
    assert "WARNING" in warning and "LC_CTYPE is 'C'" in warning and "pg_trgm" in warning

    # Why it matters: pg_trgm finds no likeness in Thai at all.
    with c_ctype_app.app_context():
        assert db.session.scalar(sa.text("SELECT similarity('ภาษาไทย', 'ภาษาไทย')")) == 0
        db.session.remove()

    # check-deploy counts it among its problems.
    deploy = runner.invoke(args=["check-deploy"])
    assert deploy.exit_code != 0
    assert "LC_CTYPE is 'C'" in deploy.output


def test_a_utf8_database_passes_the_ctype_check(app, ctx, caplog):
    from suggestion.core.ctype import check_connection

    assert check_connection(db.session.connection()) is None
    deploy = app.test_cli_runner().invoke(args=["check-deploy"])
    assert "LC_CTYPE" not in deploy.output
    # The test settings are not production's: each is named.
    assert "SECRET_KEY is weak" in deploy.output and "PUBLIC_BASE_URL" in deploy.output
    assert deploy.exit_code != 0 and "problems found" in deploy.output


def test_the_migration_fills_the_digests_the_filing_would(ctx, app):
    """Migration 0016 keeps its own copy of the normalisation and the key
    derivation: they must give the filing's digests."""
    import importlib.util

    from tests.helpers import ROOT

    path = ROOT / "migrations" / "versions" / "0016_possible_duplicates.py"
    spec = importlib.util.spec_from_file_location("migration_0016", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    secret = app.config.get("DIGEST_KEY") or app.config["SECRET_KEY"]
    for email, phone in [
        ("Somsri.K+nso@Example.org", "+66 89 765 4321"),
        ("x@example.org", None),
        (None, "02-123-4567"),
        ("not an address", "12"),
    ]:
        assert contact_digests(email, phone) == (
            migration._digest(secret, "filer-email", migration._email(email)),
            migration._digest(secret, "filer-phone", migration._phone(phone)),
        )


def test_anonymised_cases_are_no_ones_duplicates(officer):
    """Retention leaves every anonymised case the same placeholder text: they
    would all match each other (issue 16, review item 4)."""
    from suggestion.cases.anonymise import REDACTED

    kept = filed(days_before=30)
    gone = [filed(days_before=20), filed(REDACTED[:200], REDACTED, days_before=15)]
    case = filed(days_before=0)
    later = filed(REDACTED[:200], REDACTED, days_before=-1)
    db.session.execute(
        sa.update(Case).where(Case.id.in_([c.id for c in [*gone, later]])).values(anonymised_at=NOW)
    )
    db.session.expire_all()
    assert codes(possible_duplicates(officer, case)) == [kept.tracking_code]
    # The SQLite path compares the same window in Python.
    window = similar.window_of(officer, case)
    assert set(similar._alike_sqlite(case, window)) == {kept.id}
    assert possible_duplicates(officer, db.session.get(Case, later.id)) == []
