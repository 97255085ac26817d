"""The domain's errors: a small tree that the request boundary maps to HTTP in
one place (suggestion.errors), whoever raises them.

- :class:`NotFound` — not there, or not the actor's to see: 404, so that a
  case's existence is never revealed.
- :class:`Conflict` — someone changed it meanwhile: 409, with its current state.
- :class:`Invalid` — the request cannot be done with these values: 422.
- :class:`Unavailable` — something the request needs (the upload folder)
  cannot be used now: 503; nothing of the request was saved.
- :class:`TooManyRequests` — this client has used up a throttle's budget:
  429, with how long to wait; nothing of the request was saved.

Each carries a message for people, lazily translated, so that it is shown in
the language of the page that catches it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """The base of the tree; ``message`` is for the person who asked."""

    status = 400
    default_message: Any = _l("The request could not be understood.")

    def __init__(self, message: Any = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code
        super().__init__(code or str(self.message))

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the message."""
        return {}


class NotFound(DomainError):
    status = 404
    default_message = _l("We could not find that page, or it is not yours to see.")


class Conflict(DomainError):
    status = 409
    default_message = _l(
        "Someone else changed this case while you were looking at it. Here is its current "
        "state; nothing of yours was saved, so please check and try again."
    )


class Invalid(DomainError):
    status = 422
    default_message = _l("This cannot be done with these values.")


class Unavailable(DomainError):
    status = 503
    default_message = _l(
        "A service we need is not available, and nothing of your request was saved. "
        "Please try again in a few minutes."
    )


class TooManyRequests(DomainError):
    status = 429
    default_message = _l(
        "Too many requests from your connection. Please wait a few minutes and try again."
    )

    def __init__(self, message: Any = None, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}
