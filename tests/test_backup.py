"""Backup and restore (kb.backup, kb.restore, kb.cli_backup): real databases and real files.

The PostgreSQL directions use ``KB_TEST_DATABASE_URL`` (skipped with a reason without it; under
``KB_REQUIRE_POSTGRES=1`` the skip fails). They empty that database before and after, so run
them without ``-n``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.pool import NullPool

from app import create_app
from kb import backup, migrate, ratelimit, restore, workflow
from kb.advice import AdviceContent, save_advice
from kb.auth import hash_password
from kb.backup import FORMAT_VERSION, BackupError
from kb.config import PROJECT_ROOT
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.invites import create_invite
from kb.models import Advice, AdviceStatus, Role, User
from kb.restore import SERVER_LOCAL_COLUMNS
from tests.conftest import TEST_PASSWORD, TEST_SCRYPT_N
from tests.workflow_fixtures import FORM


@pytest.fixture
def database(request, tmp_path: Path):
    """``database(kind, name)``: the URL of an empty database, "sqlite" (a file under
    tmp_path) or "postgresql" (the test server, emptied now and after the test)."""
    used_postgres = []

    def url(kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        postgres = request.getfixturevalue("postgres_url")
        _empty_postgres(postgres)
        used_postgres.append(postgres)
        return postgres

    yield url
    for postgres in used_postgres[:1]:
        _empty_postgres(postgres)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture
def start(tmp_path: Path):
    """``start(url, name)``: an app on that database after its first start (themes loaded);
    every app made is closed after the test."""
    apps = []

    def make(url: str, name: str):
        application = create_app({
            "TESTING": True, "INSTANCE_PATH": tmp_path / name / "instance",
            "DATABASE_URL": url, "INDEX_DIR": str(tmp_path / name / "index"),
            "LOAD_DEMO": False, "SERVER_NAME": "kennisbank.test",
        })
        apps.append(application)
        return application

    yield make
    for application in apps:
        application.extensions["kb.engine"].dispose()


@dataclass
class Seeded:
    advice_id: int
    old_slug: str
    new_slug: str
    submitted_id: int


def seed(app) -> Seeded:
    """Accounts, a draft, a submitted advice, a published one renamed once, an invite, a failed
    login: every kind of row there is."""
    with app.app_context():
        with session_scope() as session:
            people = [User(login=login, role=role, email=email, display_names=names,
                           password_hash=hash_password(TEST_PASSWORD, n=TEST_SCRYPT_N))
                      for login, role, email, names in (
                          ("beheerder", Role.ADMIN, "beheer@example.org", ["Beheer"]),
                          ("redacteur", Role.EDITOR, None, ["Eva"]),
                          ("schrijver", Role.CONTRIBUTOR, None, ["Sam", "anoniem"]))]
            session.add_all(people)
        admin, editor, writer = (_user(login) for login in ("beheerder", "redacteur",
                                                             "schrijver"))
        with session_scope() as session:
            workflow.create_draft(session, writer, AdviceForm(**{**FORM, "title": "Een concept"}))
            submitted = workflow.create_draft(
                session, writer, AdviceForm(**{**FORM, "title": "Wacht op de redactie"}),
                submit=True)
            published = workflow.create_draft(session, writer, AdviceForm(**FORM), submit=True)
            create_invite(session, admin, Role.CONTRIBUTOR, note="Voor Kim")
            ratelimit.record_failure(session, ["login:schrijver", "addr:192.0.2.1"])
        for step in (lambda s, a: workflow.publish(s, editor, a),
                     lambda s, a: workflow.rename_slug(s, editor, a, "een-nieuw-adres")):
            with session_scope() as session:
                advice = session.get(Advice, published.id)
                old_slug = advice.slug
                step(session, advice)
    return Seeded(advice_id=published.id, old_slug=old_slug, new_slug="een-nieuw-adres",
                  submitted_id=submitted.id)


def _user(login: str) -> User:
    with session_scope() as session:
        return session.exec(select(User).where(User.login == login)).scalar_one()


#: Facts about one database (its random database_id), which a restored database does not take
#: over from the backup: it is a new database.
OWN_TABLES = {"database_meta"}


def contents(path: Path) -> tuple[dict, dict[str, bytes]]:
    """A backup's manifest (without when and from which backend it was made) and its tables,
    without the tables that describe the database itself, and with the values that only mean
    something on the server that wrote them (PostgreSQL transaction ids) left out."""
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        tables = {t["name"]: _without_server_local(
                      t["name"], gzip.decompress(tar.extractfile(t["file"]).read()))
                  for t in manifest["tables"] if t["name"] not in OWN_TABLES}
    del manifest["created_at"], manifest["backend"]
    manifest["tables"] = [{k: v for k, v in t.items() if k != "sha256"}
                          for t in manifest["tables"] if t["name"] not in OWN_TABLES]
    return manifest, tables


def _without_server_local(table: str, data: bytes) -> bytes:
    columns = SERVER_LOCAL_COLUMNS.get(table, ())
    if not columns:
        return data
    lines = [json.loads(line) for line in data.splitlines()]
    return b"\n".join(json.dumps({k: (None if k in columns else v) for k, v in row.items()},
                                 sort_keys=True).encode() for row in lines)


def rows(path: Path, table: str) -> list[dict]:
    with tarfile.open(path) as tar:
        data = gzip.decompress(tar.extractfile(f"tables/{table}.jsonl.gz").read())
    return [json.loads(line) for line in data.splitlines()]


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table (the version table too): to prove nothing was written."""
    engine = create_engine(url, poolclass=NullPool)
    meta = MetaData()
    with engine.connect() as connection:
        meta.reflect(connection)
        found = {table.name: sorted(map(repr, connection.execute(select(table))))
                 for table in meta.sorted_tables}
    engine.dispose()
    return found


