"""A manager reads the dashboard in a real browser: the charts are drawn
(inline SVG, nothing fetched from the internet), and a bar leads to its cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from tests.factories import make_case
from tests.factories import make_user
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]


def test_a_manager_sees_the_charts_drawn_and_follows_a_bar(app, live_server, browser_page):
    with app.test_request_context():
        make_user("manager", "SERVICE", "chart.manager@example.go.th")
        codes = []
        for days in (1, 2, 3):
            case = make_case(received_at=utcnow() - timedelta(days=days, hours=2)).case
            case.status, case.resolved_at = "resolved", utcnow() - timedelta(days=days)
            case.outcome_working_days = 1
            codes.append(case.tracking_code)
        db.session.commit()

    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/staff/login")
    page.get_by_label("อีเมล").fill("chart.manager@example.go.th")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.goto(live_server + "/reports/")

    months = page.get_by_test_id("chart-months")
    bars = months.locator("rect.bar-received")
    assert bars.count() == 12
    heights = [bars.nth(i).bounding_box()["height"] for i in range(12)]
    assert max(heights) > 50  # this month's bar is drawn, to scale
    assert sorted(heights)[-2] == 0  # the other months have none
    division = page.get_by_test_id("chart-divisions").locator("rect.bar-on-time")
    assert division.count() == 1 and division.bounding_box()["width"] > 100  # 100%
    assert all(url.startswith(live_server) for url in requests)  # works offline

    # The tallest bar opens the staff queue with exactly those cases.
    tallest = heights.index(max(heights))
    bars.nth(tallest).click()
    page.wait_for_url("**/staff/**")
    for code in codes:
        assert page.get_by_role("link", name=code).count() == 1

    page.emulate_media(media="print")
    page.goto(live_server + "/reports/")
    assert page.get_by_test_id("chart-months").is_visible()
    assert not page.locator("form.filters").is_visible()
