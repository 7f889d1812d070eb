"""Migration 0004 upgrades a database holding data: existing revisions get their public version
numbers by the same rule as new ones, and a withdrawn advice gets the time it was withdrawn.

Runs on SQLite and on PostgreSQL (the PostgreSQL half needs KB_TEST_DATABASE_URL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from app import create_app
from kb import migrate, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, User
from tests.test_migrations import dump, settings, writer_and_editor


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    return empty_database_url


def rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


@pytest.fixture
def before_0004(database_url, tmp_path: Path) -> dict:
    """A database at revision 0003 holding a published advice that was edited twice (once only
    in its slug) and a withdrawn one, written by today's code and then taken back to 0003."""
    app = create_app(settings(tmp_path / "before", database_url))
    with app.app_context():
        with session_scope() as session:
            writer, editor = writer_and_editor(session)
        ids = []
        for title in ("Luister eerst", "Wordt ingetrokken"):
            with session_scope() as session:
                writer, editor = session.get(User, writer.id), session.get(User, editor.id)
                form = AdviceForm(title=title, summary="Vraag wat de jongere wil.",
                                  themes=["pleegzorg"], display_name="Sam",
                                  body="## Wat we zien\n\nNiemand vraagt het.\n")
                advice = workflow.create_draft(session, writer, form)
                workflow.submit(session, writer, advice, advice.revision)
                workflow.publish(session, editor, advice, advice.revision)
                ids.append(advice.id)
        with session_scope() as session:
            editor = session.get(User, editor.id)
            first, second = session.get(Advice, ids[0]), session.get(Advice, ids[1])
            form = AdviceForm(title="Luister eerst", summary="Vraag wat de jongere wil.",
                              themes=["pleegzorg"], display_name="Sam",
                              body="## Wat we zien\n\nNiemand vraagt het. Nog steeds niet.\n")
            workflow.edit(session, editor, first, form, first.revision)
            workflow.rename_slug(session, editor, first, "luister-eerst-altijd", first.revision)
            workflow.withdraw(session, editor, second, "Verouderd.", second.revision)
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(database_url, "0003")
    return {"url": database_url, "ids": ids}


def test_0004_numbers_the_versions_of_existing_advice_and_keeps_every_row(before_0004):
    url, (kept, gone) = before_0004["url"], before_0004["ids"]
    before = dump(url)
    assert before["revision"], "the fixture left no revisions"
    migrate.upgrade(url, "0004")
    assert dump(url, like=before) == before  # every row and column that was there, unchanged
    versions = rows(url, f"SELECT number, status, version FROM revision WHERE advice_id = {kept}"
                         " ORDER BY number")
    # draft, submitted, published (v1), edited (v2), renamed (no new version)
    assert versions == [(1, "draft", None), (2, "submitted", None), (3, "published", 1),
                        (4, "published", 2), (5, "published", None)]
    withdrawn = rows(url, f"SELECT withdrawn_at, withdrawal_reason, replaced_by_id "
                          f"FROM advice WHERE id = {gone}")
    assert withdrawn[0][0] is not None and withdrawn[0][1:] == ("", None)
    assert rows(url, f"SELECT withdrawn_at FROM advice WHERE id = {kept}") == [(None,)]
    # The text last changed with version 2: the edit, not the rename after it.
    ((changed_at, edited_at),) = rows(
        url, f"SELECT a.changed_at, r.created_at FROM advice a JOIN revision r ON "
             f"r.advice_id = a.id AND r.number = 4 WHERE a.id = {kept}")
    assert changed_at == edited_at
    migrate.upgrade(url)
    assert migrate.differences(url) == []


def test_0004_downgrades_keeping_the_rows(before_0004):
    url = before_0004["url"]
    migrate.upgrade(url, "0004")
    before = dump(url)
    migrate.downgrade(url, "0003")
    after = dump(url)
    assert len(after["revision"]) == len(before["revision"])
    assert "version" not in after["revision"][0]


def test_0004_keeps_advice_ids_from_being_handed_out_again(before_0004, tmp_path):
    """SQLite rebuilds the advice table in 0004: it must stay AUTOINCREMENT and remember the
    highest id ever given, also of advice no longer there (here: as if ids up to 100 were
    used), or a shared link ``/advies/<id>`` could one day show another advice."""
    url = before_0004["url"]
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("UPDATE sqlite_sequence SET seq = 100 WHERE name = 'advice'"))
        else:
            connection.execute(text("SELECT setval('advice_id_seq', 100)"))
    engine.dispose()
    migrate.upgrade(url)
    app = create_app(settings(tmp_path / "after", url))
    with app.app_context(), session_scope() as session:
        writer = session.exec(select(User).where(User.login == "schrijver")).one()
        form = AdviceForm(title="Nieuw", summary="Kort.", themes=["pleegzorg"],
                          display_name="Sam", body="Tekst.")
        assert workflow.create_draft(session, writer, form).id == 101
    app.extensions["kb.engine"].dispose()
