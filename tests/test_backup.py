"""``flask backup create`` and ``flask backup restore`` (DESIGN §2), on the
real stack: a PostgreSQL database with cases, their events, attachments (real
files in UPLOAD_DIR) and outbox rows is backed up, restored into a new
database owned by a new owner role and a new folder, and compared table by
table, row by row and file by file; the site's role, granted afterwards,
files a case on it. Restore refuses a database or a folder that is not empty,
and a backup whose files do not match the manifest, and writes nothing then.
The embedded default (SQLite) makes the same round trip."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import closing
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from config import normalise_database_url
from suggestion.core.extensions import db
from tests import services
from tests.factories import checked_pdf
from tests.factories import make_case
from tests.factories import PDF
from tests.factories import PNG
from tests.helpers import RecordingPublisher
from tests.helpers import utf8_ctype_clause

PERSONAL = ("สมชาย", "somchai@example.com", "0812345678", "evidence")


@contextmanager
def another_app(database_url: str, upload_dir: Path, tmp: Path) -> Iterator[Flask]:
    """The site on another database and upload folder; tasks are recorded,
    not sent, and its connections are closed at the end."""
    from suggestion import create_app

    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "UPLOAD_DIR": str(upload_dir),
            "MAIL_FOLDER": str(tmp / "mail"),
        },
    )
    app.extensions["task_publisher"] = RecordingPublisher()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def superuser() -> Iterator[sa.Connection]:
    """The tests' own superuser on the server's maintenance database."""
    base = make_url(normalise_database_url(services.DATABASE_URL))
    engine = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture
def new_database() -> Iterator[Callable[..., str]]:
    """Makes empty databases (named after the test database, so that runs
    side by side never meet), owned by a given role; all dropped afterwards."""
    base = make_url(normalise_database_url(services.DATABASE_URL))
    made: list[str] = []

    def create(owner: str | None = None, user: str | None = None) -> str:
        name = f"{base.database}_backup_{uuid4().hex[:10]}"
        with superuser() as conn:
            owned = f' OWNER "{owner}"' if owner else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{owned}{utf8_ctype_clause(conn)}'))
        made.append(name)
        who = {"username": user or owner} if (user or owner) else {}
        return base.set(database=name, **who).render_as_string(hide_password=False)

    yield create
    with superuser() as conn:
        for name in made:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def new_roles() -> Iterator[tuple[str, str]]:
    """An owner role (LOGIN, no superuser) and a role for the site, as README's
    "The database roles" makes them; dropped afterwards (ask for it before
    ``new_database``, so that the databases go first)."""
    suffix = uuid4().hex[:10]
    owner, web = f"suggestion_backup_owner_{suffix}", f"suggestion_backup_web_{suffix}"
    with superuser() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(sa.text(f'CREATE ROLE "{web}" LOGIN'))
    yield owner, web
    with superuser() as conn:
        for role in (web, owner):
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))


def file_cases(app: Flask) -> list[str]:
    """Three committed cases: one with two files and a receipt e-mail, one
    anonymous, one corruption report; their tracking codes."""
    codes = []
    with app.test_request_context():
        from suggestion.cases.attachments import CheckedFile

        png = CheckedFile(original_name="evidence.png", content_type="image/png", data=PNG)
        for overrides in (
            {"files": [checked_pdf(), png]},
            {"is_anonymous": True},
            {"kind": "corruption", "files": [checked_pdf()]},
        ):
            codes.append(make_case(**overrides).case.tracking_code)
            db.session.commit()
        db.session.remove()
    return codes


def every_row(app: Flask) -> dict[str, list[tuple[object, ...]]]:
    """Each table's rows (the schema's version included), in a stable order."""
    with app.app_context():
        names = [table.name for table in db.metadata.sorted_tables] + ["alembic_version"]
        with db.engine.connect() as conn:
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(sa.text(f'SELECT * FROM "{name}"'))),
                    key=repr,
                )
                for name in names
            }


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tables_of(app: Flask) -> list[str]:
    with app.app_context():
        return sa.inspect(db.engine).get_table_names()


def tables_of_file(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]


def backup(app: Flask, folder: Path) -> str:
    result = app.test_cli_runner().invoke(args=["backup", "create", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def restore(app: Flask, folder: Path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(folder)])
    return result.exit_code, result.output


@pytest.mark.postgres
def test_a_backup_restores_the_database_and_the_files_into_a_new_database_and_folder(
    app, live_db, published, new_roles, new_database, tmp_path
):
    codes = file_cases(app)
    uploads = Path(app.config["UPLOAD_DIR"])
    source_rows = every_row(app)
    assert len(source_rows["cases"]) == 3 and len(source_rows["attachments"]) == 3
    assert len(source_rows["case_events"]) >= 3 and source_rows["notifications"]
    assert len(files_under(uploads)) == 3

    said = backup(app, tmp_path / "backup")
    assert "3 files" in said and "schema" in said
    assert not any(word in said for word in PERSONAL)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql" and manifest["schema_revision"]
    assert {"suggestion", "python", "postgresql", "pg_dump"} <= set(manifest["versions"])
    assert manifest["created_at"].endswith("+00:00")
    assert len(manifest["files"]) == 4  # the dump and three attachments

    owner, web = new_roles
    owner_url = new_database(owner=owner)
    restored_uploads = tmp_path / "restored-uploads"
    with another_app(owner_url, restored_uploads, tmp_path) as restored:
        status, said = restore(restored, tmp_path / "backup")
        assert status == 0, said
        assert "3 files" in said and "flask db grant" in said
        assert "flask db upgrade" not in said  # the schema is this version's
        assert not any(word in said for word in PERSONAL)

        assert every_row(restored) == source_rows
        assert files_under(restored_uploads) == files_under(uploads)
        assert not (restored_uploads / ".restoring").exists()
        with restored.app_context(), db.engine.connect() as conn:
            owners = conn.scalars(
                sa.text(
                    "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
                    " WHERE relnamespace = 'public'::regnamespace"
                )
            ).all()
            assert owners == [owner]  # --no-owner: what is restored is the restorer's
        granted = restored.test_cli_runner().invoke(args=["db", "grant", web])
        assert granted.exit_code == 0, granted.output

    # The site's role, granted by the owner, works on the restored database:
    # the sequences go on from where they were, and the files are found.
    web_url = make_url(owner_url).set(username=web).render_as_string(hide_password=False)
    with another_app(web_url, restored_uploads, tmp_path) as site:
        new_code = file_cases(site)[0]
        assert new_code not in codes
        with site.app_context():
            from suggestion.cases.attachments import path_of
            from suggestion.cases.models import Attachment
            from suggestion.cases.models import Case

            first = db.session.scalars(
                sa.select(Attachment).join(Case).where(Case.tracking_code == codes[0])
            ).all()
            assert sorted(path_of(a).read_bytes() for a in first) == sorted([PDF, PNG])
            db.session.remove()
        # The site's role may not read every sequence: backups are the owner's.
        result = site.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "web")])
        assert result.exit_code != 0 and "as the owner" in result.output
        assert not (tmp_path / "web").exists()  # nothing half-written is left


@pytest.mark.postgres
def test_restore_refuses_a_database_that_is_not_empty_and_writes_nothing(
    app, live_db, published, new_database, tmp_path, monkeypatch
):
    file_cases(app)
    backup(app, tmp_path / "backup")
    before = every_row(app)

    # Into the very database it came from.
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "elsewhere"))
    status, said = restore(app, tmp_path / "backup")
    assert status != 0
    assert "is not empty" in said and "alembic_version" in said
    assert every_row(app) == before
    assert not (tmp_path / "elsewhere").exists()

    # A database with nothing but the schema's version table is not empty either.
    url = new_database()
    with another_app(url, tmp_path / "fresh", tmp_path) as other:
        with other.app_context(), db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE alembic_version (version_num varchar(32))"))
        status, said = restore(other, tmp_path / "backup")
        assert status != 0 and "is not empty (1 table: public.alembic_version)" in said
        assert tables_of(other) == ["alembic_version"]
        assert not (tmp_path / "fresh").exists()


@pytest.mark.postgres
def test_restore_refuses_an_upload_folder_that_holds_files(
    app, live_db, published, new_database, tmp_path
):
    file_cases(app)
    backup(app, tmp_path / "backup")
    occupied = tmp_path / "occupied"
    (occupied / "ab").mkdir(parents=True)
    (occupied / "ab" / "someone-elses.pdf").write_bytes(PDF)
    with another_app(new_database(), occupied, tmp_path) as other:
        status, said = restore(other, tmp_path / "backup")
        assert status != 0 and "already holds 1 file;" in said
        assert tables_of(other) == []
    assert files_under(occupied) == {"ab/someone-elses.pdf": PDF}


@pytest.mark.postgres
@pytest.mark.parametrize("harm", ["altered attachment", "missing attachment", "altered dump"])
def test_restore_refuses_a_backup_that_does_not_match_its_manifest(
    app, live_db, published, new_database, tmp_path, harm
):
    file_cases(app)
    backup(app, tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    attachment = next(f["path"] for f in manifest["files"] if f["path"].startswith("uploads/"))
    if harm == "altered attachment":
        harmed = attachment
        path = tmp_path / "backup" / harmed
        data = path.read_bytes()
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit, the same size
    elif harm == "missing attachment":
        harmed = attachment
        (tmp_path / "backup" / harmed).unlink()
    else:
        harmed = "database.dump"
        with (tmp_path / "backup" / harmed).open("ab") as dump:
            dump.write(b"\0")

    with another_app(new_database(), tmp_path / "restored", tmp_path) as other:
        status, said = restore(other, tmp_path / "backup")
        assert status != 0
        assert "does not match its manifest" in said and harmed in said
        assert tables_of(other) == []
    assert not (tmp_path / "restored").exists()


def test_restore_refuses_a_folder_without_a_manifest(app, tmp_path):
    (tmp_path / "half-written").mkdir()
    (tmp_path / "half-written" / "database.dump").write_bytes(b"PGDMP")
    status, said = restore(app, tmp_path / "half-written")
    assert status != 0 and "no manifest.json" in said


def test_create_refuses_a_folder_that_is_not_empty(app, tmp_path):
    (tmp_path / "last-night").mkdir()
    (tmp_path / "last-night" / "manifest.json").write_text("{}")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "last-night")])
    assert result.exit_code != 0 and "not an empty folder" in result.output
    assert (tmp_path / "last-night" / "manifest.json").read_text() == "{}"


def test_the_embedded_default_sqlite_makes_the_round_trip(tmp_path):
    from flask_migrate import upgrade

    from suggestion.seed import seed_reference_data

    source_uploads = tmp_path / "uploads"
    with another_app(f"sqlite:///{tmp_path / 'site.sqlite'}", source_uploads, tmp_path) as site:
        with site.app_context():
            upgrade()
            seed_reference_data()
            db.session.commit()
            db.session.remove()
        codes = file_cases(site)
        said = backup(site, tmp_path / "backup")
        assert "the sqlite database" in said and "3 files" in said
        assert not any(word in said for word in PERSONAL)
        source_rows = every_row(site)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and "sqlite" in manifest["versions"]
    assert not list((tmp_path / "backup").glob("*-wal"))  # one file, no journal beside it
    # Personal data: nobody but the backup's owner may read any of it, even
    # when the shell that ran it had a umask of 022.
    for path in [tmp_path / "backup", *(tmp_path / "backup").rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))

    restored_uploads = tmp_path / "restored-uploads"
    target = tmp_path / "restored" / "site.sqlite"
    with another_app(f"sqlite:///{target}", restored_uploads, tmp_path) as restored:
        status, said = restore(restored, tmp_path / "backup")
        assert status == 0, said
        assert "flask db grant" not in said  # SQLite has no roles
        assert every_row(restored) == source_rows
        assert len(source_rows["cases"]) == 3 and len(source_rows["attachments"]) == 3
        assert files_under(restored_uploads) == files_under(source_uploads)
        for path in restored_uploads.rglob("*"):  # the site's group reads, no one else
            assert path.stat().st_mode & 0o027 == 0, (path, oct(path.stat().st_mode))
        assert file_cases(restored)[0] not in codes  # the restored site files on

        status, said = restore(restored, tmp_path / "backup")  # now it is not empty
        assert status != 0 and "is not empty" in said


def test_an_older_schema_is_restored_with_its_upgrade_to_do_and_an_unknown_one_is_refused(
    tmp_path,
):
    from flask_migrate import upgrade

    with another_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path / "u", tmp_path) as old:
        with old.app_context():
            upgrade(revision="0017")
        backup(old, tmp_path / "backup")

    with another_app(f"sqlite:///{tmp_path / 'new.sqlite'}", tmp_path / "v", tmp_path) as new:
        status, said = restore(new, tmp_path / "backup")
        assert status == 0, said
        assert "at schema 0017" in said and "run flask db upgrade" in said

    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_revision"] = "9999"  # made by a later version of the code
    manifest_path.write_text(json.dumps(manifest))
    target = tmp_path / "newer.sqlite"
    with another_app(f"sqlite:///{target}", tmp_path / "w", tmp_path) as newer:
        status, said = restore(newer, tmp_path / "backup")
        assert status != 0 and "revision 9999 is not one this version" in said
    assert not target.exists() or not tables_of_file(target)
    assert not (tmp_path / "w").exists()


def test_create_refuses_an_upload_folder_that_is_missing_while_files_are_recorded(tmp_path):
    """The command run without the site's environment file: UPLOAD_DIR would
    be the development default, and the backup would hold no file at all."""
    from flask_migrate import upgrade

    from suggestion.seed import seed_reference_data

    with another_app(
        f"sqlite:///{tmp_path / 'site.sqlite'}", tmp_path / "uploads", tmp_path
    ) as site:
        with site.app_context():
            upgrade()
            seed_reference_data()
            db.session.commit()
            db.session.remove()
        file_cases(site)
        site.config["UPLOAD_DIR"] = str(tmp_path / "not-the-uploads")
        result = site.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b")])
        assert result.exit_code != 0
        assert "UPLOAD_DIR" in result.output and "is not a folder" in result.output
        assert not (tmp_path / "b").exists()
