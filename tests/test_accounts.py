"""Accounts: logging in and out, joining through an invite, my account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from kb.db import session_scope
from kb.invites import token_hash
from kb.models import (
    AuditEntry,
    Invite,
    Role,
    User,
    utcnow,
)
from tests.account_helpers import get_user, log_in, logged_in_uid
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "nog een lang wachtwoord"


# ------------------------------------------------------------------ logging in and out

def test_the_login_page_has_labelled_fields_with_autocomplete(client):
    html = client.get("/inloggen").get_data(as_text=True)
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'name="csrf_token"' in html
    assert '<label for="login">' in html and '<label for="password">' in html
    assert "<script" not in html and " style=" not in html


def test_logging_in_starts_a_session_and_goes_to_the_start_page(app, client, post, make_user):
    user = make_user(login="sanne")
    response = log_in(post, "Sanne ")  # case and spaces do not matter
    assert response.status_code == 303
    assert response.headers["Location"] in ("/mijn-adviezen", "/account")
    assert logged_in_uid(client) == user.id
    assert get_user(app, id=user.id).last_login_at is not None


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, make_user):
    make_user(login="eva")
    for scheme, secure in (("http", False), ("https", True)):
        client = app.test_client()
        client.get("/inloggen", base_url=f"{scheme}://kennisbank.test")
        with client.session_transaction() as sess:
            token = sess["csrf_token"]
        response = client.post("/inloggen", base_url=f"{scheme}://kennisbank.test",
                               data={"login": "eva", "password": TEST_PASSWORD,
                                     "csrf_token": token})
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_a_login_lasts_the_configured_hours(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)


@pytest.mark.parametrize("login", ["eva", "niemand"])
def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(client, post, make_user,
                                                                   login):
    make_user(login="eva")
    response = log_in(post, login, "verkeerd wachtwoord")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Inlognaam of wachtwoord klopt niet" in html
    assert f'value="{login}"' in html and "verkeerd wachtwoord" not in html
    assert logged_in_uid(client) is None


def test_empty_fields_are_refused_and_the_login_kept(client, post):
    response = log_in(post, "eva", "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Vul je wachtwoord in" in html and 'value="eva"' in html
    assert 'role="alert"' in html and 'href="#password"' in html
    assert log_in(post, "", "iets").status_code == 400


def test_a_switched_off_account_cannot_log_in(client, post, make_user):
    make_user(login="uit", active=False)
    response = log_in(post, "uit")
    assert response.status_code == 403
    assert "Dit account staat uit" in response.get_data(as_text=True)
    assert logged_in_uid(client) is None


@pytest.mark.parametrize("next_url, expected", [
    ("/account", "/account"),
    ("/beheer/?x=1", "/beheer/?x=1"),
    ("//evil.example/", None),
    ("https://evil.example/", None),
    ("/\\evil.example", None),
])
def test_next_only_leads_to_local_pages(client, post, make_user, next_url, expected):
    make_user(login="eva")
    response = post("/inloggen", {"login": "eva", "password": TEST_PASSWORD, "next": next_url})
    location = response.headers["Location"]
    if expected:
        assert location == expected
    else:
        assert "evil" not in location


HOSTILE_NEXT = [
    "/\t/evil.example/x", "/%09/evil.example/x", "/\n/evil.example/", "/\r\n/evil.example/",
    "/ /evil.example/", "\t//evil.example/", " //evil.example/", "/%2F/evil.example/",
    "/%2f%2fevil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/", "/%252F/evil.example/",
    "/\\/evil.example/", "///evil.example/", "/\x00/evil.example/", "/\u3000/evil.example/",
    "/\u2028/evil.example/", "http:/evil.example/", "javascript:alert(1)", "evil.example/x",
    "/" + "a" * 600,
]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_next_that_a_browser_could_read_as_another_site_falls_back_to_the_start_page(
        client, post, make_user, next_url):
    make_user(login="eva")
    response = post("/inloggen", {"login": "eva", "password": TEST_PASSWORD, "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/mijn-adviezen", "/account")
    # Once logged in, the login page sends on at once: the same check applies.
    again = client.get("/inloggen", query_string={"next": next_url})
    assert again.headers["Location"] in ("/mijn-adviezen", "/account")


def test_the_issue_s_tab_redirect_after_login_stays_on_the_site(client, post, make_user):
    make_user(login="eva")
    page = client.get("/inloggen?next=/%09/evil.example/x").get_data(as_text=True)
    # The language switch links back to this very page (quoted, through /taal's own check):
    # what matters is that no form or link of the page sends a person to the other site.
    page = re.sub(r'<nav class="language-switch".*?</nav>', "", page, flags=re.S)
    assert "evil.example" not in page
    response = post("/inloggen", {"login": "eva", "password": TEST_PASSWORD,
                                  "next": "/\t/evil.example/x"})
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("next_url", ["/zoeken?q=pleeg%20zorg&theme=toegang", "/account#namen",
                                      "/redactie/advies/3?"])
def test_ordinary_local_next_urls_are_followed(client, post, make_user, next_url):
    make_user(login="eva")
    response = post("/inloggen", {"login": "eva", "password": TEST_PASSWORD, "next": next_url})
    assert response.headers["Location"] == next_url.rstrip("?")


def test_a_protected_page_sends_to_login_and_back(client, post, make_user):
    make_user(login="eva")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=/account")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/account"' in page
    assert post("/inloggen", {"login": "eva", "password": TEST_PASSWORD,
                              "next": "/account"}).headers["Location"] == "/account"


def test_logging_out_needs_a_post_and_ends_the_session(client, post, login_as):
    login_as(Role.CONTRIBUTOR)
    assert client.get("/uitloggen").status_code == 405
    response = post("/uitloggen")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert logged_in_uid(client) is None
    assert client.get("/account").status_code == 302


def test_the_header_shows_account_links_only_when_logged_in(client, login_as):
    html = client.get("/").get_data(as_text=True)
    assert "Uitloggen" not in html and 'href="/inloggen"' in html
    login_as(Role.EDITOR, login="redacteur42")
    html = client.get("/").get_data(as_text=True)
    assert "Uitloggen" in html and 'href="/account"' in html and 'href="/beheer/"' in html
    assert 'href="/inloggen"' not in html
    assert "redacteur42" not in html  # the login name is never on a page


def test_contributors_see_no_beheer_link(client, login_as):
    login_as(Role.CONTRIBUTOR)
    html = client.get("/").get_data(as_text=True)
    assert "Mijn account" in html and 'href="/beheer/"' not in html


def test_pages_render_when_the_account_lookup_fails(client, login_as, monkeypatch):
    """The layout (error pages too) must not fail because the database does."""
    from sqlalchemy.exc import OperationalError

    import kb.db

    login_as(Role.ADMIN)

    def broken():
        raise OperationalError("SELECT 1", {}, Exception("database is down"))

    monkeypatch.setattr(kb.db, "get_session", broken)
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Pagina niet gevonden" in html and "Uitloggen" not in html

# ------------------------------------------------------------------ joining through an invite

def redeem(post, token: str, **fields):
    data = {"login": "nieuwe.schrijver", "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD, "name_choice": "own",
            "display_name": "ExpEx Gelderland", "email": ""}
    data.update(fields)
    return post(f"/uitnodiging/{token}", data)


def test_an_invite_makes_an_account_and_logs_it_in(app, client, post, make_invite):
    token = make_invite(role=Role.EDITOR)
    page = client.get(f"/uitnodiging/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'autocomplete="new-password"' in html and "anoniem" in html.lower()
    response = redeem(post, token, email="schrijver@example.org")
    assert response.status_code == 303
    user = get_user(app, login="nieuwe.schrijver")
    assert user.role == Role.EDITOR and user.display_names == ["ExpEx Gelderland", "anoniem"]
    assert user.email == "schrijver@example.org" and user.password_hash.startswith("scrypt$")
    assert logged_in_uid(client) == user.id
    with app.app_context(), session_scope() as session:
        invite = session.exec(select(Invite).where(Invite.token_hash == token_hash(token))).one()
        assert invite.used_by_id == user.id and invite.used_at is not None
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert {"invite.create", "account.create", "invite.redeem"} <= set(actions)
    # The new account can log in again later.
    post("/uitloggen")
    assert log_in(post, "nieuwe.schrijver", NEW_PASSWORD).status_code == 303


def test_choosing_anonymous_needs_no_name(app, post, make_invite):
    response = redeem(post, make_invite(), name_choice="anoniem", display_name="")
    assert response.status_code == 303
    assert get_user(app, login="nieuwe.schrijver").display_names == ["anoniem"]


def test_an_expired_invite_is_explained_and_creates_nothing(app, client, post, make_invite):
    token = make_invite(expires_at=utcnow() - timedelta(minutes=1))
    response = client.get(f"/uitnodiging/{token}")
    assert response.status_code == 410
    assert "verlopen" in response.get_data(as_text=True)
    assert redeem(post, token).status_code == 410
    assert get_user(app, login="nieuwe.schrijver") is None


def test_an_invite_works_only_once(app, client, post, make_invite):
    token = make_invite()
    assert redeem(post, token).status_code == 303
    post("/uitloggen")
    again = redeem(post, token, login="tweede.poging")
    assert again.status_code == 409
    assert "al gebruikt" in again.get_data(as_text=True)
    assert get_user(app, login="tweede.poging") is None
    assert client.get(f"/uitnodiging/{token}").status_code == 409


def test_an_unknown_invite_is_a_404_and_guessing_is_limited(client, post):
    response = client.get("/uitnodiging/verzonnen-token")
    assert response.status_code == 404
    assert "We kennen deze uitnodiging niet" in response.get_data(as_text=True)
    for _ in range(4):
        redeem(post, "nog-een-gok")
    blocked = client.get("/uitnodiging/verzonnen-token")
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "Te veel pogingen" in blocked.get_data(as_text=True)


def test_a_revoked_invite_no_longer_works(post, make_invite):
    token = make_invite(revoked_at=utcnow())
    response = redeem(post, token)
    assert response.status_code == 410 and "ingetrokken" in response.get_data(as_text=True)


def test_a_taken_login_is_a_conflict_and_keeps_the_other_fields(app, post, make_user,
                                                                make_invite):
    make_user(login="bezet")
    token = make_invite()
    response = redeem(post, token, login="Bezet", display_name="Mijn Schuilnaam",
                      email="iemand@example.org")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Deze inlognaam is al in gebruik" in html
    assert 'value="Bezet"' in html and 'value="Mijn Schuilnaam"' in html
    assert 'value="iemand@example.org"' in html and NEW_PASSWORD not in html
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Invite)).one().used_at is None  # still usable


@pytest.mark.parametrize("fields, field", [
    ({"login": "ab"}, "login"),
    ({"login": "met spatie"}, "login"),
    ({"login": "x" * 41}, "login"),
    ({"login": "verwijderd-abc"}, "login"),
    ({"password": "kort", "password_repeat": "kort"}, "password"),
    ({"password_repeat": "iets anders dan dat"}, "password"),
    ({"display_name": ""}, "display_name"),
    ({"display_name": "x" * 81}, "display_name"),
    ({"display_name": "ik@example.org"}, "display_name"),
    ({"display_name": "Nieuwe.Schrijver"}, "display_name"),
    ({"email": "geen-adres"}, "email"),
    ({"email": "a@" + "b" * 200 + ".nl"}, "email"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(app, post, make_invite,
                                                                   fields, field):
    response = redeem(post, make_invite(), **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'href="#{field}"' in html and 'aria-invalid="true"' in html
    assert NEW_PASSWORD not in html
    with app.app_context(), session_scope() as session:
        assert session.exec(select(User)).first() is None
        assert session.exec(select(Invite)).one().used_at is None


def test_a_redemption_without_csrf_token_is_refused(app, client, make_invite):
    token = make_invite()
    response = client.post(f"/uitnodiging/{token}", data={
        "login": "zonder.token", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD,
        "display_name": "X"})
    assert response.status_code == 400
    assert get_user(app, login="zonder.token") is None


# ------------------------------------------------------------------ my account

def test_my_account_shows_my_login_only_to_me(client, login_as):
    login_as(Role.CONTRIBUTOR, login="mijnlogin", display_names=["Schuilnaam", "anoniem"])
    html = client.get("/account").get_data(as_text=True)
    assert "mijnlogin" in html and "Schuilnaam" in html
    assert client.get("/account").headers["Cache-Control"] == "private, no-store"


def test_display_names_can_be_added_and_removed_but_not_anoniem(app, client, post, login_as):
    user = login_as(Role.CONTRIBUTOR, display_names=["Eerste", "anoniem"])
    assert post("/account/namen", {"display_name": "  Tweede   naam "}).status_code == 303
    assert get_user(app, id=user.id).display_names == ["Eerste", "Tweede naam", "anoniem"]
    assert post("/account/namen/weg", {"name": "Eerste"}).status_code == 303
    assert get_user(app, id=user.id).display_names == ["Tweede naam", "anoniem"]
    refused = post("/account/namen/weg", {"name": "anoniem"})
    assert refused.status_code == 400
    double = post("/account/namen", {"display_name": "Tweede naam"})
    assert double.status_code == 400 and "Deze naam heb je al" in double.get_data(as_text=True)
    long = post("/account/namen", {"display_name": "y" * 90})
    assert long.status_code == 400 and "y" * 90 in long.get_data(as_text=True)
    assert get_user(app, id=user.id).display_names == ["Tweede naam", "anoniem"]


def test_changing_the_password_needs_the_old_one_and_ends_other_sessions(app, client, post,
                                                                         login_as):
    user = login_as(Role.CONTRIBUTOR, login="eva")
    other = app.test_client()
    with client.session_transaction() as sess:
        copied = dict(sess)
    with other.session_transaction() as sess:
        sess.update(copied)
    assert other.get("/account").status_code == 200

    wrong = post("/account/wachtwoord", {"old_password": "fout", "new_password": NEW_PASSWORD,
                                         "new_password_repeat": NEW_PASSWORD})
    assert wrong.status_code == 400 and "klopt niet" in wrong.get_data(as_text=True)
    mismatch = post("/account/wachtwoord", {"old_password": TEST_PASSWORD,
                                            "new_password": NEW_PASSWORD,
                                            "new_password_repeat": "anders anders"})
    assert mismatch.status_code == 400
    ok = post("/account/wachtwoord", {"old_password": TEST_PASSWORD,
                                      "new_password": NEW_PASSWORD,
                                      "new_password_repeat": NEW_PASSWORD})
    assert ok.status_code == 303
    assert client.get("/account").status_code == 200  # this session goes on
    assert other.get("/account").status_code == 302  # the other one ended
    post("/uitloggen")
    assert log_in(post, "eva", NEW_PASSWORD).status_code == 303
    assert get_user(app, id=user.id).login == "eva"


def test_the_email_address_is_optional_and_checked(app, post, login_as):
    user = login_as(Role.CONTRIBUTOR)
    assert post("/account/email", {"email": "ik@example.org"}).status_code == 303
    assert get_user(app, id=user.id).email == "ik@example.org"
    bad = post("/account/email", {"email": "geen adres"})
    assert bad.status_code == 400 and 'value="geen adres"' in bad.get_data(as_text=True)
    assert post("/account/email", {"email": ""}).status_code == 303
    assert get_user(app, id=user.id).email is None
