"""The deadline explained to the filer (issue 14, item 1): how it was
counted, on the receipt, on /track and in the API, always agreeing with the
deadline as it stands."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from suggestion.calendar.models import Holiday
from suggestion.calendar.workdays import add_working_days
from suggestion.core.extensions import db
from suggestion.core.time import end_of_day
from suggestion.deadlines.explanation import explain

BANGKOK = ZoneInfo("Asia/Bangkok")
# DESIGN §1.4's example: received Friday 10 April 2026; Songkran, Labour Day
# and Coronation Day are not counted → Friday 8 May 2026.
SONGKRAN = {
    date(2026, 4, 13): "วันสงกรานต์",
    date(2026, 4, 14): "วันสงกรานต์",
    date(2026, 4, 15): "วันสงกรานต์",
    date(2026, 5, 1): "วันแรงงานแห่งชาติ",
    date(2026, 5, 4): "วันฉัตรมงคล",
}
RECEIVED = datetime.combine(date(2026, 4, 10), time(10, 0), BANGKOK)


def test_every_day_between_receipt_and_deadline_is_accounted_for():
    due = end_of_day(add_working_days(RECEIVED.date(), 15, SONGKRAN), BANGKOK)
    x = explain(RECEIVED, due, SONGKRAN, [], BANGKOK)
    assert x.received_on == date(2026, 4, 10) and x.due_on == date(2026, 5, 8)
    assert x.working_days == 15
    reasons = {s.day: (s.reason, s.name) for s in x.skipped}
    assert reasons[date(2026, 4, 13)] == ("holiday", "วันสงกรานต์")
    assert reasons[date(2026, 4, 11)] == ("weekend", None)
    assert reasons[date(2026, 5, 4)] == ("holiday", "วันฉัตรมงคล")
    # Every day after receipt up to the due day is either counted or skipped.
    assert x.working_days + len(x.skipped) == (x.due_on - x.received_on).days
    assert date(2026, 4, 10) not in reasons  # the day of receipt is not counted at all


def test_a_pause_is_shown_with_the_working_days_it_added():
    paused_at = datetime.combine(date(2026, 4, 20), time(9, 0), BANGKOK)  # Monday
    resumed_at = datetime.combine(date(2026, 4, 22), time(16, 0), BANGKOK)  # Wednesday
    due = end_of_day(add_working_days(RECEIVED.date(), 17, SONGKRAN), BANGKOK)
    x = explain(RECEIVED, due, SONGKRAN, [(paused_at, resumed_at)], BANGKOK)
    assert x.working_days == 15
    assert [(s.day, s.reason) for s in x.skipped if s.reason == "paused"] == [
        (date(2026, 4, 21), "paused"),
        (date(2026, 4, 22), "paused"),
    ]
    [pause] = x.pauses
    assert (pause.began, pause.ended, pause.working_days) == (
        date(2026, 4, 20),
        date(2026, 4, 22),
        2,
    )
    assert not x.waiting
    waiting = explain(RECEIVED, due, SONGKRAN, [(paused_at, None)], BANGKOK)
    assert waiting.waiting and waiting.pauses[0].ended is None
    assert waiting.to_json()["pauses"] == [{"from": "2026-04-20", "to": None, "working_days": 0}]


def _holidays_in_db():
    for day, name in SONGKRAN.items():
        if db.session.get(Holiday, day) is None:
            db.session.add(Holiday(day=day, name=name, category="public", source="admin"))
    db.session.commit()


def test_the_receipt_track_and_api_explain_the_deadline(app, client, db_session):
    from tests.factories import make_case

    _holidays_in_db()
    with app.test_request_context():
        receipt = make_case(received_at=RECEIVED.astimezone(ZoneInfo("UTC")))
        db_session.commit()
        code, key = receipt.case.tracking_code, receipt.access_key
        case_id = receipt.case.id
    with client.session_transaction() as session:
        session["tracked_cases"] = [case_id]
    page = client.get(f"/track/{code}").get_data(as_text=True)
    block = re.search(r'data-testid="deadline-explanation".*?</details>', page, re.S).group(0)
    assert "10 เมษายน 2569" in block and "ไม่นับวันรับเรื่อง" in block
    assert "15" in re.search(r'data-testid="working-days">(.*?)</li>', block, re.S).group(1)
    assert "วันสงกรานต์" in block and "วันฉัตรมงคล" in block
    assert "8 พฤษภาคม 2569" in block
    english = client.get(f"/track/{code}?lang=en").get_data(as_text=True)
    assert "15 working days are counted" in english and "section 193/3" in english

    api = client.get(
        f"/api/v1/cases/{code}", headers={"X-Access-Key": key, "Accept-Language": "en"}
    ).json["deadline_explanation"]
    assert api["received_on"] == "2026-04-10" and api["working_days"] == 15
    assert {"day": "2026-04-13", "reason": "holiday", "name": "วันสงกรานต์"} in api["skipped"]
    assert {"day": "2026-04-11", "reason": "weekend"} in api["skipped"]
    assert api["due_at"].startswith("2026-05-08T")
    assert api["pauses"] == []


def test_the_receipt_shows_the_explanation(client):
    from tests.test_filing import form_data

    assert client.post("/file/complaint", data=form_data(client)).status_code == 303
    page = client.get("/file/receipt?lang=en").get_data(as_text=True)
    assert 'data-testid="deadline-explanation"' in page
    assert "working days are counted from the next day" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holiday)) is not None


def test_a_new_holiday_moves_the_deadline_and_the_filer_is_told_why(app, client, db_session):
    """An administrator declares a special holiday: the open case's deadline
    moves a working day, its explanation names the holiday, the public
    timeline says from what, to what and why, and the filer is e-mailed."""
    from suggestion.admin import services
    from suggestion.calendar.workdays import is_working_day
    from suggestion.cases.models import Case
    from suggestion.notify.models import Notification
    from suggestion.sla.recompute import recompute_open_deadlines
    from tests.factories import make_case

    with app.test_request_context():
        receipt = make_case()
        db_session.commit()
        case_id, code, key = receipt.case.id, receipt.case.tracking_code, receipt.access_key
        before = receipt.case.due_at
        # A working day between now and the deadline becomes a holiday.
        day = before.astimezone(BANGKOK).date()
        while not is_working_day(day, set()) or db.session.get(Holiday, day):
            day -= timedelta(days=1)
        services.set_holiday(None, day=day, name="วันหยุดราชการเพิ่มเป็นกรณีพิเศษ")
        result = recompute_open_deadlines(reason=f"holiday {day.isoformat()} set")
        db_session.commit()
        assert result["moved"] == 1
        after = db.session.get(Case, case_id).due_at
        assert after > before
        mail = db.session.scalars(
            sa.select(Notification).where(
                Notification.case_id == case_id, Notification.template == "deadline_moved"
            )
        ).one()
        text = mail.text
    assert "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ" in text
    api = client.get(
        f"/api/v1/cases/{code}", headers={"X-Access-Key": key, "Accept-Language": "en"}
    ).json
    [entry] = [e for e in api["timeline"] if "deadline moved" in e["title"]]
    assert "became a holiday (วันหยุดราชการเพิ่มเป็นกรณีพิเศษ)" in entry["title"]
    assert {"day": day.isoformat(), "reason": "holiday", "name": "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ"} in api[
        "deadline_explanation"
    ]["skipped"]
    assert api["due_at"] == after.isoformat()


def test_waiting_for_the_filer_moves_the_deadline_and_says_so(app, client, db_session):
    """The case waited a week for the filer's answer: when it comes, the
    deadline moves by the working days waited, the public timeline and an
    e-mail say so, and the explanation shows the pause and its days."""
    from suggestion.cases.models import Case
    from suggestion.cases.models import CasePause
    from suggestion.cases.states import Status
    from suggestion.cases.workflow import transition
    from suggestion.core.time import utcnow
    from suggestion.notify.models import Notification
    from tests.factories import make_case
    from tests.helpers import csrf_token
    from tests.test_tracking import track

    with app.test_request_context():
        receipt = make_case(received_at=utcnow() - timedelta(days=10))
        case = receipt.case
        transition(case, Status.IN_PROGRESS)
        transition(case, Status.AWAITING_INFO, body="กรุณาแจ้งเลขที่คำขอ")
        pause = db.session.scalars(sa.select(CasePause).where(CasePause.case_id == case.id)).one()
        pause.paused_at = utcnow() - timedelta(days=7)  # a week ago: five working days or so
        db_session.commit()
        code, key, case_id, before = case.tracking_code, receipt.access_key, case.id, case.due_at
    track(client, code, key)
    client.post(
        f"/track/{code}/information",
        data={"csrf_token": csrf_token(client, f"/track/{code}"), "text": "เลขที่คำขอ 123/2569"},
    )
    case = db.session.get(Case, case_id)
    waited = db.session.scalars(sa.select(CasePause).where(CasePause.case_id == case_id)).one()
    assert waited.shifted_days >= 3 and case.due_at > before
    mail = db.session.scalars(
        sa.select(Notification).where(
            Notification.case_id == case_id, Notification.template == "deadline_moved"
        )
    ).one()
    with app.app_context():
        assert "รอข้อมูลเพิ่มเติมจากท่าน" in mail.text
    page = client.get(f"/track/{code}?lang=en").get_data(as_text=True)
    assert f"the case waited {waited.shifted_days} working days for your information" in page
    block = re.search(r'data-testid="deadline-explanation".*?</details>', page, re.S).group(0)
    assert f"{waited.shifted_days} working days were added" in block
    assert block.count("the case waited for your information") == waited.shifted_days
