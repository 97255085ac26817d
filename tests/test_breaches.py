"""The breach register (issue 16, item 4): the PDPC's 72 hours, counted in
hours from discovery (a pure function), enforced by the sweep at moved "now"s
— nothing before 24 hours, a reminder after, escalation to every
administrator after 72, each once, nothing once notified or closed — and the
pages that record, notify and close, refusing bad input and writing nothing."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest
import sqlalchemy as sa

from suggestion.core.audit import AdminEvent
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.deadlines.breaches import breach_deadlines
from suggestion.deadlines.breaches import hours_left
from suggestion.notify.models import Notification
from suggestion.sla import breaches as service
from suggestion.sla.breaches import Breach
from suggestion.sla.sweep import run_sweep
from tests.factories import make_user
from tests.helpers import count_rows
from tests.helpers import csrf_token
from tests.helpers import login

HOUR = timedelta(hours=1)
DISCOVERED = datetime(2027, 4, 9, 3, 0, tzinfo=UTC)  # a Friday: holidays change nothing


def test_the_deadline_is_72_hours_with_reminders_at_24_and_48():
    on_time = breach_deadlines(DISCOVERED, DISCOVERED + HOUR)
    assert on_time.notify_due_at == DISCOVERED + 72 * HOUR  # over the weekend, in hours
    assert on_time.remind_at == DISCOVERED + 24 * HOUR
    assert on_time.final_remind_at == DISCOVERED + 48 * HOUR
    assert on_time.escalate_at == DISCOVERED + 72 * HOUR


def test_a_breach_recorded_late_skips_the_reminders_it_has_outrun():
    now = DISCOVERED + 30 * HOUR  # past 24 hours: the first reminder is due now
    late = breach_deadlines(DISCOVERED, now)
    assert (late.remind_at, late.final_remind_at) == (now, DISCOVERED + 48 * HOUR)
    now = DISCOVERED + 50 * HOUR
    later = breach_deadlines(DISCOVERED, now)
    assert (later.remind_at, later.final_remind_at) == (None, now)
    now = DISCOVERED + 80 * HOUR
    overdue = breach_deadlines(DISCOVERED, now)
    assert (overdue.remind_at, overdue.final_remind_at, overdue.escalate_at) == (None, None, now)
    assert overdue.notify_due_at == DISCOVERED + 72 * HOUR


def test_hours_left():
    due = DISCOVERED + 72 * HOUR
    assert hours_left(due, DISCOVERED) == 72
    assert hours_left(due, due - timedelta(minutes=90)) == 1
    assert hours_left(due, due + timedelta(minutes=1)) == -1


@pytest.fixture
def admins(ctx):
    return [make_user("admin", "CENTRAL"), make_user("admin", "IT", "admin2@example.go.th")]


def breach_mail(template):
    return list(
        db.session.scalars(
            sa.select(Notification.to_address)
            .where(Notification.template == template)
            .order_by(Notification.id)
        )
    )


def record(actor, **overrides):
    fields = {
        "discovered_at": DISCOVERED,
        "description": "แฟ้มรายชื่อผู้ร้องถูกส่งอีเมลผิดผู้รับ",
        "tracking_codes": (),
        "affected_count": 12,
    }
    fields.update(overrides)
    return service.record_breach(actor, service.BreachReport(**fields), now=DISCOVERED + HOUR)


def test_the_sweep_reminds_then_escalates_each_once(admins):
    recorder, other = admins
    breach = record(recorder)
    counts = lambda hours: run_sweep(now=DISCOVERED + hours * HOUR).counts  # noqa: E731
    assert not any(k.startswith("breach") for k in counts(23.9))
    assert counts(24.1)["breach_remind"] == 1
    assert "breach_remind" not in counts(25)
    assert breach_mail("breach_remind") == [recorder.email]  # the one who recorded it
    assert counts(48.1)["breach_final_remind"] == 1
    assert "breach_escalate" not in counts(71.9)
    assert counts(72.1)["breach_escalate"] == 1
    assert "breach_escalate" not in counts(73)
    assert breach_mail("breach_remind") == [recorder.email, recorder.email]
    assert sorted(breach_mail("breach_escalate")) == sorted([recorder.email, other.email])
    subject = db.session.scalars(
        sa.select(Notification.subject).where(Notification.template == "breach_escalate")
    ).first()
    assert f"เหตุละเมิดที่ {breach.id}" in subject  # Thai, the staff's language


def test_nothing_once_the_pdpc_is_notified_or_the_breach_closed(admins):
    recorder, _other = admins
    notified = record(recorder)
    closed = record(recorder, affected_count=3)
    run_sweep(now=DISCOVERED + 25 * HOUR)  # both reminded once
    service.record_notice(
        recorder, notified, "pdpc", DISCOVERED + 30 * HOUR, now=DISCOVERED + 30 * HOUR
    )
    service.record_notice(
        recorder, closed, "pdpc", DISCOVERED + 31 * HOUR, now=DISCOVERED + 31 * HOUR
    )
    service.close_breach(recorder, closed, now=DISCOVERED + 32 * HOUR)
    before = count_rows("notifications")
    for hours in (49, 73, 200):
        report = run_sweep(now=DISCOVERED + hours * HOUR)
        assert not any(k.startswith("breach") for k in report.counts)
    assert count_rows("notifications") == before


def test_a_breach_recorded_after_72_hours_is_escalated_at_once_without_reminders(admins):
    recorder, _other = admins
    run_sweep(now=DISCOVERED + 79 * HOUR)  # an earlier sweep: its window starts here
    service.record_breach(
        recorder,
        service.BreachReport(DISCOVERED, "พบภายหลัง", (), 1),
        now=DISCOVERED + 80 * HOUR,
    )
    report = run_sweep(now=DISCOVERED + 80 * HOUR + timedelta(minutes=5))
    assert report.counts["breach_escalate"] == 1
    assert "breach_remind" not in report.counts and "breach_final_remind" not in report.counts


# --- The pages ------------------------------------------------------------------------


@pytest.fixture
def admin_client(app, staff):
    client = app.test_client()
    login(client, staff("admin", "CENTRAL"))
    return client


def post_breach(client, **data):
    token = csrf_token(client, "/admin/breaches")
    fields = {
        "csrf_token": token,
        "discovered_at": "",
        "description": "เจ้าหน้าที่ส่งไฟล์รายชื่อผู้ร้องผิดกลุ่มไลน์",
        "cases": "",
        "affected_count": "5",
    }
    fields.update(data)
    return client.post("/admin/breaches", data=fields)


def typed(moment_utc):
    """A moment as a Thai page types it: B.E. date and the agency's time."""
    from zoneinfo import ZoneInfo

    local = moment_utc.astimezone(ZoneInfo("Asia/Bangkok"))
    return f"{local.day}/{local.month}/{local.year + 543} {local:%H:%M}"


