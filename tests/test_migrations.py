"""Schema migrations: the models and the migrations agree, a database made before migrations is
stamped and kept, an out-of-date database is refused in production, ``kb db`` works on it.

Every test runs on SQLite and on PostgreSQL (the PostgreSQL half needs KB_TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from app import create_app
from kb import migrate
from kb.accounts import create_account
from kb.bootstrap import SchemaOutOfDate
from kb.models import AuditEntry, Invite, OldSlug, Revision, User

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    return empty_database_url


def settings(tmp_path: Path, url: str, **extra) -> dict:
    return {"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
            "INDEX_DIR": str(tmp_path / "index"), "LOAD_DEMO": False,
            "SERVER_NAME": "kennisbank.test", **extra}


def dump(url: str, like: dict | None = None) -> dict[str, list[dict]]:
    """Every row of every table (the version table aside), in primary-key order.

    With ``like`` (an earlier dump), only its tables and columns: what an upgrade must keep.
    """
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as connection:
            found = {name: [dict(row._mapping) for row in connection.execute(
                         select(table).order_by(*table.primary_key.columns))]
                     for name, table in sorted(metadata.tables.items())
                     if name != migrate.VERSION_TABLE}
    finally:
        engine.dispose()
    if like is None:
        return found
    return {name: [{column: row[column] for column in (rows[0] if rows else {})}
                   for row in found[name]]
            for name, rows in like.items()}


def run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_the_migrations_create_exactly_what_the_models_declare(database_url):
    migrate.upgrade(database_url)
    assert migrate.differences(database_url) == []
    assert migrate.state(database_url).up_to_date


def test_a_new_app_upgrades_an_empty_database_by_itself(database_url, tmp_path):
    app = create_app(settings(tmp_path, database_url))
    app.extensions["kb.engine"].dispose()
    state = migrate.state(database_url)
    assert state.current == migrate.head() and not state.legacy


@pytest.fixture
def legacy_database(database_url, tmp_path: Path) -> str:
    """A database as the code before migrations left it: the baseline's tables, rows in every
    kind of table, and no ``alembic_version``.

    The rows are written by today's code and the schema is then taken back to the baseline
    (downgrades keep the rows of what stays), so the fixture keeps working as migrations are
    added."""
    from kb import workflow
    from kb.db import session_scope
    from kb.forms import AdviceForm
    from kb.invites import create_invite

    app = create_app(settings(tmp_path / "before", database_url))
    with app.app_context():
        with session_scope() as session:
            writer, editor = writer_and_editor(session)
            create_invite(session, editor, "contributor", "voor een nieuwe schrijver")
        with session_scope() as session:
            writer, editor = session.get(User, writer.id), session.get(User, editor.id)
            form = AdviceForm(title="Luister eerst", summary="Vraag wat de jongere wil.",
                              themes=["pleegzorg"], display_name="Sam",
                              body="## Wat we zien\n\nNiemand vraagt het.\n")
            advice = workflow.create_draft(session, writer, form)
            workflow.submit(session, writer, advice, advice.revision)
            workflow.publish(session, editor, advice, advice.revision)
            workflow.rename_slug(session, editor, advice, "luister-eerst-altijd", advice.revision)
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(database_url, migrate.BASELINE)
    run_sql(database_url, f"DROP TABLE {migrate.VERSION_TABLE}")
    assert set(dump(database_url)) == set(migrate.baseline_columns())
    return database_url


def test_a_database_made_before_migrations_is_stamped_and_keeps_every_row(legacy_database,
                                                                           tmp_path):
    before = dump(legacy_database)
    assert migrate.state(legacy_database).legacy
    for table in ("user_account", "advice", "revision", "old_slug", "invite", "audit_entry"):
        assert before[table], f"the fixture left {table} empty"

    app = create_app(settings(tmp_path, legacy_database))
    app.extensions["kb.engine"].dispose()

    assert migrate.state(legacy_database).current == migrate.head()
    assert dump(legacy_database, like=before) == before
    after = dump(legacy_database)
    assert [row["key"] for row in after["database_meta"]] == ["database_id"]
    assert all(row["txid"] is None for row in after["index_change"])
    client = create_app(settings(tmp_path, legacy_database)).test_client()
    assert client.get("/advies/1/luister-eerst").status_code == 301


def test_kb_db_upgrade_stamps_a_database_made_before_migrations(legacy_database, tmp_path):
    result = flask_cli(tmp_path, legacy_database, "kb", "db", "upgrade", KB_AUTO_UPGRADE="0")
    assert result.returncode == 0, result.stderr
    assert "stamped" in result.stdout
    assert migrate.state(legacy_database).up_to_date


def test_production_refuses_an_out_of_date_database_with_what_to_run(legacy_database, tmp_path):
    before = dump(legacy_database)
    with pytest.raises(SchemaOutOfDate, match=r"kb db upgrade"):
        create_app(settings(tmp_path, legacy_database, AUTO_UPGRADE=False))
    assert migrate.state(legacy_database).legacy, "a refused start must not change anything"
    assert dump(legacy_database) == before


def test_a_node_on_the_older_version_keeps_serving_a_database_a_newer_version_upgraded(
        database_url, tmp_path, caplog):
    """A rolling upgrade: the first node ran the newer migrations; a worker of a node still
    on this version that restarts meanwhile must start (and say so), not take the node down.
    Upgrading from an unknown revision is refused: only the newer version can go on."""
    migrate.upgrade(database_url)
    run_sql(database_url, f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'")
    app = create_app(settings(tmp_path, database_url, AUTO_UPGRADE=False))
    app.extensions["kb.engine"].dispose()
    assert "newer than this version knows" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200
    with pytest.raises(migrate.MigrationError, match="newer version"):
        migrate.upgrade(database_url)


def flask_cli(tmp_path: Path, url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``flask --app app …`` as a real process on this database."""
    environment = {**os.environ, "KB_DATABASE_URL": url, "KB_INDEX_DIR": str(tmp_path / "idx"),
                   "KB_SECRET_KEY": "test", "KB_LOAD_DEMO": "0", **env}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_kb_db_commands_work_where_a_production_start_is_refused(database_url, tmp_path):
    refused = flask_cli(tmp_path, database_url, "kb", "user", "create", "--password-stdin",
                        "beheerder", KB_AUTO_UPGRADE="0")
    assert refused.returncode == 1
    assert "kb db upgrade" in refused.stderr and "Traceback" not in refused.stderr

    current = flask_cli(tmp_path, database_url, "kb", "db", "current", KB_AUTO_UPGRADE="0")
    assert current.returncode == 0 and "run `kb db upgrade`" in current.stdout
    upgraded = flask_cli(tmp_path, database_url, "kb", "db", "upgrade", KB_AUTO_UPGRADE="0")
    assert upgraded.returncode == 0 and "applied 0001" in upgraded.stdout
    history = flask_cli(tmp_path, database_url, "kb", "db", "history", KB_AUTO_UPGRADE="0")
    assert "0001  Baseline" in history.stdout and "(current, newest)" in history.stdout
    check = flask_cli(tmp_path, database_url, "kb", "db", "check", KB_AUTO_UPGRADE="0")
    assert check.returncode == 0 and "matches the models" in check.stdout


