"""``flask backup create DIR`` and ``flask backup restore DIR`` (DESIGN §2):
the database and the stored attachments (``UPLOAD_DIR``) together, with a
manifest of checksums.

Create dumps the database first and copies the files after, so that every
attachment row in the dump finds its file; a file stored after the dump's
snapshot is copied too, and harmless: no row names it, and the daily
``files.sweep_staged`` ignores it. Staged files (``*.staged``, written by a
request not yet committed, or committed a moment before being moved into
place) are copied as they are: the site moves a committed one into place
when it is read and the sweep settles the rest.

Restore checks everything before it writes anything: the manifest, every
file's size and checksum, the engine, the schema revision, an empty
database, an ``UPLOAD_DIR`` without files. It copies the files into a
hidden folder inside ``UPLOAD_DIR`` (checking each checksum again as it
copies), loads the database in one transaction, and only then moves the
files into place, so that a failure at any step before leaves the database
empty and ``UPLOAD_DIR`` as it was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from suggestion.cases.attachments import STAGED
from suggestion.core.time import utcnow
from suggestion.ops import dumps
from suggestion.ops.manifest import BackupError
from suggestion.ops.manifest import copy_file
from suggestion.ops.manifest import entry_for
from suggestion.ops.manifest import FileEntry
from suggestion.ops.manifest import FORMAT
from suggestion.ops.manifest import Manifest
from suggestion.ops.manifest import problems
from suggestion.ops.manifest import read_manifest
from suggestion.ops.manifest import sync_folder
from suggestion.ops.manifest import UPLOADS
from suggestion.ops.manifest import write_manifest

RESTORING = ".restoring"  # inside UPLOAD_DIR while a restore runs


@dataclass(frozen=True)
class Created:
    """What ``create`` wrote: for the operator's one line."""

    engine: str
    revision: str
    database_bytes: int
    files: int
    file_bytes: int
    vanished: int  # files removed while they were being copied


@dataclass(frozen=True)
class Restored:
    engine: str
    revision: str
    head: str | None
    files: int
    is_older: bool  # than the code's latest migration: flask db upgrade


def create(engine: sa.Engine, upload_dir: Path, folder: Path) -> Created:
    """Write a backup of the database and ``upload_dir`` into ``folder``,
    which must be new or empty; ``manifest.json`` is written last."""
    folder = folder.resolve()
    upload_dir = upload_dir.resolve()
    if folder.is_relative_to(upload_dir):
        raise BackupError(f"{folder} is inside UPLOAD_DIR; keep backups elsewhere")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder; give a new one for each backup")
    if not upload_dir.is_dir() and _stored_files(engine):
        raise BackupError(
            f"UPLOAD_DIR ({upload_dir}) is not a folder, yet the database names stored files:"
            " is the site's environment file loaded (README, 'Production', sflask)?"
        )
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        dumped = dumps.dump(engine, folder)
        database = entry_for(folder, dumped.path)
        copied, vanished = _copy_uploads(upload_dir, folder / UPLOADS)
        sync_folder(folder)
        manifest = Manifest(
            format=FORMAT,
            created_at=utcnow().isoformat(timespec="seconds"),
            engine=engine.dialect.name,
            database_file=database.path,
            schema_revision=dumped.revision,
            versions={"suggestion": _version(), **dumped.versions},
            files=(database, *copied),
        )
        write_manifest(folder, manifest)
    except BaseException:
        _empty(folder)  # the folder was empty: nothing half-written stays
        if made:
            folder.rmdir()
        raise
    return Created(
        engine=manifest.engine,
        revision=manifest.schema_revision,
        database_bytes=database.size,
        files=len(copied),
        file_bytes=sum(entry.size for entry in copied),
        vanished=vanished,
    )


