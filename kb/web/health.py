"""Health probes for load balancers and process managers: ``/healthz`` and ``/readyz``.

- ``/healthz`` says the process answers. It touches nothing else, so a database outage never
  gets a healthy worker restarted.
- ``/readyz`` says this node can serve readers: the database answers ``SELECT 1``, the search
  index opens, and it has applied the database's change log. A node whose index is behind
  applies a few changes at once, as a search would, and wakes its background follower for more
  (otherwise a node taken out of rotation for being behind would never catch up); a node
  still building its first index says ``building``. The probe never waits for either.

Both answer small JSON with ``Cache-Control: no-store``, for any Host, without a session cookie
and outside CSRF checks; a failure is a ``503`` with the failing check, never a 500.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kb import db, indexing, search
from kb.throttledlog import ThrottledLog
from search_index import IndexUnavailable

log = logging.getLogger(__name__)
_throttled = ThrottledLog(log)

bp = Blueprint("health", __name__)

#: The probe URLs; other modules ask :func:`is_probe` rather than repeating them.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})

OK = "ok"


def is_probe() -> bool:
    """Whether the current request is a health probe (checked by path: routing may have failed)."""
    return request.path in PROBE_PATHS


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: no database, no index."""
    return _answer({"status": OK}, 200)


@bp.get("/readyz")
def readyz() -> Response:
    """The database answers and the index is open and caught up; 503 names what is not."""
    database = database_state()
    checks = {"database": database, "index": index_state(database_ok=database == OK)}
    ready = all(state == OK for state in checks.values())
    if not ready:
        # Probes come every few seconds: one line per state per minute is enough to see it.
        state = ", ".join(f"{k} {v}" for k, v in checks.items())
        _throttled.warning(state, "Not ready: %s.", state)
    return _answer({"status": OK if ready else "unavailable", "checks": checks},
                   200 if ready else 503)


def database_state() -> str:
    """``ok`` when a connection from the pool answers ``SELECT 1``, else ``unavailable``."""
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        fault = db.fault_of(error)
        if fault is not None:
            db.report_fault(fault, error)  # the same once-a-minute line as the pages
        else:
            _throttled.warning("database", "Readiness: the database does not answer (%s).",
                               error.__class__.__name__)
        return "unavailable"
    return OK


def index_state(database_ok: bool) -> str:
    """``ok``; ``building`` (there is no index of this database yet: the follower builds it);
    ``behind`` (changes not yet applied: a few are applied here, more by the follower);
    ``unavailable`` (it will not open); ``wrong database`` (it belongs to another database,
    see :class:`kb.indexing.IndexOfAnotherDatabase`); or ``unknown`` (it opens, but without
    the database nobody can tell whether it is behind). Never waits for a build or a backlog."""
    index = search.search_index()
    follower = search.follower()
    if indexing.build_reason(index) is not None or (follower and follower.building):
        if follower is not None:
            follower.wake()
        return "building"
    try:
        index.doc_count()
    except IndexUnavailable as error:  # damaged files: the follower rebuilds it beside
        search.repair(error)
        log.warning("Readiness: the search index cannot be used (%s).", error)
        return "unavailable"
    except Exception as error:  # noqa: BLE001 - a damaged index can raise almost anything
        log.warning("Readiness: the search index does not open (%s).", error)
        return "unavailable"
    if not database_ok:
        return "unknown"
    session = db.get_session()
    try:
        if indexing.is_behind(session, index):
            search.catch_up(session)  # a few changes at once, more in the background
            if indexing.is_behind(session, index):
                return "behind"
    except indexing.IndexOfAnotherDatabase as error:
        log.error("Readiness: %s", error)
        return "wrong database"
    except Exception as error:  # noqa: BLE001 - report, never fail the probe
        log.warning("Readiness: could not compare the index with the database (%s).", error)
        session.rollback()
        return "behind"
    return OK


def _answer(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    # A cached "ok" would hide an outage from the next probe.
    response.headers["Cache-Control"] = "no-store"
    return response
