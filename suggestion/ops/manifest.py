"""A backup's manifest: what the backup holds (every file with its size and
SHA-256), the schema's revision, when it was made and by which versions.

It is written last, through a temporary name and a rename, so that a folder
without ``manifest.json`` is never a backup: a creation that died half-way
leaves none, and restore refuses such a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from pathlib import PurePosixPath
from typing import Any

MANIFEST = "manifest.json"
UPLOADS = "uploads"  # the attachments' folder inside a backup
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What stops a backup or a restore, in words for the operator."""


@dataclass(frozen=True)
class FileEntry:
    """One file of the backup: its path inside the backup folder (POSIX
    separators), size in bytes and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str  # UTC, ISO 8601
    engine: str  # "postgresql" or "sqlite"
    database_file: str
    schema_revision: str
    versions: dict[str, str]
    files: tuple[FileEntry, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = [asdict(entry) for entry in self.files]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        try:
            if data["format"] != FORMAT:
                raise BackupError(
                    f"{MANIFEST} is of format {data['format']!r}; this version reads {FORMAT}"
                )
            files = tuple(
                FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"]
            )
            manifest = cls(
                format=FORMAT,
                created_at=str(data["created_at"]),
                engine=str(data["engine"]),
                database_file=str(data["database_file"]),
                schema_revision=str(data["schema_revision"]),
                versions={str(k): str(v) for k, v in data["versions"].items()},
                files=files,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(f"{MANIFEST} is not a backup's manifest ({error!r})") from None
        for entry in manifest.files:
            if not is_inside(entry.path):
                raise BackupError(f"{MANIFEST} names a path outside the backup: {entry.path!r}")
        if manifest.database_file not in {entry.path for entry in manifest.files}:
            raise BackupError(f"{MANIFEST} does not list the database's file")
        for entry in manifest.uploads:
            if not entry.path.startswith(UPLOADS + "/"):
                raise BackupError(f"{MANIFEST} names a file outside {UPLOADS}/: {entry.path!r}")
        return manifest

    @property
    def uploads(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path != self.database_file]


def is_inside(path: str) -> bool:
    """A relative path that stays inside the folder it is read from."""
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_for(folder: Path, path: Path) -> FileEntry:
    """The manifest's line for a file already in the backup folder."""
    return FileEntry(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_of(path))


def copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy ``source`` to ``target`` (made anew, synced to disk), hashing what
    was copied; return its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return size, digest.hexdigest()


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest under a temporary name, sync it, then rename it into
    place and sync the folder: it appears whole or not at all."""
    partial = folder / (MANIFEST + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        json.dump(manifest.to_json(), out, indent=2)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    partial.replace(folder / MANIFEST)
    sync_folder(folder)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder")
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST}: it is not a finished backup"
            " (a backup whose creation was interrupted has none)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{MANIFEST} cannot be read ({error})") from None
    return Manifest.from_json(data)


def problems(folder: Path, manifest: Manifest) -> list[str]:
    """Every file of the manifest that is missing, of another size or whose
    checksum differs, by its path in the backup."""
    found = []
    for entry in manifest.files:
        path = folder / entry.path
        if not path.is_file() or path.is_symlink():
            found.append(f"{entry.path}: missing")
        elif path.stat().st_size != entry.size:
            found.append(
                f"{entry.path}: {path.stat().st_size} bytes, the manifest says {entry.size}"
            )
        elif sha256_of(path) != entry.sha256:
            found.append(f"{entry.path}: its SHA-256 differs from the manifest's")
    return found


def sync_folder(folder: Path) -> None:
    """Make the folder's entries (names made or renamed in it) durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
