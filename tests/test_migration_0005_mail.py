"""Migration 0005 (mail, notifications, password reset, alerts) on a database holding data,
on SQLite and PostgreSQL: every row is kept going up, and going down again."""

from __future__ import annotations

from datetime import timedelta

from app import create_app
from kb import migrate, workflow
from kb.accounts import create_account
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Notification, OutboxMail, PasswordReset, utcnow
from tests.test_migrations import database_url, dump, settings  # noqa: F401

NEW_TABLES = {"mail_outbox", "notification", "notification_optout", "password_reset",
              "alert_subscriber", "alert_subscription"}


def test_0005_upgrades_and_downgrades_a_database_holding_data(database_url, tmp_path):  # noqa: F811
    app = create_app(settings(tmp_path, database_url))
    with app.app_context(), session_scope() as session:
        writer = create_account(session, login="schrijver", password="een goed wachtwoord",
                                display_name="Sam", role="contributor", email="sam@ex.org")
        editor = create_account(session, login="redacteur", password="een goed wachtwoord",
                                display_name="Redactie", role="editor")
        advice = workflow.create_draft(session, writer, AdviceForm(
            title="Vraag het de jongere", summary="Wie het weet, is de jongere zelf.",
            themes=["pleegzorg"], display_name="Sam",
            body="## Wat we zien\n\nNiemand vraagt het.\n"), submit=True)
        workflow.publish(session, editor, advice, advice.revision)
    app.extensions["kb.engine"].dispose()

    migrate.downgrade(database_url, "0004")
    before = dump(database_url)
    assert not NEW_TABLES & set(before)
    assert before["advice"] and before["user_account"]

    migrate.upgrade(database_url)
    assert migrate.state(database_url).current == migrate.head()
    after = dump(database_url, like=before)
    assert after == before
    assert set(dump(database_url)) >= NEW_TABLES

    app = create_app(settings(tmp_path, database_url))
    with app.app_context(), session_scope() as session:
        session.add(OutboxMail(kind="test", to_addr="sam@ex.org", subject="Test",
                               params={"address": "sam@ex.org"},
                               expires_at=utcnow() + timedelta(days=1)))
        session.add(Notification(user_id=writer.id, kind="published", advice_id=advice.id,
                                 title="Vraag het de jongere"))
        session.add(PasswordReset(user_id=writer.id, token_hash="a" * 64,
                                  expires_at=utcnow() + timedelta(hours=1)))
    app.extensions["kb.engine"].dispose()
    assert len(dump(database_url)["mail_outbox"]) == 1

    migrate.downgrade(database_url, "0004")
    assert dump(database_url, like=before) == before
    assert not NEW_TABLES & set(dump(database_url))
