"""The OpenAPI document states the rules the server enforces (issue 13): each
rule it states is refused when broken and each request it admits is
accepted, and every answer is one it lists, in the shape it gives.
``make fuzz`` holds the same with Schemathesis against the deployed site."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from wtforms.validators import Length

from suggestion.cases.forms import FilingForm
from suggestion.core.time import EARLIEST_FISCAL_YEAR
from suggestion.core.time import LATEST_FISCAL_YEAR
from tests.helpers import count_rows

GOOD = {
    "kind": "complaint",
    "category": "website",
    "subject": "เว็บไซต์ดาวน์โหลดข้อมูลไม่ได้",
    "description": "กดดาวน์โหลดไฟล์ Excel แล้วขึ้นข้อผิดพลาดทุกครั้ง",
    "complainant": {"name": "Anan K.", "email": "anan@example.com", "phone": None, "address": None},
    "anonymous": False,
    "consent": True,
    "certify_true": True,
}


def body(**changes: Any) -> dict[str, Any]:
    """GOOD with ``changes``; ``...`` leaves a key out."""
    data = {**GOOD, **changes}
    return {k: v for k, v in data.items() if v is not ...}


def filer(**changes: Any) -> dict[str, Any]:
    """GOOD's filer with ``changes``."""
    return {**GOOD["complainant"], **changes}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    """A validator of ``schema`` whose references resolve in the document."""
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )


def admits(document: dict[str, Any], name: str, value: Any) -> bool:
    return validator(document, {"$ref": f"#/components/schemas/{name}"}).is_valid(value)


