"""Every id on a page is unique, and every label points at a control of its
own form: the queue's filters and its bulk assignment shared `division` and
`assignee`, the case page repeated `message-msg` (and each action form's
hidden fields), so labels and error messages pointed at another form's
control. A chart whose bars are links is not an image (axe:
nested-interactive)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from tests.helpers import csrf_token
from tests.helpers import login

CONTROLS = {"input", "select", "textarea", "button", "meter", "output", "progress"}
INTERACTIVE = {"a", "button", "input", "select", "textarea"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    form: int | None  # which <form> of the page holds it (by order)


@dataclass
class Page(HTMLParser):
    ids: dict[str, list[Element]] = field(default_factory=dict)
    labels: list[Element] = field(default_factory=list)
    inside_image: list[str] = field(default_factory=list)
    _forms: int = 0
    _form: int | None = None
    _open: list[tuple[str, bool]] = field(default_factory=list)  # (tag, is an image)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}  # fmt: skip

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self._forms += 1
            self._form = self._forms
        element = Element(tag, attrs, self._form)
        if "id" in attrs:
            self.ids.setdefault(attrs["id"], []).append(element)
        if tag == "label" and "for" in attrs:
            self.labels.append(element)
        in_image = any(image for _, image in self._open)
        if in_image and (tag in INTERACTIVE or "tabindex" in attrs):
            self.inside_image.append(f"<{tag}> {attrs}")
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("role") == "img"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break


def problems_of(html: str) -> list[str]:
    page = Page()
    page.feed(html)
    found = [
        f"id {id_!r} {len(elements)} times"
        for id_, elements in page.ids.items()
        if len(elements) > 1
    ]
    for label in page.labels:
        target = page.ids.get(label.attrs["for"])
        if not target:
            found.append(f"label for {label.attrs['for']!r}: no such element")
            continue
        control = target[0]
        if control.tag not in CONTROLS or control.attrs.get("type") == "hidden":
            found.append(f"label for {label.attrs['for']!r}: a <{control.tag}>, not a control")
        elif control.form != label.form:
            found.append(f"label for {label.attrs['for']!r}: a control of another form")
    found += [f"interactive inside role=img: {e}" for e in page.inside_image]
    return found


def test_the_checker_sees_what_went_wrong():
    shared = (
        '<form><label for="division">D</label><select id="division"></select></form>'
        '<form><label for="division">D</label><select id="division"></select></form>'
    )
    assert "id 'division' 2 times" in problems_of(shared)
    assert problems_of('<form><label for="x">X</label></form><input id="x">') == [
        "label for 'x': a control of another form"
    ]
    assert problems_of('<svg role="img"><a href="/"><rect/></a></svg>') != []
    assert problems_of('<svg role="group"><a href="/"><rect/></a></svg>') == []


def test_staff_and_report_pages_have_unique_ids_and_right_labels(app, client, staff, file_a_case):
    code = file_a_case()[0]
    login(client, staff("admin", "CENTRAL"))
    pages = [
        "/staff/",
        f"/staff/cases/{code}",
        "/staff/intake/complaint",
        "/staff/password",
        "/reports/",
        "/reports/monthly",
        "/reports/ita",
        "/admin/",
        "/admin/users/new",
        "/admin/holidays",
        f"/admin/holidays/{date.today().year}-01-01/delete",
        "/admin/policies",
        "/admin/templates/new",
        "/admin/audit",
        "/admin/processing-record",
        "/admin/privacy-notice",
    ]
    for language in ("th", "en"):
        client.set_cookie("lang", language)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            assert problems_of(response.get_data(as_text=True)) == [], path


def test_public_pages_have_unique_ids_and_right_labels(client):
    for path in ("/", "/file/complaint", "/file/corruption", "/track", "/process", "/privacy"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert problems_of(response.get_data(as_text=True)) == [], path


def test_tracking_codes_do_not_break_at_the_hyphen(app, client, staff, file_a_case):
    code, key, _token = file_a_case()
    login(client, staff("officer", "SERVICE"))
    wrapped = f'<span class="tracking-code">{code}</span>'
    assert wrapped in client.get("/staff/").get_data(as_text=True)
    assert wrapped in client.get(f"/staff/cases/{code}").get_data(as_text=True)
    filer = app.test_client()
    page = filer.post(
        "/track",
        data={"csrf_token": csrf_token(filer, "/track"), "tracking_code": code, "access_key": key},
        follow_redirects=True,
    )
    assert wrapped in page.get_data(as_text=True)
    css = Path(app.static_folder or "", "style.css").read_text()
    assert ".tracking-code { white-space: nowrap; }" in css
