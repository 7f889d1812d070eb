"""The database: one engine per app, one session per request, on SQLite and PostgreSQL alike.

It also says what a failing database means for a reader. :func:`fault_of` sorts an error into a
:class:`DatabaseFault`: the database is *unreachable* (stopped, restarting, network), *busy*
(another process holds a lock too long) or *read-only*. Those are faults of the moment, not bugs:
the web layer answers them with a Dutch 503 and ``Retry-After`` (:mod:`kb.web.errors`), a start
waits for an unreachable database instead of exiting (:mod:`kb.bootstrap`), and
:func:`report_fault` logs one line per kind per minute instead of a traceback per request. Any
other error is a bug and keeps its traceback. Code that runs outside a request (a background
thread, a command) uses the same two functions.

The engine is set up so that faults stay short:

- SQLite: WAL, so readers never wait for a writer; a busy timeout of :data:`SQLITE_BUSY_SECONDS`,
  so a writer that holds the lock longer makes another write answer 503 within seconds instead
  of hanging; and a database file this process cannot write is opened read-only
  (:func:`readable_url`), so the node starts and serves reads.
- PostgreSQL: pre-ping, so a connection from before an outage is replaced rather than used; and
  a connect timeout and TCP timeouts of a few seconds (:data:`PG_TIMEOUTS`), so a host that drops
  packets fails a request quickly instead of hanging it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from kb import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from kb.throttledlog import ThrottledLog

log = logging.getLogger(__name__)

#: How long a SQLite statement waits for another process's write lock before it fails (and the
#: request answers 503). Reads never wait in WAL mode; only writes queue behind a writer.
SQLITE_BUSY_SECONDS = 5

#: libpq settings for PostgreSQL, unless the URL sets them itself (``?connect_timeout=10``):
#: give up connecting after 3 s, and drop a connection whose sent data stays unacknowledged for
#: 5 s (a host that vanished or drops packets) instead of waiting minutes for TCP to notice.
PG_TIMEOUTS = {"connect_timeout": 3, "tcp_user_timeout": 5000, "keepalives": 1,
               "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class DatabaseFault(StrEnum):
    """Why the database cannot do what was asked just now; each is a 503, never a 500."""

    #: No connection: the server is stopped, restarting or out of reach.
    UNREACHABLE = "unreachable"
    #: Another process holds a lock longer than we wait (SQLite's write lock; a PostgreSQL lock
    #: or statement timeout), or every connection is in use.
    BUSY = "busy"
    #: The database cannot be written: a read-only file or mount, a full disk, a standby server.
    READ_ONLY = "read-only"


_SQLITE_FAULTS = {
    sqlite3.SQLITE_BUSY: DatabaseFault.BUSY,
    sqlite3.SQLITE_LOCKED: DatabaseFault.BUSY,
    sqlite3.SQLITE_READONLY: DatabaseFault.READ_ONLY,
    sqlite3.SQLITE_FULL: DatabaseFault.READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: DatabaseFault.UNREACHABLE,
}
#: PostgreSQL SQLSTATEs that are faults of the moment; class 08 (connection exception) as well.
_PG_FAULTS = {
    "57P01": DatabaseFault.UNREACHABLE,  # admin_shutdown: the server is stopping
    "57P02": DatabaseFault.UNREACHABLE,  # crash_shutdown
    "57P03": DatabaseFault.UNREACHABLE,  # cannot_connect_now: starting up or shutting down
    "53300": DatabaseFault.BUSY,  # too_many_connections
    "55P03": DatabaseFault.BUSY,  # lock_not_available
    "57014": DatabaseFault.BUSY,  # query_canceled, e.g. by statement_timeout
    "40P01": DatabaseFault.BUSY,  # deadlock_detected
    "25006": DatabaseFault.READ_ONLY,  # read_only_sql_transaction: a standby server
    "53100": DatabaseFault.READ_ONLY,  # disk_full
}


def fault_of(error: BaseException) -> DatabaseFault | None:
    """What a database error means for a reader, or None when it is not a fault of the moment
    (a bug, a constraint violation: those keep their traceback). Follows the error's causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        fault = _fault(current)
        if fault is not None:
            return fault
        current = current.__cause__ or current.__context__
    return None


def _fault(error: BaseException) -> DatabaseFault | None:
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no free connection in time
        return DatabaseFault.BUSY
    if isinstance(error, sa_exc.DBAPIError):
        fault = _driver_fault(error.orig)
        if fault is None and error.connection_invalidated:
            fault = DatabaseFault.UNREACHABLE
        return fault
    return _driver_fault(error)


def _driver_fault(error: BaseException | None) -> DatabaseFault | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return None if code is None else _SQLITE_FAULTS.get(code & 0xFF)
    if error is None or not type(error).__module__.startswith(("psycopg", "psycopg2")):
        return None
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if state:
        return _PG_FAULTS.get(state) or (DatabaseFault.UNREACHABLE if state[:2] == "08" else None)
    # No SQLSTATE: the driver itself failed to connect or lost the connection.
    names = {cls.__name__ for cls in type(error).__mro__}
    return DatabaseFault.UNREACHABLE if names & {"OperationalError", "InterfaceError"} else None


