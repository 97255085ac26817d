"""The Thai catalog is complete and keeps every placeholder."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).parent.parent / "suggestion/translations/th/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_message_has_a_thai_translation_with_the_same_placeholders():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(ids[0])
        elif sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(strings[0])):
            broken.append(ids[0])
    assert missing == [], "untranslated (run make messages and translate)"
    assert broken == [], "placeholders differ"


def test_every_string_marked_in_the_code_and_templates_is_in_the_thai_catalog():
    """A string added to a page, a message or an e-mail without its Thai
    translation fails here, before anyone sees English on a Thai page."""
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = CATALOG.parents[4]
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing = set()
    for filename, _line, message, _comments, _context in extract_from_dir(
        root, method_map, options_map, keywords=keywords
    ):
        msgid = message if isinstance(message, str) else message[0]
        if not msgid:
            continue
        entry = catalog.get(msgid)
        strings = entry.string if entry is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.add(f"{filename}: {msgid}")
    assert sorted(missing) == []
