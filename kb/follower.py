"""The background follower: one thread per serving process that keeps this node's search index
up to date, so that no reader waits for it.

A request applies at most a few changes itself (``kb.search.INLINE_CHANGES``: the publish it
just committed, a colleague's edit on another node) and never builds an index. Anything larger
(the backlog after another node imported 6,000 advice, a new node's first build of 12,000, an
index folder that was lost) is this thread's work, while requests search the index as it is.
Only while no index exists at all does search answer the Dutch 503; ``/readyz`` says
``behind`` or ``building`` until the work is done.

Every ``INDEX_CHECK_SECONDS`` the thread also compares the index with the database
(:func:`kb.indexing.self_check`) and logs what it repaired: the log should make drift
impossible, and this is how an operator learns that something bypassed it.

Each gunicorn worker runs a follower; the index's write lock makes them take turns, and one
that gets the lock after another finished finds nothing left to do. The thread is a daemon and
holds only a weak reference to its follower, so a process exits without waiting for it and an
app that is gone (tests make hundreds) takes its thread along within a minute. No Flask here:
the thread opens its own sessions on the engine it is given.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kb import indexing
from kb.throttledlog import ThrottledLog
from search_index import SearchIndex

log = logging.getLogger(__name__)
#: Trouble is said once a minute per kind of error, however often the thread retries.
_throttled = ThrottledLog(log)

#: Seconds before a round that failed (database down, index folder unwritable) is tried again.
RETRY_SECONDS = 10.0
#: Seconds before a round that found the write lock taken looks again. The holder writes the
#: same index (it is shared by the node's processes), so usually nothing is left by then.
BUSY_SECONDS = 2.0
#: Seconds an idle thread waits before it looks whether its app still exists (tests make
#: hundreds of apps; a process serves one for its whole life).
LIVENESS_SECONDS = 60.0
#: A node's self-check is skipped when another process of the node did one within half the
#: interval: the file's modification time says when.
CHECKED_FILE = "SELF_CHECKED"


class Follower:
    """Applies backlogs and first builds in a background thread, and checks for drift."""

    def __init__(self, engine: Engine, index: SearchIndex, source: indexing.Source,
                 check_seconds: float = 300.0) -> None:
        self.engine = engine
        self.index = index
        self.source = source
        self.check_seconds = check_seconds
        #: True while this process builds a whole index (``/readyz`` says ``building``).
        self.building = False
        self._rebuild_reason: str | None = None
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (again after a fork: threads do not survive one)."""
        with self._lock:
            if (self._thread is not None and self._thread.is_alive()
                    and self._pid == os.getpid()):
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=_run, args=(weakref.ref(self), self._wake, self.check_seconds),
                name="kb-index-follower", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a round now: a request found the index behind, or there is no index yet."""
        self.start()
        self._wake.set()

    def request_rebuild(self, reason: str) -> None:
        """Rebuild the whole index beside the live one in the next round (e.g. it is damaged)."""
        self._rebuild_reason = reason
        self.wake()

    def round(self, check: bool = False) -> float | None:
        """Build when needed, apply the backlog, and (when ``check``) look for drift.

        Never waits for the write lock: whoever holds it (another worker of this node, a
        ``kb reindex``) is writing the same index, so this one looks again after
        :data:`BUSY_SECONDS`. Returns when to try again: None when done, :data:`RETRY_SECONDS`
        after a failure (logged once a minute per kind).
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                reason = self._rebuild_reason or indexing.build_reason(self.index)
                if reason is not None and not self._build(session, reason):
                    return BUSY_SECONDS
                began = time.monotonic()
                written = indexing.catch_up(session, self.index, self.source)
                if written is None:
                    return BUSY_SECONDS
                if written:
                    log.info("Search index: applied %d changed advice in the background in "
                             "%.1f s.", written, time.monotonic() - began)
                if check and self._check_due():
                    report = indexing.self_check(session, self.index, self.source)
                    if report is not None:
                        self._checked()
                        if not report.ok:
                            log.warning("Search index self-check: the index differed from the "
                                        "database and was repaired (%s).", report.describe())
        except Exception as error:  # noqa: BLE001 - the thread must live on and say why
            self._complain(error)
            return RETRY_SECONDS
        return None

    def _build(self, session: Session, reason: str) -> bool:
        """Build the whole index; False when another process holds the lock (building too)."""
        self.index.set_themes(self.source.themes(session))
        with self.index.write_lock(blocking=False) as acquired:
            if not acquired:
                return False
            # Another worker of this node may have built (or repaired) it before this one got
            # the lock: opening it again tells.
            if indexing.build_reason(self.index) is None and self.index.open() is None:
                self._rebuild_reason = None
                return True
            log.warning("Building the search index in the background (%s); searches answer "
                        "503 until it exists, /readyz says building.", reason)
            began = time.monotonic()
            self.building = True
            try:
                count = indexing.rebuild_locked(session, self.index, self.source)
            finally:
                self.building = False
            self._rebuild_reason = None
        log.warning("Search index built with %d advice in %.1f s.", count,
                    time.monotonic() - began)
        return True

    def _check_due(self) -> bool:
        try:
            age = time.time() - (self.index.root / CHECKED_FILE).stat().st_mtime
        except OSError:
            return True
        return age >= self.check_seconds / 2

    def _checked(self) -> None:
        # An unwritable folder is reported by the writes themselves.
        with contextlib.suppress(OSError):
            (self.index.root / CHECKED_FILE).touch()

    def _complain(self, error: Exception) -> None:
        kind = type(error).__name__
        _throttled.log(logging.ERROR, kind, "Search index follower: %s: %s (trying again every "
                       "%.0f s; said once a minute).", kind, error, RETRY_SECONDS)


def _run(ref: weakref.ref, wake: threading.Event, check_seconds: float) -> None:
    """The thread: a round on every wake, at every check, and after a failure. It also looks
    every :data:`LIVENESS_SECONDS` whether its follower still exists, and ends when it does not."""
    next_check = time.monotonic() + check_seconds if check_seconds > 0 else None
    retry_at: float | None = None
    while True:
        deadlines = [t for t in (next_check, retry_at) if t is not None]
        timeout = min(deadlines) - time.monotonic() if deadlines else LIVENESS_SECONDS
        woken = wake.wait(max(0.0, min(timeout, LIVENESS_SECONDS)))
        wake.clear()
        follower = ref()
        if follower is None:
            return
        now = time.monotonic()
        due = next_check is not None and now >= next_check
        if not (woken or due or (retry_at is not None and now >= retry_at)):
            del follower
            continue
        again = follower.round(check=due)
        del follower
        if due:
            next_check = time.monotonic() + check_seconds
        retry_at = None if again is None else time.monotonic() + again
