"""Restore: load a backup (:mod:`kb.backup`) into an empty database, keeping every id.

A restore refuses rather than mixes. Before it writes anything it verifies the whole file
(format version, a schema revision this code knows, the tables and columns of that revision,
every sha256 and row count) and checks that the target is empty: no tables, or only what a first
start loads (the themes, the migrations' version table, and what the migrations themselves
write, such as ``database_meta``). A refusal is a :class:`~kb.backup.BackupError` and leaves the
target exactly as it was. :func:`verify` alone checks a file without touching any database.

Then, holding the start-up lock (so no app process migrates or loads the demo meanwhile), it
takes the target to the backup's schema revision, loads every table in one transaction in
foreign-key order, converts the JSON values back by the target's column types, moves the id
sequences past the restored ids (and past ids the source had handed out for rows since deleted:
ids are never reused), and upgrades to the newest schema. Should the load fail, its transaction
rolls back and the target is left empty at the backup's revision, which a new restore accepts.

A restored database is a new database, not the old one brought back: rows the migrations made
in the target (its ``database_id``) win over the backup's. So every node's search index, which
records the database id, sees that its database changed and rebuilds, rather than trusting
change-log positions of a database that went on after the backup was made.

Works between SQLite and PostgreSQL in either direction. No Flask here: the caller rebuilds the
search index (:mod:`kb.cli_backup`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    create_engine,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from kb import migrate
from kb.backup import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    Manifest,
    TableEntry,
    columns_at,
    engine_for,
    integer_key,
    pg_sequence,
    quote,
    schema_at,
)
from kb.startlock import start_lock

#: Tables a first start fills; a restore target may hold rows in these (and in the tables
#: the migrations fill, :attr:`kb.backup.Schema.seeded`) and nothing else.
FIRST_START_TABLES = frozenset({"theme", "audience", "region", migrate.VERSION_TABLE})
#: Columns whose values only mean something on the server that wrote them: PostgreSQL
#: transaction ids in the change log. Restored as NULL, like rows written on SQLite; the index
#: rebuilt after the restore covers every restored change.
SERVER_LOCAL_COLUMNS: dict[str, tuple[str, ...]] = {"index_change": ("txid",)}


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    #: Migrations applied after the load to reach this version's schema.
    upgraded: tuple[str, ...]


def verify(path: Path) -> Manifest:
    """Check a backup completely without writing anything; returns its manifest.

    Refuses (BackupError) a file that is not a backup, is damaged or truncated, was made by a
    newer format or a schema revision this version does not know, or whose tables do not match
    that revision.
    """
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = _read_manifest(tar)
            for entry in manifest.tables:
                _check_member(tar, entry)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{path} is damaged or not a backup ({exc})") from exc
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        raw = json.loads(open_member(tar, MANIFEST).read())
        if raw.get("format") != FORMAT:
            raise BackupError("the file is not an ExpEx Kennisbank backup (no manifest format)")
        version = raw["format_version"]
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"the backup has format version {version}, newer than this version of the "
                f"kennisbank reads ({FORMAT_VERSION}): restore it with the version that made it "
                "or a newer one")
        manifest = Manifest(
            format_version=version, schema_revision=str(raw["schema_revision"]),
            created_at=str(raw["created_at"]), app_version=str(raw.get("app_version", "")),
            backend=str(raw.get("backend", "")),
            tables=tuple(TableEntry(name=t["name"], columns=tuple(t["columns"]),
                                    rows=int(t["rows"]), sha256=str(t["sha256"]),
                                    high_water=_optional_int(t.get("high_water")))
                         for t in raw["tables"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"the backup's manifest is malformed ({exc!r})") from exc
    if not migrate.known(manifest.schema_revision):
        raise BackupError(
            f"the backup is at schema revision {manifest.schema_revision}, which this version "
            "does not know: it was made by a newer version of the kennisbank. Restore it with "
            "that version (or newer)")
    expected = columns_at(manifest.schema_revision)
    found = {t.name: t.columns for t in manifest.tables}
    if set(found) != set(expected) or any(set(found[n]) != set(expected[n]) for n in expected):
        raise BackupError(f"the backup's tables do not match schema revision "
                          f"{manifest.schema_revision}: it was altered or is damaged")
    return manifest


def _optional_int(value) -> int | None:
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"not a whole number: {value!r}")


def open_member(tar: tarfile.TarFile, name: str):
    """A member of the backup as a file to read, or a refusal if it is missing."""
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"the backup has no {name}: it is damaged or truncated") from None
    handle = tar.extractfile(member) if member.isfile() else None
    if handle is None:
        raise BackupError(f"{name} in the backup is not a file")
    return handle


def _check_member(tar: tarfile.TarFile, entry: TableEntry) -> None:
    """sha256 of the stored bytes, and the row count of the whole decompressed stream."""
    digest = hashlib.sha256()
    inflate = zlib.decompressobj(wbits=31)  # gzip
    broken = False
    lines = 0
    with open_member(tar, entry.member) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            try:  # at most 8 MB of text at a time, however well a chunk compresses
                while chunk and not broken:
                    lines += inflate.decompress(chunk, 1 << 23).count(b"\n")
                    chunk = inflate.unconsumed_tail
            except zlib.error:
                broken = True  # keep hashing: a changed byte is reported as such below
    if digest.hexdigest() != entry.sha256:
        raise BackupError(f"{entry.member} does not match its sha256 in the manifest: "
                          "the backup is damaged or was altered")
    if broken or not inflate.eof:
        raise BackupError(f"{entry.member} is not a complete gzip stream")
    if lines != entry.rows:
        raise BackupError(f"{entry.member} holds {lines} rows, the manifest says {entry.rows}")


def restore(url: str, path: Path, lock_dir: Path) -> RestoreReport:
    """Load the backup at ``path`` into the empty database at ``url``, keeping every id.

    Verifies everything first; then, holding the start-up lock (``lock_dir`` is where it lives
    when the database has no folder of its own), checks that the target is empty, brings it to
    the backup's schema revision, loads every table in one transaction, moves the id sequences
    past the restored ids and upgrades to the newest schema. The caller rebuilds the index.
    """
    manifest = verify(path)
    try:
        with start_lock(url, lock_dir):
            state = _check_empty(url)
            if not state.empty:
                if state.legacy:  # tables without a version table: stamp them so they can go
                    migrate.upgrade(url, migrate.BASELINE)
                migrate.downgrade(url, "base")  # only themes: the backup brings its own
            migrate.upgrade(url, manifest.schema_revision)
            _load(url, path, manifest)
            upgraded = migrate.upgrade(url)
    except migrate.MigrationError as exc:
        raise BackupError(str(exc)) from exc
    return RestoreReport(manifest=manifest, upgraded=tuple(upgraded))


def _check_empty(url: str) -> migrate.SchemaState:
    """Refuse a target that holds anything but what a first start loads."""
    state = migrate.state(url)
    if state.current is not None and not migrate.known(state.current):
        raise BackupError(
            f"the target database is at schema revision {state.current}, made by a newer "
            "version of the kennisbank; restore into an empty database")
    allowed = FIRST_START_TABLES | schema_at(state.current or state.head).seeded
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            filled = [name for name in sorted(inspect(connection).get_table_names())
                      if name not in allowed and connection.execute(
                          select(text("1")).select_from(text(quote(connection, name)))
                          .limit(1)).first() is not None]
    finally:
        engine.dispose()
    if filled:
        safe = make_url(url).render_as_string(hide_password=True)
        raise BackupError(
            f"the target database {safe} is not empty (rows in {', '.join(filled)}): restore "
            "only into a new, empty database")
    return state


def _load(url: str, path: Path, manifest: Manifest) -> None:
    """Every table in one transaction, parents before children, ids as they were."""
    engine = engine_for(url)
    entries = {entry.name: entry for entry in manifest.tables}
    try:
        with engine.connect() as connection:
            connection.info["kb.begin"] = "BEGIN IMMEDIATE"  # SQLite: the write lock at once
            with connection.begin(), tarfile.open(path, mode="r:") as tar:
                meta = MetaData()
                meta.reflect(connection, only=list(entries))
                seeded = schema_at(manifest.schema_revision).seeded
                for table in meta.sorted_tables:
                    entry = entries[table.name]
                    highest = _load_table(connection, table, open_member(tar, entry.member),
                                          keep_own=table.name in seeded)
                    _move_sequence(connection, table, max(highest, entry.high_water or 0))
    except SQLAlchemyError as exc:
        raise BackupError(
            f"loading the backup failed and was rolled back ({getattr(exc, 'orig', None) or exc})"
            f"; the target is empty, at schema revision {manifest.schema_revision}") from exc
    finally:
        engine.dispose()


def _load_table(connection: Connection, table: Table, member, keep_own: bool = False) -> int:
    """Insert one table's rows in batches; returns its highest integer id (0: none).

    With ``keep_own`` (a table the migrations fill), a row whose key the target already has is
    left out: the target's own row wins.
    """
    convert = _converters(table)
    local = [name for name in SERVER_LOCAL_COLUMNS.get(table.name, ()) if name in table.c]
    names = {column.name for column in table.columns}
    key = integer_key(table)
    primary = [column.name for column in table.primary_key.columns]
    own = ({tuple(row) for row in connection.execute(select(*table.primary_key.columns))}
           if keep_own else set())
    highest = 0
    batch: list[dict] = []
    with gzip.GzipFile(fileobj=member, mode="rb") as lines:
        for line in lines:
            row = json.loads(line)
            if row.keys() != names:
                raise BackupError(f"a row of {table.name} has other columns than the table")
            for name, to_value in convert.items():
                if row[name] is not None:
                    row[name] = to_value(row[name])
            for name in local:
                row[name] = None
            if own and tuple(row[name] for name in primary) in own:
                continue
            if key is not None and row[key] is not None:
                highest = max(highest, row[key])
            batch.append(row)
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                batch = []
    if batch:
        connection.execute(table.insert(), batch)
    return highest


def _converters(table: Table) -> dict[str, Callable]:
    """JSON values back to Python by the target column's type (the rest are JSON already)."""
    found: dict[str, Callable] = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, DateTime):
            found[column.name] = datetime.fromisoformat
        elif isinstance(kind, Date):
            found[column.name] = date.fromisoformat
        elif isinstance(kind, Time):
            found[column.name] = time.fromisoformat
        elif isinstance(kind, LargeBinary):
            found[column.name] = base64.b64decode
        elif isinstance(kind, Numeric) and kind.asdecimal:
            found[column.name] = Decimal
    return found


def _move_sequence(connection: Connection, table: Table, high_water: int) -> None:
    """Make the next id handed out for this table come after every restored one."""
    key = integer_key(table)
    if key is None:
        return
    if connection.dialect.name == "postgresql":
        sequence = pg_sequence(connection, table.name, key)
        if sequence is not None:
            connection.execute(text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                               {"s": sequence, "v": max(high_water, 1),
                                "called": high_water > 0})
        return
    # SQLite: only AUTOINCREMENT tables keep a high-water mark (sqlite_sequence); the others
    # hand out the largest id + 1, which the restored rows already give.
    autoincrement = connection.execute(text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t "
        "AND upper(sql) LIKE '%AUTOINCREMENT%'"), {"t": table.name}).first()
    if autoincrement is None or high_water <= 0:
        return
    updated = connection.execute(text("UPDATE sqlite_sequence SET seq = :v WHERE name = :t"),
                                 {"v": high_water, "t": table.name}).rowcount
    if not updated:
        connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"),
                           {"t": table.name, "v": high_water})
