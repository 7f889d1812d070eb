"""Migration 0008 (co-writing) on a database holding data: every owner becomes the first writer
of their advice with the names shown now (display name, pseudonym, anonymous, group name),
imported advice stay without writers, every row is kept up and down. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app import create_app
from kb import cowriting, groups, migrate, workflow
from kb.accounts import add_display_name
from kb.advice import AdviceContent, save_advice
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AdviceStatus, User
from tests.test_migrations import dump, settings, writer_and_editor

BEFORE, THIS = "0007", "0008"
GROUP = "ExpEx Gelderland"
NAMES = {"Luister eerst": ["Sam"], "Vraag door": ["Robin"], "Zonder naam": ["Anoniem"],
         "Namens de groep": [GROUP]}


@pytest.fixture
def database_at_0007(empty_database_url: str, tmp_path: Path) -> str:
    """Advice under a display name, a pseudonym, anonymous and a group's name (one of them
    published), and one imported advice without an owner; then taken back to 0007."""
    app = create_app(settings(tmp_path / "before", empty_database_url))
    with app.app_context():
        with session_scope() as session:
            writer, editor = writer_and_editor(session)
            add_display_name(session, writer, "Robin")
            group = groups.create_group(session, editor, GROUP)
            groups.add_member(session, editor, group, "schrijver")
        for title, shown in NAMES.items():
            with session_scope() as session:
                writer = session.get(User, writer.id)
                choice = "anoniem" if shown == ["Anoniem"] else shown[0]
                advice = workflow.create_draft(session, writer, AdviceForm(
                    title=title, summary="Vraag wat de jongere wil.", themes=["pleegzorg"],
                    display_name=choice, body="## Wat we zien\n\nNiemand vraagt het.\n"),
                    submit=True)
                if title == "Luister eerst":
                    workflow.publish(session, session.get(User, editor.id), advice,
                                     advice.revision)
        with session_scope() as session:
            save_advice(session, None, AdviceContent(
                title="Uit het archief", summary="Een oud advies.", body="Tekst.\n",
                themes=("pleegzorg",), slug="uit-het-archief", authors=("ExpEx", "Jij & Ik")),
                status=AdviceStatus.PUBLISHED)
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(empty_database_url, BEFORE)
    assert "advice_writer" not in dump(empty_database_url)
    return empty_database_url


def test_0008_moves_each_owner_in_as_first_writer_and_keeps_every_row(database_at_0007,
                                                                        tmp_path):
    before = dump(database_at_0007)
    for table in ("user_account", "advice", "revision", "audit_entry", "group_member"):
        assert before[table], f"the fixture left {table} empty"
    migrate.upgrade(database_at_0007, THIS)
    assert dump(database_at_0007, like=before) == before
    rows = dump(database_at_0007)["advice_writer"]
    by_title = {a["id"]: a for a in before["advice"]}
    assert {by_title[r["advice_id"]]["title"]: r["names"] for r in rows} == NAMES
    assert all(r["status"] == "writer" and r["name_off_at"] is None and r["position"] == 0
               and r["user_id"] == by_title[r["advice_id"]]["owner_id"]
               and r["accepted_at"] == by_title[r["advice_id"]]["created_at"] for r in rows)

    migrate.upgrade(database_at_0007)
    assert migrate.differences(database_at_0007) == []
    app = create_app(settings(tmp_path, database_at_0007))
    with app.app_context():
        with session_scope() as session:
            ids = {a.title: a.id for a in session.exec(select(Advice)).all()}
            writer, editor = session.get(User, 1), session.get(User, 2)
            # Every advice is shown as before, also after a change that makes the names again.
            for title, shown in NAMES.items():
                advice = session.get(Advice, ids[title])
                workflow.rename_slug(session, editor, advice, f"nieuw-{advice.id}")
                assert advice.authors == shown, title
            archived = session.get(Advice, ids["Uit het archief"])
            workflow.edit(session, editor, archived, AdviceForm(
                title="Uit het archief", summary="Een oud advies.", themes=["pleegzorg"],
                display_name="ExpEx, Jij & Ik", body="Tekst.\n"), archived.revision)
            assert archived.authors == ["ExpEx", "Jij & Ik"]
            # The migrated writer is a writer: they can take their name off their advice.
            cowriting.take_name_off(session, writer, session.get(Advice, ids["Vraag door"]),
                                    writer.id)
            assert session.get(Advice, ids["Vraag door"]).authors == ["Anoniem"]
        api = app.test_client().get(f"/api/advies/{ids['Luister eerst']}").get_json()
        assert api["advice"]["authors"] == ["Sam"]
    app.extensions["kb.engine"].dispose()

    migrate.downgrade(database_at_0007, BEFORE)
    assert "advice_writer" not in dump(database_at_0007)
    assert dump(database_at_0007, like=before)["user_account"] == before["user_account"]
