"""What the app publishes to the broker, recorded instead of sent, for tests
whose writes are rolled back at their end (the real worker tests publish for
real, on committed data)."""

from __future__ import annotations

from typing import Any


class RecordingPublisher:
    """Stands in for the Celery publisher: each call the app would send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    def send(self, calls: list[tuple[str, tuple[Any, ...]]]) -> int:
        self.sent.extend(calls)
        return len(calls)

    def names(self) -> list[str]:
        return [name for name, _args in self.sent]
