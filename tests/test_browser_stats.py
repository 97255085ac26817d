"""Anyone reads the published statistics in a real browser, in Thai and in
English: the charts are drawn (inline SVG, nothing fetched from elsewhere)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from suggestion.core.extensions import db
from suggestion.core.time import fiscal_year_of
from suggestion.core.time import utcnow
from tests.factories import make_case

pytestmark = [pytest.mark.browser]


def test_the_public_reads_the_statistics_in_thai_and_english(app, live_server, browser_page):
    with app.test_request_context():
        for days, late in ((1, False), (2, False), (3, True)):
            case = make_case(received_at=utcnow() - timedelta(days=days, hours=2)).case
            case.status, case.resolved_at = "resolved", utcnow() - timedelta(days=days)
            case.due_at = case.resolved_at + timedelta(hours=-1 if late else 1)
            case.outcome_working_days = 1
        db.session.commit()
    year = fiscal_year_of(utcnow().date())

    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    page.get_by_test_id("stats-link").click()  # no log-in
    page.wait_for_url("**/stats")
    assert page.get_by_role("heading", level=1).inner_text() == (f"สถิติเรื่องร้องเรียน ปีงบประมาณ {year}")
    assert "66.7% (2/3)" in page.get_by_test_id("indicators").inner_text()
    received = page.get_by_test_id("chart-received").locator("rect.bar-received")
    assert received.count() == 2
    assert received.nth(1).bounding_box()["width"] > 100  # this year's three, to scale
    ita = page.get_by_test_id("chart-ita-complaint").locator("rect.bar-on-time")
    assert ita.count() >= 1 and ita.last.bounding_box()["width"] > 50
    divisions = page.get_by_test_id("chart-divisions").locator("rect.bar-on-time")
    assert divisions.count() == 1 and divisions.bounding_box()["width"] > 50
    assert all(url.startswith(live_server) for url in requests), requests  # works offline

    # English is one click away, and the figures stay the same.
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/stats")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Complaint statistics, fiscal year {year}"
    )
    assert "66.7% (2/3)" in page.get_by_test_id("indicators").inner_text()
    assert page.get_by_test_id("chart-ita-complaint").locator("rect.bar-on-time").count() >= 1
    assert page.get_by_text("Period: 1 October").count() == 1  # Common Era dates

    # Another fiscal year, from the chooser.
    page.get_by_label("Fiscal year").select_option(str(year - 1))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/stats?fiscal_year={year - 1}")
    assert f"fiscal year {year - 1}" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_test_id("chart-ita-complaint").is_visible()
    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    assert download.value.suggested_filename == f"stats-{year - 1}.csv"
    assert all(url.startswith(live_server) for url in requests)