DIRECTIONS = [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")]


# --------------------------------------------------------------------------- the file


def test_a_backup_holds_every_table_and_a_manifest_a_person_can_read(database, start, tmp_path):
    url = database("sqlite", "source")
    seed(start(url, "source"))
    report = backup.backup(url, tmp_path / "kb.tar")

    with tarfile.open(report.path) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    tables = {t["name"] for t in manifest["tables"]}
    assert tables == set(backup.columns_at(migrate.head())) >= {
        "theme", "advice", "advice_theme", "revision", "old_slug", "user_account", "invite",
        "audit_entry", "login_attempt", "index_change"}
    assert names[1:] == [f"tables/{t['name']}.jsonl.gz" for t in manifest["tables"]]
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["schema_revision"] == migrate.head()
    assert manifest["backend"] == "sqlite"
    assert manifest["created_at"].endswith("Z") and manifest["app_version"]
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        for table in manifest["tables"]:
            count = connection.execute(text(f"SELECT count(*) FROM {table['name']}")).scalar()
            assert table["rows"] == count, table["name"]
    engine.dispose()
    [account] = [r for r in rows(report.path, "user_account") if r["login"] == "beheerder"]
    assert account["password_hash"].startswith("scrypt$") and account["active"] is True
    assert "T" in account["created_at"]  # ISO 8601
    assert os.stat(report.path).st_mode & 0o077 == 0  # password hashes: the owner only
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kb.tar")] == []


@pytest.mark.parametrize("source_kind, target_kind", DIRECTIONS)
def test_backup_restore_backup_gives_the_same_content(database, start, tmp_path, source_kind,
                                                      target_kind):
    source = database(source_kind, "source")
    seed(start(source, "source"))
    first = backup.backup(source, tmp_path / "first.tar")
    target = database(target_kind, "target")
    start(target, "target")  # a first start: themes and the version table only

    report = restore.restore(target, first.path, tmp_path)
    second = backup.backup(target, tmp_path / "second.tar")

    assert report.manifest.rows == first.manifest.rows > 30
    assert contents(second.path) == contents(first.path)
    if "database_meta" in backup.columns_at(migrate.head()):  # a new database: a new id
        [before], [after] = rows(first.path, "database_meta"), rows(second.path, "database_meta")
        assert before["key"] == after["key"] == "database_id"
        assert before["value"] != after["value"]


@pytest.mark.parametrize("target_kind", ["sqlite", "postgresql"])
def test_after_a_restore_accounts_log_in_and_old_slugs_redirect(database, start, tmp_path,
                                                                 target_kind):
    source = database("sqlite", "source")
    seeded = seed(start(source, "source"))
    file = backup.backup(source, tmp_path / "kb.tar").path
    target = database(target_kind, "target")
    restore.restore(target, file, tmp_path)

    client = start(target, "after").test_client()
    with client.session_transaction() as sess:
        sess["csrf_token"] = "token"
    response = client.post("/inloggen", data={"csrf_token": "token", "login": "schrijver",
                                              "password": TEST_PASSWORD, "next": "/account"})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/account")
    with client.session_transaction() as sess:
        assert sess.get("uid") is not None
    response = client.get(f"/advies/{seeded.advice_id}/{seeded.old_slug}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/advies/{seeded.advice_id}/een-nieuw-adres")
    assert client.get(f"/advies/{seeded.advice_id}/een-nieuw-adres").status_code == 200
    assert [r["slug"] for r in rows(file, "old_slug")] == [seeded.old_slug]


@pytest.mark.parametrize("target_kind", ["sqlite", "postgresql"])
def test_ids_and_revision_numbers_are_kept_and_new_ids_come_after_every_old_one(
        database, start, tmp_path, target_kind):
    source = database("sqlite", "source")
    app = start(source, "source")
    seed(app)
    with app.app_context(), session_scope() as session:  # the newest advice, then deleted:
        gone, _ = save_advice(session, None, _content("weg"), status=AdviceStatus.DRAFT)
    with app.extensions["kb.engine"].begin() as connection:  # its id is never handed out again
        for table in ("revision", "advice_theme", "audit_entry"):
            connection.execute(text(f"DELETE FROM {table} WHERE advice_id = {gone.id}"))
        connection.execute(text(f"DELETE FROM advice WHERE id = {gone.id}"))
    file = backup.backup(source, tmp_path / "kb.tar").path
    target = database(target_kind, "target")
    restore.restore(target, file, tmp_path)

    engine = create_engine(target, poolclass=NullPool)
    with engine.connect() as connection:
        def pairs(sql: str) -> list[tuple]:
            return [tuple(r) for r in connection.execute(text(sql))]
        assert pairs("SELECT id, slug, revision FROM advice ORDER BY id") == [
            (r["id"], r["slug"], r["revision"]) for r in rows(file, "advice")]
        assert pairs("SELECT advice_id, number FROM revision ORDER BY id") == [
            (r["advice_id"], r["number"]) for r in rows(file, "revision")]
    engine.dispose()
    restored = start(target, "after")
    with restored.app_context(), session_scope() as session:
        new, _ = save_advice(session, None, _content("nieuw"), status=AdviceStatus.DRAFT)
    assert new.id == gone.id + 1


def test_a_backup_from_before_migrations_restores_and_is_upgraded(database, start, tmp_path):
    if migrate.head() == migrate.BASELINE:
        pytest.skip("no migration after the baseline to upgrade through")
    source = database("sqlite", "source")
    seed(start(source, "source"))
    migrate.downgrade(source, migrate.BASELINE)  # the rows of what stays are kept
    engine = create_engine(source, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {migrate.VERSION_TABLE}"))
    engine.dispose()
    file = backup.backup(source, tmp_path / "old.tar").path
    assert contents(file)[0]["schema_revision"] == migrate.BASELINE
    target = database("sqlite", "target")

    report = restore.restore(target, file, tmp_path)

    assert report.upgraded and report.upgraded[-1] == migrate.head()
    assert migrate.state(target).up_to_date
    again = backup.backup(target, tmp_path / "again.tar").path
    for table in ("advice", "revision", "old_slug", "user_account", "invite", "audit_entry"):
        before = rows(file, table)
        columns = before[0].keys()  # later migrations may add columns; these must stay
        # Migration 0006 maps a free-text region onto the region list ("Utrecht" → "utrecht").
        moved = {"region"} if table == "advice" else set()
        assert [{c: r[c] for c in columns if c not in moved} for r in rows(again, table)] == [
            {c: r[c] for c in columns if c not in moved} for r in before], table


def _content(slug: str) -> AdviceContent:
    return AdviceContent(title=slug.title(), summary="Kort.", body="Tekst.", themes=("wonen",),
                         slug=slug)


# --------------------------------------------------------------------------- refusals


def _rewrite_manifest(path: Path, **changes) -> None:
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w") as tar:
        for member, data in members:
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _change_one_byte(path: Path) -> None:
    with tarfile.open(path) as tar:
        member = tar.getmember("tables/advice.jsonl.gz")
    data = bytearray(path.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage, message", [
    (_truncate, "damaged"),
    (_change_one_byte, "tables/advice.jsonl.gz does not match its sha256"),
    (lambda path: _rewrite_manifest(path, format_version=FORMAT_VERSION + 1),
     f"format version {FORMAT_VERSION + 1}, newer than this version"),
    (lambda path: _rewrite_manifest(path, schema_revision="f00d"),
     "schema revision f00d, which this version does not know"),
], ids=["truncated", "one-byte-changed", "newer-format", "unknown-revision"])
def test_a_damaged_or_newer_backup_is_refused_and_nothing_is_written(database, start, tmp_path,
                                                                     damage, message):
    source = database("sqlite", "source")
    seed(start(source, "source"))
    file = backup.backup(source, tmp_path / "kb.tar").path
    damage(file)
    target = database("sqlite", "target")
    start(target, "target")
    before = snapshot(target)

    with pytest.raises(BackupError, match=message):
        restore.restore(target, file, tmp_path)
    assert snapshot(target) == before


def test_a_database_that_holds_more_than_a_first_start_is_refused(database, start, tmp_path):
    source = database("sqlite", "source")
    seed(start(source, "source"))
    file = backup.backup(source, tmp_path / "kb.tar").path
    target = database("sqlite", "target")
    start(target, "target")
    engine = create_engine(target, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO login_attempt (key, created_at) "
                                "VALUES ('addr:x', '2026-01-01 00:00:00')"))
    engine.dispose()
    before = snapshot(target)

    with pytest.raises(BackupError, match=r"is not empty \(rows in login_attempt\)"):
        restore.restore(target, file, tmp_path)
    assert snapshot(target) == before


