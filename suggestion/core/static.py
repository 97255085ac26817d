"""Addresses of static files that change when the file does: ``url_for``
adds ``?v=`` and a digest of its content, so nginx may let browsers keep
each address for a year (deploy/nginx/suggestion.conf) and an upgrade that
changes ``style.css`` is seen at once."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "static")

    # Each process reads a file once: new files come with new processes (a
    # deploy restarts or reloads gunicorn).
    @cache
    def digest(filename: str) -> str | None:
        try:
            return hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]
        except OSError:  # no such file: the address stays as it was
            return None

    @app.url_defaults
    def _version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = digest(values["filename"])
            if version:
                values["v"] = version