def restore(engine: sa.Engine, upload_dir: Path, folder: Path, migrations: str) -> Restored:
    """Restore the backup in ``folder`` into the empty database and the empty
    ``upload_dir``; refuse, writing nothing, if anything is not as it must be."""
    folder = folder.resolve()
    upload_dir = upload_dir.resolve()
    manifest = read_manifest(folder)
    if found := problems(folder, manifest):
        shown = "; ".join(found[:10]) + (f"; and {len(found) - 10} more" if len(found) > 10 else "")
        raise BackupError(f"the backup does not match its manifest, nothing was restored: {shown}")
    script = ScriptDirectory(migrations)
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    if manifest.schema_revision not in known:
        raise BackupError(
            f"the backup's schema revision {manifest.schema_revision} is not one this version"
            f" of Suggestion knows (it was made by version {manifest.versions.get('suggestion')});"
            " restore it with that version or a newer one"
        )
    dumps.check_restorable(engine, manifest.engine, manifest.versions)
    if held := _files_under(upload_dir):
        raise BackupError(
            f"UPLOAD_DIR ({upload_dir}) already holds {len(held)}"
            f" file{'s' if len(held) != 1 else ''}; restore only into an"
            " empty folder (move them away, or point UPLOAD_DIR at a new folder)"
        )

    staging = upload_dir / RESTORING
    try:
        _stage_uploads(folder, manifest.uploads, staging)
        dumps.restore(engine, folder / manifest.database_file)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for entry in manifest.uploads:
        relative = Path(entry.path).relative_to(UPLOADS)
        (upload_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).replace(upload_dir / relative)
    shutil.rmtree(staging, ignore_errors=True)

    revision = dumps.revision_of(engine)
    if revision != manifest.schema_revision:
        raise BackupError(
            f"the restored schema is at revision {revision}, the manifest says"
            f" {manifest.schema_revision}: do not use this database"
        )
    return Restored(
        engine=manifest.engine,
        revision=revision,
        head=head,
        files=len(manifest.uploads),
        is_older=revision != head,
    )


def _stored_files(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM attachments")).scalar_one())


def _copy_uploads(upload_dir: Path, target: Path) -> tuple[list[FileEntry], int]:
    """Copy every file under ``upload_dir``; return their entries and how
    many vanished between the listing and their copy."""
    copied: list[FileEntry] = []
    vanished = 0
    folders = {target}
    listed = set(_files_under(upload_dir))
    for source in sorted(listed):
        relative = source.relative_to(upload_dir)
        try:
            size, sha256 = copy_file(source, target / relative)
        except FileNotFoundError:
            if source.exists():
                raise  # the target's folder, not the source, is missing
            settled = source.with_name(source.name.removesuffix(STAGED))
            if source.name.endswith(STAGED) and settled.exists() and settled not in listed:
                # A file left staged was moved into place meanwhile: its row
                # is in the dump, so the file must be in the backup.
                source, relative = settled, settled.relative_to(upload_dir)
                size, sha256 = copy_file(source, target / relative)
            else:
                vanished += 1
                continue
        copied.append(FileEntry(f"{UPLOADS}/{relative.as_posix()}", size, sha256))
        folders.update(p for p in (target / relative).parents if p.is_relative_to(target))
    for folder in folders:
        if folder.is_dir():
            sync_folder(folder)
    return copied, vanished


def _stage_uploads(folder: Path, entries: list[FileEntry], staging: Path) -> None:
    """Copy the backup's files into ``staging``, checking each checksum again
    (a file changed since it was verified is refused)."""
    staging.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        relative = Path(entry.path).relative_to(UPLOADS)
        size, sha256 = copy_file(folder / entry.path, staging / relative)
        if (size, sha256) != (entry.size, entry.sha256):
            raise BackupError(f"{entry.path} changed while it was restored; nothing was restored")


def _files_under(folder: Path) -> list[Path]:
    """The regular files under ``folder`` (symbolic links are not followed),
    in a stable order; none if it does not exist."""
    found: list[Path] = []
    for root, directories, names in os.walk(folder):
        directories.sort()
        found.extend(
            Path(root, name) for name in sorted(names) if not Path(root, name).is_symlink()
        )
    return found


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _version() -> str:
    try:
        return metadata.version("suggestion")
    except metadata.PackageNotFoundError:
        return "unknown"
