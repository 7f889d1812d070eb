"""Every write route of the writers' and editors' pages × anonymous, the writer, another
contributor, an editor and an admin; CSRF on every POST; and who may open which page."""

from __future__ import annotations

import string

import pytest
from sqlmodel import select

from kb import workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AuditEntry, Revision
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S

WHO = ("anonymous", "writer", "other", "editor", "admin")

#: (url, form, expected status per WHO). ``{draft}`` etc. are ids of the writer's advice in
#: that status. A writer's own advice answers 404 to anyone else, so ids don't leak ownership.
OWNER_ONLY = (403, 303, 404, 404, 404)
EDITORS_ONLY = (403, 403, 403, 303, 303)
#: The writing forms answer a visitor without a login with the login page, carrying the text
#: (401, kb.web.kept_text), and a refused token with the form again (400).
TEXT_FORMS = ("/schrijven", "/mijn-adviezen/{draft}", "/redactie/advies/{published}/bewerken")
WRITE_ROUTES = [
    ("/schrijven", {**FORM, "display_name": "anoniem", "action": "save"},
     (401, 303, 303, 303, 303)),
    ("/mijn-adviezen/{draft}", {**FORM, "title": "Nieuw", "action": "save"},
     (401, *OWNER_ONLY[1:])),
    ("/mijn-adviezen/{draft}", {**FORM, "action": "submit"}, (401, *OWNER_ONLY[1:])),
    ("/mijn-adviezen/{published}/intrekken", {}, OWNER_ONLY),
    ("/redactie/advies/{submitted}/publiceren", {}, EDITORS_ONLY),
    ("/redactie/advies/{submitted}/wijzigingen-vragen", {"note": "Korter."}, EDITORS_ONLY),
    ("/redactie/advies/{published}/intrekken", {"reason": ""}, EDITORS_ONLY),
    ("/redactie/advies/{withdrawn}/terugzetten", {}, EDITORS_ONLY),
    ("/redactie/advies/{published}/webadres", {"slug": "een-nieuw-adres"}, EDITORS_ONLY),
    ("/redactie/advies/{published}/bewerken", {**FORM, "title": "Bewerkt", "action": "save"},
     (401, *EDITORS_ONLY[1:])),
    ("/redactie/advies/{published}/geschiedenis/1/terugzetten", {}, EDITORS_ONLY),
]

#: (url, expected status per WHO); anonymous visitors are sent to the login page.
READ_ROUTES = [
    ("/schrijven", (302, 200, 200, 200, 200)),
    ("/mijn-adviezen", (302, 200, 200, 200, 200)),
    ("/mijn-adviezen/{draft}", (302, 200, 404, 404, 404)),
    ("/mijn-adviezen/{published}", (302, 200, 404, 404, 404)),
    ("/redactie", (302, 403, 403, 200, 200)),
    ("/redactie/advies/{submitted}", (302, 403, 403, 200, 200)),
    ("/redactie/advies/{published}/bewerken", (302, 403, 403, 200, 200)),
    ("/redactie/advies/{published}/geschiedenis", (302, 403, 403, 200, 200)),
    ("/redactie/advies/{draft}", (302, 403, 403, 404, 404)),
]


@pytest.fixture
def world(app, people, advice_by):
    """``fill(url, form)``: put the id of the writer's advice in the ``{status}`` of a route (made
    on demand, to keep the matrix quick) and the advice's revision in the form."""
    made: dict[str, Advice] = {}

    def advice_in(status: str) -> Advice:
        if status not in made:
            advice = advice_by(status, title=f"Advies {status}")
            if status == S.PUBLISHED:  # an edit, so that revision 1 differs from the current
                with app.app_context(), session_scope() as session:
                    advice = session.get(Advice, advice.id)
                    workflow.edit(session, people.editor, advice,
                                  AdviceForm(**{**FORM, "title": "Later bewerkt"}),
                                  advice.revision)
            made[status] = advice
        return made[status]

    def fill(url: str, form: dict | None = None) -> tuple[str, dict]:
        found = {name: advice_in(name) for _, name, _, _ in string.Formatter().parse(url)
                 if name}
        data = dict(form or {})
        for advice in found.values():
            data["revision"] = str(advice.revision)
        return url.format(**{name: a.id for name, a in found.items()}), data

    return fill


def act_as(who: str, people, log_in) -> None:
    log_in(None if who == "anonymous" else getattr(people, who))


def counts(app) -> tuple[int, int, int]:
    with app.app_context(), session_scope() as session:
        return tuple(len(session.exec(select(model)).all())
                     for model in (Advice, Revision, AuditEntry))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("url", "form", "expected"), WRITE_ROUTES,
                         ids=[f"{r[0]}-{r[1].get('action', '')}" for r in WRITE_ROUTES])
def test_write_routes_allow_exactly_the_right_people(app, post, people, log_in, world, url,
                                                     form, expected, who):
    act_as(who, people, log_in)
    url, data = world(url, form)
    before = counts(app)
    response = post(url, data)
    status = expected[WHO.index(who)]
    assert response.status_code == status, (url, who, response.get_data(as_text=True)[:400])
    if status == 403:
        assert "Je hebt hier geen toegang" in response.get_data(as_text=True)
    if status == 401:
        assert "Je bent niet meer ingelogd. Je tekst is niet weg." in response.get_data(
            as_text=True)
    if status != 303:
        assert counts(app) == before  # nothing half-written
    else:
        assert counts(app) != before


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("url", "expected"), READ_ROUTES, ids=[r[0] for r in READ_ROUTES])
def test_pages_open_for_exactly_the_right_people(client, people, log_in, world, url, expected,
                                                 who):
    act_as(who, people, log_in)
    response = client.get(world(url)[0])
    status = expected[WHO.index(who)]
    assert response.status_code == status
    if status == 302:
        assert "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize(("url", "form", "expected"), WRITE_ROUTES,
                         ids=[f"{r[0]}-{r[1].get('action', '')}" for r in WRITE_ROUTES])
def test_every_post_without_a_csrf_token_is_refused(app, client, people, log_in, world, url,
                                                    form, expected):
    allowed = WHO[expected.index(303)]
    act_as(allowed, people, log_in)
    template = url
    url, data = world(url, form)
    before = counts(app)
    for token in (None, "een-verkeerd-token"):
        sent = dict(data) if token is None else {**data, "csrf_token": token}
        response = client.post(url, data=sent)
        assert response.status_code == 400
        assert ("Dit formulier was verlopen" if template in TEXT_FORMS
                else "Dit verzoek klopt niet") in response.get_data(as_text=True)
    assert counts(app) == before
