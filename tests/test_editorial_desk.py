"""The editorial desk, mended: where people land after logging in, confirmation before publish
and withdraw, and the audit log in Dutch words."""

from __future__ import annotations

import html
import re

import pytest

from kb.db import session_scope
from kb.models import Advice, Role
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import S, hidden


@pytest.mark.parametrize(("role", "start"), [
    (Role.CONTRIBUTOR, "/mijn-adviezen"),
    (Role.EDITOR, "/redactie"),
    (Role.ADMIN, "/redactie"),
])
def test_editors_and_admins_land_on_the_queue_after_login(client, make_user, role, start):
    """The finding: editors landed on "Mijn adviezen" after logging in."""
    make_user(role, login="iemand")
    page = client.get("/inloggen").get_data(as_text=True)
    response = client.post("/inloggen", data={"csrf_token": hidden(page, "csrf_token"),
                                              "login": "iemand", "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == start
    # Once logged in, the login page sends them there too.
    assert client.get("/inloggen").headers["Location"] == start


def form_fields(page: str, action: str) -> dict:
    """The hidden fields of the form that posts to ``action``."""
    start = page.index(f'action="{action}"')
    form = page[start:page.index("</form>", start)]
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def test_publish_asks_for_confirmation_first_without_javascript(app, client, post, people,
                                                                log_in, advice_by):
    """The finding: publish happened at once, without a confirmation."""
    advice = advice_by(S.SUBMITTED)
    log_in(people.editor)
    url = f"/redactie/advies/{advice.id}/publiceren"
    review = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    sent = form_fields(review, url)
    assert sent["step"] == "check"
    confirm = client.post(url, data=sent)
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Wil je dit advies publiceren?" in page and "Ja, publiceer het" in page
    assert "<script" not in page
    assert status_of(app, advice.id) == S.SUBMITTED  # nothing happened yet
    done = client.post(url, data=form_fields(page, url))
    assert done.status_code == 303
    assert status_of(app, advice.id) == S.PUBLISHED


def test_withdraw_asks_for_confirmation_and_keeps_the_reason(app, client, people, log_in,
                                                            advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    url = f"/redactie/advies/{advice.id}/intrekken"
    review = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    confirm = client.post(url, data={**form_fields(review, url),
                                      "reason": "Er staat een school in."})
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Wil je dit advies intrekken?" in page and "Reden: Er staat een school in." in page
    assert status_of(app, advice.id) == S.PUBLISHED
    too_long = client.post(url, data={**form_fields(review, url), "reason": "x" * 501})
    assert too_long.status_code == 400 and status_of(app, advice.id) == S.PUBLISHED
    assert client.post(url, data=form_fields(page, url)).status_code == 303
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert advice.status == S.WITHDRAWN
        assert advice.revisions[-1].note == "Er staat een school in."


def test_the_confirmation_is_refused_as_the_step_would_be(app, client, post, people, log_in,
                                                          advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/publiceren",
                    {"revision": str(advice.revision), "step": "check"})
    assert response.status_code == 409  # already published
    log_in(people.writer)
    response = post(f"/redactie/advies/{advice.id}/intrekken",
                    {"revision": str(advice.revision), "step": "check"})
    assert response.status_code == 403


def status_of(app, advice_id: int) -> str:
    with app.app_context(), session_scope() as session:
        return session.get(Advice, advice_id).status
