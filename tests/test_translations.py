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
