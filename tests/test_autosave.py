"""Issue 12 §3, optional autosave: a self-hosted script posts the form's own "Bewaar als
concept" with ``X-KB-Autosave: 1`` and gets JSON back; a conflict never overwrites a newer
revision; without the header (no JavaScript) the forms answer as before."""

from __future__ import annotations

import re

from kb.db import session_scope
from kb.models import Advice
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden

AUTO = {"X-KB-Autosave": "1", "Accept": "application/json"}
SCRIPT = '<script src="/static/js/autosave.js" defer></script>'


def _stored(app, advice_id: int) -> tuple[int, str]:
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice_id)
        return item.revision, item.body


def test_the_script_is_ours_and_the_csp_allows_only_our_own_scripts(client, people, log_in):
    response = client.get("/static/js/autosave.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert "X-KB-Autosave" in response.get_data(as_text=True)
    log_in(people.writer)
    page = client.get("/schrijven")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert SCRIPT in html and "data-autosave" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script


def test_the_script_is_linked_from_the_writing_forms_only(client, people, log_in, advice_by):
    draft, submitted, published = (advice_by(S.DRAFT), advice_by(S.SUBMITTED),
                                    advice_by(S.PUBLISHED))
    log_in(people.writer)
    assert SCRIPT in client.get(f"/mijn-adviezen/{draft.id}").get_data(as_text=True)
    for url in ("/mijn-adviezen", f"/mijn-adviezen/{submitted.id}", "/", "/zoeken?q=pleegzorg"):
        assert SCRIPT not in client.get(url).get_data(as_text=True), url
    log_in(people.editor)
    assert SCRIPT in client.get(f"/redactie/advies/{submitted.id}/bewerken").get_data(
        as_text=True)
    for url in (f"/redactie/advies/{submitted.id}", f"/redactie/advies/{published.id}/bewerken"):
        assert SCRIPT not in client.get(url).get_data(as_text=True), url


def test_a_new_draft_is_autosaved_then_saved_again_at_its_own_address(app, client, post,
                                                                     people, log_in):
    log_in(people.writer)
    form_id = hidden(client.get("/schrijven").get_data(as_text=True), "form_id")
    first = post("/schrijven", {**FORM, "display_name": "Sam", "form_id": form_id,
                                "action": "save"}, headers=AUTO)
    assert first.status_code == 200 and first.is_json
    data = first.get_json()
    assert data["saved"] is True and re.fullmatch(r"\d\d:\d\d", data["time"])
    advice_id = int(data["url"].rsplit("/", 1)[1])
    assert data["url"] == f"/mijn-adviezen/{advice_id}"
    assert _stored(app, advice_id)[0] == data["revision"]
    # The script now posts to the advice's address with the revision it was given.
    again = post(data["url"], {**FORM, "display_name": "Sam", "body": FORM["body"] + "\nMeer.",
                               "revision": str(data["revision"]), "action": "save"},
                 headers=AUTO)
    assert again.status_code == 200 and again.get_json()["saved"] is True
    revision, body = _stored(app, advice_id)
    assert revision == again.get_json()["revision"] == data["revision"] + 1
    assert body.rstrip().endswith("Meer.")
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice_id).status == S.DRAFT


def test_without_the_header_the_forms_answer_as_before(client, post, people, log_in):
    log_in(people.writer)
    response = post("/schrijven", {**FORM, "display_name": "Sam", "form_id": "f1",
                                   "action": "save"})
    assert response.status_code == 303 and not response.is_json


def test_an_autosave_never_overwrites_a_newer_revision(app, client, post, people, log_in,
                                                       advice_by):
    draft = advice_by(S.DRAFT)
    log_in(people.writer)
    loaded = hidden(client.get(f"/mijn-adviezen/{draft.id}").get_data(as_text=True), "revision")
    # Another tab saves first.
    newer = {**FORM, "display_name": "Sam", "body": FORM["body"] + "\nUit het andere tabblad."}
    assert post(f"/mijn-adviezen/{draft.id}", {**newer, "revision": loaded, "action": "save"}
                ).status_code == 303
    kept = _stored(app, draft.id)
    stale = post(f"/mijn-adviezen/{draft.id}", {**FORM, "display_name": "Sam",
                                                "body": "Oude tekst.", "revision": loaded,
                                                "action": "save"}, headers=AUTO)
    assert stale.status_code == 409 and stale.get_json() == {"saved": False, "reason": "conflict"}
    assert _stored(app, draft.id) == kept


def test_the_editors_autosave_saves_a_submitted_advice_but_never_a_published_one(
        app, client, post, people, log_in, advice_by):
    submitted, published = advice_by(S.SUBMITTED), advice_by(S.PUBLISHED)
    log_in(people.editor)
    text = {**FORM, "display_name": "Sam", "body": FORM["body"] + "\nDoor de redactie."}
    response = post(f"/redactie/advies/{submitted.id}/bewerken",
                    {**text, "revision": str(submitted.revision), "action": "save"},
                    headers=AUTO)
    assert response.status_code == 200 and response.get_json()["saved"] is True
    assert _stored(app, submitted.id) == (submitted.revision + 1, text["body"] + "\n")
    before = _stored(app, published.id)
    response = post(f"/redactie/advies/{published.id}/bewerken",
                    {**text, "revision": str(published.revision), "action": "save"},
                    headers=AUTO)
    assert response.status_code == 409 and response.get_json()["reason"] == "published"
    assert _stored(app, published.id) == before


def test_a_refused_token_answers_json_and_saves_nothing(app, client, people, log_in,
                                                       advice_by):
    draft = advice_by(S.DRAFT)
    log_in(people.writer)
    before = _stored(app, draft.id)
    response = client.post(f"/mijn-adviezen/{draft.id}", data={
        **FORM, "display_name": "Sam", "csrf_token": "verlopen", "revision": str(draft.revision),
        "action": "save"}, headers=AUTO)
    assert response.status_code == 400 and response.get_json() == {"saved": False,
                                                                  "reason": "csrf"}
    assert _stored(app, draft.id) == before
