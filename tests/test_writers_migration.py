"""Migration 0003 (writers first) on a database holding data: every row kept on the way up and
down, and the upgraded database serves the new rules at once. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app import create_app
from kb import groups, migrate, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, GuardianConsent, KeptText, User
from tests.test_migrations import dump, settings, writer_and_editor

BEFORE, THIS = "0002", "0003"


@pytest.fixture
def database_at_0002(empty_database_url: str, tmp_path: Path) -> str:
    """A database with writers, a published advice that its writer withdrew, and a form kept
    at login; then taken back to 0002 (the rows of what stays are kept)."""
    app = create_app(settings(tmp_path / "before", empty_database_url))
    with app.app_context():
        with session_scope() as session:
            writer, editor = writer_and_editor(session)
            session.add(KeptText(user_id=writer.id, url="/schrijven", fields=[["body", "x"]]))
            group = groups.create_group(session, editor, "ExpEx Gelderland")
            groups.add_member(session, editor, group, "schrijver")
            session.add(GuardianConsent(user_id=writer.id, given_at=datetime(2026, 1, 5),
                                        recorded_by_id=editor.id))
        with session_scope() as session:
            writer, editor = session.get(User, writer.id), session.get(User, editor.id)
            advice = workflow.create_draft(session, writer, AdviceForm(
                title="Luister eerst", summary="Vraag wat de jongere wil.",
                themes=["pleegzorg"], display_name="Sam",
                body="## Wat we zien\n\nNiemand vraagt het.\n"), submit=True)
            workflow.publish(session, editor, advice, advice.revision)
            workflow.request_withdrawal(session, writer, advice, "Ik wil dit niet meer.",
                                        advice.revision)
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(empty_database_url, BEFORE)
    assert "kept_text" not in dump(empty_database_url)
    assert migrate.state(empty_database_url).current == BEFORE
    return empty_database_url


def test_0003_upgrades_a_database_with_data_and_keeps_every_row(database_at_0002, tmp_path):
    before = dump(database_at_0002)
    for table in ("user_account", "advice", "revision", "audit_entry", "index_change"):
        assert before[table], f"the fixture left {table} empty"
    migrate.upgrade(database_at_0002, THIS)
    assert dump(database_at_0002, like=before) == before
    assert dump(database_at_0002)["kept_text"] == []
    assert dump(database_at_0002)["writer_group"] == []
    changes = dump(database_at_0002)["index_change"]
    assert changes and all(row["purge"] is False for row in changes)

    migrate.upgrade(database_at_0002)
    assert migrate.differences(database_at_0002) == []
    app = create_app(settings(tmp_path, database_at_0002))
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, 1)
        editor = session.get(User, 2)
        # Withdrawn by its writer before the upgrade: still the writer's alone to undo.
        assert workflow.withdrawn_by_writer(advice)
        assert not workflow.may(editor, "restore", advice)
        session.add(KeptText(user_id=1, url="/schrijven", fields=[["body", "y"]]))
    app.extensions["kb.engine"].dispose()

    migrate.downgrade(database_at_0002, BEFORE)
    assert dump(database_at_0002, like=before) == before
