"""Schema migrations: Alembic, with the migrations inside the package (``kb/migrations``).

Every schema change is a migration; nothing else creates tables. The app, the ``kb db``
commands and ``kb restore`` call the functions here directly (never Alembic's command line),
each on a connection of its own that holds the whole upgrade in one transaction:

- SQLite runs DDL in a transaction only when it is told ``BEGIN`` itself (Python's sqlite3
  module opens transactions only before INSERT/UPDATE/DELETE), so the migration engine takes over
  transaction control (SQLAlchemy's documented pysqlite recipe). Its connections also leave
  ``foreign_keys`` off: a batch ALTER copies and drops a table, which enforced foreign keys would
  refuse or cascade.
- A database made before migrations existed (tables but no ``alembic_version``) is recognised
  and stamped as the baseline, which created exactly that schema, then upgraded.

No Flask here: the start-up code (``kb.bootstrap``) decides when to call it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from kb import models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The migration that creates the schema of the last version without migrations.
BASELINE = "0001"
VERSION_TABLE = "alembic_version"


class MigrationError(RuntimeError):
    """The database cannot be brought to this version's schema; the message says why."""


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision (None: none recorded), the newest, and whether it
    is empty, made before migrations existed (``legacy``) or already up to date."""

    current: str | None
    head: str
    legacy: bool
    empty: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.empty:
            return "empty database"
        if self.legacy:
            return "made before migrations (no alembic_version table)"
        return f"at revision {self.current}"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration without an ini file: the script folder and a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.cache
def script_directory() -> ScriptDirectory:
    """The migration scripts, read once per process."""
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision: the schema this version of the code expects."""
    heads = script_directory().get_heads()
    if len(heads) != 1:
        raise MigrationError(f"the migrations have {len(heads)} heads; merge them")
    return heads[0]


def known(revision: str) -> bool:
    """Whether this version of the code has a migration with this id."""
    try:
        return script_directory().get_revision(revision) is not None
    except Exception:  # Alembic raises several kinds for an unknown or partial id
        return False


def history() -> list[tuple[str, str | None, str]]:
    """Every migration, oldest first: (revision, the one before, its first docstring line)."""
    scripts = list(script_directory().walk_revisions())
    return [(s.revision, s.down_revision if isinstance(s.down_revision, str) else None,
             (s.doc or "").strip().splitlines()[0] if s.doc else "")
            for s in reversed(scripts)]


def run_migrations(context) -> None:
    """The body of ``env.py``: migrate on the connection we were handed (or the ini's URL)."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # Alembic's own command line, e.g. ``alembic -x`` by a developer
        engine = migration_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _configure_and_run(context, connection)
        engine.dispose()
        return
    _configure_and_run(context, connection)


def _configure_and_run(context, connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        render_item=_render_item,
        **context.config.attributes.get("configure", {}),
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(type_: str, obj, autogen_context):
    """Write SQLModel's string type as plain ``sa.String`` in new migrations, so that a
    migration never imports SQLModel (whose internals may move)."""
    from sqlmodel.sql.sqltypes import AutoString

    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def migration_engine(url: str) -> Engine:
    """An engine whose connections run migrations in real transactions (see module docstring)."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # IMMEDIATE: take the write lock at once, so two migrators cannot interleave.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    engine = migration_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def url_of(engine_or_url: Engine | str) -> str:
    """The URL as a string with the password kept (``str(url)`` would mask it)."""
    if isinstance(engine_or_url, str):
        return engine_or_url
    return engine_or_url.url.render_as_string(hide_password=False)


def state(engine_or_url: Engine | str) -> SchemaState:
    """Where the database stands, read without changing anything."""
    engine = create_engine(url_of(engine_or_url))
    try:
        with engine.connect() as connection:
            return _state(connection)
    finally:
        engine.dispose()


