"""Beheer: invites, accounts, the audit log, and the account commands of the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from kb.db import session_scope
from kb.invites import token_hash
from kb.models import Advice, AuditEntry, Invite, Role, User, utcnow
from tests.conftest import TEST_PASSWORD, sign_in


def rows(app, model, *where):
    with app.app_context(), session_scope() as session:
        return session.exec(select(model).where(*where)).all()


def actions(app) -> list[str]:
    return [e.action for e in rows(app, AuditEntry)]


# ------------------------------------------------------------------ invites

def test_an_editor_makes_an_invite_and_sees_the_link_once(app, client, post, login_as):
    editor = login_as(Role.EDITOR)
    response = post("/beheer/uitnodigingen", {"role": "contributor", "note": "groep Arnhem"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    link = re.search(r'value="(http://kennisbank\.test/uitnodiging/[^"]+)"', html).group(1)
    token = link.rsplit("/", 1)[1]
    invite = rows(app, Invite)[0]
    assert invite.token_hash == token_hash(token) and token not in invite.token_hash
    assert invite.created_by_id == editor.id and invite.note == "groep Arnhem"
    assert invite.expires_at - utcnow() > timedelta(days=13, hours=23)
    # The list shows it, but never the link again.
    listing = client.get("/beheer/uitnodigingen").get_data(as_text=True)
    assert "groep Arnhem" in listing and "Open" in listing and token not in listing
    assert "invite.create" in actions(app)
    client.get(link.replace("http://kennisbank.test", ""))  # the link works
    assert client.get(link.replace("http://kennisbank.test", "")).status_code == 200


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_only_admins_invite_editors_and_admins(app, post, login_as, role):
    login_as(Role.EDITOR)
    assert post("/beheer/uitnodigingen", {"role": role}).status_code == 403
    login_as(Role.ADMIN)
    assert post("/beheer/uitnodigingen", {"role": role}).status_code == 201
    assert [i.role for i in rows(app, Invite)] == [role]


def test_an_editor_is_only_offered_the_contributor_role(client, login_as):
    login_as(Role.EDITOR)
    html = client.get("/beheer/uitnodigingen").get_data(as_text=True)
    assert 'value="contributor"' in html and 'value="admin"' not in html


def test_a_bad_invite_form_is_shown_again(app, post, login_as):
    login_as(Role.EDITOR)
    long_note = post("/beheer/uitnodigingen", {"role": "contributor", "note": "n" * 201})
    assert long_note.status_code == 400 and "n" * 201 in long_note.get_data(as_text=True)
    assert post("/beheer/uitnodigingen", {"role": "baas"}).status_code == 400
    assert rows(app, Invite) == []


def test_revoking_an_open_invite_makes_the_link_useless(app, client, post, login_as,
                                                        make_invite):
    token = make_invite()
    invite_id = rows(app, Invite)[0].id
    login_as(Role.EDITOR)
    response = post(f"/beheer/uitnodigingen/{invite_id}/intrekken")
    assert response.status_code == 303
    assert client.get(f"/uitnodiging/{token}").status_code == 410
    again = post(f"/beheer/uitnodigingen/{invite_id}/intrekken")
    assert again.status_code == 409 and "al ingetrokken" in again.get_data(as_text=True)
    assert "invite.revoke" in actions(app)
    assert post("/beheer/uitnodigingen/9999/intrekken").status_code == 404


def test_used_and_expired_invites_cannot_be_revoked(app, post, login_as, make_user,
                                                    make_invite):
    someone = make_user()
    make_invite(used_at=utcnow(), used_by_id=someone.id)
    make_invite(expires_at=utcnow() - timedelta(days=1))
    login_as(Role.EDITOR)
    used, expired = sorted(rows(app, Invite), key=lambda i: i.id)
    assert post(f"/beheer/uitnodigingen/{used.id}/intrekken").status_code == 409
    assert post(f"/beheer/uitnodigingen/{expired.id}/intrekken").status_code == 409


def test_an_editor_cannot_revoke_an_admin_invite(app, post, login_as, make_invite):
    make_invite(role=Role.ADMIN)
    login_as(Role.EDITOR)
    invite = rows(app, Invite)[0]
    assert post(f"/beheer/uitnodigingen/{invite.id}/intrekken").status_code == 403
    assert rows(app, Invite)[0].revoked_at is None


def test_the_invite_list_shows_states_and_who(app, client, login_as, make_user, make_invite):
    used_by = make_user(display_names=["Nieuwe Schrijver", "anoniem"])
    make_invite(used_at=utcnow(), used_by_id=used_by.id)
    make_invite(expires_at=utcnow() - timedelta(days=1))
    make_invite(revoked_at=utcnow())
    make_invite()
    login_as(Role.EDITOR)
    html = client.get("/beheer/uitnodigingen").get_data(as_text=True)
    for word in ("Gebruikt", "Verlopen", "Ingetrokken", "Open", "Nieuwe Schrijver"):
        assert word in html


# ------------------------------------------------------------------ accounts

def test_admins_see_every_account_but_no_email(client, login_as, make_user):
    make_user(login="zichtbaar", email="verborgen@example.org")
    login_as(Role.ADMIN)
    html = client.get("/beheer/accounts").get_data(as_text=True)
    assert "zichtbaar" in html and "verborgen@example.org" not in html


def test_a_switched_off_account_is_logged_out_and_its_advice_stays(app, client, post,
                                                                   login_as, make_user,
                                                                   make_advice):
    writer = make_user(login="schrijver", display_names=["Schuilnaam", "anoniem"])
    advice = make_advice(authors=("Schuilnaam",))
    with app.app_context(), session_scope() as session:
        session.get(Advice, advice.id).owner_id = writer.id
    writer_client = app.test_client()
    sign_in(app, writer_client, writer)
    assert writer_client.get("/account").status_code == 200

    login_as(Role.ADMIN)
    assert post(f"/beheer/accounts/{writer.id}/uitzetten").status_code == 303
    assert rows(app, User, User.id == writer.id)[0].active is False
    assert writer_client.get("/account").status_code == 302
    page = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert page.status_code == 200 and "Schuilnaam" in page.get_data(as_text=True)

    assert post(f"/beheer/accounts/{writer.id}/aanzetten").status_code == 303
    assert rows(app, User, User.id == writer.id)[0].active is True
    assert {"account.deactivate", "account.activate"} <= set(actions(app))


def test_an_admin_changes_roles_but_not_their_own(app, post, login_as, make_user):
    other = make_user()
    me = login_as(Role.ADMIN)
    assert post(f"/beheer/accounts/{other.id}/rol", {"role": "editor"}).status_code == 303
    assert rows(app, User, User.id == other.id)[0].role == Role.EDITOR
    own = post(f"/beheer/accounts/{me.id}/rol", {"role": "contributor"})
    assert own.status_code == 403 and "eigen rol" in own.get_data(as_text=True)
    assert post(f"/beheer/accounts/{me.id}/uitzetten").status_code == 403
    assert rows(app, User, User.id == me.id)[0].role == Role.ADMIN
    assert post(f"/beheer/accounts/{other.id}/rol", {"role": "baas"}).status_code == 400
    assert post("/beheer/accounts/9999/rol", {"role": "editor"}).status_code == 404
    entry = [e for e in rows(app, AuditEntry) if e.action == "account.role"][0]
    assert entry.actor_id == me.id and entry.detail == {"target_id": other.id,
                                                         "old": "contributor", "new": "editor"}


def test_a_deleted_account_cannot_be_switched_on_again(app, post, login_as, make_user):
    gone = make_user(login="verwijderd-0123", active=False)
    login_as(Role.ADMIN)
    assert post(f"/beheer/accounts/{gone.id}/aanzetten").status_code == 409
    assert rows(app, User, User.id == gone.id)[0].active is False


# ------------------------------------------------------------------ audit log

def test_the_audit_log_is_newest_first_filterable_and_paginated(app, client, login_as,
                                                                make_user):
    from kb import audit

    someone = make_user(login="doener")
    with app.app_context(), session_scope() as session:
        actor = session.get(User, someone.id)
        for n in range(55):
            entry = audit.record(session, actor, "invite.create", invite_id=n)
            entry.created_at = utcnow() - timedelta(minutes=100 - n)
        audit.record(session, actor, "account.role", target_id=someone.id, old="a", new="b")
    login_as(Role.ADMIN)
    page = client.get("/beheer/audit").get_data(as_text=True)
    assert "56 regels" in page and "pagina 1 van 2" in page
    assert page.index("rol veranderd") < page.index("uitnodiging gemaakt")  # newest first
    assert "doener" in page
    assert "uitnodiging nr. 54" in page and "uitnodiging nr. 0<" not in page
    second = client.get("/beheer/audit?pagina=2").get_data(as_text=True)
    assert "uitnodiging nr. 0<" in second
    filtered = client.get("/beheer/audit?actie=account.role").get_data(as_text=True)
    assert "1 regel" in filtered and "uitnodiging gemaakt</td>" not in filtered


# ------------------------------------------------------------------ the command line

def test_the_first_admin_is_made_on_the_command_line(app, runner, post):
    result = runner.invoke(args=["kb", "user", "create", "--role", "admin", "--display-name",
                                 "Beheer ExpEx", "--password-stdin", "Eerste.Beheerder"],
                           input="een heel goed wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "eerste.beheerder" in result.output
    user = rows(app, User)[0]
    assert user.login == "eerste.beheerder" and user.role == Role.ADMIN
    assert user.display_names == ["Beheer ExpEx", "anoniem"]
    assert post("/inloggen", {"login": "eerste.beheerder",
                              "password": "een heel goed wachtwoord"}).status_code == 303
    assert rows(app, AuditEntry)[0].actor_id is None


def test_the_password_prompt_asks_twice(app, runner):
    result = runner.invoke(args=["kb", "user", "create", "beheerder"],
                           input="een heel goed wachtwoord\neen heel goed wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert rows(app, User)[0].display_names == ["anoniem"]


@pytest.mark.parametrize("name, password, message", [
    ("bestaat", "een heel goed wachtwoord", "already in use"),
    ("met spatie", "een heel goed wachtwoord", "3-40 characters"),
    ("nieuw", "kort", "at least 10 characters"),
])
def test_command_line_errors_are_clear_and_exit_1(app, runner, make_user, name, password,
                                                  message):
    make_user(login="bestaat")
    result = runner.invoke(args=["kb", "user", "create", "--password-stdin", name],
                           input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output and "no account created" in result.output
    assert len(rows(app, User)) == 1


def test_an_account_is_switched_off_on_the_command_line(app, runner, make_user):
    make_user(login="eva")
    result = runner.invoke(args=["kb", "user", "deactivate", "eva"])
    assert result.exit_code == 0 and rows(app, User)[0].active is False
    assert runner.invoke(args=["kb", "user", "deactivate", "niemand"]).exit_code == 1


def test_the_command_line_cannot_switch_off_the_last_admin(app, runner, make_user):
    admin = make_user(role=Role.ADMIN, login="beheer")
    make_user(role=Role.ADMIN, login="tweede", active=False)  # switched off: does not count
    result = runner.invoke(args=["kb", "user", "deactivate", "beheer"])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        "Error: account 'beheer' is not switched off: it is the last active admin, and without "
        "one nobody can manage accounts. Make another admin first."]
    assert rows(app, User, User.id == admin.id)[0].active is True
    assert "account.deactivate" not in actions(app)


def test_the_command_line_switches_off_an_admin_when_another_remains(app, runner, make_user):
    make_user(role=Role.ADMIN, login="beheer")
    make_user(role=Role.ADMIN, login="tweede")
    assert runner.invoke(args=["kb", "user", "deactivate", "beheer"]).exit_code == 0
    assert runner.invoke(args=["kb", "user", "deactivate", "tweede"]).exit_code == 1
    admins = rows(app, User, User.role == Role.ADMIN)
    assert {u.login: u.active for u in admins} == {"beheer": False, "tweede": True}


def test_an_invite_link_is_made_on_the_command_line(app, runner, client):
    result = runner.invoke(args=["kb", "invite", "create", "--role", "editor",
                                 "--base-url", "https://kennisbank.example/"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[0]
    assert link.startswith("https://kennisbank.example/uitnodiging/")
    assert rows(app, Invite)[0].role == Role.EDITOR
    assert client.get(link.replace("https://kennisbank.example", "")).status_code == 200


def test_login_with_a_cli_account_and_a_wrong_password_fails(app, runner, post):
    runner.invoke(args=["kb", "user", "create", "--password-stdin", "eva"],
                  input=TEST_PASSWORD + "\n")
    assert post("/inloggen", {"login": "eva", "password": "fout"}).status_code == 400


# ------------------------------------------------------------------ the pages themselves

PAGES = ["/inloggen", "/account", "/account/verwijderen", "/beheer/", "/beheer/uitnodigingen",
         "/beheer/accounts", "/beheer/audit", "/"]


@pytest.mark.parametrize("url", PAGES)
def test_account_and_beheer_pages_are_valid_accessible_html(app, client, login_as, make_user,
                                                            make_invite, url):
    import html5lib

    make_user(login="ander")
    make_invite()
    if url == "/inloggen":
        login_as(None)
    else:
        login_as(Role.ADMIN)
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    assert len(tree.findall(".//h1")) == 1
    assert "<script" not in html and "<style" not in html and " style=" not in html
    labels = {label.get("for") for label in tree.iter("label")}
    for field in tree.iter():
        if field.tag in ("input", "select", "textarea") and field.get("type") not in (
                "hidden", "submit"):
            assert field.get("id") in labels, (url, field.get("name"))
    ids = [el.get("id") for el in tree.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), url
    for form in tree.iter("form"):
        if form.get("method") == "post":
            assert form.find(".//input[@name='csrf_token']") is not None


def test_form_pages_with_errors_are_valid_html(client, post, login_as, make_invite):
    import html5lib

    login_as(Role.CONTRIBUTOR)
    pages = [post("/account/namen", {"display_name": ""}),
             post("/account/wachtwoord", {"old_password": "fout"}),
             post("/account/verwijderen", {"password": ""})]
    login_as(None)
    pages.append(post(f"/uitnodiging/{make_invite()}", {"login": "x"}))
    pages.append(post("/inloggen", {"login": "", "password": ""}))
    for response in pages:
        assert response.status_code == 400
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.data)
        assert b'role="alert"' in response.data
