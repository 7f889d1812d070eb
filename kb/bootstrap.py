"""Start-up: bring the database to this version's schema, fill an empty one, open the index.

This is what makes ``flask --app app run`` on a fresh clone serve a working knowledge base, and
what makes ``gunicorn -w 4`` on an empty PostgreSQL database bring up four workers: every step
runs under the start-up lock (:mod:`kb.startlock`), so exactly one process migrates and loads
the themes and demo while the others wait and then find the work done.

- The schema: with ``AUTO_UPGRADE`` (the embedded default) the database is upgraded; without it
  (production) an out-of-date database is refused with what to run. A database a newer version
  has upgraded is served with a warning (a rolling upgrade, node by node).
- An empty database gets the themes and (unless ``LOAD_DEMO`` is off) the demo advice.
- The index is opened, rebuilt when missing or corrupt (a large one in the background, while
  pages are served), and caught up; an index of another database is refused.

Each step says on the console what it did: a newcomer can see what happened.

A database that does not answer (or is busy) at start is waited for, with a line in the log at
each try (:data:`RETRY_DELAYS`). A gunicorn worker that exited instead made the arbiter shut the
whole node down ("Worker failed to boot"), so a worker restarted during a database outage took
the node down for good. A gunicorn worker (:func:`kb.startlock.supervised`) waits as long as it
takes and serves as soon as the database is back; a command gives up after
:data:`UNSUPERVISED_WAIT_SECONDS`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask
from flask.logging import default_handler
from sqlalchemy.engine import make_url
from sqlmodel import select

from kb import migrate, search, startlock, vocabulary
from kb.content import import_paths
from kb.db import DatabaseFault, describe, fault_of, session_scope
from kb.models import Advice, Audience, Region, Theme
from kb.startlock import start_lock
from kb.themes import sync_themes

log = logging.getLogger(__name__)

STARTED = "kb.started"

#: Seconds between tries while the database does not answer at start: quick at first (a restart
#: of PostgreSQL takes seconds), then a try and a log line every 5 s.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 5.0)
#: Faults a start waits out; a read-only database is served as it is, anything else is an error.
WAIT_FOR = (DatabaseFault.UNREACHABLE, DatabaseFault.BUSY)
#: How long a process that no supervisor watches (a ``kb`` command, ``flask run``) waits for the
#: database before it gives up with the error; a gunicorn worker waits as long as it takes.
UNSUPERVISED_WAIT_SECONDS = 30.0


class SchemaOutOfDate(migrate.MigrationError):
    """The database needs ``kb db upgrade`` and this process may not run it (production)."""


def configure_logging() -> None:
    """Show the start-up's INFO lines on the console.

    Flask gives its app logger (``kb``) a handler of its own, and a ``basicConfig`` that was
    skipped when that handler existed left INFO lines unseen. Configure the root logger unless
    the host (gunicorn, pytest) already did, and let ``kb`` and ``search_index`` speak at INFO.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, level in (("kb", logging.INFO), ("search_index", logging.INFO),
                        ("alembic", logging.WARNING)):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
        # Flask's default handler on the ``kb`` logger would print every line twice.
        logger.removeHandler(default_handler)


def start(app: Flask, background_index: bool = True) -> None:
    """Run the start-up once per app, under the start-up lock, waiting for the database.

    ``background_index`` off (``kb`` commands) builds or catches up the index before returning;
    a serving process leaves a large build or backlog to its background follower.
    """
    if app.extensions.get(STARTED):
        return
    began = time.monotonic()
    url = app.config["DATABASE_URL"]
    log.info("Database: %s.", make_url(url).render_as_string(hide_password=True))
    tries = 0
    while True:
        try:
            _start(app, url, background_index)
            break
        except Exception as error:
            fault = fault_of(error)
            waited = time.monotonic() - began
            if fault not in WAIT_FOR or (not startlock.supervised()
                                         and waited >= UNSUPERVISED_WAIT_SECONDS):
                raise
            delay = RETRY_DELAYS[min(tries, len(RETRY_DELAYS) - 1)]
            tries += 1
            log.warning("The database %s (%s); start-up waits and tries again in %.1f s "
                        "(try %d, waiting %.0f s so far).",
                        "does not answer" if fault is DatabaseFault.UNREACHABLE else "is busy",
                        describe(error), delay, tries, waited)
            startlock.pause(delay)
    if tries:
        log.info("The database answers again: start-up went on after %d tries.", tries)
    app.extensions[STARTED] = True
    log.info("Start-up done in %.1f s.", time.monotonic() - began)


