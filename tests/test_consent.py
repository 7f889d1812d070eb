"""Consent that holds: a writer's withdrawal is final for everyone but the writer; an editor's
withdrawal stays the editors' to undo. Every combination of who withdrew and who restores, in
the workflow and through the pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kb import review, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AuditEntry, Role
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden, search_ids

#: Who may put the advice back, per who withdrew it. "editor" and "admin" are two different
#: editors; "other" is another writer. The writer withdraws through "Mijn adviezen".
RESTORERS = ("writer", "other", "editor", "admin")
MAY_RESTORE = {
    "writer": {"writer"},
    "editor": {"editor", "admin"},
    "admin": {"editor", "admin"},
}


def withdraw_as(app, people, advice: Advice, who: str, reason: str = "") -> Advice:
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        if who == "writer":
            workflow.request_withdrawal(session, people.writer, advice, reason, advice.revision)
        else:
            workflow.withdraw(session, getattr(people, who), advice, reason, advice.revision)
    return advice


def restore_as(session, people, advice: Advice, who: str) -> Advice:
    step = workflow.restore_own if who == "writer" else workflow.restore
    return step(session, getattr(people, who), advice, advice.revision)


@pytest.mark.parametrize("restorer", RESTORERS)
@pytest.mark.parametrize("withdrawer", sorted(MAY_RESTORE))
def test_only_the_right_people_can_undo_a_withdrawal(app, people, advice_by, withdrawer,
                                                     restorer):
    advice = withdraw_as(app, people, advice_by(S.PUBLISHED), withdrawer, "Genoeg.")
    allowed = restorer in MAY_RESTORE[withdrawer]
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        action = "restore_own" if restorer == "writer" else "restore"
        assert workflow.may(getattr(people, restorer), action, advice) is allowed
        if allowed:
            restore_as(session, people, advice, restorer)
            assert advice.status == S.PUBLISHED
        else:
            with pytest.raises(workflow.NotAllowed) as refused:
                restore_as(session, people, advice, restorer)
            if restorer != "other":  # another writer is simply not the owner
                assert refused.value.reason == {"writer": "writer_withdrew"}.get(
                    withdrawer, "editor_withdrew")
            session.rollback()
            assert session.get(Advice, advice.id).status == S.WITHDRAWN


def test_an_editors_later_edit_does_not_make_a_writers_withdrawal_the_editors(app, people,
                                                                              advice_by):
    """Editors may still change a withdrawn advice (say, to take out a name): the withdrawal
    stays the writer's, however many revisions come after it."""
    advice = withdraw_as(app, people, advice_by(S.PUBLISHED), "writer")
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        workflow.edit(session, people.editor, advice,
                      AdviceForm(**{**FORM, "title": "Zonder naam"}), advice.revision)
        workflow.rename_slug(session, people.editor, advice, "zonder-naam", advice.revision)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert advice.revisions[-1].author_id == people.editor.id
        assert workflow.withdrawn_by_writer(advice)
        assert not workflow.may(people.editor, "restore", advice)
        assert workflow.may(people.writer, "restore_own", advice)


def test_a_writer_who_is_also_an_editor_may_undo_their_own_withdrawal_as_an_editor(
        app, make_user):
    writing_editor = make_user(Role.EDITOR, display_names=["Noor"])
    with app.app_context(), session_scope() as session:
        advice = workflow.create_draft(session, writing_editor, AdviceForm(
            **{**FORM, "display_name": "Noor"}), submit=True)
        workflow.publish(session, writing_editor, advice, advice.revision)
        workflow.request_withdrawal(session, writing_editor, advice, "", advice.revision)
        assert workflow.may(writing_editor, "restore", advice)
        workflow.restore(session, writing_editor, advice, advice.revision)
        assert advice.status == S.PUBLISHED


# --------------------------------------------------------------------------- the pages


