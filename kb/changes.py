"""Whether anything public changed, in any process on any node: the change log as a clock.

Every change of what is public (publish, edit, withdrawal, slug rename, theme change) appends an
:class:`~kb.models.IndexChange` row in the same transaction (:mod:`kb.indexing`). A process that
keeps rendered pages (:mod:`kb.web.caching`) asks this clock before it serves one: the clock's
``version`` moves exactly when rows were added, so a change through any worker or node makes
every other worker's kept pages stale at the next request, with no message between processes.

The position is read the way :mod:`kb.indexing` reads it, so that a late commit is never missed:

- SQLite: one writer at a time commits row ids in order, so the highest id is the position
  (one look-up in the table's b-tree).
- PostgreSQL: row ids are handed out before commit, in no commit order, so the highest id can
  stay put while a transaction that took a lower id commits. The clock keeps a *horizon* (the
  oldest transaction running when it last looked, read before the log) and the ids it saw at or
  above it: every change below the horizon had committed then, and any change that commits
  later has a transaction id at or above it and shows up as a new id. Each look reads only the
  rows at or above the horizon (a handful), whatever the size of the log.

No Flask here: the web layer gives the clock its engine.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

SQLITE_TOP = "SELECT max(id) FROM index_change"
PG_HORIZON = "SELECT txid_snapshot_xmin(txid_current_snapshot())"
PG_LOG = "SELECT id, txid FROM index_change WHERE txid >= %s"
#: Errors of the drivers themselves (a raw connection raises them unwrapped).
_DRIVER_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error,)
try:
    import psycopg

    _DRIVER_ERRORS += (psycopg.Error,)
except ImportError:  # SQLite only: PostgreSQL's driver is an optional extra
    pass

#: The state before the first look (an empty log's highest id is None, so None cannot say it).
_NOT_LOOKED = object()


class ChangeClock:
    """This process's view of the change log: a ``version`` that moves with every change."""

    def __init__(self, engine: Engine, check_seconds: float = 0.0) -> None:
        self.engine = engine
        #: How long a look stays good; 0 looks at every call (every request).
        self.check_seconds = check_seconds
        self._postgres = engine.dialect.name == "postgresql"
        self._lock = threading.Lock()
        self._version = 0
        self._since = time.time()
        self._checked = float("-inf")
        #: SQLite: the highest id (None for an empty log); PostgreSQL: (horizon, ids).
        self._state: object = _NOT_LOOKED
        self._connection = None  # a pooled DBAPI connection, kept (see _cursor)
        # Closed with the engine's pool (a test's app, a worker that stops).
        event.listen(engine, "engine_disposed", lambda _engine: self._close())

    def version(self) -> tuple[int, float]:
        """``(version, since)``: the version moves whenever the log gained rows since the last
        look, and ``since`` is when this process first saw that version (a Unix time). A
        database that cannot be read raises its error (SQLAlchemy's or the driver's)."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.check_seconds:
                return self._version, self._since
            try:
                state, changed = self._look(self._cursor())
            except (SQLAlchemyError, *_DRIVER_ERRORS):
                # The page needs the database too: its error is the request's (a Dutch 503
                # for an outage), at once rather than after a second wait in the view.
                self._drop_connection()
                self._checked = float("-inf")
                raise
            if changed or self._state is _NOT_LOOKED:
                # The first look too: a process that started before a change it first sees
                # now must not date that version from its start (a wrong 304 elsewhere).
                if changed:
                    self._version += 1
                self._since = time.time()
            self._state = state
            self._checked = now
            return self._version, self._since

    def moved(self) -> None:
        """This process changed something: look again at the next call, whatever
        ``check_seconds`` says, so that its own change shows at once."""
        with self._lock:
            self._checked = float("-inf")

    def _cursor(self):
        """A cursor on this clock's own connection, kept for the life of the process: a look
        is then one statement (two on PostgreSQL), without a pool check-out and its ping."""
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        return self._connection.cursor()

    def _close(self) -> None:
        with self._lock:
            if self._connection is not None:
                try:
                    self._connection.close()
                except Exception:  # noqa: BLE001 - closing a broken connection
                    log.debug("Closing the change clock's connection failed.", exc_info=True)
                self._connection = None

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception:  # noqa: BLE001 - it is broken already; a new one comes next time
                log.debug("Closing the change clock's connection failed.", exc_info=True)
            self._connection = None

    def _look(self, cursor) -> tuple[object, bool]:
        """The log's position now, and whether it differs from the last look. Each look ends
        its transaction, so that no snapshot (nor SQLite read lock) is held between looks."""
        try:
            if not self._postgres:
                cursor.execute(SQLITE_TOP)
                top = cursor.fetchone()[0]
                return top, self._state is not _NOT_LOOKED and top != self._state
            # The horizon first, then the log: see the module docstring.
            cursor.execute(PG_HORIZON)
            xmin = cursor.fetchone()[0]
            horizon, seen = self._state if self._state is not _NOT_LOOKED else (xmin, None)
            cursor.execute(PG_LOG, (horizon,))
            rows = cursor.fetchall()
        finally:
            cursor.close()
            self._connection.rollback()
        found = frozenset(row[0] for row in rows)
        new_horizon = max(horizon, xmin)
        keep = frozenset(row[0] for row in rows if row[1] >= new_horizon)
        return (new_horizon, keep), seen is not None and found != seen