def _start(app: Flask, url: str, background_index: bool) -> None:
    """One try at the start-up; every step can be run again after a failure halfway."""
    with start_lock(url, Path(app.instance_path)):
        prepare_schema(url, auto_upgrade=app.config["AUTO_UPGRADE"])
        with app.app_context():
            with session_scope() as session:
                # Before anything is written: a process on another database than the index's
                # (a command run without the node's KB_DATABASE_URL) stops here.
                search.refuse_another_database(session)
            load_first_content(app)
            with session_scope() as session:
                # Builds a large index in the background, so that pages are served meanwhile.
                search.ensure_index(session, background=background_index)


def prepare_schema(url: str, auto_upgrade: bool) -> None:
    """Upgrade the schema, or refuse to start when that is not allowed or not possible."""
    state = migrate.state(url)
    if state.current is not None and not migrate.known(state.current):
        # A rolling upgrade: another node already ran a newer version's migrations. Refusing
        # would take this node down at its next worker restart; releases whose migrations do
        # more than add are documented as "stop every node first" (README, upgrading).
        log.warning("The database is at schema revision %s, newer than this version knows "
                    "(%s): a newer version upgraded it. This node keeps serving; install the "
                    "newer version here too.", state.current, state.head)
        return
    if state.up_to_date:
        log.info("Database schema is up to date (revision %s).", state.head)
        return
    if not auto_upgrade:
        backup_first = ("" if state.empty else
                        "Back it up with `flask --app app kb backup FILE`, then run ")
        raise SchemaOutOfDate(
            f"The database schema is out of date ({state.describe()}; this version needs "
            f"revision {state.head}). {backup_first or 'Run '}`flask --app app kb db upgrade` "
            "(KB_AUTO_UPGRADE is off, so this process does not upgrade by itself).")
    log.info("Upgrading the database schema (%s) to revision %s.", state.describe(), state.head)
    applied = migrate.upgrade(url)
    log.info("Database schema upgraded: %s.", ", ".join(applied) or "stamped, nothing to apply")


def load_vocabulary(app: Flask) -> None:
    """Audiences and regions into a database without them (a new one, or one that migration
    0006 just gave the empty lists); after that only ``kb themes`` changes them."""
    folder = Path(app.config["THEMES_DIR"])
    with session_scope() as session:
        if session.exec(select(Audience)).first() is None:
            report = vocabulary.sync_audiences(session, folder)
            log.info("Loaded %d audiences from %s.", len(report.added), folder)
        if session.exec(select(Region)).first() is None:
            report = vocabulary.sync_regions(session, folder)
            log.info("Loaded %d regions from %s.", len(report.added), folder)


def load_first_content(app: Flask) -> None:
    """Themes into a database without them, demo advice into one without advice."""
    with session_scope() as session:
        if session.exec(select(Theme)).first() is None:
            report = sync_themes(session, Path(app.config["THEMES_DIR"]))
            log.info("Loaded %d themes from %s.", len(report.added), app.config["THEMES_DIR"])
    load_vocabulary(app)
    if not app.config["LOAD_DEMO"]:
        return
    with session_scope() as session:
        if session.exec(select(Advice)).first() is not None:
            return
        folder = Path(app.config["DEMO_DIR"])
        report = import_paths(session, [folder])
        if report.problems:
            raise RuntimeError("The demo content does not import:\n"
                               + "\n".join(str(p) for p in report.problems))
        log.info("Imported %d demo advice from %s (KB_LOAD_DEMO=0 switches this off).",
                 len(report.created), folder)
