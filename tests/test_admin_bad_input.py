"""Bad input on the administrators' privacy pages gets a clear answer and
writes nothing, never a 500 (issue 16, review item 3): a breach moment of
year 1 (or before 2000), a tracking code that cannot be one in a legal hold's
address, a NUL in a legal hold's reason."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from suggestion.cases.retention import LegalHold
from suggestion.core.extensions import db
from suggestion.core.time import utcnow
from suggestion.sla.breaches import Breach
from tests.helpers import csrf_token
from tests.helpers import login
from tests.test_breaches import post_breach
from tests.test_breaches import typed

MESSAGE = "กรุณาระบุวันเวลาตั้งแต่ 1 มกราคม พ.ศ. 2543 เป็นต้นไป"
FUTURE = "เวลาที่พบเหตุต้องไม่อยู่ในอนาคต"


def test_a_breach_moment_of_year_1_or_before_2000_is_refused(app, client, staff):
    login(client, staff("admin", "CENTRAL"))
    later = typed(utcnow() + timedelta(days=2))
    for moment, message in (
        ("1/1/0001 00:00", MESSAGE),
        ("31/12/2542 23:59", MESSAGE),
        (later, FUTURE),
    ):
        refused = post_breach(client, discovered_at=moment)
        assert refused.status_code == 422, moment
        assert message in refused.get_data(as_text=True), moment
    assert db.session.scalars(sa.select(Breach)).all() == []

    recorded = post_breach(client, discovered_at=typed(utcnow() - timedelta(hours=2)))
    assert recorded.status_code == 303
    breach = db.session.scalars(sa.select(Breach)).one()
    token = csrf_token(client, "/admin/breaches")
    refused = client.post(
        f"/admin/breaches/{breach.id}/pdpc",
        data={"pdpc-csrf_token": token, "pdpc-notified_at": "1/1/0001 00:00"},
    )
    assert refused.status_code == 422
    assert MESSAGE in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Breach, breach.id).pdpc_notified_at is None
    assert client.get(f"/admin/breaches/{breach.id}").status_code == 200


def test_a_legal_hold_on_no_such_code_is_404_and_its_reason_loses_control_characters(
    client, staff, file_a_case
):
    code, _key, _token = file_a_case()
    login(client, staff("admin", "CENTRAL"))
    token = csrf_token(client, "/admin/retention")
    for path in ("/admin/cases/%00/legal-hold", "/admin/cases/%00/legal-hold/lift"):
        response = client.post(path, data={"reason": "x", "csrf_token": token})
        assert response.status_code == 404, path
    placed = client.post(
        f"/admin/cases/{code}/legal-hold",
        data={"reason": "คดีปกครอง\x00 หมายเลขดำ 1/2569", "csrf_token": token},
    )
    assert placed.status_code == 303
    [hold] = db.session.scalars(sa.select(LegalHold)).all()
    assert hold.reason == "คดีปกครอง หมายเลขดำ 1/2569"