def describe(error: BaseException) -> str:
    """One line about a database error for the log: the driver's first line, no traceback."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0][:300] if lines else ''}".rstrip(": ")


_MESSAGES = {
    DatabaseFault.UNREACHABLE: "The database does not answer (%s); pages answer 503 until it is "
                               "back.",
    DatabaseFault.BUSY: "The database is busy (%s): a request waited for a lock held by another "
                        "process and answered 503.",
    DatabaseFault.READ_ONLY: "The database cannot be written (%s): reads go on, writes answer "
                             "503.",
}
_throttled = ThrottledLog(log)
_outage_lock = threading.Lock()
#: Since when (monotonic) this process has seen the database unreachable, or None.
_outage: dict[str, float | None] = {"since": None}


def report_fault(fault: DatabaseFault, error: BaseException) -> None:
    """Log a fault without a traceback, at most once a minute per kind in this process."""
    _throttled.warning(fault.value, _MESSAGES[fault], describe(error))
    if fault is DatabaseFault.UNREACHABLE:
        with _outage_lock:
            if _outage["since"] is None:
                _outage["since"] = time.monotonic()


def _connected(_dbapi_connection, _record) -> None:
    """A new connection succeeded: if the database was unreachable, say that it is back."""
    with _outage_lock:
        since, _outage["since"] = _outage["since"], None
    if since is not None:
        left_out = _throttled.forget(DatabaseFault.UNREACHABLE.value)
        log.info("The database answers again after %.0f s (%d more requests answered 503 "
                 "than the log showed).", time.monotonic() - since, left_out)


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend (see the module docstring)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args=_pg_timeouts(url))
    event.listen(engine, "connect", _connected)
    return engine


def _pg_timeouts(url: str) -> dict:
    parsed = make_url(url)
    if parsed.get_driver_name() not in ("psycopg", "psycopg2"):
        return {}
    return {key: value for key, value in PG_TIMEOUTS.items() if key not in parsed.query}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers go on while one writer writes: several gunicorn workers share one file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        # A database opened read-only keeps the mode it has; reads work in either.
        if _driver_fault(error) is not DatabaseFault.READ_ONLY:
            raise
    finally:
        cursor.close()


def readable_url(url: str) -> tuple[str, str | None]:
    """The URL to open: a SQLite file this process cannot write is opened read-only.

    Opened the ordinary way, such a file failed the start (SQLite cannot make the ``-shm`` file
    that WAL needs beside it, and the start-up lock file cannot be made either), so a read-only
    mount or a restore that left the file owned by another user took the node down. Opened
    read-only, the node serves reads and every write answers 503. Where the folder is read-only
    too, the file is opened *immutable*: SQLite then needs no ``-shm`` file and takes no locks,
    and a change made meanwhile by another process is not seen until a restart.

    Returns the URL and, when it changed, a line for the log saying why.
    """
    parsed = make_url(url)
    database = parsed.database
    if (parsed.get_backend_name() != "sqlite" or not database or database == ":memory:"
            or database.startswith("file:")):
        return url, None
    path = Path(database).resolve()
    folder_writable = os.access(path.parent, os.W_OK)
    if not path.exists() or (os.access(path, os.W_OK) and folder_writable):
        return url, None
    query = {**parsed.query, "mode": "ro", "uri": "true"}
    if not folder_writable:
        query["immutable"] = "1"
    readable = f"{parsed.drivername}:///file:{quote(str(path))}?{urlencode(query, doseq=True)}"
    why = (f"The database file {path} is read-only for this process"
           f"{'' if folder_writable else ', and so is its folder'}: it is opened read-only, "
           "readers are served and every write answers 503. Make it writable for this user "
           "and restart to write again.")
    return readable, why


def init_app(app: Flask) -> None:
    """Attach the engine to the app and close each request's session when the request ends.

    Tables are made by migrations only (``kb.migrate``, run at start by ``kb.bootstrap``).
    A read-only SQLite file changes ``DATABASE_URL`` to a read-only one, so that everything
    started from the config (the start-up's schema check, its lock) reads it the same way.
    """
    url, why = readable_url(app.config["DATABASE_URL"])
    if why:
        log.warning(why)
        app.config["DATABASE_URL"] = url
    app.extensions["kb.engine"] = make_engine(url)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["kb.engine"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if exc is not None:
            session.rollback()
        session.close()
    except Exception as error:
        # The response is already made; an unreachable database must not turn it into a 500.
        fault = fault_of(error)
        if fault is None:
            raise
        report_fault(fault, error)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for CLI and start-up work: committed on success, rolled back on any error."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
