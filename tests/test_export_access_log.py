"""The queue's CSV with contact details (issue 16, review item 2): each case
whose filer's details the file holds is in the access log, recorded before
the file leaves; a corruption reporter's details are never in it (their
identity is shown only on the case page, with a reason each time)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.cases.personal_data import PersonalDataView
from suggestion.core.extensions import db
from tests.helpers import login


def _export(client, query: str) -> list[dict[str, str]]:
    with client.get(f"/staff/cases.csv?status=all&personal=1{query}") as response:
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _views() -> list[tuple[str, str, str]]:
    return sorted(
        db.session.execute(
            sa.select(PersonalDataView.actor_label, Case.tracking_code, PersonalDataView.data).join(
                Case, Case.id == PersonalDataView.case_id
            )
        ).all()
    )


def test_every_case_whose_details_are_exported_is_in_the_access_log(
    app, client, staff, file_a_case
):
    first = file_a_case(email="first@example.com")[0]
    second = file_a_case(email="second@example.com")[0]
    file_a_case(is_anonymous=True)
    manager = staff("manager", "SERVICE")
    login(client, manager)
    rows = _export(client, "")
    assert {r["filer_email"] for r in rows} == {"first@example.com", "second@example.com", ""}
    assert _views() == sorted(
        (manager, code, "contact_details") for code in (first, second)
    )  # the anonymous filing's empty row is no view


def test_a_corruption_reporters_details_stay_out_of_the_export(app, client, staff, file_a_case):
    corrupt = file_a_case(kind="corruption", email="whistle@example.com", phone="0811111111")[0]
    login(client, staff("integrity", "INTEGRITY"))
    [row] = _export(client, "&kind=corruption")
    assert row["tracking_code"] == corrupt
    assert (row["filer_name"], row["filer_email"], row["filer_phone"]) == ("", "", "")
    assert _views() == []
