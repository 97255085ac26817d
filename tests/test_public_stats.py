"""/stats: the indicators the agency publishes, for everyone, with no log-in.
The page and its CSV hold the figures of /api/v1/stats, from the same kept
computation under the same throttle, in Thai (B.E.) and in English."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime
from datetime import timedelta
from datetime import UTC

import pytest

from tests.factories import make_case
from tests.helpers import recorded_statements

DAY = timedelta(days=1)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def table(page: str, testid: str) -> dict[str, list[str]]:
    """A table of the page: each row's heading → its cells, as a reader sees them."""
    match = re.search(rf'<table data-testid="{testid}">(.*?)</table>', page, re.S)
    assert match, f"no table {testid} on the page"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S):
        cells = [text_of(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def year_2563(app, db_session):
    """FY 2563 (1 Oct 2019 – 30 Sep 2020): three complaints, two resolved on
    time in October–March (rated 5 and 2) and one late in May; a corruption
    report resolved on time; a suggestion (not counted). FY 2562: one complaint."""

    def case(kind="complaint", *, received, resolved=None, late=False, rating=None):
        made = make_case(kind=kind, received_at=received).case
        if resolved is not None:
            made.status, made.resolved_at = "resolved", resolved
            made.due_at = resolved - DAY if late else resolved + DAY
            made.satisfaction, made.outcome_working_days = rating, 3

    with app.test_request_context():
        case(received=at(2019, 3, 4))
        case(received=at(2019, 11, 4), resolved=at(2019, 11, 8), rating=5)
        case(received=at(2019, 12, 2), resolved=at(2019, 12, 5), rating=2)
        case(received=at(2020, 2, 3), resolved=at(2020, 5, 6), late=True)
        case("corruption", received=at(2020, 1, 6), resolved=at(2020, 1, 9))
        case("suggestion", received=at(2020, 1, 7), resolved=at(2020, 1, 8), late=True)
        db_session.commit()


def test_the_page_shows_the_open_data_s_figures_as_the_annual_report_prints_them(client, year_2563):
    open_data = client.get("/api/v1/stats?fiscal_year=2563").json
    assert open_data["resolved_within_deadline"] == {"on_time": 3, "resolved": 4, "percent": 75.0}

    response = client.get("/stats?fiscal_year=2563")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    indicators = table(page, "indicators")
    assert indicators["ร้อยละของเรื่องที่ดำเนินการแล้วเสร็จ ภายในระยะเวลาที่กำหนด"] == ["75% (3/4)"]
    assert indicators["จำนวนเรื่องที่รับ เทียบกับปีก่อน"] == ["1 → 4 (+3, +300%)"]
    assert indicators["ร้อยละของผู้รับบริการที่พึงพอใจ"] == ["50% (1/2)"]
    assert open_data["received"] == {
        "count": 4,
        "previous": 1,
        "change": 3,
        "change_percent": 300.0,
    }
    assert open_data["satisfaction"] == {"satisfied": 1, "ratings": 2, "percent": 50.0}

    # The ITA's rounds, each kind apart: October–March and the whole year.
    complaints = table(page, "ita-complaint")
    ratio = complaints["ร้อยละของเรื่องที่ดำเนินการแล้วเสร็จ ภายในระยะเวลาที่กำหนด"]
    assert ratio == ["100% (2/2)", "66.7% (2/3)"]
    assert complaints["ตัวชี้วัด"] == ["ตุลาคม – มีนาคม", "ปีงบประมาณ 2563"]
    ita = open_data["ita"]["complaint"]
    assert ita["half"]["resolved_within_deadline"] == {
        "on_time": 2,
        "resolved": 2,
        "percent": 100.0,
    }
    assert ita["year"]["resolved_within_deadline"]["percent"] == 66.7
    corruption = table(page, "ita-corruption")
    assert corruption["รับเรื่องแล้ว"] == ["1", "1"]

    # Thai: Buddhist Era dates; the charts drawn on the server, to scale.
    text = text_of(page)
    assert "ช่วงเวลา: 1 ตุลาคม 2562 – 30 กันยายน 2563" in text
    assert 'data-testid="chart-received"' in page and 'data-testid="chart-ita-complaint"' in page
    bar = re.search(
        r'data-testid="chart-ita-complaint".*?class="bar-on-time"[^>]*width="([\d.]+)"', page, re.S
    )
    assert bar and float(bar[1]) == 420.0  # 100% of the track
    assert "<script" not in page and "style=" not in page
    assert "สมชาย" not in page and "somchai" not in page  # figures only

    english = client.get("/stats?fiscal_year=2563&lang=en").get_data(as_text=True)
    rows = table(english, "indicators")
    assert rows["Resolved within the deadline"] == ["75% (3/4)"]
    assert rows["Received, against last year"] == ["1 → 4 (+3, +300%)"]
    assert table(english, "ita-complaint")["Indicator"] == ["October – March", "Fiscal year 2563"]
    assert "Period: 1 October 2019 – 30 September 2020" in text_of(english)


def test_the_csv_holds_the_page_s_tables_for_excel(client, year_2563):
    response = client.get("/stats.csv?fiscal_year=2563")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert "stats-2563.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # so Excel reads the Thai
    rows = csv_rows(response.data)
    assert rows[0] == ["สถิติเรื่องร้องเรียน ปีงบประมาณ 2563"]
    assert ["ร้อยละของเรื่องที่ดำเนินการแล้วเสร็จ ภายในระยะเวลาที่กำหนด", "75% (3/4)"] in rows
    assert ["จำนวนเรื่องที่รับ เทียบกับปีก่อน", "1 → 4 (+3, +300%)"] in rows
    assert [
        "ร้อยละของเรื่องที่ดำเนินการแล้วเสร็จ ภายในระยะเวลาที่กำหนด",
        "100% (2/2)",
        "66.7% (2/3)",
    ] in rows
    body = response.data.decode("utf-8-sig")
    assert "สมชาย" not in body and "somchai" not in body and "0812345678" not in body

    # Every table of the page is in the file, cell for cell.
    page = client.get("/stats?fiscal_year=2563").get_data(as_text=True)
    for testid in ("indicators", "ita-complaint", "ita-corruption", "breakdown-1"):
        for heading, cells in table(page, testid).items():
            assert [heading, *cells] in rows, (testid, heading)

    english = csv_rows(client.get("/stats.csv?fiscal_year=2563&lang=en").data)
    assert ["Resolved within the deadline", "75% (3/4)"] in english


def test_a_division_named_like_a_formula_stays_text_in_the_csv(app, client, db_session):
    from suggestion.auth.models import Division

    with app.test_request_context():
        division = Division(code="EVIL", name_th="=HYPERLINK(1)", name_en="=HYPERLINK(1)")
        db_session.add(division)
        db_session.flush()
        made = make_case(received_at=at(2020, 1, 6)).case
        made.division_id = division.id
        db_session.commit()
    rows = csv_rows(client.get("/stats.csv?fiscal_year=2563").data)
    assert any(row and row[0] == "'=HYPERLINK(1)" for row in rows)
    assert not any(row and row[0].startswith("=") for row in rows)


def test_the_page_the_csv_and_the_api_share_one_computation(app, client, year_2563):
    client.get("/api/v1/stats?fiscal_year=2563")
    with recorded_statements(app) as statements:
        assert client.get("/stats?fiscal_year=2563").status_code == 200
        assert client.get("/stats.csv?fiscal_year=2563").status_code == 200
    # Only the divisions' and categories' names are read: the figures are kept.
    assert not [s for s in statements if "cases" in s]


def test_the_page_and_the_api_share_one_throttle(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_LIMIT", "3 per minute")
    address = {"REMOTE_ADDR": "203.0.113.77"}
    assert client.get("/stats", environ_base=address).status_code == 200
    assert client.get("/stats.csv", environ_base=address).status_code == 200
    assert client.get("/api/v1/stats", environ_base=address).status_code == 200
    refused = client.get("/stats", environ_base=address)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "กรุณาลองใหม่" in refused.get_data(as_text=True)
    assert client.get("/api/v1/stats", environ_base=address).status_code == 429


def test_a_running_year_says_until_when(client, file_a_case):
    from suggestion.core.time import fiscal_year_of
    from suggestion.core.time import utcnow

    file_a_case()
    year = fiscal_year_of(utcnow().date())
    page = client.get("/stats").get_data(as_text=True)  # this fiscal year by default
    assert f"ปีงบประมาณ {year}" in text_of(page)
    assert "ปีงบประมาณนี้ยังไม่สิ้นสุด" in text_of(page)
    assert table(page, "indicators")["จำนวนเรื่องที่รับถึงปัจจุบัน เทียบกับช่วงเดียวกันของปีก่อน"]
    assert f'<option value="{year}" selected>' in page
    assert client.get("/api/v1/stats").json["received"]["count"] >= 1


@pytest.mark.parametrize(
    "year",
    ["2026", "20x", "%C2%B2", "2499", "2701", "99999999999999999999", "-2563", "%202563", "%00"],
)
def test_a_fiscal_year_that_is_not_one_is_answered_plainly(client, year):
    page = client.get(f"/stats?fiscal_year={year}")
    assert page.status_code == 400
    text = text_of(page.get_data(as_text=True))
    assert "กรุณาระบุปีงบประมาณเป็นพุทธศักราช เช่น 2569" in text
    assert 'href="/stats?fiscal_year=' in page.get_data(as_text=True)
    english = client.get(f"/stats?fiscal_year={year}&lang=en").get_data(as_text=True)
    assert "Give a fiscal year in the Buddhist Era, such as 2569." in english
    download = client.get(f"/stats.csv?fiscal_year={year}")
    assert download.status_code == 400 and download.mimetype == "text/plain"
    assert client.get("/stats.xlsx").status_code == 404


def test_the_home_page_and_every_public_page_link_to_it(client):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/stats" data-testid="stats-link">', home)
    assert '<a href="/stats">สถิติ</a>' in client.get("/process").get_data(as_text=True)
    page = client.get("/stats")
    assert page.status_code == 200 and "no-store" not in page.headers.get("Cache-Control", "")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
