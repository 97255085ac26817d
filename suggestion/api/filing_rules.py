"""The rules of a filing through ``POST /api/v1/cases``, as JSON Schema, read
from where they are enforced: the lengths and the telephone pattern from the
filing form, what counts as blank from its filters, the e-mail rule from
email-validator, and the categories each kind may be filed under from the
database. ``suggestion.api.openapi`` puts them in the API's document."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from suggestion.api.schema_types import Schema
from suggestion.cases.forms import FilingForm
from suggestion.cases.states import Kind
from suggestion.core.forms import strip_text

# The largest body POST /cases reads: its longest valid filing, every
# character written as a JSON escape (\uXXXX), is about a tenth of it.
API_BODY_MAX_BYTES = 1024 * 1024


def _character_class(characters: Iterable[str]) -> str:
    """The characters as a regular-expression class body of ``\\uXXXX`` ranges,
    read alike by Python, ECMA-262 (JSON Schema's dialect) and Rust."""
    codes = sorted(ord(c) for c in characters)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}"
        for first, last in ranges
    )


# What the filters drop (suggestion.core.forms.strip_text): white space at
# either end and control characters anywhere. Spelled out, since ``\\s`` is not
# the same set in Python as in JSON Schema. (Lone surrogates, dropped too, are
# not characters a JSON Schema string can hold.)
_DROPPED = _character_class(
    chr(code)
    for code in range(0x10000)
    if not 0xD800 <= code <= 0xDFFF and not strip_text(chr(code))
)
# Python's ``\\s``, which the telephone pattern of the form is read with.
_PYTHON_SPACE = _character_class(chr(code) for code in range(0x10000) if chr(code).isspace())
NON_BLANK = f"[^{_DROPPED}]"
BLANK = f"^[{_DROPPED}]*$"


def max_length(field: UnboundField) -> int:
    """The longest text a field of the filing form accepts (its Length validator)."""
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


def _any_case(word: str) -> str:
    """A pattern matching ``word`` in any case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def phone_pattern() -> str:
    """The filing form's telephone pattern (suggestion.cases.forms) as the API
    reads it: Thai digits count as digits, and the number is matched once the
    blanks around it are dropped, so it cannot end in a blank that the
    pattern's seven digits, spaces or hyphens would otherwise count.
    tests/test_openapi.py holds the two to the same verdicts."""
    digit, space = "[0-9๐-๙]", f"[{_PYTHON_SPACE}]"
    extension = f"{space}*(ต่อ|ext\\.?|x){space}*{digit}{{1,6}}"
    number = f"\\+?{digit}([0-9๐-๙ \\-]{{6,}}[0-9๐-๙\\-]|[0-9๐-๙ \\-]{{7,}}{extension})"
    return f"^[{_DROPPED}]*{number}[{_DROPPED}]*$"


def _blank_or(schema: Schema) -> Schema:
    """An optional contact: null, blank, or a value that meets ``schema``."""
    return {
        "anyOf": [{"type": "null"}, {"type": "string", "pattern": BLANK}, schema],
    }


def _non_blank(max_chars: int, description: str | None = None) -> Schema:
    schema: Schema = {
        "type": "string",
        "minLength": 1,
        "maxLength": max_chars,
        "pattern": NON_BLANK,
    }
    if description:
        schema["description"] = description
    return schema


def contact_schema() -> Schema:
    """The filer's details: each checked whenever given, anonymous or not."""
    special_use = "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
    return {
        "type": ["object", "null"],
        "description": "Who files, and at least one way to reach them, unless anonymous. "
        "Blank values count as not given.",
        "properties": {
            "name": {"type": ["string", "null"], "maxLength": max_length(FilingForm.name)},
            "email": _blank_or(
                {
                    "type": "string",
                    "format": "idn-email",
                    "maxLength": max_length(FilingForm.email),
                    # What the e-mail validator refuses besides: addresses of
                    # domains for special use, a domain without a dot or with
                    # a numeric top level, a domain literal, a quoted name.
                    "not": {
                        "anyOf": [
                            {"pattern": f"[.@]({special_use})$"},
                            {"pattern": "@[^.]*$"},
                            {"pattern": "\\.[0-9]+$"},
                            {"pattern": "@\\["},
                            {"pattern": '^"'},
                        ]
                    },
                }
            ),
            "phone": _blank_or(
                {
                    "type": "string",
                    "maxLength": max_length(FilingForm.phone),
                    "pattern": phone_pattern(),
                    "examples": ["02 123 4567", "081 234 5678 ext. 12"],
                }
            ),
            "address": {"type": ["string", "null"], "maxLength": max_length(FilingForm.address)},
        },
    }


def identified_filer() -> Schema:
    """Not anonymous: a name, and an e-mail address, a telephone or an address."""
    contacts = ("email", "phone", "address")
    return {
        "required": ["complainant"],
        "properties": {
            "complainant": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "pattern": NON_BLANK}},
                "anyOf": [
                    {
                        "required": [contact],
                        "properties": {contact: {"type": "string", "pattern": NON_BLANK}},
                    }
                    for contact in contacts
                ],
            }
        },
    }


def new_case_schema(categories: Iterable[tuple[str, Sequence[str]]]) -> Schema:
    """A filing, as POST /cases checks it. ``categories`` are the active
    categories' codes with the kinds each may be filed under."""
    codes_by_kind: dict[str, list[str]] = {k.value: [] for k in Kind}
    for code, kinds in categories:
        for kind in kinds:
            if kind in codes_by_kind:
                codes_by_kind[kind].append(code)
    return {
        "type": "object",
        "required": ["kind", "category", "subject", "description", "consent", "certify_true"],
        "properties": {
            "kind": {"type": "string", "enum": [k.value for k in Kind]},
            "category": {
                "type": "string",
                "description": "The code of an active category of this kind (GET /categories)",
            },
            "subject": _non_blank(max_length(FilingForm.subject)),
            "description": _non_blank(max_length(FilingForm.description), "The facts"),
            "complainant": contact_schema(),
            "anonymous": {
                "type": ["boolean", "null"],
                "default": False,
                "description": "File without a name; the filer's details are then not kept",
            },
            "consent": {"const": True, "description": "Has read the privacy notice"},
            "certify_true": {"const": True, "description": "Certifies that the facts are true"},
        },
        "allOf": [
            {
                # The category must be one of the kind's; a kind without one cannot be filed.
                "oneOf": [
                    {
                        "properties": {"kind": {"const": kind}, "category": {"enum": codes}},
                    }
                    for kind, codes in codes_by_kind.items()
                    if codes
                ]
            },
            {
                "anyOf": [
                    {"required": ["anonymous"], "properties": {"anonymous": {"const": True}}},
                    identified_filer(),
                ]
            },
        ],
    }