def test_an_empty_database_has_nothing_to_back_up(database, tmp_path):
    with pytest.raises(BackupError, match="empty"):
        backup.backup(database("sqlite", "nothing"), tmp_path / "kb.tar")
    assert list(tmp_path.glob("*.tar")) == []


# --------------------------------------------------------------------------- consistency


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_publish_during_a_backup_is_wholly_in_it_or_wholly_out(database, start, tmp_path,
                                                                 kind):
    url = database(kind, "source")
    app = start(url, "source")
    seeded = seed(app)

    def publish_now(table: str) -> None:
        if table != "index_change":  # the first table read: the others come after the commit
            return
        with app.app_context(), session_scope() as session:
            workflow.publish(session, _user("redacteur"), session.get(Advice, seeded.submitted_id))

    during = backup.backup(url, tmp_path / "during.tar", on_table=publish_now).path
    after = backup.backup(url, tmp_path / "after.tar").path

    def seen(path: Path) -> tuple:
        [advice] = [r for r in rows(path, "advice") if r["id"] == seeded.submitted_id]
        return (advice["status"], advice["revision"],
                sum(r["advice_id"] == seeded.submitted_id for r in rows(path, "revision")),
                sum(r["advice_id"] == seeded.submitted_id for r in rows(path, "index_change")),
                sum(r["action"] == "publish" for r in rows(path, "audit_entry")))

    assert seen(during) == ("submitted", 1, 1, 0, 1)  # the seed published one other advice
    assert seen(after) == ("published", 2, 2, 1, 2)


