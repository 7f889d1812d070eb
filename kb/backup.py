"""Backup of everything: one file with every table, readable by a person, checkable whole.

The file is a plain tar::

    manifest.json            format version, schema revision, created-at, app version,
                             backend, and per table its columns, row count, sha256 and the
                             highest id ever handed out
    tables/<name>.jsonl.gz   one row per line as a JSON object; dates and times in ISO 8601

Why this shape rather than ``pg_dump`` or a copy of the SQLite file: it moves between SQLite
and PostgreSQL in either direction, it can be read with ``tar`` and ``zcat``, and it can be
checked completely (sha256 and row count per table) before anything is written; reading it
back is :mod:`kb.restore`.

- **Any schema revision.** The tables are reflected from the database, not taken from the
  models, and the revision goes into the manifest (``alembic_version`` itself is not copied).
- **One snapshot.** Every table is read in one read transaction (PostgreSQL: REPEATABLE READ,
  READ ONLY; SQLite: an explicit ``BEGIN``, see :func:`_reading`), so a publish that commits
  during a backup is wholly in it or wholly out.
- **Flat memory.** Rows are streamed in batches (a server-side cursor on PostgreSQL) into
  gzip'd temporary files beside the target, which then go into the tar.
- **Deterministic.** Rows in key order, gzip without a time stamp: the same rows give the same
  bytes and the same sha256, so two backups can be compared table by table.
- **Atomic.** The tar is written under a temporary name in the same folder, fsynced and renamed:
  a crash never leaves half a backup under the real name. It holds password hashes and e-mail
  addresses, so it is created readable by its owner only.

No Flask here: the thin commands are in :mod:`kb.cli_backup`.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import io
import json
import logging
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from importlib import metadata
from pathlib import Path

from sqlalchemy import (
    Connection,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from kb import migrate

FORMAT = "expex-kennisbank-backup"
#: Raised when the file layout or the meaning of a field changes; a restore refuses newer ones.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables"
#: Rows per read from the database and per insert into it.
BATCH = 500


class BackupError(RuntimeError):
    """A backup or restore cannot be done; the message says why and what to do.

    A restore raises it before it writes anything (see :mod:`kb.restore` for a failed load).
    """


@dataclass(frozen=True)
class TableEntry:
    """One table in a backup, as the manifest describes it."""

    name: str
    columns: tuple[str, ...]
    rows: int
    sha256: str
    #: The highest id ever handed out (from the sequence, or the largest id), so a restore
    #: never hands out an id again; None for a table without a single integer key.
    high_water: int | None

    @property
    def member(self) -> str:
        return f"{TABLES_DIR}/{self.name}.jsonl.gz"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    schema_revision: str
    created_at: str
    app_version: str
    backend: str
    tables: tuple[TableEntry, ...]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def as_json(self) -> dict:
        return {
            "format": FORMAT, "format_version": self.format_version,
            "schema_revision": self.schema_revision, "created_at": self.created_at,
            "app_version": self.app_version, "backend": self.backend,
            "tables": [{"name": t.name, "file": t.member, "columns": list(t.columns),
                        "rows": t.rows, "sha256": t.sha256, "high_water": t.high_water}
                       for t in self.tables],
        }


@dataclass(frozen=True)
class BackupReport:
    path: Path
    manifest: Manifest
    size: int


# --------------------------------------------------------------------------- backup


def backup(url: str, path: Path, on_table: Callable[[str], None] | None = None
           ) -> BackupReport:
    """Write every table of the database at ``url`` to ``path`` (replaced atomically).

    ``on_table(name)`` is called after each table is read, inside the read transaction.
    """
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give a file name for the backup")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = engine_for(url)
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as work:
            with _reading(engine) as connection:
                revision = _revision_of(connection)
                tables = _reflect(connection, columns_at(revision))
                entries = []
                for table in tables:
                    entries.append(_dump_table(connection, table, Path(work)))
                    if on_table:
                        on_table(table.name)
            manifest = Manifest(
                format_version=FORMAT_VERSION, schema_revision=revision,
                created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                app_version=app_version(), backend=engine.dialect.name, tables=tuple(entries))
            _write_tar(path, manifest, Path(work))
    finally:
        engine.dispose()
    return BackupReport(path=path, manifest=manifest, size=path.stat().st_size)


def app_version() -> str:
    """The installed version of the kennisbank, for the manifest (a reader's hint only)."""
    try:
        return metadata.version("expex-kennisbank")
    except metadata.PackageNotFoundError:
        return "unknown"


def engine_for(url: str) -> Engine:
    """An engine whose SQLite connections leave transactions to us (see :func:`_reading`)."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql(connection.info.get("kb.begin", "BEGIN"))
    return engine


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction over every table: a single snapshot.

    Python's sqlite3 opens no transaction for a SELECT, so each statement would see the latest
    commit; our own ``BEGIN`` makes the first read fix a snapshot (in WAL mode writers go on)
    until the end. PostgreSQL gets REPEATABLE READ, READ ONLY.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                      postgresql_readonly=True)
        with connection.begin():
            yield connection


def _revision_of(connection: Connection) -> str:
    tables = set(inspect(connection).get_table_names())
    if migrate.VERSION_TABLE not in tables:
        if tables & set(columns_at(migrate.BASELINE)):
            return migrate.BASELINE  # made before migrations: its schema is the baseline's
        raise BackupError("the database is empty: there is nothing to back up")
    revision = connection.execute(
        text(f"SELECT version_num FROM {migrate.VERSION_TABLE}")).scalar()
    if revision is None:
        raise BackupError("the database has no tables yet: there is nothing to back up")
    if not migrate.known(revision):
        raise BackupError(
            f"the database is at schema revision {revision}, which this version does not know: "
            "back it up with the version of the kennisbank that made it")
    return revision


def _reflect(connection: Connection, expected: dict[str, tuple[str, ...]]) -> list[Table]:
    """The database's own tables of this revision, parents before children."""
    present = set(inspect(connection).get_table_names())
    missing = sorted(set(expected) - present)
    if missing:
        raise BackupError("the database lacks tables its schema revision has: "
                          + ", ".join(missing))
    meta = MetaData()
    meta.reflect(connection, only=list(expected))
    return list(meta.sorted_tables)


def _dump_table(connection: Connection, table: Table, work: Path) -> TableEntry:
    """Stream one table, ordered by its key, into ``work/<name>.jsonl.gz``."""
    columns = [column.name for column in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    statement = select(table).order_by(*order)
    if connection.dialect.name == "postgresql":  # a server-side cursor
        statement = statement.execution_options(stream_results=True, yield_per=BATCH)
    key = integer_key(table)
    highest = 0
    rows = 0
    target = work / f"{table.name}.jsonl.gz"
    with open(target, "wb") as raw:
        hashing = _HashingWriter(raw)
        # mtime 0 and no name: the same rows always give the same bytes and the same sha256.
        with gzip.GzipFile(filename="", mode="wb", fileobj=hashing, mtime=0,
                           compresslevel=6) as out:
            result = connection.execute(statement)
            for batch in result.partitions(BATCH):
                for row in batch:
                    values = dict(zip(columns, row, strict=True))
                    if key is not None and values[key] is not None:
                        highest = max(highest, values[key])
                    out.write(json.dumps(values, ensure_ascii=False, separators=(",", ":"),
                                         default=_json_value).encode() + b"\n")
                rows += len(batch)
    high_water = None
    if key is not None:
        high_water = max(highest, _sequence_value(connection, table.name, key))
    return TableEntry(name=table.name, columns=tuple(columns), rows=rows,
                      sha256=hashing.sha256.hexdigest(), high_water=high_water)


class _HashingWriter(io.RawIOBase):
    """A write-only file that hashes what passes through it."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        return self.raw.write(data)


def _json_value(value):
    """JSON for what ``json`` cannot write itself: dates and times as ISO 8601."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} to a backup")


def integer_key(table: Table) -> str | None:
    """The table's key column if it is a single integer (an id a sequence hands out)."""
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer):
        return key[0].name
    return None


