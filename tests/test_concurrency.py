"""Tracking codes stay unique when many filings arrive at once."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from suggestion.cases.models import Case
from suggestion.core.extensions import db
from tests.factories import make_case

FILINGS = 50


def test_fifty_simultaneous_filings_get_fifty_distinct_consecutive_codes(app, live_db):
    start = threading.Barrier(FILINGS)
    codes: list[str] = []
    errors: list[BaseException] = []

    def file_one(n: int) -> None:
        try:
            with app.test_request_context():
                start.wait(timeout=30)
                receipt = make_case(subject=f"เรื่องที่ {n}")
                db.session.commit()
                codes.append(receipt.case.tracking_code)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=file_one, args=(n,)) for n in range(FILINGS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(set(codes)) == FILINGS
    with app.app_context():
        sequences = sorted(db.session.scalars(sa.select(Case.sequence)))
    assert sequences == list(range(1, FILINGS + 1))