def assert_documented(document: dict[str, Any], path: str, method: str, response) -> None:  # type: ignore[no-untyped-def]
    """The answer is one the operation lists, with the body it describes."""
    operation = document["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered {status}, not listed"
    content = operation["responses"][status].get("content")
    if content is None:
        return
    assert response.mimetype in content
    schema = content[response.mimetype]["schema"]
    errors = [e.message for e in validator(document, schema).iter_errors(response.json)]
    assert not errors, errors


def form_max_length(field: Any) -> int:
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


def test_the_lengths_are_the_filing_forms(document):
    new_case = document["components"]["schemas"]["NewCase"]["properties"]
    assert new_case["subject"]["maxLength"] == form_max_length(FilingForm.subject)
    assert new_case["description"]["maxLength"] == form_max_length(FilingForm.description)
    contact = new_case["complainant"]["properties"]
    assert contact["name"]["maxLength"] == form_max_length(FilingForm.name)
    assert contact["address"]["maxLength"] == form_max_length(FilingForm.address)
    for name in ("email", "phone"):
        given = contact[name]["anyOf"][-1]
        assert given["maxLength"] == form_max_length(getattr(FilingForm, name))


def test_the_required_text_must_not_be_blank_and_the_boxes_must_be_ticked(document):
    new_case = document["components"]["schemas"]["NewCase"]
    assert set(new_case["required"]) == {
        "kind",
        "category",
        "subject",
        "description",
        "consent",
        "certify_true",
    }
    for name in ("subject", "description"):
        assert new_case["properties"][name]["minLength"] == 1
        assert "pattern" in new_case["properties"][name]
    assert new_case["properties"]["consent"]["const"] is True
    assert new_case["properties"]["certify_true"]["const"] is True


def test_the_fiscal_year_range_is_the_servers(client, document):
    (parameter,) = document["paths"]["/stats"]["get"]["parameters"]
    assert parameter["schema"]["minimum"] == EARLIEST_FISCAL_YEAR
    assert parameter["schema"]["maximum"] == LATEST_FISCAL_YEAR
    for year, status in [
        (EARLIEST_FISCAL_YEAR - 1, 400),
        (EARLIEST_FISCAL_YEAR, 200),
        (LATEST_FISCAL_YEAR, 200),
        (LATEST_FISCAL_YEAR + 1, 400),
    ]:
        response = client.get(f"/api/v1/stats?fiscal_year={year}")
        assert response.status_code == status, year
        assert_documented(document, "/stats", "get", response)
    for empty in ("/api/v1/stats", "/api/v1/stats?fiscal_year="):  # allowEmptyValue
        assert client.get(empty).status_code == 200


def test_the_categories_of_each_kind_are_the_databases(client, document, db_session):
    import sqlalchemy as sa

    from suggestion.cases.models import Category

    branches = document["components"]["schemas"]["NewCase"]["allOf"][0]["oneOf"]
    by_kind = {
        b["properties"]["kind"]["const"]: b["properties"]["category"]["enum"] for b in branches
    }
    assert by_kind["corruption"] == ["bribery", "procurement", "abuse-of-power", "other"]
    assert "bribery" not in by_kind["complaint"]

    db_session.execute(sa.update(Category).where(Category.code == "other").values(is_active=False))
    again = client.get("/api/v1/openapi.json").json
    branches = again["components"]["schemas"]["NewCase"]["allOf"][0]["oneOf"]
    assert all("other" not in b["properties"]["category"]["enum"] for b in branches)


# Each row: a filing, and whether the document and the server admit it.
ADMITTED = [
    body(),
    body(anonymous=True, complainant=...),
    body(anonymous=True, complainant=None),
    body(kind="corruption", category="bribery", anonymous=True),
    body(anonymous=None),
    body(subject="  เว็บล่ม  "),
    body(complainant=filer(email="   ", phone="๐๒ ๑๒๓ ๔๕๖๗")),
    body(complainant=filer(email=None, phone="081 234 5678 ext. 12")),
    body(complainant=filer(email=None, address="88 ถนนพหลโยธิน")),
    # Control characters are dropped: this telephone is not given, not wrong.
    body(complainant=filer(phone=" \x01\x02\t ")),
    body(subject="x" * 200, description="y" * 10_000),
]
REFUSED = [
    (body(kind="lottery"), "kind"),
    (body(kind=...), "kind"),
    (body(category="bribery"), "category"),  # not a complaint's
    (body(category=...), "category"),
    (body(subject=...), "subject"),
    (body(subject="   "), "subject"),
    (body(subject="\x01\x02"), "subject"),
    (body(subject="\x85\u3000"), "subject"),  # white space to Python's strip()
    (body(subject="x" * 201), "subject"),
    (body(subject=12), "subject"),
    (body(description=""), "description"),
    (body(description="y" * 10_001), "description"),
    (body(consent=False), "consent"),
    (body(consent=...), "consent"),
    (body(certify_true=None), "certify_true"),
    (body(certify_true="yes"), "certify_true"),
    (body(anonymous="yes"), "anonymous"),
    (body(complainant=filer(name=None)), "complainant.name"),
    (body(complainant=filer(name="  ")), "complainant.name"),
    (body(complainant=filer(name="n" * 201)), "complainant.name"),
    (body(complainant=filer(email=None)), "complainant.address"),  # no way to reach them
    (body(complainant=filer(email=" ", phone=" ", address=" ")), "complainant.address"),
    (body(complainant=filer(email="not-an-address")), "complainant.email"),
    (body(complainant=filer(email="anan@example.test")), "complainant.email"),
    (body(complainant=filer(email="a@" + "b" * 250 + ".com")), "complainant.email"),
    (body(complainant=filer(phone="12345")), "complainant.phone"),
    (body(complainant=filer(phone="0" * 41)), "complainant.phone"),
    (body(complainant=filer(address="a" * 501)), "complainant.address"),
    (body(complainant="me"), "complainant"),
    # Anonymous or not, what is given is checked.
    (body(anonymous=True, complainant=filer(email="not-an-address")), "complainant.email"),
]


@pytest.mark.parametrize("filing", ADMITTED)
def test_a_filing_the_document_admits_is_accepted(client, document, filing):
    assert admits(document, "NewCase", filing)
    response = client.post("/api/v1/cases", json=filing)
    assert response.status_code == 201, response.json
    assert_documented(document, "/cases", "post", response)


@pytest.mark.parametrize(("filing", "field"), REFUSED)
def test_a_filing_breaking_a_stated_rule_is_refused_with_422(client, document, filing, field):
    assert not admits(document, "NewCase", filing)
    response = client.post("/api/v1/cases", json=filing, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert field in response.json["errors"], response.json
    assert_documented(document, "/cases", "post", response)
    assert count_rows("cases") == 0


def test_the_filing_links_to_its_look_up_and_the_look_up_answers(client, document):
    link = document["paths"]["/cases"]["post"]["responses"]["201"]["links"]["TrackCase"]
    assert link["operationId"] == document["paths"]["/cases/{tracking_code}"]["get"]["operationId"]
    receipt = client.post("/api/v1/cases", json=GOOD).json
    parameters = {
        name: receipt[expression.removeprefix("$response.body#/")]
        for name, expression in link["parameters"].items()
    }
    response = client.get(
        f"/api/v1/cases/{parameters['path.tracking_code']}",
        headers={"X-Access-Key": parameters["header.X-Access-Key"]},
    )
    assert response.status_code == 200
    assert_documented(document, "/cases/{tracking_code}", "get", response)


def test_the_error_answers_are_those_listed_in_the_shape_given(client, app, document, monkeypatch):
    from suggestion.api.filing_rules import API_BODY_MAX_BYTES

    not_an_object = client.post("/api/v1/cases", data=b"[1]", content_type="application/json")
    assert not_an_object.status_code == 400
    assert_documented(document, "/cases", "post", not_an_object)

    as_a_form = client.post("/api/v1/cases", data={"kind": "complaint"})
    assert as_a_form.status_code == 415
    assert as_a_form.json["errors"]["_body"] == [
        "กรุณาส่งเนื้อหาของคำขอเป็น JSON พร้อมส่วนหัว Content-Type: application/json"
    ]
    assert_documented(document, "/cases", "post", as_a_form)

    padding = " " * API_BODY_MAX_BYTES
    too_large = client.post(
        "/api/v1/cases", data=f'{{"kind": "complaint"{padding}}}', content_type="application/json"
    )
    assert too_large.status_code == 413
    assert_documented(document, "/cases", "post", too_large)

    bad_year = client.get("/api/v1/stats?fiscal_year=2026")
    assert bad_year.status_code == 400
    assert_documented(document, "/stats", "get", bad_year)

    monkeypatch.setitem(app.config, "TRACK_FAILED_LOOKUP_LIMIT", "1 per minute")
    client.environ_base["REMOTE_ADDR"] = "198.51.100.21"
    statuses = []
    for _ in range(2):
        response = client.get("/api/v1/cases/2400-999999", headers={"X-Access-Key": "ABCDE-FGHJK"})
        assert_documented(document, "/cases/{tracking_code}", "get", response)
        statuses.append(response.status_code)
    assert statuses == [404, 429]
    assert count_rows("cases") == 0


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/cases", "POST"),
        ("delete", "/api/v1/cases/2569-000001", "GET"),
        ("post", "/api/v1/stats", "GET"),
        ("patch", "/api/v1/categories", "GET"),
    ],
)
def test_a_method_a_path_does_not_have_answers_405_with_allow(
    client, document, method, path, allowed
):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed in response.headers["Allow"]
    assert admits(document, "Errors", response.json)


