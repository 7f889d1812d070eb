"""The main theme is the writer's choice ("Hoofdthema"), the others "Ook over"; the stored
order is theirs, and advice stored before keep theirs."""

from __future__ import annotations

from sqlmodel import select

from kb import workflow
from kb.advice import content_of
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, hidden


def stored_themes(app, title: str) -> list[str]:
    with app.app_context(), session_scope() as session:
        return list(session.exec(select(Advice).where(Advice.title == title)).one().theme_slugs)


def test_the_main_theme_is_the_one_chosen_not_the_first_in_the_alphabet(app, client, people,
                                                                        log_in):
    """The finding: ticking Uithuisplaatsing and then Onderwijs gave Onderwijs as main theme
    (the boxes are in alphabetical order, and the first box won)."""
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    assert '<label for="veld-themes">Hoofdthema' in page
    # A browser sends the boxes in page order: onderwijs before uithuisplaatsing.
    response = client.post("/schrijven", data={
        **FORM, "title": "Een thuis dichtbij school", "main_theme": "uithuisplaatsing",
        "themes": ["onderwijs", "uithuisplaatsing"], "action": "save",
        "form_id": hidden(page, "form_id"), "csrf_token": hidden(page, "csrf_token")})
    assert response.status_code == 303
    assert stored_themes(app, "Een thuis dichtbij school") == ["uithuisplaatsing", "onderwijs"]
    # The form shows it back the same way: main theme selected, the other ticked.
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option value="uithuisplaatsing" selected>' in form
    assert 'value="onderwijs" checked' in form
    assert 'value="uithuisplaatsing" checked' not in form


def test_sending_needs_a_main_theme(app, client, post, people, log_in):
    log_in(people.writer)
    response = post("/schrijven", {**FORM, "themes": [], "main_theme": "", "action": "submit"})
    assert response.status_code == 400
    assert "Kies een hoofdthema." in response.get_data(as_text=True)


def test_advice_stored_before_keep_their_main_theme(app, people):
    """No data changes: the first stored theme (position 0) was and is the main theme."""
    with app.app_context(), session_scope() as session:
        advice = workflow.create_draft(session, people.writer, AdviceForm(
            **{**FORM, "themes": ["participatie", "pleegzorg"]}))
        assert list(advice.theme_slugs) == ["participatie", "pleegzorg"]
    with app.app_context(), session_scope() as session:
        form = AdviceForm.from_content(content_of(session.get(Advice, advice.id)))
        assert form.themes == ["participatie", "pleegzorg"]
