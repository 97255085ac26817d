"""The queue: filters in the URL, Thai substring search, counts, keyset pages,
bulk assignment, and intake of cases from other channels."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.models import CaseEvent
from suggestion.cases.states import Channel
from suggestion.core.extensions import db
from suggestion.staff import queries
from tests.factories import category
from tests.helpers import csrf_token
from tests.helpers import login
from tests.helpers import recorded_statements

ROW = re.compile(r'data-testid="row-([\d-]+)"')


def rows(client, **params):
    page = client.get("/staff/", query_string=params)
    assert page.status_code == 200
    return ROW.findall(page.get_data(as_text=True))


def test_filters_and_thai_search_return_the_right_cases(app, client, staff, file_a_case):
    email = staff("officer", "SERVICE")
    long_ago = datetime.now(UTC) - timedelta(days=90)
    late = file_a_case(subject="การเผยแพร่ข้อมูลภาวะการทำงานล่าช้า", received_at=long_ago)[0]
    phone = file_a_case(subject="สอบถามสถิติประชากร", kind="inquiry", channel=Channel.PHONE)[0]
    plain = file_a_case(subject="ข้อเสนอให้เพิ่มตารางรายจังหวัด", kind="suggestion")[0]
    login(client, email)

    assert set(rows(client)) == {late, phone, plain}
    assert rows(client)[0] == late  # nearest (here: past) deadline first
    assert rows(client, q="ภาวะการทำงาน") == [late]  # a substring in the middle of Thai text
    assert rows(client, q="ประชากร") == [phone]
    assert rows(client, q=phone) == [phone]  # the tracking code
    assert rows(client, q="100%_") == []  # LIKE wildcards are taken literally
    assert rows(client, kind="suggestion") == [plain]
    assert rows(client, channel="phone") == [phone]
    assert rows(client, overdue="1") == [late]
    assert set(rows(client, due_within="30")) >= {late}
    assert rows(client, received_to=(long_ago + timedelta(days=1)).date().isoformat()) == [late]
    assert late not in rows(client, received_from=datetime.now(UTC).date().isoformat())
    assert set(rows(client, assignee="unassigned")) == {late, phone, plain}
    assert rows(client, assignee="mine") == []


def test_bad_filters_get_a_message_and_are_ignored(client, staff, file_a_case):
    email = staff("officer", "SERVICE")
    code = file_a_case()[0]
    login(client, email)
    client.set_cookie("lang", "en")
    page = client.get("/staff/?due_within=abc&received_from=yesterday&category=x&after=%%%")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Not a valid integer value." in text or "Give a number" in text
    assert code in ROW.findall(text)


def test_counts_per_state_and_the_state_filter(client, staff, file_a_case, app):
    email = staff("officer", "SERVICE")
    codes = [file_a_case()[0] for _ in range(3)]
    with app.app_context():
        db.session.execute(
            sa.update(Case).where(Case.tracking_code == codes[0]).values(status="screening")
        )
        db.session.commit()
    login(client, email)
    page = client.get("/staff/").get_data(as_text=True)
    assert 'data-testid="count-received">2<' in page
    assert 'data-testid="count-screening">1<' in page
    assert rows(client, status="screening") == [codes[0]]


def test_keyset_pages_cover_every_case_once(app, ctx, monkeypatch):
    from suggestion.cases.access import StaffAccess
    from tests.factories import make_case
    from tests.factories import make_user

    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    user = make_user("officer", "SERVICE")
    made = {make_case().case.tracking_code for _ in range(10)}
    seen, cursor = [], None
    while True:
        page = queries.queue_page(StaffAccess(user), queries.QueueFilters(), cursor)
        seen += [c.tracking_code for c in page.cases]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 10 and set(seen) == made


def test_bulk_assignment(client, staff, file_a_case):
    email = staff("manager", "SERVICE")
    staff("officer", "SERVICE", "somsri@example.go.th")
    codes = [file_a_case()[0] for _ in range(2)]
    login(client, email)
    ids = [
        str(db.session.scalars(sa.select(Case.id).where(Case.tracking_code == c)).one())
        for c in codes
    ]
    officer_id = db.session.execute(
        sa.text("SELECT id FROM users WHERE email='somsri@example.go.th'")
    ).scalar_one()
    division_id = db.session.execute(
        sa.text("SELECT id FROM divisions WHERE code='SERVICE'")
    ).scalar_one()
    response = client.post(
        "/staff/bulk-assign",
        data={
            "csrf_token": csrf_token(client, "/staff/"),
            "case_id": ids,
            "division": str(division_id),
            "assignee": str(officer_id),
        },
    )
    assert response.status_code == 303
    assert set(rows(client, assignee=str(officer_id))) == set(codes)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(CaseEvent).where(CaseEvent.action == "assigned")
        )
        == 2
    )


def test_intake_of_a_phone_call_counts_from_the_date_of_receipt(client, staff):
    email = staff("officer", "SERVICE")
    login(client, email)
    client.set_cookie("lang", "en")
    data = {
        "csrf_token": csrf_token(client, "/staff/intake/complaint"),
        "channel": "phone",
        "received_at": "2026-04-10T15:00",
        "category": str(category("data-service").id),
        "subject": "โทรแจ้งว่าขอข้อมูลแล้วไม่ได้รับ",
        "description": "ผู้ร้องโทรเข้ามาเวลา 15.00 น.",
        "name": "นายสมปอง",
        "phone": "0812345678",
        "consent": "y",
        "certify_true": "y",
    }
    response = client.post("/staff/intake/complaint", data=data)
    assert response.status_code == 303  # redirected: a reload files nothing again
    receipt = client.get(response.headers["Location"])
    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    code = re.search(r'data-testid="tracking-code">([^<]+)<', text).group(1)
    case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
    assert case.channel == "phone" and case.fiscal_year == 2569
    assert case.due_at.isoformat() == "2026-05-08T16:59:59+00:00"  # DESIGN §1.4's example
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert event.actor_id is not None and event.diff["channel"] == [None, "phone"]
    assert event.diff["received_at"][1].startswith("2026-04-10T08:00")

    assert re.search(r'data-testid="access-key">[A-Z0-9]{5}-[A-Z0-9]{5}<', text)

    # Reloading the receipt shows the same case, files nothing, and the key
    # is not shown twice.
    cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'data-testid="tracking-code">{code}<' in again
    assert 'data-testid="access-key"' not in again and 'data-testid="access-key-shown"' in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == cases

    future = client.post(
        "/staff/intake/complaint", data={**data, "received_at": "2999-01-01T09:00"}
    )
    assert future.status_code == 422
    assert "cannot be in the future" in future.get_data(as_text=True)
    garbage = client.post("/staff/intake/complaint", data={**data, "received_at": "soon"})
    assert garbage.status_code == 422
    # Typed as a Thai page writes it: day/month/B.E. year, then the time.
    client.set_cookie("lang", "th")
    thai = client.post(
        "/staff/intake/complaint",
        data={**data, "csrf_token": csrf_token(client, "/staff/intake/complaint"),
              "received_at": "10/4/2569 15:00"},
    )  # fmt: skip
    assert thai.status_code == 303
    newest = db.session.scalars(sa.select(Case).order_by(Case.id.desc())).first()
    assert newest.received_at.isoformat() == "2026-04-10T08:00:00+00:00"
    page = client.get("/staff/intake/complaint").get_data(as_text=True)
    assert 'placeholder="วัน/เดือน/ปี พ.ศ. ชั่วโมง:นาที เช่น 25/12/2569 14:30"' in page
    assert 'type="datetime-local"' not in page


def test_an_intake_routed_to_another_division_still_shows_its_receipt(client, staff):
    """An officer registers a call whose category belongs to another division:
    the receipt with the access key answered 404 (the officer may not see the
    case), and the key, shown nowhere else, was lost."""
    login(client, staff("officer", "SERVICE"))
    data = {
        "csrf_token": csrf_token(client, "/staff/intake/complaint"),
        "channel": "phone",
        "received_at": "2026-04-10T15:00",
        "category": str(category("website").id),  # the IT division's
        "subject": "เว็บไซต์ดาวน์โหลดข้อมูลไม่ได้",
        "description": "ผู้ร้องโทรแจ้งว่าดาวน์โหลดไฟล์จากเว็บไซต์ไม่ได้",
        "name": "นายสมปอง",
        "phone": "0812345678",
        "consent": "y",
        "certify_true": "y",
    }
    response = client.post("/staff/intake/complaint", data=data)
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert re.search(
        r'data-testid="access-key">[A-Z0-9]{5}-[A-Z0-9]{5}<', receipt.get_data(as_text=True)
    )
    again = client.get(response.headers["Location"])
    assert again.status_code == 200 and 'data-testid="access-key"' not in again.get_data(
        as_text=True
    )
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert (
        client.get(f"/staff/cases/{code}").status_code == 404
    )  # the case itself stays out of reach


def test_the_queue_page_costs_the_same_with_more_rows(app, client, staff, file_a_case):
    email = staff("admin", "CENTRAL")  # sees every division
    login(client, email)

    def statements_for_page() -> list[str]:
        with recorded_statements(app) as seen:
            assert client.get("/staff/?status=all").status_code == 200
        return seen

    for _ in range(2):
        file_a_case()
    few = statements_for_page()
    for code in ("website", "survey", "staff-conduct"):  # three more divisions
        file_a_case(category=category(code))
    more = statements_for_page()
    assert len(more) <= len(few)  # not one query more per row


def test_far_away_dates_are_refused_with_a_message(client, staff):
    login(client, staff("officer", "SERVICE"))
    for query in ("received_from=9999-12-31", "resolved_to=0001-01-01"):
        page = client.get(f"/staff/?{query}")
        assert page.status_code == 200
        assert "ระหว่างปี ค.ศ. 1900 ถึง 2200" in page.get_data(as_text=True)
        assert client.get(f"/staff/cases.csv?{query}").status_code == 400


def test_all_but_merged_lists_what_the_reports_count_as_received(client, staff, file_a_case):
    import sqlalchemy as sa

    from suggestion.cases.models import Case
    from suggestion.core.extensions import db

    keeper = file_a_case()[0]
    duplicate = file_a_case()[0]
    target = db.session.scalars(sa.select(Case.id).where(Case.tracking_code == keeper)).one()
    db.session.execute(
        sa.update(Case)
        .where(Case.tracking_code == duplicate)
        .values(status="merged", merged_into_id=target)
    )
    db.session.commit()
    login(client, staff("officer", "SERVICE"))
    page = client.get("/staff/?status=counted").get_data(as_text=True)
    assert keeper in page and duplicate not in page
    assert duplicate in client.get("/staff/?status=all").get_data(as_text=True)


def test_wtforms_own_messages_are_in_the_page_language(client, staff):
    login(client, staff("officer", "SERVICE"))
    page = client.get("/staff/?kind=bogus&received_from=abc")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ไม่ใช่ตัวเลือกที่ใช้ได้" in text and "Not a valid" not in text
    assert client.get("/staff/cases.csv?kind=bogus").status_code == 400


def test_a_case_page_costs_the_same_with_more_events(app, client, staff):
    """Each event's files and author load with the page, not one by one."""
    from suggestion.auth.models import User
    from suggestion.cases import attachments
    from suggestion.cases.events import record_event
    from suggestion.cases.models import Case
    from tests.factories import checked_pdf
    from tests.factories import make_case
    from tests.factories import make_user

    email = staff("admin", "CENTRAL")
    login(client, email)
    with app.test_request_context():
        code = make_case().case.tracking_code
        db.session.commit()

    def add_notes(count: int) -> None:
        """Notes by two people, each with a file."""
        with app.test_request_context():
            case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
            admin = db.session.scalars(sa.select(User).where(User.email == email)).one()
            for n in range(count):
                author = (
                    admin
                    if n % 2
                    else make_user("officer", "SERVICE", f"o{count}-{n}@example.go.th")
                )
                event = record_event(case, "note", actor=author, body=f"บันทึก {n}")
                db.session.add(attachments.store(checked_pdf(), case.id, event.id, public=False))
            db.session.commit()

    def statements_for_page() -> int:
        with recorded_statements(app) as seen:
            assert client.get(f"/staff/cases/{code}").status_code == 200
        return len(seen)

    add_notes(2)
    few = statements_for_page()
    add_notes(10)
    assert statements_for_page() <= few  # not one query more per event
