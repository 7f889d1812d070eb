"""First start: an empty database gets the themes and (unless switched off) the demo advice.

This is what makes ``flask --app app run`` on a fresh clone serve a working knowledge base.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from kb import search
from kb.content import import_paths
from kb.db import session_scope
from kb.models import Advice, Theme
from kb.themes import sync_themes

log = logging.getLogger(__name__)


def bootstrap(app: Flask) -> None:
    """Load themes and demo content into an empty database, then make sure the index is usable."""
    with app.app_context():
        try:
            with session_scope() as session:
                if session.exec(select(Theme)).first() is None:
                    sync_themes(session, Path(app.config["THEMES_DIR"]))
                    log.info("Loaded the themes from %s.", app.config["THEMES_DIR"])
            demo_loaded = False
            if app.config["LOAD_DEMO"]:
                with session_scope() as session:
                    if session.exec(select(Advice)).first() is None:
                        _load_demo(session, Path(app.config["DEMO_DIR"]))
                        demo_loaded = True
        except IntegrityError:
            # Another worker started at the same moment and loaded the same rows first.
            log.info("Another process initialised the database first.")
            demo_loaded = False
        with session_scope() as session:
            if demo_loaded:
                # A fresh database: whatever index lies on disk belongs to another one.
                search.rebuild(session)
            else:
                search.ensure_index(session)


def _load_demo(session, folder: Path) -> None:
    report = import_paths(session, [folder])
    if report.problems:
        raise RuntimeError("The demo content does not import:\n"
                           + "\n".join(str(p) for p in report.problems))
    log.info("Imported %d demo advice from %s.", len(report.created), folder)
