"""Rate limits on logging in and on invite links: per account, per address, in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app import create_app
from kb.db import session_scope
from kb.models import LoginAttempt, User
from tests.account_helpers import log_in, logged_in_uid
from tests.conftest import TEST_PASSWORD


def age_failures(app, minutes: int) -> None:
    with app.app_context(), session_scope() as session:
        for attempt in session.exec(select(LoginAttempt)).all():
            attempt.created_at = attempt.created_at - timedelta(minutes=minutes)


def test_five_failures_on_an_account_mean_a_wait(app, client, post, make_user):
    make_user(login="eva")
    for _ in range(5):
        assert log_in(post, "eva", "fout fout fout").status_code == 400
    response = log_in(post, "eva")  # even the right password has to wait
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 14 * 60
    assert "Te veel pogingen. Probeer het over 15 minuten opnieuw." in response.get_data(
        as_text=True)
    assert logged_in_uid(client) is None
    # Another address does not help: the account itself is protected.
    other = log_in(post, "eva", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 429
    age_failures(app, 16)
    assert log_in(post, "eva").status_code == 303


def test_five_failures_from_one_address_mean_a_wait_for_every_account(client, post, make_user):
    make_user(login="eva")
    for n in range(5):
        log_in(post, f"gok{n}", "fout fout fout", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    blocked = log_in(post, "eva", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert log_in(post, "eva", environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 303


def test_a_success_clears_the_failures_of_the_account(app, post, make_user):
    make_user(login="eva")
    for _ in range(4):
        log_in(post, "eva", "fout fout fout")
    assert log_in(post, "eva").status_code == 303
    with app.app_context(), session_scope() as session:
        keys = [a.key for a in session.exec(select(LoginAttempt)).all()]
    assert "login:eva" not in keys and keys.count("addr:127.0.0.1") == 4


def test_the_limit_holds_across_app_instances_on_one_database(app, tmp_path, post, make_user):
    """Two workers (or nodes) count the same failures: they live in the database."""
    make_user(login="eva")
    for _ in range(3):
        log_in(post, "eva", "fout fout fout")
    second = create_app({**{k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SERVER_NAME",
                                                       "SECRET_KEY")},
                         "INSTANCE_PATH": tmp_path / "node2", "INDEX_DIR": str(tmp_path / "ix2"),
                         "LOAD_DEMO": False})
    try:
        client2 = second.test_client()
        with client2.session_transaction() as sess:
            sess["csrf_token"] = "t"
        for _ in range(2):
            client2.post("/inloggen", data={"login": "eva", "password": "fout fout fout",
                                            "csrf_token": "t"})
        assert log_in(post, "eva").status_code == 429
    finally:
        second.extensions["kb.engine"].dispose()


def test_configured_limits_are_used(app, post, make_user):
    app.config.update(LOGIN_LIMIT=2, LOGIN_WINDOW_MINUTES=1)
    make_user(login="eva")
    log_in(post, "eva", "fout fout fout")
    log_in(post, "eva", "fout fout fout")
    response = log_in(post, "eva")
    assert response.status_code == 429
    assert "Probeer het over 1 minuut opnieuw." in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) <= 60


def test_behind_a_proxy_the_forwarded_address_and_scheme_count(tmp_path):
    """With KB_PROXY_FIX the visitor's address is limited, not the proxy's."""
    from kb.auth import hash_password
    from tests.conftest import TEST_SCRYPT_N, _make_app

    app = _make_app(tmp_path, PROXY_FIX=1)
    try:
        with app.app_context(), session_scope() as session:
            session.add(User(login="eva", display_names=["anoniem"],
                             password_hash=hash_password(TEST_PASSWORD, n=TEST_SCRYPT_N)))
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["csrf_token"] = "t"

        def attempt(login, password, address, proto="http"):
            return client.post("/inloggen", data={"login": login, "password": password,
                                                  "csrf_token": "t"},
                               headers={"X-Forwarded-For": address,
                                        "X-Forwarded-Proto": proto})

        for n in range(5):
            attempt(f"gok{n}", "fout fout fout", "203.0.113.5")
        assert attempt("eva", TEST_PASSWORD, "203.0.113.5").status_code == 429
        ok = attempt("eva", TEST_PASSWORD, "198.51.100.7", proto="https")
        assert ok.status_code == 303 and "Secure" in ok.headers["Set-Cookie"]
    finally:
        app.extensions["kb.engine"].dispose()
