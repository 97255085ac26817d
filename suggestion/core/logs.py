"""Logs that cannot be forged: control characters in what is logged (a
newline in a URL, a NUL) are shown escaped, so one record is always one line
and a visitor cannot write a line of their own into the log."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

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


# --- The request id, and the JSON lines of LOG_FORMAT=json ------------------------
#
# Every line a request or a task writes carries the id of the request behind
# it: the site takes it from X-Request-ID (nginx, or a client, may set one) or
# makes one, returns it in the answer, and publishes it with each task the
# request asks for (a header of the task's message); a task passes it on to
# the tasks it publishes in turn.

REQUEST_ID: ContextVar[str | None] = ContextVar("suggestion_request_id", default=None)
TASK_ID: ContextVar[str | None] = ContextVar("suggestion_task_id", default=None)

# A given id is kept only if it is a plain token: it is written into every
# line and header, so it must not be able to carry anything else.
_GIVEN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_from(given: str | None) -> str:
    """The request's id: the one given, if it is a plain token of at most 128
    characters; otherwise a new random one."""
    if given and _GIVEN_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Adds the request id and the task id, where there are any, to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("request_id", REQUEST_ID), ("task_id", TASK_ID)):
            value = var.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


# What LOG_FORMAT=json writes of every record, besides the extra fields that
# the code passes (route, status, duration_ms, …) and the ids of the filter.
_JSON_FIELDS = "{message}{levelname}{name}"
_JSON_NAMES = {"levelname": "level", "name": "logger"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The loggers of the one line per request and per task; with LOG_FORMAT=json
# they write at INFO (the rest of the process at WARNING, as with text).
LINE_LOGGERS = ("suggestion.request", "suggestion.task")


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(_JSON_FIELDS, style="{", rename_fields=_JSON_NAMES, timestamp="time")
    return OneLineFormatter(TEXT_FORMAT)


def configure(
    log_format: str, *, replace: bool = False, level: int | str = logging.WARNING
) -> None:
    """Send every library's records at ``level`` and above to standard error,
    where gunicorn, systemd's journal and the operator see them, in the given
    format. Unless ``replace``, a process that configured logging itself
    (a test runner) is left as it is."""
    root = logging.getLogger()
    if root.handlers and not replace:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(ContextFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in LINE_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if log_format == "json" else logging.WARNING)
