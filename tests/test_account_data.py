"""A person's own data: downloading it, and deleting the account."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from kb.accounts import ANONYMOUS_AUTHOR
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, AuditEntry, Revision, Role, User
from tests.account_helpers import get_user, log_in, logged_in_uid
from tests.conftest import TEST_PASSWORD

# ------------------------------------------------------------------ my data

def own_advice(app, make_advice, user, **fields):
    advice = make_advice(**fields)
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice.id)
        stored.owner_id = user.id
        for revision in stored.revisions:
            revision.author_id = user.id
    return advice


def test_the_download_holds_my_data_and_no_one_elses(app, client, make_user, make_advice,
                                                     login_as):
    someone = make_user(login="iemandanders", email="ander@example.org")
    own_advice(app, make_advice, someone, title="Advies van een ander")
    me = login_as(Role.CONTRIBUTOR, login="ikzelf", email="ik@example.org",
                  display_names=["Mijn Naam", "anoniem"])
    own_advice(app, make_advice, me, title="Mijn eigen advies", authors=("Mijn Naam",))
    with app.app_context(), session_scope() as session:
        from kb import audit

        audit.record(session, session.get(User, me.id), "account.email", target_id=me.id)
        audit.record(session, session.get(User, someone.id), "account.email")

    response = client.get("/account/gegevens")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["login"] == "ikzelf" and data["account"]["email"] == "ik@example.org"
    assert "password_hash" not in json.dumps(data) and "scrypt" not in json.dumps(data)
    assert [a["content"]["title"] for a in data["advice"]] == ["Mijn eigen advies"]
    assert data["advice"][0]["revisions"][0]["by_me"] is True
    assert [e["action"] for e in data["audit"]] == ["account.email"]
    text = json.dumps(data)
    assert "iemandanders" not in text and "ander@example.org" not in text
    assert "Advies van een ander" not in text


# ------------------------------------------------------------------ deleting my account

def test_deleting_needs_the_password(app, client, post, login_as):
    user = login_as(Role.CONTRIBUTOR)
    page = client.get("/account/verwijderen").get_data(as_text=True)
    assert "Anoniem" in page and "blijven staan" in page
    response = post("/account/verwijderen", {"password": "verkeerd"})
    assert response.status_code == 400
    assert get_user(app, id=user.id).login == user.login


def test_deleting_anonymises_the_account_and_keeps_published_advice(app, client, post,
                                                                    make_advice, login_as):
    me = login_as(Role.CONTRIBUTOR, login="weg.ermee", email="weg@example.org",
                  display_names=["Schuilnaam Weg", "anoniem"])
    published = own_advice(app, make_advice, me, authors=("Schuilnaam Weg", "ExpEx Utrecht"))
    draft = own_advice(app, make_advice, me, status=AdviceStatus.DRAFT,
                       authors=("Schuilnaam Weg",))
    before = client.get(f"/advies/{published.id}/{published.slug}").get_data(as_text=True)
    assert "Schuilnaam Weg" in before

    response = post("/account/verwijderen", {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Je account is verwijderd" in response.get_data(as_text=True)
    assert logged_in_uid(client) is None

    user = get_user(app, id=me.id)
    assert user.login.startswith("verwijderd-") and user.email is None
    assert user.display_names == ["anoniem"] and not user.active
    with app.app_context(), session_scope() as session:
        kept = session.get(Advice, published.id)
        assert kept.status == AdviceStatus.PUBLISHED
        assert kept.authors == [ANONYMOUS_AUTHOR, "ExpEx Utrecht"]
        assert kept.title == published.title and kept.body == published.body
        last = session.exec(select(Revision).where(Revision.advice_id == published.id)
                            .order_by(Revision.number.desc())).first()
        assert last.note == "Account verwijderd" and last.number == published.revision + 1
        gone = session.get(Advice, draft.id)
        assert gone.status == AdviceStatus.WITHDRAWN and gone.body == draft.body
        assert "account.delete" in [e.action for e in session.exec(select(AuditEntry)).all()]

    after = client.get(f"/advies/{published.id}/{published.slug}").get_data(as_text=True)
    assert "Schuilnaam Weg" not in after and ANONYMOUS_AUTHOR in after
    assert log_in(post, "weg.ermee").status_code == 400


def test_the_only_admin_cannot_delete_their_account(client, post, login_as):
    login_as(Role.ADMIN)
    assert "enige beheerder" in client.get("/account/verwijderen").get_data(as_text=True)
    assert post("/account/verwijderen", {"password": TEST_PASSWORD}).status_code == 409


def test_anoniem_is_written_as_the_workflow_writes_it():
    forms = pytest.importorskip("kb.forms")
    assert forms.ANONYMOUS_AUTHOR == ANONYMOUS_AUTHOR
