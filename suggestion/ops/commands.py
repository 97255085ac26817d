"""``flask backup create DIR`` and ``flask backup restore DIR`` (DESIGN §2).

They print counts, sizes and revisions, never a row or a file's name: a
backup holds citizens' personal data, and its command's output goes to logs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from suggestion.core.extensions import db
from suggestion.ops import backup
from suggestion.ops.manifest import BackupError
from suggestion.ops.manifest import MANIFEST

backup_cli = AppGroup("backup", help="Back up and restore the database and the attached files.")

folder_argument = click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), metavar="DIR"
)


@backup_cli.command("create")
@folder_argument
def create(directory: Path) -> None:
    """Back up the database and UPLOAD_DIR into DIR (new or empty).

    Run it as the owner role (DATABASE_URL of the role that runs flask db
    upgrade): the site's role may not read every sequence."""
    try:
        with _umask(0o077):  # citizens' personal data: the backup's owner alone reads it
            made = backup.create(db.engine, Path(current_app.config["UPLOAD_DIR"]), directory)
    except BackupError as error:
        raise click.ClickException(f"{error}; no backup was written") from None
    click.echo(
        f"backup written to {directory.resolve()}: the {made.engine} database at schema"
        f" {made.revision} ({_size(made.database_bytes)}) and"
        f" {_files(made.files)} ({_size(made.file_bytes)}); {MANIFEST} last"
    )
    if made.vanished:
        click.echo(f"{_files(made.vanished)} removed from UPLOAD_DIR during the copy, not copied")


@backup_cli.command("restore")
@folder_argument
def restore(directory: Path) -> None:
    """Restore DIR into an empty database and an empty UPLOAD_DIR.

    Every file's checksum is checked before anything is written. On
    PostgreSQL, run it as the owner role: what is restored belongs to it,
    and no other role may use it until flask db grant."""
    if not directory.is_dir():
        raise click.ClickException(f"{directory} is not a folder; nothing was restored")
    try:
        with _umask(0o027):  # as the site's units write (UMask=0027 in deploy/systemd/)
            done = backup.restore(
                db.engine,
                Path(current_app.config["UPLOAD_DIR"]),
                directory,
                str(current_app.extensions["migrate"].directory),
            )
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"restored from {directory.resolve()}: the {done.engine} database at schema"
        f" {done.revision} and {_files(done.files)} into UPLOAD_DIR"
    )
    steps = []
    if done.is_older:
        steps.append(f"the schema is older than this version's ({done.head}): run flask db upgrade")
    if done.engine == "postgresql":
        steps.append(
            "the restored tables belong to the role that restored them and no other role"
            " may use them: as that owner, run flask db grant <the site's role>"
        )
    for number, step in enumerate(steps, start=1):
        click.echo(f"next ({number}): {step}")


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    """Files and folders made meanwhile get no more than ``~mask``, whatever
    the shell's umask (a root shell's 022 would let every local user read them)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _size(count: int) -> str:
    size, unit = float(count), "bytes"
    for larger in ("KB", "MB", "GB", "TB"):
        if size < 1024:
            break
        size, unit = size / 1024, larger
    return f"{count} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
