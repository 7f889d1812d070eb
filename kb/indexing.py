"""Keeping every node's search index in step with the database, through the change log.

Every change of what is public appends an :class:`~kb.models.IndexChange` row in the same
transaction. Whoever holds an index's write lock applies the rows the index has not seen; the
request that committed applies its own change at once (:func:`catch_up` with a ``limit``), and
a larger backlog is left to the process's background follower (:mod:`kb.follower`). This serves
several gunicorn workers on one node, several nodes with their own index on one PostgreSQL, and
a restart after a crash alike.

**Nothing lost, by construction rather than by timing.** A change's *position* in the log is:

- on PostgreSQL, the id of the transaction that wrote it (``index_change.txid``, filled by the
  server). Row ids are handed out before commit, in no commit order: a transaction that holds
  ids 1–300 can commit ten minutes after id 301, so "everything up to the highest id seen" is
  wrong. Transaction ids have an exact horizon: ``txid_snapshot_xmin`` is the oldest
  transaction still running, so every transaction below it has finished, and one that has not
  yet started will get a higher id. Changes below the horizon can therefore never appear later;
  changes at or above it may still come.
- on SQLite, the row id: one writer at a time holds the database's write lock from the first
  insert to the commit, so ids commit in order and the horizon is simply one past the last id
  applied.

The index records (:class:`~search_index.Applied`) its horizon and the ids of the changes at
or above it that it already applied (``seen``). Catching up reads the horizon *first*, then
every change at or above the old horizon: all changes of transactions below the new horizon
had committed before that read, so they are in it, and whatever is above goes into ``seen``.
Nothing depends on how long a transaction stays open. Whether an index is behind is one small
query: the count and highest id of the changes at or above its horizon, against ``seen``.

**Wrong settings are refused.** The index also records which database it follows
(``database_meta.database_id``). A process on another database never writes to it and never
serves it (:class:`IndexOfAnotherDatabase`): a ``kb`` command that silently fell back to a new
SQLite database cannot rebuild a live node's index from its demo content.

Applying is idempotent (replace or delete by id, from the advice's current state), so applying
a change twice, after a crash between writing documents and recording the position, is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from kb.models import Advice, AdviceStatus, DatabaseMeta, IndexChange
from search_index import (
    Applied,
    IndexUnavailable,
    SearchDocument,
    SearchIndex,
    ThemeTerms,
    indexer,
)

log = logging.getLogger(__name__)

#: Changes written to the index per commit while catching up.
BATCH = 500
#: The key of this database's id in ``database_meta`` (written by migration 0002).
DATABASE_ID = "database_id"


class IndexOfAnotherDatabase(IndexUnavailable):
    """The index folder holds the index of another database: this process leaves it alone.

    An :class:`~search_index.IndexUnavailable` (kind ``another database``), so that a search in
    a process whose database was swapped under it answers the same Dutch 503 as any index that
    cannot serve; at start it stops the process with this message.
    """

    def __init__(self, folder: str, index_database: str, database: str, url: str) -> None:
        self.folder, self.index_database, self.database = folder, index_database, database
        super().__init__(
            f"The search index in {folder} belongs to database {index_database}, but this "
            f"process uses database {database} ({url}). It will not read or write that index. "
            "If this is the wrong database, set KB_DATABASE_URL to the node's database. If the "
            "index's database is gone (the data were restored into a new database), remove "
            f"{folder} (or point KB_INDEX_DIR at an empty folder) and start again: the index is "
            "then built from this database.", "another database")


@dataclass(frozen=True)
class Source:
    """How index documents are made from the database. Given by :mod:`kb.search`, so that this
    module (and the background follower) need no Flask."""

    to_document: Callable[[Advice], SearchDocument]
    documents: Callable[[Session], Iterable[SearchDocument]]
    themes: Callable[[Session], list[ThemeTerms]]


def is_postgres(session: Session) -> bool:
    """Whether the log is followed by transaction id (PostgreSQL) or by row id (SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def _position(session: Session):
    return IndexChange.txid if is_postgres(session) else IndexChange.id


def _database_id_query():
    return select(DatabaseMeta.value).where(DatabaseMeta.key == DATABASE_ID)


def database_id(session: Session) -> str:
    """This database's id, made by migration 0002 (a restored database keeps its own)."""
    found = session.exec(_database_id_query()).first()
    if found is None:
        raise RuntimeError("database_meta has no database_id: run `flask --app app kb db "
                           "upgrade`")
    return found


def _describe(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=True)


def has_index(index: SearchIndex) -> bool:
    """Whether the folder has a live generation at all (it may still belong to nobody)."""
    return indexer.current_generation(index.root) is not None


def owner(index: SearchIndex) -> str | None:
    """The database id the live generation records; None for no index, or one made by an
    older version, which recorded none."""
    return index.applied().database_id


def refuse_another_database(session: Session, index: SearchIndex) -> None:
    """Raise :class:`IndexOfAnotherDatabase` when the live index was built from another
    database. An index that names no database (none yet, or an older version's) may be
    rebuilt from this one."""
    found = owner(index)
    if found is not None:
        ours = database_id(session)
        if found != ours:
            raise IndexOfAnotherDatabase(str(index.root), found, ours, _describe(session))


def build_reason(index: SearchIndex) -> str | None:
    """Why the folder needs a full build before it can follow the log, or None."""
    if not has_index(index):
        return "no index yet"
    if owner(index) is None:
        return "the index does not say which database it follows (made by an older version)"
    return None


def backlog(session: Session, index: SearchIndex) -> int:
    """How many logged changes the index has not applied yet: one small query.

    The changes at or above the horizon are the ones in ``seen`` plus any new ones, so their
    count and highest id differ from ``seen``'s exactly when something is new. Raises
    :class:`IndexOfAnotherDatabase` when the database is not the index's (the same query reads
    the database id, so a database swapped under a running process is noticed at once).
    """
    applied = index.applied()
    count, highest, found = session.exec(
        select(func.count(IndexChange.id), func.max(IndexChange.id),
               _database_id_query().scalar_subquery())
        .where(_position(session) >= applied.horizon)
    ).one()
    if applied.database_id is not None and found != applied.database_id:
        raise IndexOfAnotherDatabase(str(index.root), applied.database_id, str(found),
                                     _describe(session))
    new = count - len(applied.seen)
    if new > 0:
        return new
    # Equal counts but another highest id: rows were deleted from the log. Read it again.
    return int(highest != (max(applied.seen) if applied.seen else None))


def is_behind(session: Session, index: SearchIndex) -> bool:
    """Whether the database holds changes the index has not seen: one small query."""
    return backlog(session, index) > 0


def latest_theme_change(session: Session) -> int | None:
    """The id of the newest theme change in the log, or None."""
    return session.exec(
        select(func.max(IndexChange.id)).where(IndexChange.advice_id.is_(None))
    ).one()


def catch_up(session: Session, index: SearchIndex, source: Source, wait: bool = False,
             limit: int | None = None) -> int | None:
    """Apply the changes the index has not seen; returns how many advice were written.

    Returns None when it applied nothing and left the work to someone else: without ``wait``
    another process held the lock (it is applying the same log); with a ``limit`` the backlog
    was larger than that (a request must not pay for it: the background follower does); or
    the folder has no index of this database yet (the start-up or the follower builds it).
    """
    if limit is not None and is_behind_more_than(session, index, limit):
        return None  # counted before reading every row of a backlog of thousands
    with index.write_lock(blocking=wait) as acquired:
        if not acquired:
            return None
        return apply_log(session, index, source, limit)


def is_behind_more_than(session: Session, index: SearchIndex, limit: int) -> bool:
    """Whether more than ``limit`` changes wait; False for a folder with no index of this
    database yet (there is nothing to count against)."""
    return index.applied().database_id is not None and backlog(session, index) > limit


def apply_log(session: Session, index: SearchIndex, source: Source,
              limit: int | None = None) -> int | None:
    """:func:`catch_up` for a caller that already holds the write lock."""
    applied = index.applied()
    ours = database_id(session)
    if applied.database_id != ours:
        refuse_another_database(session, index)
        return None  # no index of any database yet: it needs a build, not a catch-up
    postgres = is_postgres(session)
    # The horizon is read before the log: see the module docstring for why that order matters.
    horizon = max(applied.horizon, _xmin(session)) if postgres else None
    position = _position(session)
    rows = session.exec(
        select(IndexChange.id, IndexChange.advice_id, position, IndexChange.purge)
        .where(position >= applied.horizon).order_by(IndexChange.id)
    ).all()
    seen = set(applied.seen)
    new = [row for row in rows if row[0] not in seen]
    if not new:
        return 0
    if limit is not None and len(new) > limit:
        return None  # more came in after :func:`catch_up` counted them
    written = 0
    for start in range(0, len(new), BATCH):
        chunk = new[start:start + BATCH]
        done = new[:start + BATCH]
        if start + BATCH < len(new):  # a crash from here on re-applies only what follows
            state = (Applied(ours, applied.horizon, tuple(sorted(seen | {r[0] for r in done})))
                     if postgres else Applied(ours, chunk[-1][0] + 1))
        elif postgres:
            state = Applied(ours, horizon, tuple(r[0] for r in rows if r[2] >= horizon))
        else:
            state = Applied(ours, rows[-1][0] + 1)
        ids = {row[1] for row in chunk if row[1] is not None}
        upserts, deletes = _documents(session, ids, source.to_document)
        # A redaction's row: merge every segment, so that no file keeps the wiped words.
        index.apply(upserts, deletes, state, purge=any(row[3] for row in chunk))
        written += len(ids)
    return written


def _xmin(session: Session) -> int:
    """The oldest PostgreSQL transaction still running: every one below it has finished."""
    return session.exec(select(func.txid_snapshot_xmin(func.txid_current_snapshot()))).one()


def start_position(session: Session) -> Applied:
    """The change-log position a full rebuild may claim, read *before* the advice themselves.

    Every change below the horizon, and every one in ``seen``, had committed when this was read,
    so the advice read afterwards already reflect it; anything committing later is not below
    the horizon nor in ``seen``, so the next catch-up applies it.
    """
    ours = database_id(session)
    if is_postgres(session):
        horizon = _xmin(session)
        seen = session.exec(select(IndexChange.id).where(IndexChange.txid >= horizon)
                            .order_by(IndexChange.id)).all()
        return Applied(ours, horizon, tuple(seen))
    return Applied(ours, (session.exec(select(func.max(IndexChange.id))).one() or 0) + 1)


def rebuild(session: Session, index: SearchIndex, source: Source,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database beside the live one, then apply what committed
    meanwhile; returns the document count. Refuses an index of another database."""
    index.set_themes(source.themes(session))  # themes may have changed (``kb themes``)
    with index.write_lock(blocking=True):
        count = rebuild_locked(session, index, source, progress)
    catch_up(session, index, source, wait=True)
    return count


def rebuild_locked(session: Session, index: SearchIndex, source: Source,
                   progress: Callable[[int], None] | None = None) -> int:
    """:func:`rebuild` for a caller that holds the write lock; nothing is applied after it."""
    refuse_another_database(session, index)
    position = start_position(session)
    return index.rebuild(source.documents(session), progress, position)


def _documents(session: Session, ids: set[int], to_document: Callable):
    found = {a.id: a for a in session.exec(
        select(Advice).where(Advice.id.in_(ids)).options(selectinload(Advice.themes))).all()}
    upserts = [to_document(found[i]) for i in sorted(ids) if i in found and found[i].is_public]
    deletes = [i for i in sorted(ids) if i not in found or not found[i].is_public]
    return upserts, deletes


@dataclass
class CheckReport:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)

    def describe(self) -> str:
        """For a log line: ``missing 3, 4; extra 12``."""
        return "; ".join(f"{label} {', '.join(map(str, ids))}" for label, ids in (
            ("missing", self.missing), ("stale", self.stale), ("extra", self.extra)) if ids)


def check(session: Session, index: SearchIndex) -> CheckReport:
    """Compare the index with the published advice: missing, stale and extra documents."""
    expected = dict(session.exec(select(Advice.id, Advice.revision)
                                 .where(Advice.status == AdviceStatus.PUBLISHED)).all())
    present = index.stored_revisions()
    return CheckReport(
        missing=sorted(set(expected) - set(present)),
        stale=sorted(i for i in expected if i in present and present[i] != expected[i]),
        extra=sorted(set(present) - set(expected)),
    )


def fix(session: Session, index: SearchIndex, report: CheckReport,
        to_document: Callable) -> None:
    """Repair what :func:`check` found, without touching anything else."""
    with index.write_lock(blocking=True):
        _fix_locked(session, index, report, to_document)


def _fix_locked(session: Session, index: SearchIndex, report: CheckReport,
                to_document: Callable) -> None:
    refuse_another_database(session, index)
    ids = set(report.missing) | set(report.stale) | set(report.extra)
    upserts, deletes = _documents(session, ids, to_document)
    index.apply(upserts, deletes, index.applied())


def self_check(session: Session, index: SearchIndex, source: Source) -> CheckReport | None:
    """Find and repair drift between the index and the database; returns what was repaired,
    or None when another process holds the write lock (it is writing: check another time).

    The log should make drift impossible; this is the safety net for what bypassed it (a row
    changed by hand, a restored index folder, a bug). A change committed while comparing is
    not drift: the log is applied before each comparison, and a difference must show twice.
    """
    with index.write_lock(blocking=False) as acquired:
        if not acquired:
            return None
        for _ in range(2):
            apply_log(session, index, source)
            report = check(session, index)
            if report.ok:
                return report
        _fix_locked(session, index, report, source.to_document)
    return report

