"""HTTP methods: HEAD is a GET without a body, and a method a page does not have is a 405."""

from __future__ import annotations

import pytest

from kb.models import Role
from tests.account_helpers import logged_in_uid
from tests.conftest import TEST_PASSWORD


def test_a_head_with_a_login_form_does_not_log_in(client, make_user):
    """The probe's finding: a HEAD with a form body and no CSRF token logged in."""
    make_user(login="eva")
    response = client.open("/inloggen", method="HEAD",
                           data={"login": "eva", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert response.get_data() == b""
    assert logged_in_uid(client) is None
    assert client.get("/account").status_code == 302


def test_a_head_with_an_invite_form_creates_no_account(app, client, make_invite):
    from tests.account_helpers import get_user

    token = make_invite()
    response = client.open(f"/uitnodiging/{token}", method="HEAD", data={
        "login": "nieuw", "password": TEST_PASSWORD, "password_repeat": TEST_PASSWORD,
        "display_name": "Nieuw", "name_choice": "own"})
    assert response.status_code == 200
    assert get_user(app, login="nieuw") is None


def test_a_head_on_the_write_form_saves_no_draft(app, client, login_as):
    from sqlmodel import func, select

    from kb.db import session_scope
    from kb.models import Advice

    login_as(Role.CONTRIBUTOR)
    response = client.open("/schrijven", method="HEAD", data={
        "title": "Via HEAD", "action": "draft", "csrf_token": "test-csrf-token"})
    assert response.status_code == 200
    with app.app_context(), session_scope() as session:
        assert session.exec(select(func.count()).select_from(Advice)).one() == 0


@pytest.mark.parametrize("url", ["/", "/themas", "/inloggen", "/api/", "/feed.xml"])
def test_head_answers_like_get_without_a_body(client, url):
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers.get("Content-Length") == get.headers.get("Content-Length")


def test_head_is_refused_where_there_is_no_get(client, login_as):
    login_as(Role.CONTRIBUTOR)
    response = client.head("/uitloggen", data={"csrf_token": "test-csrf-token"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert client.get("/account").status_code == 200  # still logged in


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "PROPFIND"])
@pytest.mark.parametrize("url, allow", [
    ("/inloggen", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/uitloggen", {"POST", "OPTIONS"}),
    ("/advies/1", {"GET", "HEAD", "OPTIONS"}),
])
def test_other_methods_answer_405_with_allow_on_a_dutch_page(client, method, url, allow):
    response = client.open(url, method=method, data={"login": "eva"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allow
    html = response.get_data(as_text=True)
    assert "Dit kan niet op deze pagina" in html and "Foutcode 405" in html


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_other_methods_answer_405_with_allow_in_json_under_api(client, method):
    response = client.open("/api/advies/1", method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json() == {"error": "Method Not Allowed", "status": 405,
                                     "message": "Dit kan niet op deze pagina"}


def test_a_post_without_a_csrf_token_is_still_refused(client, make_user):
    make_user(login="eva")
    response = client.post("/inloggen", data={"login": "eva", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert logged_in_uid(client) is None