def test_an_editor_cannot_put_back_what_the_writer_withdrew(app, client, post, people, log_in,
                                                            advice_by):
    """The finding: the writer withdrew ("Ik wil niet meer herkend worden"), an editor pressed
    "Zet terug" and it was public again."""
    advice = advice_by(S.PUBLISHED)
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"revision": hidden(page, "revision"),
                     "reason": "Ik wil niet meer herkend worden."})
    assert response.status_code == 303

    log_in(people.editor)
    review_page = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    assert "Zet terug op de website" not in review_page
    assert "Alleen de schrijver kan het terugzetten" in review_page
    assert "Ik wil niet meer herkend worden." in review_page
    response = post(f"/redactie/advies/{advice.id}/terugzetten",
                    {"revision": str(advice.revision + 1)})
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "Alleen de schrijver kan dit terugzetten" in text
    assert "via “Mijn adviezen”" in text
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 410
    assert search_ids(client, "pleegkinderen") == []
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).status == S.WITHDRAWN
        assert "restore" not in session.exec(select(AuditEntry.action).where(
            AuditEntry.advice_id == advice.id)).all()


def test_the_writer_puts_their_advice_back_from_my_advice(app, client, post, people, log_in,
                                                          advice_by):
    advice = withdraw_as(app, people, advice_by(S.PUBLISHED), "writer")
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert "Zet mijn advies terug op de website" in page
    response = post(f"/mijn-adviezen/{advice.id}/terugzetten",
                    {"revision": hidden(page, "revision")})
    assert response.status_code == 303
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 200
    assert search_ids(client, "pleegkinderen") == [advice.id]
    # A second click (the back button) is a clear 409, not a second revision.
    again = post(f"/mijn-adviezen/{advice.id}/terugzetten",
                 {"revision": hidden(page, "revision")})
    assert again.status_code == 409
    with app.app_context(), session_scope() as session:
        actions = session.exec(select(AuditEntry.action).where(
            AuditEntry.advice_id == advice.id).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["request_withdrawal", "restore_own"]


def test_the_writer_cannot_put_back_what_the_editors_withdrew(app, client, post, people,
                                                              log_in, advice_by):
    advice = advice_by(S.WITHDRAWN)  # the editor withdrew it
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert "Zet mijn advies terug" not in page
    assert "Vraag het de redactie" in page
    response = post(f"/mijn-adviezen/{advice.id}/terugzetten",
                    {"revision": str(advice.revision)})
    assert response.status_code == 403
    assert "De redactie heeft dit advies ingetrokken" in response.get_data(as_text=True)
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 410
    # Another writer does not even learn that the advice exists.
    log_in(people.other)
    assert post(f"/mijn-adviezen/{advice.id}/terugzetten",
                {"revision": str(advice.revision)}).status_code == 404
    # The editors still can.
    log_in(people.admin)
    review_page = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    assert "Zet terug op de website" in review_page
    assert post(f"/redactie/advies/{advice.id}/terugzetten",
                {"revision": str(advice.revision)}).status_code == 303
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 200


# --------------------------------------------------------------------------- the note shown


def test_my_advice_shows_the_note_of_the_latest_change_and_who_wrote_it(app, client, post,
                                                                         people, log_in,
                                                                         advice_by):
    """The finding: after an editor withdrew, restored, and the writer then withdrew with a
    reason, "Mijn adviezen" showed "Reden van de redactie: <the editor's old note>"."""
    advice = withdraw_as(app, people, advice_by(S.PUBLISHED), "editor", "Even offline gezet.")
    log_in(people.writer)
    listing = client.get("/mijn-adviezen").get_data(as_text=True)
    assert "Reden van de redactie (Eva):" in listing
    assert "Even offline gezet." in listing

    with app.app_context(), session_scope() as session:
        workflow.restore(session, people.editor, session.get(Advice, advice.id))
    withdraw_as(app, people, advice, "writer", "Ik wil het toch niet.")
    listing = client.get("/mijn-adviezen").get_data(as_text=True)
    assert "Even offline gezet." not in listing
    assert "Reden van de redactie" not in listing
    assert "Jouw reden:" in listing
    assert "Ik wil het toch niet." in listing
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert review.feedback(advice) is None  # the writer's own reason is no feedback
        assert review.status_note(advice).note == "Ik wil het toch niet."
