"""The monthly SLA report reaches each manager (their division) and each
administrator (the whole agency) through a real worker and SMTP server, once."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest

from suggestion.core.extensions import db
from suggestion.core.tasks import TaskName
from suggestion.reports.mailing import first_working_day
from tests.factories import category
from tests.factories import make_case
from tests.factories import make_user
from tests.helpers import worker_caught_up

pytestmark = [pytest.mark.worker]

OCTOBER = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)


def test_the_first_working_day_skips_weekends_and_holidays(app, ctx):
    assert first_working_day(date(2026, 11, 20)) == date(2026, 11, 2)  # 1 Nov is a Sunday
    assert first_working_day(date(2027, 1, 15)) == date(2027, 1, 4)  # New Year, then a weekend


def test_each_manager_gets_last_months_report_once(app, live_db, celery_worker, smtp_server):
    mailbox, _ = smtp_server
    with app.test_request_context():
        make_user("manager", "SERVICE", "monthly.service@example.go.th")
        make_user("manager", "IT", "monthly.it@example.go.th")
        make_user("admin", "CENTRAL", "monthly.admin@example.go.th")
        make_user("officer", "SERVICE", "monthly.officer@example.go.th")
        service = make_case(received_at=OCTOBER).case
        website = make_case(received_at=OCTOBER, category=category("website")).case
        service.status, service.resolved_at = "resolved", OCTOBER + timedelta(days=2)
        service.outcome_working_days = 2
        db.session.commit()
        codes = service.tracking_code, website.tracking_code
    celery = app.extensions["celery"]
    queue = app.config["CELERY"]["task_default_queue"]
    for day in ("2026-11-02", "2026-11-02", "2026-11-03"):  # twice on the day, then a day late
        celery.send_task(TaskName.MONTHLY_REPORTS, args=[day], queue=queue)

    [service_mail] = mailbox.wait_for("monthly.service@example.go.th")
    [it_mail] = mailbox.wait_for("monthly.it@example.go.th")
    [admin_mail] = mailbox.wait_for("monthly.admin@example.go.th")
    worker_caught_up(app, mailbox)  # a second copy would have arrived before the marker
    for address in ("service", "it", "admin"):
        assert len(mailbox.to(f"monthly.{address}@example.go.th")) == 1
    assert mailbox.to("monthly.officer@example.go.th") == []

    assert "ตุลาคม 2569" in service_mail["Subject"]
    service_text = service_mail.get_content()
    assert "กองบริการข้อมูลสถิติ · รับเรื่องแล้ว: 1 · ดำเนินการแล้วเสร็จ: 1" in service_text
    assert "ศูนย์เทคโนโลยีสารสนเทศ" not in service_text  # only their own division
    assert codes[1] in it_mail.get_content()  # overdue and open at the end of October
    admin_text = admin_mail.get_content()
    assert "ทั้งหน่วยงาน" in admin_text and "รวม · รับเรื่องแล้ว: 2" in admin_text
    assert "/reports/monthly.pdf?month=2026-10" in admin_text


def test_a_missed_first_working_day_is_caught_up_once(app, ctx):
    from suggestion.reports.mailing import send_monthly_reports

    with app.test_request_context():
        make_user("manager", "SERVICE", "catchup.manager@example.go.th")
        assert send_monthly_reports(date(2026, 10, 30)) == 1  # September's, late but sent
        assert send_monthly_reports(date(2026, 10, 31)) == 0  # once
        assert send_monthly_reports(date(2026, 11, 1)) == 0  # Sunday: not yet November's turn
        assert send_monthly_reports(date(2026, 11, 3)) == 1  # 2 November was missed: caught up
        assert send_monthly_reports(date(2026, 11, 4)) == 0