def test_kb_db_check_fails_on_a_database_that_is_not_up_to_date(database_url, tmp_path):
    result = flask_cli(tmp_path, database_url, "kb", "db", "check", KB_AUTO_UPGRADE="0")
    assert result.returncode == 1 and f"not at {migrate.head()}" in result.stderr


def test_the_revisions_of_the_rows_survive_the_stamp(legacy_database, tmp_path):
    app = create_app(settings(tmp_path, legacy_database))
    with app.app_context():
        from sqlmodel import select as select_rows

        from kb.db import session_scope

        with session_scope() as session:
            assert session.exec(select_rows(OldSlug.slug)).all() == ["luister-eerst"]
            assert len(session.exec(select_rows(Revision)).all()) >= 3
            assert session.exec(select_rows(Invite)).first() is not None
            assert {a.action for a in session.exec(select_rows(AuditEntry))} >= {
                "publish", "rename_slug"}
    app.extensions["kb.engine"].dispose()


def test_kb_db_revision_writes_an_empty_migration_when_the_models_match(tmp_path):
    into = tmp_path / "versions"
    into.mkdir()
    result = flask_cli(tmp_path, f"sqlite:///{tmp_path / 'kb.db'}", "kb", "db", "revision",
                       "-m", "nothing new", "--into", str(into))
    assert result.returncode == 0, result.stderr
    written, = into.glob(f"{int(migrate.head()) + 1:04d}_*.py")
    source = written.read_text()
    assert f"down_revision: str | Sequence[str] | None = '{migrate.head()}'" in source
    upgrade = source[source.index("def upgrade"):source.index("def downgrade")]
    assert [line.strip() for line in upgrade.splitlines()[1:]
            if line.strip() and not line.strip().startswith("#")] == ["pass"]
    assert "sqlmodel" not in source


def writer_and_editor(session) -> tuple:
    """The two accounts every migration fixture writes with (made through today's code)."""
    from_cli = {"password": "een goed wachtwoord", "actor": None, "via": "cli"}
    writer = create_account(session, login="schrijver", display_name="Sam", role="contributor",
                            **from_cli)
    editor = create_account(session, login="redacteur", display_name="Redactie", role="editor",
                            **from_cli)
    return writer, editor