# --------------------------------------------------------------------------- the commands


def _command(args: list[str], url: str, cwd: Path) -> dict:
    """``flask --app app kb ARGS`` as a real process on the database at ``url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_DATABASE_URL=url, KB_INDEX_DIR=str(cwd / "index"), KB_LOAD_DEMO="0",
               KB_SECRET_KEY="test", KB_INSTANCE_PATH=str(cwd / "instance"))
    return {"args": [sys.executable, "-m", "flask", "--app", str(PROJECT_ROOT / "app.py"), "kb",
                     *args], "cwd": cwd, "env": env}


def _flask(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(**_command(args, url, cwd), capture_output=True, text=True,
                          timeout=120)


def test_the_commands_back_up_and_restore_into_a_new_database(database, start, tmp_path):
    source = database("sqlite", "source")
    seed(start(source, "source"))
    file = tmp_path / "kb.tar"

    done = _flask(["backup", str(file)], source, tmp_path)
    assert done.returncode == 0, done.stderr
    tables = len(backup.columns_at(migrate.head()))
    assert done.stdout.startswith(f"Backup written to {file}: {tables} tables, ")
    target = f"sqlite:///{tmp_path / 'new' / 'kennisbank.db'}"  # the file does not exist yet
    (tmp_path / "new").mkdir()
    done = _flask(["restore", str(file)], target, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{tables} tables" in done.stdout
    assert "search index rebuilt with 1 advice" in done.stdout
    assert contents(backup.backup(target, tmp_path / "again.tar").path) == contents(file)

    refused = _flask(["restore", str(file)], target, tmp_path)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and refused.stdout == ""


def test_a_backup_killed_midway_leaves_the_previous_file_whole(database, start, tmp_path):
    source = database("sqlite", "source")
    seed(start(source, "source"))
    file = tmp_path / "kb.tar"
    backup.backup(source, file)
    previous = file.read_bytes()
    engine = create_engine(source, poolclass=NullPool)
    with engine.begin() as connection:  # enough rows that reading them takes a while
        connection.execute(text("INSERT INTO login_attempt (key, created_at) VALUES (:k, :t)"),
                           [{"k": f"addr:{n}", "t": "2026-01-01 00:00:00"}
                            for n in range(200_000)])
    engine.dispose()

    process = subprocess.Popen(**_command(["backup", str(file)], source, tmp_path),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".kb.tar.") for p in tmp_path.iterdir()):
        assert process.poll() is None, "the backup ended before it was seen at work"
        assert time.monotonic() < deadline, "the backup never started"
        time.sleep(0.002)
    process.kill()  # SIGKILL: no clean-up runs
    process.wait()

    assert file.read_bytes() == previous
    assert restore.verify(file).rows < 200_000  # the earlier backup, still whole
