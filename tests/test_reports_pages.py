"""/reports/: a manager sees their division, an administrator all, others 404;
the figures link to their cases; the monthly report and the ITA publication
download as PDF, XLSX and CSV holding the page's figures."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from suggestion.cases.models import Case
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from tests.factories import category
from tests.helpers import login


def text_of(page: str) -> str:
    """What a reader sees: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def cell(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(td|dd|p)>', page, re.S)
    assert match, f"no {testid} on the page"
    return re.sub(r"\s+", "", text_of(match.group(1)))


def pdf_text_of(data: bytes) -> str:
    """The PDF's text as one line (pypdf marks Thai SARA AM with a vertical tab)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages).replace("\x0b", ""))


def resolve(app, code, *, days=0, late=False):
    """Give the case an outcome ``days`` ago, on time or after its deadline."""
    with app.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.tracking_code == code)).one()
        when = utcnow() - timedelta(days=days)
        case.received_at = min(case.received_at, when - timedelta(hours=1))
        case.due_at = when - timedelta(hours=1) if late else when + timedelta(days=3)
        case.status, case.resolved_at, case.outcome_working_days = "resolved", when, 4
        db.session.commit()


@pytest.fixture
def three_cases(app, staff, file_a_case):
    """A SERVICE complaint (on time), a website complaint (late), a corruption report."""
    service = file_a_case()[0]
    website = file_a_case(category=category("website"))[0]
    corrupt = file_a_case(kind="corruption")[0]
    resolve(app, service)
    resolve(app, website, late=True)
    return service, website, corrupt


def test_managers_see_their_division_and_admins_everything(app, client, staff, three_cases):
    service, website, corrupt = three_cases
    manager = staff("manager", "SERVICE")
    admin = staff("admin", "CENTRAL")

    login(client, staff("officer", "SERVICE"))
    for path in ("/reports/", "/reports/monthly", "/reports/monthly.pdf", "/reports/ita.csv"):
        assert client.get(path).status_code == 404, path

    mine = app.test_client()
    login(mine, manager)
    page = mine.get("/reports/").get_data(as_text=True)
    assert cell(page, "on-time") == "100%(1/1)"
    assert "chart-months" in page and "chart-divisions" in page
    # The figure links to the cases behind it, on the staff desk.
    link = html.unescape(re.search(r'data-testid="on-time">.*?href="([^"]+)"', page, re.S)[1])
    listed = mine.get(link).get_data(as_text=True)
    assert service in listed and website not in listed and corrupt not in listed

    everyone = app.test_client()
    login(everyone, admin)
    page = everyone.get("/reports/").get_data(as_text=True)
    assert cell(page, "on-time") == "50%(1/2)"
    assert 'data-testid="corruption"' in page
    assert 'data-testid="corruption-note"' in page  # the lists leave corruption reports out
    for bad in ("99999", "2026", "abc", "%C2%B2%C2%B2"):
        response = everyone.get(f"/reports/?fiscal_year={bad}")
        assert response.status_code == 400
        assert "ปีงบประมาณเป็นพุทธศักราช" in response.get_data(as_text=True)
    assert everyone.get("/reports/monthly.csv?month=abc").status_code == 400


def test_any_period_can_be_chosen_and_a_bad_one_is_explained(app, client, staff, three_cases):
    login(client, staff("admin", "CENTRAL"))
    today = utcnow().date()
    month = today.strftime("%Y-%m")
    for query in (
        f"period={month}",
        "period=half",
        f"period=range&from={today - timedelta(days=7)}&to={today}",
    ):
        page = client.get(f"/reports/?{query}").get_data(as_text=True)
        assert cell(page, "on-time") == "50%(1/2)", query
    far = client.get("/reports/?period=range&from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    assert cell(far, "on-time") == "—(0/0)"
    for query, message in (
        ("period=range&from=2026-02-30&to=x", "กรุณาระบุวันที่เริ่มต้น"),
        ("period=range&from=2026-03-01&to=2026-02-01", "อยู่หลังวันที่สิ้นสุด"),
        ("period=2026-13", "ไม่รู้จักช่วงเวลา"),
        ("period=range&from=9999-12-01&to=9999-12-31", "ระหว่างปี ค.ศ. 1900 ถึง 2200"),
        ("period=%00%ff", "ไม่รู้จักช่วงเวลา"),
    ):
        response = client.get(f"/reports/?{query}")
        assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_the_cli_json_matches_the_page(app, client, staff, three_cases):
    login(client, staff("admin", "CENTRAL"))
    year = int(client.get("/reports/").get_data(as_text=True).split("fiscal_year=")[1][:4])
    page = client.get(f"/reports/?fiscal_year={year}").get_data(as_text=True)
    result = app.test_cli_runner().invoke(
        args=["reports", "indicators", "--fiscal-year", str(year), "--format", "json"]
    )
    data = json.loads(result.output)
    r = data["resolved_within_deadline"]
    assert cell(page, "on-time") == f"{r['percent']:g}%({r['on_time']}/{r['resolved']})"
    s = data["resolved_within_deadline_strict"]
    assert cell(page, "strict") == f"{s['percent']:g}%({s['on_time']}/{s['total']})"
    received = data["received"]
    assert cell(page, "received").startswith(f"{received['previous']}→{received['count']}")


def test_the_monthly_report_downloads_hold_the_page_figures(app, client, staff, three_cases):
    login(client, staff("admin", "CENTRAL"))
    month = utcnow().strftime("%Y-%m")
    page = client.get(f"/reports/monthly?month={month}").get_data(as_text=True)
    assert cell(page, "month-on-time") == "50%(1/2)"
    # The corruption report is open at the month's end, not yet overdue.
    assert (cell(page, "month-open"), cell(page, "month-overdue")) == ("1", "0")
    division_rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>",
        page.split('data-testid="month-by-division"')[1].split("</table>")[0],
        re.S,
    )
    figures = {text_of(name).strip(): text_of(rest).split() for name, rest in division_rows}
    assert figures, page

    pdf = client.get(f"/reports/monthly.pdf?month={month}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_text = pdf_text_of(pdf.data)
    assert "รายงานผลการดำเนินงาน" in pdf_text  # Thai, readable back out of the PDF
    for name, values in figures.items():
        received, resolved, pct, fraction, still_open, overdue, median = values
        on_time = fraction.strip("()").split("/")[0]
        expected = " ".join([received, resolved, on_time, pct, still_open, overdue, median])
        assert f"{name} {expected}" in pdf_text, (name, expected)
    assert "รวม 3 2 1 50% 1 0" in pdf_text

    xlsx = client.get(f"/reports/monthly.xlsx?month={month}")
    book = load_workbook(io.BytesIO(xlsx.data))
    # Sheet names fit Excel's 31 characters whole, not cut mid-word.
    assert book.sheetnames == ["ตามกอง", "ตามหมวดหมู่", "เรื่องที่เกินกำหนด"]
    sheet_rows = [
        [c for c in row if c is not None]
        for row in book[book.sheetnames[0]].iter_rows(values_only=True)
    ]
    for name, values in figures.items():
        row = next(r for r in sheet_rows if r and r[0] == name)
        assert [str(v) for v in row[1:3]] == values[:2], (row, values)
    total = next(r for r in sheet_rows if r and r[0] == "รวม")
    assert total[1:7] == [3, 2, 1, 0.5, 1, 0]  # the percentage is a number
    percent = next(row for row in book[book.sheetnames[0]].iter_rows() if row[0].value == "รวม")[4]
    assert percent.number_format == "0.0%"

    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/reports/monthly.csv?month={month}").data.decode("utf-8-sig"))
        )
    )
    assert next(r for r in rows if r and r[0] == "รวม")[:7] == [
        "รวม",
        "3",
        "2",
        "1",
        "50%",
        "1",
        "0",
    ]
    header = next(r for r in rows if r and r[0] == "กอง")
    assert header[4:6] == [
        "ร้อยละที่แล้วเสร็จภายในกำหนด (ของเรื่องที่แล้วเสร็จทั้งหมด)",  # a percentage of what
        "ยังไม่แล้วเสร็จ ณ สิ้นงวด",
    ]
    bad = client.get("/reports/monthly?month=2026-99")
    assert bad.status_code == 400 and "กรุณาระบุเดือน" in bad.get_data(as_text=True)
    assert client.get("/reports/monthly.doc").status_code == 404


def test_the_ita_publication_has_no_personal_data(app, client, staff, three_cases):
    login(client, staff("admin", "CENTRAL"))
    page = client.get("/reports/ita").get_data(as_text=True)
    assert "ita-2" in page  # corruption reports in a table of their own
    pdf = client.get("/reports/ita.pdf")
    text = pdf_text_of(pdf.data)
    body = client.get("/reports/ita.csv").data.decode("utf-8-sig")
    for content in (page, text, body):
        assert "สมชาย" not in content and "somchai" not in content
    complaints, corruption = body.split("ประพฤติมิชอบ")
    assert "50% (1/2)" in complaints and "50% (1/2)" in text
    assert "— (0/0)" in corruption
    open_data = client.get("/api/v1/stats").json["ita"]
    assert open_data["complaint"]["year"]["resolved_within_deadline"]["resolved"] == 2
    assert open_data["corruption"]["half"]["received"] >= 0


def test_the_queue_export_streams_and_keeps_personal_data_back(app, client, staff, three_cases):
    service, website, corrupt = three_cases
    login(client, staff("manager", "SERVICE"))
    # A streamed response keeps its request context until it is closed, as a
    # WSGI server closes it: each download here is closed when read.
    with client.get("/staff/cases.csv?status=all") as export:
        assert export.is_streamed
        data = export.get_data()
    # A byte-order mark, as the monthly CSV has: without it Excel reads Thai as Latin-1.
    assert data.startswith(b"\xef\xbb\xbf")
    body = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["tracking_code"] for r in rows] == [service]
    assert rows[0]["on_time"] == "yes" and "somchai" not in body and "filer_email" not in body
    with client.get("/staff/cases.csv?status=all&personal=1") as response:
        personal = response.get_data(as_text=True)
    assert "somchai@example.com" in personal
    with client.get("/staff/cases.csv?status=all&on_time=no") as response:
        filtered = response.get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 0
    refused = client.get("/staff/cases.csv?status=all&resolved_from=abc&on_time=maybe")
    assert refused.status_code == 400 and "กรุณาแก้ไขตัวกรอง" in refused.get_data(as_text=True)
    with client.get("/staff/cases.csv?status=all&division=99999999999999999999999") as huge:
        assert huge.status_code == 200  # an id beyond any id is no filter, as on the page

    integrity = app.test_client()
    login(integrity, staff("integrity", "INTEGRITY"))
    rows = list(
        csv.DictReader(
            io.StringIO(
                integrity.get("/staff/cases.csv?status=all&kind=corruption").data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [r["tracking_code"] for r in rows] == [corrupt]


def test_an_export_of_personal_data_is_on_the_audit_trail(app, client, staff, three_cases):
    """Who took the filers' contact details, when, with which filter and how
    many rows (a plain export is not recorded: it holds no personal data)."""
    from suggestion.core.audit import AdminEvent

    login(client, staff("manager", "SERVICE"))
    with client.get("/staff/cases.csv?status=all") as response:
        response.get_data()
    with client.get("/staff/cases.csv?status=all&personal=1") as response:
        body = response.get_data(as_text=True)
    assert "somchai@example.com" in body
    [record] = db.session.scalars(
        sa.select(AdminEvent).where(AdminEvent.action == "personal_data_exported")
    ).all()
    assert record.actor_label == "manager.service@example.go.th" and record.at is not None
    assert record.diff == {"filter": [None, "personal=1&status=all"], "rows": [None, 1]}
    admin = app.test_client()
    login(admin, staff("admin", "IT"))
    trail = admin.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "Personal data exported" in trail and "personal=1&amp;status=all" in trail


def test_a_formula_in_a_filers_name_stays_text_in_the_export(app, client, staff, file_a_case):
    file_a_case(name='=HYPERLINK("http://evil.example","คลิก")', address="@SUM(A1)")
    login(client, staff("officer", "SERVICE"))
    with client.get("/staff/cases.csv?status=all&personal=1") as response:
        body = response.get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["filer_name"] == '\'=HYPERLINK("http://evil.example","คลิก")'
    assert row["filer_address"] == "'@SUM(A1)"


def test_a_long_title_becomes_a_sheet_name_of_whole_words():
    from suggestion.reports.documents import _sheet_title

    taken: set[str] = set()
    title = "Cases overdue and without an outcome at the end of the month"
    assert _sheet_title(title, taken) == "Cases overdue and without an"
    assert _sheet_title(title, taken) == "Cases overdue and without (2)"
