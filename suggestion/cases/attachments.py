"""Checking and storing attached files.

The type is judged by the content, never by the name: a program renamed
``.pdf`` is refused. Files are stored under UPLOAD_DIR by a random key, never
by the name the person gave.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

import filetype
import sqlalchemy as sa
from flask import current_app
from flask import Response
from flask import send_file
from flask_babel import lazy_gettext as _l

from suggestion.cases.models import Attachment
from suggestion.core.errors import Invalid
from suggestion.core.errors import NotFound
from suggestion.core.errors import Unavailable
from suggestion.core.extensions import db
from suggestion.core.uow import on_commit
from suggestion.core.uow import on_rollback

# Content types accepted, as detected from the bytes.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/plain": ".txt",
}
log = logging.getLogger(__name__)

STAGED = ".staged"  # a file written but not yet committed
ALLOWED_DESCRIPTION = _l("PDF, images (JPEG, PNG, GIF, WebP), Word, Excel or plain text")


class AttachmentError(Invalid):
    """A file that cannot be accepted; the message is for the person who sent it."""


class FilesNotStored(Unavailable):
    """The upload folder cannot take the files (full, read-only): the request
    is not recorded, and the person is told so."""

    default_message = _l(
        "Your case was not recorded: we could not store your files just now. "
        "Everything you typed is still below; please send it again in a few minutes."
    )


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _looks_like_text(data: bytes) -> bool:
    """Plain text, not markup or a script in disguise (HTML, SVG, XML, #!)."""
    if b"\x00" in data:
        return False
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2]
    if start.startswith(b"<") or start == b"#!":
        return False
    for encoding in ("utf-8", "tis-620"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def detect_type(data: bytes) -> str | None:
    """The accepted content type of these bytes, or None."""
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_TYPES else None
    return "text/plain" if data and _looks_like_text(data) else None


def clean_filename(name: str) -> str:
    """A display name: no path, no control characters, at most 255 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "file")[-255:]


def check_file(stream: IO[bytes], filename: str) -> CheckedFile:
    """Read one upload and check its size and content, or raise AttachmentError."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    name = clean_filename(filename)
    if len(data) > limit:
        raise AttachmentError(
            _l("%(name)s is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024))
        )
    if not data:
        raise AttachmentError(_l("%(name)s is empty.", name=name))
    content_type = detect_type(data)
    if content_type is None:
        raise AttachmentError(
            _l(
                "%(name)s is not a file type we accept (%(allowed)s).",
                name=name,
                allowed=ALLOWED_DESCRIPTION,
            )
        )
    return CheckedFile(original_name=name, content_type=content_type, data=data)


def store(checked: CheckedFile, case_id: int, event_id: int | None, *, public: bool) -> Attachment:
    """Stage the file under UPLOAD_DIR and return its (unsaved) row.

    The bytes are written beside their final name at once (and synced), and
    moved into place only when the transaction commits; a rollback removes
    them, so that no file exists without its row, nor a row without its file.
    """
    key = secrets.token_hex(16) + ALLOWED_TYPES[checked.content_type]
    final = _path(key)
    staged = final.with_name(final.name + STAGED)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with staged.open("wb") as out:
            out.write(checked.data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:  # a full or read-only folder: nothing is left behind
        log.error("upload folder refused a file: %s", error.strerror or error)
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)
        raise FilesNotStored() from error
    on_commit(lambda: _move(staged, final))
    on_rollback(lambda: staged.unlink(missing_ok=True))
    return Attachment(
        case_id=case_id,
        event_id=event_id,
        original_name=checked.original_name,
        storage_key=key,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=checked.sha256,
        is_public_upload=public,
    )


def download_name(attachment: Attachment) -> str:
    """The name a file is downloaded under: the uploader's, with the extension
    of the type judged from its content — ``evidence.js`` holding text is
    ``evidence.txt`` — so that opening it never runs it."""
    stem = Path(attachment.original_name).stem or "file"
    return stem + ALLOWED_TYPES.get(attachment.content_type, ".bin")


def _move(staged: Path, final: Path) -> None:
    staged.replace(final)


def _path(key: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / key[:2] / key


def path_of(attachment: Attachment) -> Path:
    """Where the file is. A file whose row committed but whose move did not
    happen (the process died in between) is moved into place now."""
    final = _path(attachment.storage_key)
    staged = final.with_name(final.name + STAGED)
    if not final.exists() and staged.exists():
        staged.replace(final)
    return final


def send_attachment(attachment: Attachment) -> Response:
    """The file as a download, for staff and filers alike: always an
    attachment, named by :func:`download_name`, of the type judged from its
    content and never sniffed. :class:`NotFound` if the file is gone."""
    path = path_of(attachment)
    if not path.is_file():
        raise NotFound()
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=download_name(attachment),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def sweep_staged(older_than: timedelta = timedelta(hours=1)) -> dict[str, int]:
    """Settle the staged files left behind by processes that died between
    writing a file and their commit or rollback (a daily task): a file whose
    row was committed is moved into place, any other is removed. Files
    younger than ``older_than`` may belong to a request still running."""
    cutoff = time.time() - older_than.total_seconds()
    stray = [
        path
        for path in Path(current_app.config["UPLOAD_DIR"]).glob(f"*/*{STAGED}")
        if path.stat().st_mtime < cutoff
    ]
    keys = {path.name.removesuffix(STAGED): path for path in stray}
    kept = set(
        db.session.scalars(
            sa.select(Attachment.storage_key).where(Attachment.storage_key.in_(keys))
        )
    )
    for key, path in keys.items():
        if key in kept:
            path.replace(path.with_name(key))
        else:
            path.unlink(missing_ok=True)
    return {"moved": len(kept), "removed": len(keys) - len(kept)}