def _state(connection: Connection) -> SchemaState:
    tables = set(inspect(connection).get_table_names())
    ours = {table.name for table in SQLModel.metadata.sorted_tables}
    current = None
    if VERSION_TABLE in tables:
        current = MigrationContext.configure(connection).get_current_revision()
    legacy = VERSION_TABLE not in tables and bool(tables & ours)
    empty = current is None and not legacy
    return SchemaState(current=current, head=head(), legacy=legacy, empty=empty)


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> list[str]:
    """Bring the database to ``revision`` (default the newest); returns the revisions applied.

    A database made before migrations is first stamped as the baseline. All of it happens in
    one transaction: an upgrade that fails leaves the database as it was.
    """
    applied: list[str] = []
    with _connection(url_of(engine_or_url)) as connection:
        now = _state(connection)
        if now.current is not None and not known(now.current):
            raise MigrationError(
                f"the database is at revision {now.current}, which this version does not know: "
                "it was made by a newer version of the kennisbank. Install that version "
                "(or newer) instead.")
        if now.legacy:
            _check_legacy(connection)
            MigrationContext.configure(connection).stamp(script_directory(), BASELINE)
            log.info("Recognised a database made before migrations; stamped it as the "
                     "baseline (%s).", BASELINE)
        _run(connection, "upgrade", revision, applied)
    return applied


def downgrade(engine_or_url: Engine | str, revision: str) -> list[str]:
    """Take the schema back to ``revision`` (``base``: no tables). Used on empty databases."""
    undone: list[str] = []
    with _connection(url_of(engine_or_url)) as connection:
        _run(connection, "downgrade", revision, undone)
    return undone


def _run(connection: Connection, direction: str, revision: str, done: list[str],
         quiet: bool = False) -> None:
    script = script_directory()

    def steps(rev, _context):
        if direction == "upgrade":
            return script._upgrade_revs(revision, rev)
        return script._downgrade_revs(revision, rev)

    def record(ctx, step, heads, run_args) -> None:
        done.append(step.up_revision_id)
        if quiet:
            return
        log.info("Migration %s %s: %s", "applied" if direction == "upgrade" else "undone",
                 step.up_revision_id, step.up_revision.doc if step.up_revision else "")

    config = alembic_config(connection)
    config.attributes["configure"] = {"on_version_apply": record}
    with EnvironmentContext(config, script, fn=steps, destination_rev=revision):
        script.run_env()


def _check_legacy(connection: Connection) -> None:
    """A database without ``alembic_version`` must hold the baseline's tables and columns."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    missing = []
    for table_name, columns in baseline_columns().items():
        if table_name not in tables:
            missing.append(table_name)
            continue
        present = {column["name"] for column in inspector.get_columns(table_name)}
        missing += [f"{table_name}.{c}" for c in sorted(columns - present)]
    if missing:
        raise MigrationError(
            "this database was made by a version older than any this one can upgrade "
            "(it lacks " + ", ".join(missing) + "). Export it with `flask --app app kb export "
            "DIR` using that version, start with an empty database and import it again.")


@functools.cache
def baseline_columns() -> dict[str, frozenset[str]]:
    """The tables and columns the baseline migration creates, learnt by running it once on an
    in-memory SQLite database (column names are the same on every backend)."""
    engine = migration_engine("sqlite://")
    with engine.begin() as connection:
        _run(connection, "upgrade", BASELINE, [], quiet=True)
        inspector = inspect(connection)
        result = {name: frozenset(c["name"] for c in inspector.get_columns(name))
                  for name in inspector.get_table_names() if name != VERSION_TABLE}
    engine.dispose()
    return result


def differences(engine_or_url: Engine | str) -> list:
    """What differs between the models and the database's schema (Alembic's ``check``):
    empty when the migrations create exactly what the code declares."""
    from alembic.autogenerate import compare_metadata

    engine = create_engine(url_of(engine_or_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "target_metadata": SQLModel.metadata})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