def _sequence_value(connection: Connection, table: str, column: str) -> int:
    """The last id the database handed out for this table, also for rows since deleted."""
    if connection.dialect.name == "postgresql":
        sequence = pg_sequence(connection, table, column)
        if sequence is None:
            return 0
        last, called = connection.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")).one()
        return last if called else last - 1
    if connection.dialect.name == "sqlite" and _has_sqlite_sequence(connection):
        value = connection.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :t"),
                                   {"t": table}).scalar()
        return value or 0
    return 0


def pg_sequence(connection: Connection, table: str, column: str) -> str | None:
    """The (quoted, qualified) name of the sequence behind a PostgreSQL id column, if any."""
    quoted = connection.dialect.identifier_preparer.quote(table)
    return connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                              {"t": quoted, "c": column}).scalar()


def _has_sqlite_sequence(connection: Connection) -> bool:
    return connection.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    )).first() is not None


def _write_tar(path: Path, manifest: Manifest, work: Path) -> None:
    """The manifest first (so ``tar xOf FILE manifest.json`` is quick), then every table."""
    stamp = int(datetime.now(UTC).timestamp())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")  # mode 0600: it holds password hashes
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                data = json.dumps(manifest.as_json(), ensure_ascii=False, indent=2).encode()
                tar.addfile(_member(MANIFEST, len(data), stamp), io.BytesIO(data))
                for entry in manifest.tables:
                    source = work / f"{entry.name}.jsonl.gz"
                    with open(source, "rb") as table_file:
                        tar.addfile(_member(entry.member, source.stat().st_size, stamp),
                                    table_file)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _member(name: str, size: int, stamp: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, stamp, 0o600
    return info


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Schema:
    """A schema revision as an empty database has it after migrating to that revision."""

    #: Every table (without the version table) and its columns: what a backup must hold.
    columns: dict[str, tuple[str, ...]]
    #: Tables the migrations themselves fill (such as ``database_meta`` with a new database
    #: id): facts about a database, which a restore target keeps as its own.
    seeded: frozenset[str]


@functools.cache
def schema_at(revision: str) -> Schema:
    """Learn a revision's schema by migrating a scratch SQLite database to it (once per
    process and revision)."""
    with tempfile.TemporaryDirectory(prefix="kb-schema-") as folder, _quiet(migrate.log):
        url = f"sqlite:///{Path(folder) / 'schema.db'}"
        migrate.upgrade(url, revision)
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                inspector = inspect(connection)
                columns = {name: tuple(c["name"] for c in inspector.get_columns(name))
                           for name in inspector.get_table_names()
                           if name != migrate.VERSION_TABLE}
                seeded = frozenset(name for name in columns if connection.execute(
                    select(text("1")).select_from(text(quote(connection, name))).limit(1)
                ).first() is not None)
            return Schema(columns=columns, seeded=seeded)
        finally:
            engine.dispose()


def columns_at(revision: str) -> dict[str, tuple[str, ...]]:
    """The tables and columns a backup at this revision holds."""
    return schema_at(revision).columns


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Keep "Migration applied" lines about the scratch database out of the operator's log."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def quote(connection: Connection, name: str) -> str:
    """A table name as this database wants it in SQL."""
    return connection.dialect.identifier_preparer.quote(name)
