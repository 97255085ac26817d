"""Staff read what changed in their language (issue 14, item 5): the case
timeline says "State: In progress → Awaiting information" with local dates,
never the stored words and ISO timestamps."""

from __future__ import annotations

import re

from suggestion.cases import actions
from suggestion.cases.access import StaffAccess
from suggestion.core.extensions import db
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import login


def test_the_staff_timeline_tells_changes_as_sentences_with_local_dates(app, client, db_session):
    with app.test_request_context():
        officer = make_user("officer", "SERVICE")
        access = StaffAccess(officer)
        case = make_case().case
        actions.screen(access, case)
        actions.accept(access, case)
        actions.request_information(access, case, message="กรุณาแนบสำเนาคำขอ")
        db_session.commit()
        code, email = case.tracking_code, officer.email
    login(client, email)
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    changes = " ".join(re.findall(r'<ul class="diff">(.*?)</ul>', page, re.S))
    assert "สถานะ:" in changes and "รอข้อมูลเพิ่มเติม" in changes
    assert "ตอบรับเรื่องแล้ว:" in changes  # acknowledged_at, named
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", changes)  # no ISO timestamps
    assert not re.search(r"\b(status|acknowledged_at|in_progress|awaiting_info)\b", changes)
    assert re.search(r"25\d\d เวลา \d\d:\d\d น\.", changes)  # Buddhist Era, local time
    english = client.get(f"/staff/cases/{code}?lang=en").get_data(as_text=True)
    assert "State: In progress → Awaiting information" in english
    assert db.session is not None


def test_the_holiday_table_is_labelled_as_holidays(client, staff):
    """Its columns read as a person's full name and a kind of case in Thai;
    its kinds were the stored words."""
    login(client, staff("admin", "IT"))
    page = client.get("/admin/holidays?year=2026").get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert "ชื่อวันหยุด" in head and "ประเภทวันหยุด" in head
    assert "ชื่อ-นามสกุล" not in head and "ประเภทเรื่อง" not in head
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert "วันหยุดนักขัตฤกษ์" in body and not re.search(r"<td>(public|government)\b", body)


