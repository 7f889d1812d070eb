"""Writer groups: editors make them and their members; only members write under a group's
name, and no display name may claim it."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from kb import groups
from kb.db import session_scope
from kb.models import Advice, User
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM

GROUP = "ExpEx Landelijk"


@pytest.fixture
def group(app, people):
    with app.app_context(), session_scope() as session:
        made = groups.create_group(session, people.editor, GROUP)
        groups.add_member(session, people.editor, made, "schrijverlogin")
        return made.id


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("claimed", [GROUP, "expex landelijk", "  ExpEx   LANDELIJK "])
def test_a_display_name_may_not_claim_a_groups_name(app, client, post, people, log_in, group,
                                                    claimed):
    """The finding: a display name "ExpEx Landelijk" was free text, so anyone could take it."""
    log_in(people.other)
    response = post("/account/namen", {"display_name": claimed})
    assert response.status_code == 400
    assert "Dit is de naam van een groep." in text(response)
    with app.app_context(), session_scope() as session:
        assert session.get(User, people.other.id).display_names == ["Kim"]


def test_an_invite_cannot_claim_a_groups_name_either(app, client, post, group, make_invite):
    token = make_invite()
    response = post(f"/uitnodiging/{token}", {
        "login": "nieuwe.schrijver", "password": TEST_PASSWORD,
        "password_repeat": TEST_PASSWORD, "display_name": "EXPEX landelijk", "email": ""})
    assert response.status_code == 400
    assert "Dit is de naam van een groep." in text(response)


def test_only_members_write_under_the_groups_name(app, client, post, people, log_in, group):
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    assert f'<option value="{GROUP}"' in page
    response = post("/schrijven", {**FORM, "title": "Samen geschreven", "display_name": GROUP,
                                   "action": "save"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        advice = session.exec(select(Advice).where(Advice.title == "Samen geschreven")).one()
        assert advice.authors == [GROUP]
    log_in(people.other)
    assert f'<option value="{GROUP}"' not in client.get("/schrijven").get_data(as_text=True)
    refused = post("/schrijven", {**FORM, "title": "Niet van ons", "display_name": GROUP,
                                  "action": "save"})
    assert refused.status_code == 400
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Advice).where(Advice.title == "Niet van ons")).first() is None


def test_editors_make_groups_and_members_writers_cannot(app, client, post, people, log_in):
    log_in(people.writer)
    assert post("/beheer/groepen", {"name": "ExpEx Gelderland"}).status_code == 403
    log_in(people.editor)
    assert client.get("/beheer/groepen").status_code == 200
    assert post("/beheer/groepen", {"name": "ExpEx Gelderland"}).status_code == 303
    again = post("/beheer/groepen", {"name": "expex gelderland"})
    assert again.status_code == 400 and "Er is al een groep met deze naam." in text(again)
    with app.app_context(), session_scope() as session:
        made = groups.find_by_name(session, "ExpEx Gelderland")
    assert post(f"/beheer/groepen/{made.id}/leden", {"login": "niemand"}).status_code == 400
    assert post(f"/beheer/groepen/{made.id}/leden", {"login": "schrijverlogin"}).status_code \
        == 303
    page = text(client.get("/beheer/groepen"))
    assert "schrijverlogin" in page
    with app.app_context(), session_scope() as session:
        assert groups.group_names(session, session.get(User, people.writer.id)) == [
            "ExpEx Gelderland"]
    assert post(f"/beheer/groepen/{made.id}/leden/{people.writer.id}/weg").status_code == 303
    with app.app_context(), session_scope() as session:
        assert groups.group_names(session, session.get(User, people.writer.id)) == []


def test_the_role_check_is_in_the_domain_too(app, people):
    with app.app_context(), session_scope() as session, pytest.raises(PermissionError):
        groups.create_group(session, session.get(User, people.writer.id), "Eigen groep")
