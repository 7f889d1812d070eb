"""A forgotten password: a link by mail (arriving at a real SMTP server), single use, one hour,
the same answer for every name, rate-limited, ending other logins; and an editor's link for an
account without e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from kb import outbox
from kb.db import session_scope
from kb.models import LoginSession, PasswordReset, Role, utcnow
from tests.account_helpers import get_user, log_in, logged_in_uid
from tests.conftest import TEST_PASSWORD
from tests.mail_helpers import *  # noqa: F403
from tests.mail_helpers import SITE, text_of

NEW = "een nieuw lang wachtwoord"


@pytest.fixture
def app(mail_app):
    mail_app.extensions.pop("kb.mail_sender").stop()
    return mail_app


def send(app):
    from kb.web.mail import links

    with app.app_context():
        return outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links())


def link_in(message) -> str:
    match = re.search(rf"{re.escape(SITE)}(/wachtwoord-nieuw/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/inloggen").get_data(as_text=True)
    assert 'href="/wachtwoord-vergeten"' in page
    assert "nieuwe uitnodiging" not in page


def test_a_person_resets_a_forgotten_password_through_the_mailed_link(app, smtp, client, post,
                                                                      make_user):
    user = make_user(Role.CONTRIBUTOR, login="sam", email="sam@example.org")
    post("/inloggen", {"login": "sam", "password": TEST_PASSWORD})  # another device, logged in
    response = post("/wachtwoord-vergeten", {"name": "Sam@Example.org"})
    assert response.status_code == 200
    assert "Kijk in je e-mail" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    send(app)
    (message,) = smtp.inbox.messages
    assert message["To"] == "sam@example.org"
    assert "Je inlognaam is: sam" in text_of(message)
    path = link_in(message)
    token = path.rsplit("/", 1)[1]
    with app.app_context(), session_scope() as session:
        stored = session.exec(select(PasswordReset)).one()
        assert token not in (stored.token_hash, stored.salt)
        # Neither the outbox row nor the reset row holds the token.
        from kb.models import OutboxMail
        assert token not in str(session.exec(select(OutboxMail)).one().params)

    fresh = app.test_client()
    with fresh.session_transaction() as sess:
        sess["csrf_token"] = "t"
    page = fresh.get(path)
    assert page.status_code == 200 and "Nieuw wachtwoord kiezen" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    done = fresh.post(path, data={"csrf_token": "t", "new_password": NEW,
                                  "new_password_repeat": NEW})
    assert done.status_code == 303
    assert logged_in_uid(fresh) == user.id
    # The login from before (the first client) has ended; the new one runs.
    assert client.get("/account").status_code == 302
    assert fresh.get("/account").status_code == 200
    with app.app_context(), session_scope() as session:
        running = session.exec(select(LoginSession).where(LoginSession.user_id == user.id,
                                                          LoginSession.ended_at.is_(None))).all()
        assert len(running) == 1
    # The new password works, the old one does not; the link works once.
    assert log_in(post, "sam", NEW).status_code == 303
    with fresh.session_transaction() as sess:
        sess["csrf_token"] = "t"  # logging in made a new session
    assert fresh.post(path, data={"csrf_token": "t", "new_password": NEW,
                                  "new_password_repeat": NEW}).status_code == 409


def test_the_answer_is_the_same_whether_the_account_exists_or_not(app, smtp, post, make_user):
    make_user(Role.CONTRIBUTOR, login="sam", email="sam@example.org")
    make_user(Role.CONTRIBUTOR, login="zonder")  # no e-mail
    known = post("/wachtwoord-vergeten", {"name": "sam"}).get_data(as_text=True)
    unknown = post("/wachtwoord-vergeten", {"name": "niemand"}).get_data(as_text=True)
    no_mail = post("/wachtwoord-vergeten", {"name": "zonder"}).get_data(as_text=True)
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]*"', "", html)  # noqa: E731
    assert strip(known) == strip(unknown) == strip(no_mail)
    send(app)
    assert [m["To"] for m in smtp.inbox.messages] == ["sam@example.org"]


def test_a_link_expires_after_an_hour(app, smtp, client, post, make_user):
    make_user(Role.CONTRIBUTOR, login="sam", email="sam@example.org")
    post("/wachtwoord-vergeten", {"name": "sam"})
    send(app)
    path = link_in(smtp.inbox.messages[0])
    with app.app_context(), session_scope() as session:
        row = session.exec(select(PasswordReset)).one()
        assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get(path).status_code == 410
    assert post(path, {"new_password": NEW, "new_password_repeat": NEW}).status_code == 410
    assert client.get("/wachtwoord-nieuw/" + "x" * 40).status_code == 404


def test_requests_are_rate_limited_per_address_and_per_name(app, smtp, post, make_user):
    make_user(Role.CONTRIBUTOR, login="sam", email="sam@example.org")
    limit = app.config["LOGIN_LIMIT"]
    for _ in range(limit):
        assert post("/wachtwoord-vergeten", {"name": "sam"}).status_code == 200
    refused = post("/wachtwoord-vergeten", {"name": "sam"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    send(app)
    assert len(smtp.inbox.messages) == limit


def test_a_short_new_password_is_refused_and_the_link_stays_usable(app, smtp, client, post,
                                                                   make_user):
    make_user(Role.CONTRIBUTOR, login="sam", email="sam@example.org")
    post("/wachtwoord-vergeten", {"name": "sam"})
    send(app)
    path = link_in(smtp.inbox.messages[0])
    short = post(path, {"new_password": "kort", "new_password_repeat": "kort"})
    assert short.status_code == 400 and "te kort" in short.get_data(as_text=True)
    assert post(path, {"new_password": NEW, "new_password_repeat": NEW}).status_code == 303


def test_an_editor_makes_a_link_shown_once_for_a_writer_without_email(app, client, login_as,
                                                                      make_user, post):
    writer = make_user(Role.CONTRIBUTOR, login="noor")
    colleague = make_user(Role.EDITOR, login="collega")
    login_as(Role.EDITOR)
    assert client.get("/beheer/wachtwoordlink").status_code == 200
    made = post("/beheer/wachtwoordlink", {"login": "noor"})
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "private, no-store"
    link = re.search(r'value="(https?://[^"]+/wachtwoord-nieuw/[^"]+)"',
                     made.get_data(as_text=True)).group(1)
    token = link.rsplit("/", 1)[1]
    with app.app_context(), session_scope() as session:
        assert token not in str(session.exec(select(PasswordReset)).one().model_dump())
    # An editor cannot make one for another editor; only an admin can.
    assert post("/beheer/wachtwoordlink", {"login": "collega"}).status_code == 403
    assert post("/beheer/wachtwoordlink", {"login": "niemand"}).status_code == 400
    path = "/" + link.split("/", 3)[3]
    fresh = app.test_client()
    with fresh.session_transaction() as sess:
        sess["csrf_token"] = "t"
    assert fresh.post(path, data={"csrf_token": "t", "new_password": NEW,
                                  "new_password_repeat": NEW}).status_code == 303
    assert logged_in_uid(fresh) == writer.id
    assert get_user(app, login="noor").id == writer.id  # the same account, not a new one
    assert colleague.id != writer.id


def test_writers_cannot_make_reset_links(client, login_as, post):
    login_as(Role.CONTRIBUTOR)
    assert post("/beheer/wachtwoordlink", {"login": "x"}).status_code == 403


def test_without_mail_the_page_says_to_ask_the_editors(tmp_path):
    from tests.conftest import _make_app

    off = _make_app(tmp_path)
    page = off.test_client().get("/wachtwoord-vergeten").get_data(as_text=True)
    assert "kan nu geen e-mail sturen" in page and "Vraag de redactie" in page
    off.extensions["kb.engine"].dispose()