def test_a_policy_out_of_bounds_is_refused_in_thai(client, staff):
    """The bounds of a service-level policy answered in English."""
    from tests.helpers import csrf_token

    login(client, staff("admin", "IT"))
    fields = {
        "ack_days": "1",
        "info_request_days": "7",
        "outcome_days": "0",
        "progress_interval_days": "15",
        "remind_before_days": "3",
        "escalate_after_days": "1",
    }
    page = client.post(
        "/admin/policies/new",
        data={"csrf_token": csrf_token(client, "/admin/policies/new"), **fields},
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Number must be" not in text and "กรุณาระบุตัวเลขตั้งแต่" in text


def test_job_reports_and_failed_mail_are_told_in_words(app, client, staff, db_session):
    """The recomputations' reasons and the failed e-mails' kinds were the
    stored English words ("holiday 2026-07-06 set", "receipt")."""

    from suggestion.core.jobs import BackgroundJob
    from suggestion.core.jobs import JobStatus
    from suggestion.core.tasks import JobName
    from suggestion.notify.models import Notification
    from suggestion.notify.models import NotificationStatus

    with app.app_context():
        db.session.add(
            BackgroundJob(
                name=JobName.RECOMPUTE_DEADLINES,
                args={"reason": "policy changed"},
                status=JobStatus.DONE,
                result={"checked": 3, "moved": 2, "cases": []},
            )
        )
        db.session.add(
            Notification(
                template="receipt",
                to_address="nobody@example.com",
                subject="s",
                body=None,
                status=NotificationStatus.FAILED,
                last_error="550 no such mailbox",
            )
        )
        db_session.commit()
    login(client, staff("admin", "IT"))
    policies = client.get("/admin/policies").get_data(as_text=True)
    jobs = re.search(r'data-testid="jobs">(.*?)</ul>', policies, re.S).group(1)
    assert "หน่วยงานปรับระยะเวลาดำเนินการ" in jobs and "policy changed" not in jobs
    index = client.get("/admin/").get_data(as_text=True)
    failed = re.search(r'data-testid="failed-mail">(.*?)</ul>', index, re.S).group(1)
    assert "ใบรับเรื่องถึงผู้ร้อง" in failed and "· receipt ·" not in failed


def test_a_form_sent_back_with_mistakes_says_so_first_in_its_title(client):
    from tests.helpers import csrf_token

    token = csrf_token(client, "/file/complaint")
    thai = client.post("/file/complaint", data={"csrf_token": token, "subject": ""})
    assert thai.status_code == 422
    assert re.search(r"<title>ข้อผิดพลาด: ", thai.get_data(as_text=True))
    english = client.post("/file/complaint?lang=en", data={"csrf_token": token})
    assert re.search(r"<title>Error: ", english.get_data(as_text=True))
    assert "<title>Error" not in client.get("/file/complaint?lang=en").get_data(as_text=True)


def test_each_account_keeps_its_language_and_its_e_mails_follow_it(app, client, staff):
    """An officer who reads the site in English gets the sweep's reminder in
    English, with C.E. dates; a manager who never chose gets Thai."""
    from datetime import datetime
    from datetime import timedelta
    from datetime import UTC

    import sqlalchemy as sa

    from suggestion.auth.models import User
    from suggestion.notify.models import Notification
    from suggestion.sla.sweep import run_sweep

    officer = staff("officer", "SERVICE")
    manager = staff("manager", "SERVICE")
    login(client, officer)
    client.get("/language/en?next=/staff/")
    user = db.session.scalars(sa.select(User).where(User.email == officer)).one()
    assert user.locale == "en"
    with app.app_context():
        case = make_case(received_at=datetime(2027, 4, 9, 3, 0, tzinfo=UTC)).case
        case.assignee_id = user.id
        db.session.flush()
        run_sweep(now=case.remind_at + timedelta(minutes=1))
        run_sweep(now=case.escalate_at + timedelta(minutes=1))
        reminder = db.session.scalars(
            sa.select(Notification).where(Notification.template == "remind")
        ).one()
        assert reminder.to_address == officer
        assert "is due on" in reminder.text and "2027" in reminder.text
        escalations = db.session.scalars(
            sa.select(Notification).where(Notification.template == "escalate")
        ).all()
        texts = {n.to_address: n.text for n in escalations}
        assert "2570" in texts[manager]  # Thai, Buddhist Era


def test_staff_type_dates_as_their_page_writes_them(app, client, staff, db_session):
    """Date boxes showed mm/dd/yyyy in C.E. on B.E. pages: they are text
    boxes read as day/month/year, Buddhist Era on Thai pages, ISO (as links
    carry dates) too."""
    from datetime import date

    from suggestion.calendar.models import Holiday
    from tests.helpers import csrf_token

    login(client, staff("admin", "IT"))
    page = client.post(
        "/admin/holidays?year=2026",
        data={
            "csrf_token": csrf_token(client, "/admin/holidays"),
            "day": "๒๔/๑๒/๒๕๖๙",
            "name": "วันหยุดพิเศษทดสอบ",
        },
    )
    assert page.status_code == 303
    assert db.session.get(Holiday, date(2026, 12, 24)).name == "วันหยุดพิเศษทดสอบ"
    form = client.get("/admin/holidays").get_data(as_text=True)
    assert 'placeholder="วัน/เดือน/ปี พ.ศ. เช่น 25/12/2569"' in form
    assert 'type="date"' not in form
    bad = client.post(
        "/admin/holidays",
        data={
            "csrf_token": csrf_token(client, "/admin/holidays"),
            "day": "31/02/2569",
            "name": "x",
        },
    )
    assert bad.status_code == 422
    assert "กรุณาระบุวันที่เป็น วัน/เดือน/ปี พ.ศ. เช่น 25/12/2569" in bad.get_data(as_text=True)

    queue = client.get("/staff/?status=all&received_from=1/11/2569&received_to=2026-11-30")
    assert queue.status_code == 200
    shown = queue.get_data(as_text=True)
    assert 'value="1/11/2569"' in shown and 'type="date"' not in shown
    reports = client.get("/reports/?period=range&from=1/10/2569&to=31/10/2569")
    assert reports.status_code == 200 and "ตุลาคม 2569" in reports.get_data(as_text=True)


def test_the_timeline_names_categories_and_people_not_their_codes(app, client, db_session):
    from suggestion.auth.models import Division
    from suggestion.cases.states import Kind
    from tests.factories import category

    with app.test_request_context():
        officer = make_user("officer", "SERVICE")
        access = StaffAccess(officer)
        case = make_case().case
        actions.reclassify(access, case, kind=Kind.COMPLAINT, category=category("website"))
        db_session.commit()
        code, email, name = case.tracking_code, officer.email, officer.name
        service = db.session.query(Division).filter_by(code="SERVICE").one()
        actions.assign(access, case, division=service, assignee=officer)
        db_session.commit()
    login(client, email)
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    changes = " ".join(re.findall(r'<ul class="diff">(.*?)</ul>', page, re.S))
    assert "data-service" not in changes and "website" not in changes and email not in changes
    assert name in changes
