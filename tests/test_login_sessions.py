"""Server-side login sessions: a copied cookie stops working as soon as its login ends.

Each test logs in through the real login form, copies the browser's cookie into a second client
(what someone who stole or kept the cookie would do) and checks what that copy can still do.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select

from kb.db import session_scope
from kb.models import LoginSession, Role
from tests.account_helpers import get_user, log_in
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "nog een lang wachtwoord"


def copy_of(app, client):
    """A second browser holding the same cookie as ``client``."""
    other = app.test_client()
    with client.session_transaction() as sess:
        copied = dict(sess)
    with other.session_transaction() as sess:
        sess.update(copied)
    return other


def sessions_of(app, user_id: int) -> list[LoginSession]:
    with app.app_context(), session_scope() as session:
        return session.exec(select(LoginSession).where(LoginSession.user_id == user_id)
                            .order_by(LoginSession.id)).all()


@pytest.fixture
def eva(app, client, post, make_user):
    """An account logged in through the form; ``client`` is her browser."""
    user = make_user(login="eva")
    assert log_in(post, "eva").status_code == 303
    return user


def test_logging_in_stores_only_a_hash_of_the_cookie_s_token(app, client, eva):
    [row] = sessions_of(app, eva.id)
    assert row.ended_at is None and len(row.token_hash) == 64
    with client.session_transaction() as sess:
        token = sess["token"]
    assert token and token != row.token_hash and token not in row.token_hash


def test_a_copied_cookie_no_longer_works_after_logout(app, client, post, eva):
    stolen = copy_of(app, client)
    assert stolen.get("/account").status_code == 200

    assert post("/uitloggen").status_code == 303

    assert stolen.get("/account").status_code == 302
    assert client.get("/account").status_code == 302
    [row] = sessions_of(app, eva.id)
    assert row.ended_at is not None


def test_logging_out_ends_only_this_browser_s_session(app, client, post, eva):
    laptop = app.test_client()
    with laptop.session_transaction() as sess:
        sess["csrf_token"] = "t"
    laptop.post("/inloggen", data={"login": "eva", "password": TEST_PASSWORD,
                                   "csrf_token": "t"})
    assert laptop.get("/account").status_code == 200
    post("/uitloggen")
    assert laptop.get("/account").status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_every_copy(app, client, post, eva):
    stolen = copy_of(app, client)
    response = post("/account/wachtwoord", {"old_password": TEST_PASSWORD,
                                            "new_password": NEW_PASSWORD,
                                            "new_password_repeat": NEW_PASSWORD})
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert stolen.get("/account").status_code == 302
    assert [row.ended_at is None for row in sessions_of(app, eva.id)] == [False, True]


def test_switching_an_account_off_ends_its_sessions(app, client, post, eva, make_user,
                                                    log_in_as):
    eva_browser = copy_of(app, client)
    log_in_as(make_user(role=Role.ADMIN))
    assert post(f"/beheer/accounts/{eva.id}/uitzetten").status_code == 303
    assert post(f"/beheer/accounts/{eva.id}/aanzetten").status_code == 303
    # Switched on again, the old cookie still does not work: she logs in again.
    assert eva_browser.get("/account").status_code == 302
    assert all(row.ended_at is not None for row in sessions_of(app, eva.id))


def test_switching_an_account_off_on_the_command_line_ends_its_sessions(app, client, runner,
                                                                         eva):
    assert runner.invoke(args=["kb", "user", "deactivate", "eva"]).exit_code == 0
    assert client.get("/account").status_code == 302
    assert all(row.ended_at is not None for row in sessions_of(app, eva.id))


def test_a_role_change_ends_the_account_s_sessions(app, client, post, eva, make_user,
                                                   log_in_as):
    eva_browser = copy_of(app, client)
    assert eva_browser.get("/redactie").status_code == 403
    log_in_as(make_user(role=Role.ADMIN))
    assert post(f"/beheer/accounts/{eva.id}/rol", {"role": "editor"}).status_code == 303
    assert eva_browser.get("/redactie").status_code == 302  # log in again, then as an editor


def test_deleting_the_account_ends_every_session(app, client, post, eva):
    stolen = copy_of(app, client)
    response = post("/account/verwijderen", {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert stolen.get("/account").status_code == 302
    assert all(row.ended_at is not None for row in sessions_of(app, eva.id))
    assert get_user(app, id=eva.id).active is False


def test_a_cookie_from_before_server_side_sessions_counts_as_logged_out(app, client, eva):
    """The old cookie held the account id and a hash of the password hash, and no token."""
    with client.session_transaction() as sess:
        sess.pop("token")
        sess["pw"] = "0123456789abcdef"
    assert client.get("/account").status_code == 302


def test_a_made_up_token_counts_as_logged_out(app, client, eva):
    with client.session_transaction() as sess:
        sess["token"] = "x" * 43
    assert client.get("/account").status_code == 302


def test_a_token_of_another_account_does_not_log_in_as_this_one(app, client, post, eva,
                                                                make_user):
    other = app.test_client()
    make_user(login="bram")
    with other.session_transaction() as sess:
        sess["csrf_token"] = "t"
    other.post("/inloggen", data={"login": "bram", "password": TEST_PASSWORD, "csrf_token": "t"})
    with other.session_transaction() as sess:
        bram_token = sess["token"]
    with client.session_transaction() as sess:
        sess["token"] = bram_token  # eva's uid, bram's token
    assert client.get("/account").status_code == 302


PAGES = ["/", "/account", "/mijn-adviezen", "/schrijven", "/account/gegevens", "/themas",
         "/zoeken?q=pleegzorg", "/inloggen"]


def test_being_logged_in_writes_nothing_to_the_database_on_a_get_or_head(app, client, eva):
    """SQLite readers must never wait behind a writer: no "last seen" or other write."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.extensions["kb.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in PAGES:
            assert client.get(url).status_code in (200, 302), url
            assert client.head(url).status_code in (200, 302), url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    writes = [s for s in statements
              if s.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert statements and writes == []
