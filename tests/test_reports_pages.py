"""/reports/: a manager sees their division, an administrator all, others 404."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.extensions import db
from tests.conftest import login
from tests.factories import category


def resolve(app, code):
    with app.app_context():
        db.session.execute(
            sa.update(Case)
            .where(Case.tracking_code == code)
            .values(status="resolved", resolved_at=Case.received_at)
        )
        db.session.commit()


def test_managers_see_their_division_and_admins_everything(app, client, staff, file_a_case):
    manager = staff("manager", "SERVICE")
    admin = staff("admin", "CENTRAL")
    officer = staff("officer", "SERVICE")
    service = file_a_case()[0]
    it = file_a_case(category=category("website"))[0]
    file_a_case(kind="corruption")
    resolve(app, service)
    resolve(app, it)

    login(client, officer)
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/cases.csv").status_code == 404

    mine = app.test_client()
    login(mine, manager)
    page = mine.get("/reports/").get_data(as_text=True)
    assert re.search(r'data-testid="on-time">100% \(1/1\)', page)
    export = mine.get("/reports/cases.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["tracking_code"] for r in rows] == [service]
    assert "somchai" not in export.get_data(as_text=True)

    everyone = app.test_client()
    login(everyone, admin)
    page = everyone.get("/reports/").get_data(as_text=True)
    assert re.search(r'data-testid="on-time">100% \(2/2\)', page)
    assert 'data-testid="monthly"' in page
    rows = list(
        csv.DictReader(io.StringIO(everyone.get("/reports/cases.csv").get_data(as_text=True)))
    )
    assert len(rows) == 3  # the corruption report is counted too, without its reporter
    assert everyone.get("/reports/?fiscal_year=99999").status_code == 404