def test_recording_notifying_and_closing_through_the_pages(app, admin_client, file_a_case):
    code, _key, _token = file_a_case()
    discovered = utcnow().replace(second=0, microsecond=0) - 2 * HOUR
    response = post_breach(admin_client, discovered_at=typed(discovered), cases=f" {code}, ")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    breach = db.session.scalars(sa.select(Breach)).one()
    assert breach.discovered_at == discovered
    assert breach.notify_due_at == discovered + 72 * HOUR
    assert [c.tracking_code for c in breach.cases] == [code]
    assert "เหลือ 69 ชั่วโมง" in page or "เหลือ 70 ชั่วโมง" in page
    assert code in page and str(discovered.year + 543) in page
    listing = admin_client.get("/admin/breaches").get_data(as_text=True)
    assert f'data-testid="breach-{breach.id}"' in listing

    url = f"/admin/breaches/{breach.id}"
    token = csrf_token(admin_client, "/admin/breaches")  # one per session, for every form
    # Closing before the PDPC is notified is refused, and changes nothing.
    refused = admin_client.post(f"{url}/close", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "กรุณาบันทึกเวลาที่แจ้ง สคส. ก่อนปิดเหตุละเมิด" in refused.get_data(as_text=True)
    notified = utcnow().replace(second=0, microsecond=0) - HOUR
    for whom in ("pdpc", "subjects"):
        done = admin_client.post(
            f"{url}/{whom}",
            data={
                f"{whom}-csrf_token": token,
                f"{whom}-notified_at": typed(notified),
            },
        )
        assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    closed = admin_client.post(f"{url}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    db.session.expire_all()
    breach = db.session.get(Breach, breach.id)
    assert breach.pdpc_notified_at == notified and breach.subjects_notified_at == notified
    assert breach.closed_at is not None
    assert "ปิดเมื่อ" in admin_client.get(url).get_data(as_text=True)
    actions = db.session.scalars(
        sa.select(AdminEvent.action)
        .where(AdminEvent.target == f"breach {breach.id}")
        .order_by(AdminEvent.id)
    ).all()
    assert actions == [
        "breach_recorded",
        "breach_pdpc_notified",
        "breach_subjects_notified",
        "breach_closed",
    ]
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "บันทึกเหตุการละเมิดข้อมูลส่วนบุคคล" in audit
    assert "พบเหตุเมื่อ: — → " in audit and "discovered_at" not in audit  # labelled, in Thai
    assert f"{discovered.year + 543}" in audit  # the moments in B.E.


def test_a_discovery_in_the_future_or_an_unknown_code_is_refused_and_writes_nothing(
    app, admin_client, file_a_case
):
    code, _key, _token = file_a_case()
    events = count_rows("admin_events")
    future = post_breach(admin_client, discovered_at=typed(utcnow() + 3 * HOUR))
    assert future.status_code == 422
    assert "เวลาที่พบเหตุต้องไม่อยู่ในอนาคต" in future.get_data(as_text=True)
    unknown = post_breach(
        admin_client, discovered_at=typed(utcnow() - HOUR), cases=f"{code} 2570-999999"
    )
    assert unknown.status_code == 422
    assert "ไม่มีเรื่องที่มีเลขติดตาม 2570-999999" in unknown.get_data(as_text=True)
    garbled = post_breach(admin_client, discovered_at="31/2/2570 25:00", affected_count="-1")
    assert garbled.status_code == 422
    text = garbled.get_data(as_text=True)
    assert "กรุณาระบุวันและเวลาเป็น" in text and "กรุณาระบุจำนวนตั้งแต่ 0 ขึ้นไป" in text
    assert count_rows("breaches") == 0 and count_rows("breach_cases") == 0
    assert count_rows("admin_events") == events


def test_only_administrators_reach_the_register(app, staff):
    client = app.test_client()
    login(client, staff("officer", "SERVICE"))
    assert client.get("/admin/breaches").status_code == 404


def test_the_data_protection_officer_keeps_the_breach_register_and_reads_the_access_log(
    client, staff
):
    """The role privacy opens the breach register and the audit trails, and
    nothing else of the administration; an officer opens none of them."""
    login(client, staff("privacy", "CENTRAL"))
    client.set_cookie("lang", "en")
    assert client.get("/admin/breaches").status_code == 200
    assert client.get("/admin/audit?trail=personal").status_code == 200
    nav = client.get("/privacy/").get_data(as_text=True)
    assert "/admin/breaches" in nav and "/admin/audit?trail=personal" in nav
    for elsewhere in ("/admin/", "/admin/retention", "/admin/holidays", "/admin/users/new"):
        assert client.get(elsewhere).status_code == 404, elsewhere
    before = count_rows("breaches")
    response = client.post(
        "/admin/breaches",
        data={
            "csrf_token": csrf_token(client, "/admin/breaches"),
            "discovered_at": "",
            "description": "",
        },
    )
    assert response.status_code == 422 and count_rows("breaches") == before


def test_an_officer_opens_neither_the_breach_register_nor_the_access_log(client, staff):
    login(client, staff("officer", "SERVICE"))
    assert client.get("/admin/breaches").status_code == 404
    assert client.get("/admin/audit?trail=personal").status_code == 404


def test_a_breach_committed_after_a_sweep_began_is_still_reminded(admins):
    """Recorded late, its reminder is due "now"; a sweep that began a moment
    later but did not see the breach's transaction must not hide it from the
    next one."""
    from suggestion.sla.models import SweepRun

    recorder, _other = admins
    record_at = DISCOVERED + 30 * HOUR
    breach = service.record_breach(
        recorder,
        service.BreachReport(
            discovered_at=DISCOVERED, description="x", tracking_codes=(), affected_count=1
        ),
        now=record_at,
    )
    assert breach.remind_at == record_at
    blind = record_at + timedelta(minutes=1)  # began before the breach was committed
    db.session.add(SweepRun(started_at=blind, finished_at=blind, counts={}))
    db.session.flush()
    assert run_sweep(now=record_at + 5 * timedelta(minutes=1)).counts["breach_remind"] == 1
