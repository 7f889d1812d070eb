"""No account data in anything public: pages, feeds, the API, the search index.

Accounts get distinctive login names and e-mail addresses, own advice (as writer and as the
author of its revisions), and then every public GET route is fetched — found from the URL map,
so a route added later is scanned too — anonymously and while logged in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from kb import search
from kb.db import session_scope
from kb.models import Advice, AuditEntry, Role, User
from tests.conftest import sign_in

SECRETS = ("geheimelogin42", "geheim@example.org", "redactielogin77", "redactie@example.org")
#: Field names that would mean account data left the building.
ACCOUNT_FIELDS = ("owner_id", "author_id", "actor_id", "created_by_id", "used_by_id",
                  "password_hash", "last_login_at", '"login"', '"email"', '"uid"')
#: Blueprints that are not public: they need a login (and show data to its owner or staff).
PRIVATE = ("account.", "admin.", "contribute.", "editorial.", "static",
           # Issue 14: logged-in pages, and pages opened only with a token from a mail.
           "notifications.", "mail.", "password_reset.choose", "password_reset.make_link",
           "alerts.confirm",
           "alerts.unsubscribe_page", "alerts.manage")


@pytest.fixture
def world(app, make_user, make_advice):
    """Two accounts with secret logins and e-mails, owning public advice with revisions."""
    writer = make_user(login="geheimelogin42", email="geheim@example.org",
                       display_names=["Schuilnaam Noord", "anoniem"])
    editor = make_user(role=Role.EDITOR, login="redactielogin77", email="redactie@example.org",
                       display_names=["Redactie ExpEx", "anoniem"])
    advice = [make_advice(title="Luister naar jongeren in de pleegzorg",
                          authors=("Schuilnaam Noord",)),
              make_advice(title="Een tweede advies over wonen", themes=("wonen",),
                          authors=("anoniem",))]
    with app.app_context(), session_scope() as session:
        from kb import audit

        for item in advice:
            stored = session.get(Advice, item.id)
            stored.owner_id = writer.id
            for revision in stored.revisions:
                revision.author_id = editor.id
            audit.record(session, session.get(User, editor.id), "advice.publish",
                         advice_id=item.id)
    return {"writer": writer, "editor": editor, "advice": advice}


def public_urls(app, advice) -> list[str]:
    """Every public GET route, with real ids and slugs filled in."""
    first = advice[0]
    values = {"advice_id": first.id, "slug": first.slug, "number": 1, "fmt": "ris"}
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(PRIVATE):
            continue
        args = {name: values.get(name, "pleegzorg") for name in rule.arguments}
        if "slug" in rule.arguments and "advice_id" not in rule.arguments:
            # a theme, an audience or a region
            args["slug"] = ("gemeenten" if "audience" in rule.endpoint else
                            "utrecht" if "region" in rule.endpoint else "pleegzorg")
        with app.test_request_context():
            from flask import url_for

            urls.add(url_for(rule.endpoint, **args))
    urls |= {f"/advies/{first.id}/{first.slug}", f"/api/advies/{first.id}",
             "/zoeken?q=jongeren", "/api/search?q=jongeren", "/api/search?q=pleegzorg"}
    return sorted(urls)


def assert_no_account_data(url: str, body: str) -> None:
    for secret in SECRETS:
        assert secret not in body, f"{secret!r} leaks on {url}"
    for field in ACCOUNT_FIELDS:
        assert field not in body, f"{field} leaks on {url}"


def json_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in json_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in json_keys(v)}
    return set()


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "as-the-writer"])
def test_no_public_response_contains_account_data(app, client, login_as, world, logged_in):
    if logged_in:
        sign_in(app, client, world["writer"])
    urls = public_urls(app, world["advice"])
    assert any(u.startswith("/api/") for u in urls) and "/" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 301, 302, 303), url
        body = response.get_data().decode("utf-8", "replace")  # the dossier's PDF is binary
        assert_no_account_data(url, body)
        if response.is_json:
            keys = json_keys(response.get_json())
            assert not keys & {"owner_id", "author_id", "login", "email", "user", "account"}, url


def test_the_display_name_is_the_only_name_shown(client, world):
    first = world["advice"][0]
    html = client.get(f"/advies/{first.id}/{first.slug}").get_data(as_text=True)
    assert "Schuilnaam Noord" in html
    data = client.get(f"/api/advies/{first.id}").get_json()
    assert data["advice"]["authors"] == ["Schuilnaam Noord"]


@pytest.mark.parametrize("secret", ["geheimelogin42", "geheim@example.org", "redactielogin77"])
def test_searching_for_a_login_or_email_finds_nothing(client, world, secret):
    assert client.get("/api/search", query_string={"q": secret}).get_json()["total"] == 0


def test_the_search_index_stores_no_account_data(app, world):
    with app.app_context():
        index = search.search_index()
        with index._index().searcher() as searcher:
            stored = list(searcher.all_stored_fields())
            field_names = set(searcher.schema.names())
    assert len(stored) == 2
    assert not field_names & {"owner_id", "author_id", "login", "email", "authors"}
    text = json.dumps(stored, default=str)
    for secret in SECRETS:
        assert secret not in text
    # And not anywhere in the index files either (terms, stored fields, metadata).
    for path in Path(app.config["INDEX_DIR"]).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret} in {path.name}"


def test_the_audit_log_keeps_ids_not_names(app, world, post, make_invite):
    """Audit details hold account ids, so deleting an account erases its names everywhere."""
    post(f"/uitnodiging/{make_invite()}", {
        "login": "nieuw.lid", "password": "een lang wachtwoord", "email": "nieuw@example.org",
        "password_repeat": "een lang wachtwoord", "display_name": "Nieuw Lid"})
    with app.app_context(), session_scope() as session:
        details = json.dumps([e.detail for e in session.exec(select(AuditEntry)).all()])
    for text in (*SECRETS, "nieuw.lid", "nieuw@example.org", "Nieuw Lid"):
        assert text not in details
