"""Notifications: each workflow step tells the right people once, in the app and (with an
e-mail address, unless switched off) by mail that arrives at a real SMTP server."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kb import outbox
from kb.db import session_scope
from kb.models import Notification, OutboxMail, Role
from tests.mail_helpers import *  # noqa: F403
from tests.mail_helpers import SITE, text_of
from tests.workflow_fixtures import *  # noqa: F403
from tests.workflow_fixtures import FORM

S_PUBLISHED = "published"


@pytest.fixture
def app(mail_app):
    mail_app.extensions.pop("kb.mail_sender").stop()  # sent by hand below, to count
    return mail_app


@pytest.fixture
def people(make_user):
    """A writer and an editor with an e-mail address, an admin without one."""
    from types import SimpleNamespace

    return SimpleNamespace(
        writer=make_user(Role.CONTRIBUTOR, login="schrijverlogin", email="sam@example.org",
                         display_names=["Sam", "anoniem"]),
        other=make_user(Role.CONTRIBUTOR, display_names=["Kim"]),
        editor=make_user(Role.EDITOR, login="redacteurlogin", email="eva@example.org",
                         display_names=["Eva"]),
        admin=make_user(Role.ADMIN, display_names=["Beheer"]),
    )


def send(app):
    from kb.web.mail import links

    with app.app_context():
        return outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links())


def notices(app, user) -> list[Notification]:
    with app.app_context(), session_scope() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.id)).all())


def test_a_submission_tells_editors_and_admins_and_mails_those_with_an_address(
        app, smtp, people, advice_by):
    advice = advice_by("submitted")
    assert [n.kind for n in notices(app, people.editor)] == ["submitted"]
    assert [n.kind for n in notices(app, people.admin)] == ["submitted"]
    assert notices(app, people.writer) == []
    send(app)
    (message,) = smtp.inbox.messages
    assert message["To"] == "eva@example.org"
    assert message["Subject"] == f"Nieuw advies ingestuurd: {FORM['title']}"
    assert f"{SITE}/redactie/advies/{advice.id}" in text_of(message)


def test_changes_requested_reaches_the_writer_with_the_note_once(app, smtp, people, advice_by,
                                                                 log_in, post):
    advice = advice_by("submitted")
    send(app)
    smtp.inbox.messages.clear()
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/wijzigingen-vragen",
                    {"note": "Maak de eerste zin korter.", "revision": advice.revision})
    assert response.status_code == 303
    # The same form again (a double click) is refused and tells nobody anything new.
    post(f"/redactie/advies/{advice.id}/wijzigingen-vragen",
         {"note": "Maak de eerste zin korter.", "revision": advice.revision})
    send(app)
    (message,) = smtp.inbox.messages
    assert message["To"] == "sam@example.org"
    assert "Maak de eerste zin korter." in text_of(message)
    assert f"{SITE}/mijn-adviezen/{advice.id}" in text_of(message)
    (notice,) = notices(app, people.writer)
    assert notice.kind == "changes_requested" and notice.note == "Maak de eerste zin korter."


def test_publication_mails_the_writer_the_public_link(app, smtp, people, advice_by):
    advice = advice_by(S_PUBLISHED)
    send(app)
    (message,) = smtp.inbox.to("sam@example.org")
    assert message["Subject"] == f"Je advies staat online: {FORM['title']}"
    assert f"{SITE}/advies/{advice.id}/{advice.slug}" in text_of(message)


def test_withdrawal_and_restore_by_editors_tell_the_writer(app, smtp, people, advice_by,
                                                           log_in, post):
    advice = advice_by("withdrawn")  # withdrawn by the editor with "Verouderd."
    log_in(people.editor)
    with app.app_context(), session_scope() as session:
        from kb.models import Advice
        revision = session.get(Advice, advice.id).revision
    assert post(f"/redactie/advies/{advice.id}/terugzetten",
                {"revision": revision}).status_code == 303
    kinds = [n.kind for n in notices(app, people.writer)]
    assert kinds == ["published", "withdrawn", "restored"]
    assert notices(app, people.writer)[1].note == "Verouderd."
    send(app)
    subjects = [m["Subject"] for m in smtp.inbox.to("sam@example.org")]
    assert f"De redactie heeft je advies van de website gehaald: {FORM['title']}" in subjects
    assert f"Je advies staat weer online: {FORM['title']}" in subjects


def test_a_writers_own_withdrawal_tells_the_editors(app, smtp, people, advice_by, log_in, post):
    advice = advice_by(S_PUBLISHED)
    log_in(people.writer)
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"reason": "Ik wil het niet meer.", "revision": advice.revision})
    assert response.status_code in (302, 303)
    assert [n.kind for n in notices(app, people.editor)][-1] == "writer_withdrew"
    send(app)
    assert any(m["Subject"].startswith("Een schrijver heeft een advies ingetrokken")
               for m in smtp.inbox.to("eva@example.org"))


def test_a_writer_without_email_sees_it_in_the_app_with_an_unread_count(app, smtp, people,
                                                                        make_user, log_in,
                                                                        client, post):
    from kb import workflow
    from kb.forms import AdviceForm
    from kb.models import Advice

    writer = make_user(Role.CONTRIBUTOR, display_names=["Noor"])
    with app.app_context():
        with session_scope() as session:
            advice = workflow.create_draft(session, writer, AdviceForm(**{**FORM,
                                           "display_name": "Noor"}), submit=True)
        with session_scope() as session:
            item = session.get(Advice, advice.id)
            workflow.publish(session, people.editor, item, item.revision)
    log_in(writer)
    page = client.get("/mijn-adviezen").get_data(as_text=True)
    assert 'Meldingen <span class="badge">1<span class="visually-hidden"> nieuw' in page
    response = client.get("/meldingen")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True)
    assert "Je advies staat online" in text and FORM["title"] in text
    notice = notices(app, writer)[0]
    assert post(f"/meldingen/{notice.id}/gelezen").status_code == 303
    assert notices(app, writer)[0].read_at is not None
    assert 'class="badge"' not in client.get("/meldingen").get_data(as_text=True)
    send(app)
    assert smtp.inbox.to("sam@example.org") == []  # the other writer heard nothing


def test_a_kind_switched_off_on_the_account_page_sends_no_mail_but_still_shows(
        app, smtp, people, advice_by, log_in, client, post):
    log_in(people.writer)
    page = client.get("/account")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert 'name="kind" value="published" checked' in page.get_data(as_text=True)
    response = post("/account/meldingen", {"kind": ["changes_requested", "withdrawn",
                                                    "restored"]})
    assert response.status_code == 303
    assert 'name="kind" value="published">' in client.get("/account").get_data(as_text=True)
    advice_by(S_PUBLISHED)
    send(app)
    assert smtp.inbox.to("sam@example.org") == []
    assert [n.kind for n in notices(app, people.writer)] == ["published"]


def test_nothing_is_told_about_ones_own_step(app, people, make_user):
    from kb import workflow
    from kb.forms import AdviceForm

    editor_writer = make_user(Role.EDITOR, email="zelf@example.org", display_names=["Zelf"])
    with app.app_context(), session_scope() as session:
        workflow.create_draft(session, editor_writer,
                              AdviceForm(**{**FORM, "display_name": "Zelf"}), submit=True)
    assert notices(app, editor_writer) == []
    assert [n.kind for n in notices(app, people.editor)] == ["submitted"]


def test_a_step_that_rolls_back_leaves_no_notice_and_no_mail(app, people, advice_by):
    from kb import workflow
    from kb.models import Advice

    advice = advice_by("submitted")
    with app.app_context():
        with session_scope() as session:
            before = len(session.exec(select(OutboxMail)).all())
        with pytest.raises(RuntimeError), session_scope() as session:
            workflow.publish(session, people.editor, session.get(Advice, advice.id))
            raise RuntimeError("the commit never happens")
        with session_scope() as session:
            assert len(session.exec(select(OutboxMail)).all()) == before
    assert notices(app, people.writer) == []


def test_notices_are_in_the_persons_data_download_and_go_with_the_account(app, people,
                                                                          advice_by, log_in,
                                                                          client, post):
    from kb.account_data import delete_account
    from kb.models import User

    advice_by(S_PUBLISHED)
    log_in(people.writer)
    post("/account/meldingen", {"kind": ["published"]})
    data = client.get("/account/gegevens").get_json()
    assert [n["kind"] for n in data["notifications"]["notices"]] == ["published"]
    assert "changes_requested" in data["notifications"]["mail_off"]
    with app.app_context(), session_scope() as session:
        delete_account(session, session.get(User, people.writer.id))
    assert notices(app, people.writer) == []