def test_an_unknown_path_answers_404_in_the_errors_shape(client, document):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert admits(document, "Errors", response.json)


def test_the_indicators_answer_as_described(client, document, file_a_case):
    file_a_case()
    response = client.get("/api/v1/stats")
    assert response.status_code == 200
    assert_documented(document, "/stats", "get", response)
    assert response.json["ita"].keys() >= {"complaint", "corruption"}


# The document's patterns against the form's own checks, value by value.


def form_verdict(field_name: str, value: str) -> bool:
    """Whether the filing form's field (email or phone) takes ``value``."""
    from werkzeug.datastructures import MultiDict

    from suggestion.core.forms import Form

    class OneField(Form):
        pass

    OneField.field = getattr(FilingForm, field_name)  # type: ignore[attr-defined]
    return OneField(formdata=MultiDict({"field": value}), meta={"csrf": False}).validate()


def contact_verdicts(app, document, field_name: str, values: list[str]) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """The values on which the document and the form disagree, with the form's verdict."""
    schema = document["components"]["schemas"]["NewCase"]["properties"]["complainant"]
    check = validator(document, schema["properties"][field_name])
    with app.test_request_context():
        return [
            (value, verdict)
            for value in values
            if (verdict := form_verdict(field_name, value)) != check.is_valid(value)
        ]


def test_blank_is_what_the_forms_filters_drop(document):
    from suggestion.core.forms import strip_text

    pattern = document["components"]["schemas"]["NewCase"]["properties"]["subject"]["pattern"]
    check = jsonschema_rs.Draft202012Validator({"pattern": pattern})
    characters = (chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert [c for c in characters if check.is_valid(c) != bool(strip_text(c))] == []


def test_the_telephone_pattern_is_the_forms(app, document):
    import random

    rng = random.Random(2569)
    pieces = [
        "0",
        "2",
        "8",
        "9",
        "๐",
        "๕",
        " ",
        "-",
        "+",
        "x",
        "ext.",
        "ต่อ",
        "\t",
        "\x85",
        "\u2004",
    ]
    weights = [6, 6, 6, 6, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1]
    drawn = ["".join(rng.choices(pieces, weights, k=rng.randint(1, 10))) for _ in range(3000)]
    curated = [
        "02 123 4567",
        "081-234-5678",
        "+66 2 123 4567",
        "๐๒ ๑๒๓ ๔๕๖๗",
        "081 234 5678 ext. 12",
        "02 123 4567 ต่อ 1234",
        "0212345678x1234567",
        "1234567",
        "12345678",
        "1234567 ",
        "+9031663 \x85",
        "  02 123 4567\u3000",
        "02 123 4567 x",
        "",
        " \t ",
    ]
    assert contact_verdicts(app, document, "phone", curated + drawn) == []


def test_the_email_rule_is_the_forms(app, document):
    addresses = [
        "anan@example.com",
        "A+B@Example.CO.TH",
        "0@0.0.com",
        "ก@ตัวอย่าง.ไทย",
        "é@example.com",
        "a@localhost",
        "a@example",
        "a@example.123",
        "a@1.2.3.4",
        "a@[127.0.0.1]",
        '"a b"@example.com',
        "a@example.test",
        "a@sub.example.ONION",
        "a@example.arpa",
        "a..b@example.com",
        ".a@example.com",
        "a@-example.com",
        "a@b_c.com",
        "a@example.com.",
        "a@" + "b" * 63 + ".com",
        "a@" + "b" * 64 + ".com",
        "",
        "  ",
    ]
    assert contact_verdicts(app, document, "email", addresses) == []
    # Where the document is stricter than the validator: blanks around an
    # address (dropped by the filter) and a name of more than 64 characters.
    assert contact_verdicts(app, document, "email", [" a@example.com ", "x" * 65 + "@a.com"]) == [
        (" a@example.com ", True),
        ("x" * 65 + "@a.com", True),
    ]
