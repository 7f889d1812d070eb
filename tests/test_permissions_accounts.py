"""Every account and beheer route × anonymous, contributor, editor, admin; CSRF on every POST."""

from __future__ import annotations

import pytest

from kb.models import Role
from tests.conftest import TEST_PASSWORD

ROLES = [None, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN]
RANK = {None: 0, Role.CONTRIBUTOR: 1, Role.EDITOR: 2, Role.ADMIN: 3}

#: (url, form, the lowest role allowed: None is everyone). ``{target}`` is another account,
#: ``{invite}`` an open invite's id and ``{token}`` its token.
WRITE_ROUTES = [
    ("/inloggen", {"login": "niemand", "password": "fout"}, None),
    ("/uitloggen", {}, None),
    ("/uitnodiging/{token}", {"login": "x"}, None),
    ("/account/namen", {"display_name": "Nieuwe naam"}, Role.CONTRIBUTOR),
    ("/account/namen/weg", {"name": "Oude naam"}, Role.CONTRIBUTOR),
    ("/account/wachtwoord", {"old_password": "fout"}, Role.CONTRIBUTOR),
    ("/account/email", {"email": "ik@example.org"}, Role.CONTRIBUTOR),
    ("/account/verwijderen", {"password": TEST_PASSWORD}, Role.CONTRIBUTOR),
    ("/beheer/uitnodigingen", {"role": "contributor"}, Role.EDITOR),
    ("/beheer/uitnodigingen/{invite}/intrekken", {}, Role.EDITOR),
    ("/beheer/accounts/{target}/uitzetten", {}, Role.ADMIN),
    ("/beheer/accounts/{target}/aanzetten", {}, Role.ADMIN),
    ("/beheer/accounts/{target}/rol", {"role": "editor"}, Role.ADMIN),
]

READ_ROUTES = [
    ("/account", Role.CONTRIBUTOR),
    ("/account/gegevens", Role.CONTRIBUTOR),
    ("/account/verwijderen", Role.CONTRIBUTOR),
    ("/beheer/", Role.EDITOR),
    ("/beheer/uitnodigingen", Role.EDITOR),
    ("/beheer/accounts", Role.ADMIN),
    ("/beheer/audit", Role.ADMIN),
]


@pytest.fixture
def targets(app, make_user, make_invite):
    """Another account, an open invite (its id and token) to act on."""
    from sqlmodel import select

    from kb.db import session_scope
    from kb.models import Invite

    target = make_user(login="doelwit")
    token = make_invite()
    with app.app_context(), session_scope() as session:
        invite_id = session.exec(select(Invite)).one().id
    return {"target": target.id, "invite": invite_id, "token": token}


def role_id(role):
    return role or "anoniem"


@pytest.mark.parametrize("role", ROLES, ids=role_id)
@pytest.mark.parametrize("url, form, lowest", WRITE_ROUTES, ids=[r[0] for r in WRITE_ROUTES])
def test_write_routes_allow_exactly_the_right_roles(client, post, login_as, targets, url, form,
                                                    lowest, role):
    login_as(role, display_names=["Oude naam", "anoniem"])
    response = post(url.format(**targets), form)
    if RANK[role] >= RANK[lowest]:
        assert response.status_code != 403, response.get_data(as_text=True)[:300]
        assert response.status_code < 500
    else:
        assert response.status_code == 403
        assert "Je hebt hier geen toegang" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES, ids=role_id)
@pytest.mark.parametrize("url, lowest", READ_ROUTES, ids=[r[0] for r in READ_ROUTES])
def test_pages_open_for_exactly_the_right_roles(client, login_as, url, lowest, role):
    login_as(role)
    response = client.get(url)
    if role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen?next=")
    elif RANK[role] >= RANK[lowest]:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] in ("no-store", "private, no-store")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url, form, lowest", WRITE_ROUTES, ids=[r[0] for r in WRITE_ROUTES])
def test_every_post_without_a_csrf_token_is_refused(app, client, login_as, targets, url, form,
                                                    lowest):
    login_as(Role.ADMIN)
    before = audit_count(app)
    response = client.post(url.format(**targets), data=form)
    assert response.status_code == 400
    assert "Dit verzoek klopt niet" in response.get_data(as_text=True)
    wrong = client.post(url.format(**targets), data={**form, "csrf_token": "geraden"})
    assert wrong.status_code == 400
    assert audit_count(app) == before


def audit_count(app) -> int:
    from sqlmodel import select

    from kb.db import session_scope
    from kb.models import AuditEntry

    with app.app_context(), session_scope() as session:
        return len(session.exec(select(AuditEntry)).all())


def test_the_admin_area_links_only_what_the_role_may_use(client, login_as):
    login_as(Role.EDITOR)
    html = client.get("/beheer/").get_data(as_text=True)
    assert "/beheer/uitnodigingen" in html and "/beheer/accounts" not in html
    login_as(Role.ADMIN)
    html = client.get("/beheer/").get_data(as_text=True)
    assert "/beheer/accounts" in html and "/beheer/audit" in html
