"""The start-up lock: one process at a time migrates and fills a database.

Gunicorn starts its workers at the same moment, and several nodes may start together on one
PostgreSQL. Without a lock they raced to create the same tables (``UniqueViolation …
pg_type_typname_nsp_index``, or SQLite's ``table theme already exists``) and the losers died.
With it, the first process migrates and loads the themes and demo; the others wait, then find
the work done.

- PostgreSQL: a session-level advisory lock, held on a connection of its own and released when
  that connection closes, so a process that dies mid-start frees it at once.
- SQLite: an exclusive ``flock`` on a file beside the database (one machine by definition); the
  kernel releases it when the process dies. A database opened read-only (``file:`` URL, see
  :func:`kb.db.readable_url`) is locked with a file in the instance folder.

Waiting at start (for this lock, or for a database that does not answer: :mod:`kb.bootstrap`)
goes through :func:`pause`. Under gunicorn it tells the arbiter that the worker is alive, which
otherwise kills a worker that is silent for ``timeout`` seconds while it boots, and it ends the
wait when gunicorn asks the worker to stop (``gunicorn.conf.py`` sets this up with
:func:`supervise`).
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: The advisory lock's key: any fixed 64-bit number no other application on the server uses.
PG_LOCK_KEY = 0x4B42_5354_4152_5400  # "KBSTART"
#: After this long waiting, say so once in the log (a start that migrates a large database or
#: builds an index can take a while; a silent wait looks like a hang).
WAIT_NOTICE_SECONDS = 5.0

#: Set by :func:`supervise`: called at least once a second while a start waits; False means
#: the process was asked to stop.
_keep_alive: Callable[[], bool] | None = None


def supervise(keep_alive: Callable[[], bool]) -> None:
    """Mark this process as a server worker: a start then waits as long as the database is away,
    calling ``keep_alive`` at least once a second (it returns False when the worker must stop)."""
    global _keep_alive
    _keep_alive = keep_alive


def supervised() -> bool:
    """Whether a supervisor (gunicorn) watches this process's start; see :func:`supervise`."""
    return _keep_alive is not None


def pause(seconds: float) -> None:
    """Sleep while a start waits, telling the supervisor this process is alive.

    Raises ``SystemExit(0)`` when the supervisor asked the process to stop: exit code 0, so
    that gunicorn sees a worker that stopped, not one that failed to boot.
    """
    deadline = time.monotonic() + seconds
    while True:
        if _keep_alive is not None and not _keep_alive():
            log.info("Asked to stop while waiting to start; stopping.")
            raise SystemExit(0)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(1.0, left))


@contextmanager
def start_lock(url: str, fallback_dir: Path) -> Iterator[None]:
    """Hold the database's start-up lock for the body; blocks until it is free."""
    if make_url(url).get_backend_name() == "sqlite":
        with _file_lock(_sqlite_lock_path(url, fallback_dir)):
            yield
        return
    with _advisory_lock(url):
        yield


def _sqlite_lock_path(url: str, fallback_dir: Path) -> Path:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).with_name(Path(database).name + ".start.lock")
    return fallback_dir / "start.lock"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        _wait(lambda: _try_flock(handle), f"the start-up lock {path}")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_flock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")

            def attempt() -> bool:
                return bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                               {"key": PG_LOCK_KEY}).scalar())

            _wait(attempt, "the start-up lock (a PostgreSQL advisory lock)")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
    finally:
        engine.dispose()


def _wait(attempt, what: str) -> None:
    """Try until the lock is ours, logging once if another process keeps it for long."""
    started = time.monotonic()
    told = False
    delay = 0.02
    while not attempt():
        if not told and time.monotonic() - started > WAIT_NOTICE_SECONDS:
            log.info("Waiting for %s: another process is starting.", what)
            told = True
        pause(delay)
        delay = min(delay * 2, 0.5)
    if told:
        log.info("Got %s after %.1f s.", what, time.monotonic() - started)
