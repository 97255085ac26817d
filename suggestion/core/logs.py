"""Logs that cannot be forged: control characters in what is logged (a
newline in a URL, a NUL) are shown escaped, so one record is always one line
and a visitor cannot write a line of their own into the log."""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every control character as ``\\xNN`` or ``\\uNNNN``."""

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(shown, text)


# The e-mailed secret link opens a case on its own: its token is never logged
# (nor by nginx: deploy/nginx/suggestion-log.conf).
_SECRET_LINK = re.compile(r"(/track/link/)[^/?#]*")


def loggable_path(path: str) -> str:
    """A request path as it may be logged: the secret link's token hidden,
    control characters escaped."""
    return visible(_SECRET_LINK.sub(r"\1[token]", path))


class OneLineFormatter(logging.Formatter):
    """Escapes control characters in a record's message (a traceback keeps
    its own line breaks, but not those of the values in it)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        record.message = visible(record.getMessage())
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:  # noqa: N802
        text = super().formatException(ei)  # type: ignore[arg-type]
        return "\n".join(visible(line) for line in text.split("\n"))
