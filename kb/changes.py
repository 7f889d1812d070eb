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
import threading
import time

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from kb.models import IndexChange

log = logging.getLogger(__name__)

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

    def version(self) -> tuple[int, float] | None:
        """``(version, since)``: the version moves whenever the log gained rows since the last
        look, and ``since`` is when this process first saw that version (a Unix time). None
        when the database cannot be read: the caller then serves nothing it kept."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.check_seconds:
                return self._version, self._since
            try:
                with self.engine.connect() as connection:
                    state, changed = self._look(connection)
            except SQLAlchemyError:
                log.debug("The change log could not be read; kept pages are not used.",
                          exc_info=True)
                self._checked = float("-inf")
                return None
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

    def _look(self, connection) -> tuple[object, bool]:
        """The log's position now, and whether it differs from the last look."""
        if not self._postgres:
            top = connection.execute(select(func.max(IndexChange.id))).scalar()
            return top, self._state is not _NOT_LOOKED and top != self._state
        # The horizon first, then the log: see the module docstring.
        xmin = connection.execute(
            select(func.txid_snapshot_xmin(func.txid_current_snapshot()))).scalar()
        horizon, seen = self._state if self._state is not _NOT_LOOKED else (xmin, None)
        rows = connection.execute(select(IndexChange.id, IndexChange.txid)
                                  .where(IndexChange.txid >= horizon)).all()
        found = frozenset(row[0] for row in rows)
        new_horizon = max(horizon, xmin)
        keep = frozenset(row[0] for row in rows if row[1] >= new_horizon)
        return (new_horizon, keep), seen is not None and found != seen
