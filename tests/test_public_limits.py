"""Public writes and the open data are throttled (issue 13, item 2): filings
per client address, receipts per e-mail address and day, and the statistics,
which are also cached until a case changes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestion.cases import actions
from suggestion.cases.access import StaffAccess
from suggestion.cases.models import Case
from suggestion.cases.models import Complainant
from suggestion.core.extensions import db
from suggestion.notify.models import Notification
from tests.factories import make_user
from tests.helpers import count_rows
from tests.helpers import recorded_statements
from tests.test_api import GOOD
from tests.test_filing import form_data
from tests.test_filing import written

ATTACKER = "203.0.113.7"
OTHER = "198.51.100.20"


def api_filing(client, address=ATTACKER, email="victim@example.org", **headers):
    body = {**GOOD, "complainant": {**GOOD["complainant"], "email": email}}
    return client.post(
        "/api/v1/cases", json=body, environ_base={"REMOTE_ADDR": address}, headers=headers
    )


def web_filing(client, address=ATTACKER, **overrides):
    return client.post(
        "/file/complaint",
        data=form_data(client, **overrides),
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def filings_per_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "FILING_LIMIT", "3 per minute;10 per hour")


# Filings per client address.


@pytest.mark.usefixtures("filings_per_minute")
def test_a_filing_past_the_limit_is_refused_with_a_message_and_writes_nothing(client):
    assert [api_filing(client).status_code for _ in range(3)] == [201] * 3
    before = written()

    refused = api_filing(client, **{"Accept-Language": "en"})

    assert refused.status_code == 429
    assert refused.json == {
        "errors": {
            "_request": [
                "You have sent too many filings from your connection in a short time. "
                "This one was not recorded. Please send it again in 1 minute."
            ]
        }
    }
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert written() == before
    thai = api_filing(client)
    assert thai.status_code == 429
    assert "เรื่องนี้ยังไม่ได้รับการบันทึก" in thai.json["errors"]["_request"][0]
    # Another client is not affected.
    assert api_filing(client, address=OTHER).status_code == 201


@pytest.mark.usefixtures("filings_per_minute")
def test_the_web_form_and_the_api_share_one_budget_and_the_form_keeps_what_was_typed(client):
    assert api_filing(client).status_code == 201
    assert api_filing(client).status_code == 201
    assert web_filing(client).status_code == 303
    before = written()

    refused = web_filing(client, subject="เรื่องที่สี่ของวันนี้")

    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "ท่านส่งเรื่องจากการเชื่อมต่อของท่านมากเกินไปในเวลาอันสั้น" in page
    assert "เรื่องที่สี่ของวันนี้" in page  # what was typed is still in the form
    assert refused.headers["Retry-After"]
    assert written() == before
    assert web_filing(client, address=OTHER).status_code == 303


def test_a_form_sent_back_with_mistakes_does_not_use_the_budget(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FILING_LIMIT", "1 per minute")
    assert web_filing(client, subject="").status_code == 422
    assert api_filing(client, email="not-an-address").status_code == 422
    assert web_filing(client).status_code == 303
    assert web_filing(client).status_code == 429


def test_an_ipv6_client_counts_by_its_64_network(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FILING_LIMIT", "1 per minute")
    assert api_filing(client, address="2001:db8:1:2::10").status_code == 201
    assert api_filing(client, address="2001:db8:1:2:ffff::99").status_code == 429
    assert api_filing(client, address="2001:db8:1:3::10").status_code == 201


# Receipts per e-mail address and day.


def receipts_to(address: str) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.template == "receipt", Notification.to_address == address
            )
        )
    )


def test_filings_past_the_daily_cap_are_recorded_but_not_mailed(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 2)
    first = [api_filing(client, address=f"192.0.2.{i}") for i in (1, 2)]
    assert [r.json["receipt_email"] for r in first] == ["queued", "queued"]
    outbox = count_rows("notifications")

    # The same mailbox, however it is spelled, from yet another address.
    past = api_filing(client, address="192.0.2.3", email="Victim+flood@Example.ORG")

    assert past.status_code == 201
    assert past.json["receipt_email"] == "withheld"
    case = db.session.scalars(
        sa.select(Case).where(Case.tracking_code == past.json["tracking_code"])
    ).one()
    assert case.complainant.email == "Victim+flood@Example.ORG"
    assert case.complainant.is_email_withheld
    assert count_rows("notifications") == outbox  # no outbox row, so no e-mail
    # Through the web form: recorded, and the receipt page says why no e-mail came.
    response = web_filing(client, address="192.0.2.4", email="victim@example.org")
    assert response.status_code == 303
    receipt = client.get("/file/receipt", environ_base={"REMOTE_ADDR": "192.0.2.4"})
    page = receipt.get_data(as_text=True)
    assert 'data-testid="email-withheld"' in page
    assert "ระบบไม่ได้ส่งอีเมลยืนยันการรับเรื่องถึงท่าน" in page
    assert count_rows("notifications") == outbox
    assert count_rows("cases") == 4
    # Another address is mailed as usual.
    assert (
        api_filing(client, address="192.0.2.5", email="anan@example.com").json["receipt_email"]
        == "queued"
    )


def test_filings_at_once_to_one_address_cannot_all_pass_the_cap(app, live_db, monkeypatch):
    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 3)
    filings = 12
    start = threading.Barrier(filings)
    answers: list[str] = []
    errors: list[BaseException] = []

    def file_one(n: int) -> None:
        try:
            client = app.test_client()
            start.wait(timeout=30)
            response = api_filing(client, address=f"192.0.2.{n + 1}")
            answers.append(response.json["receipt_email"])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=file_one, args=(n,)) for n in range(filings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sorted(answers) == ["queued"] * 3 + ["withheld"] * 9
    with app.app_context():
        assert len(receipts_to("victim@example.org")) == 3
        assert count_rows("cases") == filings


def test_the_cap_counts_the_agency_day_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 1)
    assert api_filing(client).json["receipt_email"] == "queued"
    assert api_filing(client, address=OTHER).json["receipt_email"] == "withheld"
    from suggestion.notify.caps import recipient_digest

    digest = recipient_digest("victim@example.org")
    db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_digest == digest)
        .values(created_at=sa.func.now() - sa.literal(timedelta(days=1), sa.Interval))
    )
    db.session.commit()
    assert api_filing(client, address="192.0.2.9").json["receipt_email"] == "queued"
    assert len(receipts_to("victim@example.org")) == 2


def test_nothing_about_a_withheld_case_is_mailed_later(app, ctx, monkeypatch):
    from tests.factories import make_case

    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 1)
    mailed = make_case(email="victim@example.org")
    withheld = make_case(email="victim@example.org")
    assert (mailed.email, withheld.email) == ("queued", "withheld")
    officer = StaffAccess(make_user("officer", "SERVICE"))
    for receipt in (mailed, withheld):
        actions.reply(officer, receipt.case, message="ได้รับเรื่องแล้ว กำลังตรวจสอบ")
    replies = db.session.scalars(
        sa.select(Notification.case_id).where(Notification.template == "reply")
    ).all()
    assert replies == [mailed.case.id]


def test_the_staff_case_page_says_the_filer_is_not_mailed(app, client, staff, monkeypatch):
    from tests.helpers import login

    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 0)
    code = api_filing(client).json["tracking_code"]
    login(client, staff("officer", "IT"))
    page = client.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'data-testid="email-withheld"' in page


def test_staff_intake_is_not_capped(app, ctx, monkeypatch):
    from suggestion.cases.filing import file_case
    from suggestion.cases.filing import Filing
    from suggestion.cases.states import Kind

    monkeypatch.setitem(app.config, "RECEIPT_EMAILS_PER_DAY", 0)
    officer = make_user("officer", "SERVICE")
    receipt = file_case(
        Filing(Kind.COMPLAINT, None, "s", "d", name="n", email="victim@example.org"),
        actor=officer,
    )
    assert receipt.email == "queued"
    assert db.session.get(Complainant, receipt.case.complainant.id).is_email_withheld is False


# The statistics.


def test_the_statistics_are_kept_until_a_case_changes(app, client):
    first = client.get("/api/v1/stats")
    assert first.status_code == 200
    with recorded_statements(app) as statements:
        again = client.get("/api/v1/stats")
    assert again.json == first.json
    assert not [s for s in statements if "cases" in s]  # answered from the cache
    # Each fiscal year is kept apart.
    other = client.get("/api/v1/stats?fiscal_year=2563").json
    assert other["fiscal_year"] == 2563 != first.json["fiscal_year"]

    assert api_filing(client).status_code == 201  # a case changes

    after = client.get("/api/v1/stats").json
    assert after["received"]["count"] == first.json["received"]["count"] + 1
    assert after["ita"]["complaint"]["year"] != first.json["ita"]["complaint"]["year"]


def test_the_statistics_are_computed_again_after_a_while_even_with_no_change(
    app, client, monkeypatch
):
    import cachelib.simple

    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 60)
    first = client.get("/api/v1/stats").json
    now = time.time()
    monkeypatch.setattr(cachelib.simple, "time", lambda: now + 30)
    with recorded_statements(app) as kept:
        assert client.get("/api/v1/stats").json == first
    monkeypatch.setattr(cachelib.simple, "time", lambda: now + 61)
    with recorded_statements(app) as computed:
        assert client.get("/api/v1/stats").json == first
    assert not [s for s in kept if "cases" in s]
    assert [s for s in computed if "cases" in s]


def test_the_statistics_are_throttled_per_client(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_LIMIT", "2 per minute")
    ask = lambda address, **h: client.get(  # noqa: E731
        "/api/v1/stats", environ_base={"REMOTE_ADDR": address}, headers=h
    )
    assert [ask(ATTACKER).status_code for _ in range(2)] == [200, 200]
    refused = ask(ATTACKER, **{"Accept-Language": "en"})
    assert refused.status_code == 429
    assert refused.json["errors"]["_request"] == [
        "Too many requests for the statistics from your connection. Please try again in 1 minute."
    ]
    assert refused.headers["Retry-After"]
    assert ask(OTHER).status_code == 200


def test_a_cache_that_is_down_costs_only_the_work(app, client, monkeypatch, caplog):
    from suggestion.core.extensions import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    with app.app_context():
        backend = cache.cache
    monkeypatch.setattr(backend, "get", down)
    monkeypatch.setattr(backend, "set", down)
    assert client.get("/api/v1/stats").status_code == 200
    assert api_filing(client).status_code == 201
    assert "cache unavailable" in caplog.text


@pytest.mark.redis
def test_in_redis_the_statistics_are_shared_and_a_change_reaches_every_process(
    app, client, monkeypatch
):
    """With CACHE_STORAGE_URI on Redis, what one process kept another uses,
    and a change committed by any process makes every one compute again."""
    from flask_caching.backends.rediscache import RedisCache
    from redis import Redis

    from suggestion.core.extensions import cache
    from tests import services

    redis = Redis.from_url(services.BROKER_URL)
    shared = RedisCache(host=redis, key_prefix="suggestion-test-cache:")
    shared.clear()
    monkeypatch.setitem(app.extensions["cache"], cache, shared)
    try:
        first = client.get("/api/v1/stats").json
        assert redis.keys("suggestion-test-cache:stats:*")
        # Another process's cache: a fresh backend object on the same Redis.
        monkeypatch.setitem(
            app.extensions["cache"],
            cache,
            RedisCache(host=redis, key_prefix="suggestion-test-cache:"),
        )
        with recorded_statements(app) as statements:
            assert client.get("/api/v1/stats").json == first
        assert not [s for s in statements if "cases" in s]
        assert api_filing(client).status_code == 201
        assert client.get("/api/v1/stats").json["received"]["count"] == (
            first["received"]["count"] + 1
        )
    finally:
        shared.clear()
