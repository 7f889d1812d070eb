"""The writers' pages: write, preview, save, submit, follow, revise and withdraw an advice."""

from __future__ import annotations

import re

import html5lib
import pytest
from sqlmodel import select

from kb.db import session_scope
from kb.forms import MAX_BODY_BYTES
from kb.models import Advice, AuditEntry, Revision
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, article, hidden, search_ids


def parse_html(data: bytes):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)


@pytest.fixture
def writer(people, log_in):
    log_in(people.writer)
    return people.writer


@pytest.fixture
def write_form(client, writer) -> dict:
    """The write form as the page hands it out: with its one-time form id."""
    page = client.get("/schrijven").get_data(as_text=True)
    return {**FORM, "form_id": hidden(page, "form_id")}


def stored(app, model=Advice):
    with app.app_context(), session_scope() as session:
        return session.exec(select(model)).all()


# --------------------------------------------------------------------------- the page


def test_the_write_page_is_valid_html_with_labels_themes_and_a_writing_guide(client, writer):
    response = client.get("/schrijven")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    tree = parse_html(response.data)
    assert len(tree.findall(".//h1")) == 1
    labels = {label.get("for") for label in tree.iter("label")}
    for field in (el for el in tree.iter() if el.tag in ("input", "select", "textarea")):
        if field.get("type") in ("hidden", "submit", "search"):
            continue
        assert field.get("id") in labels, field.attrib
    html = response.get_data(as_text=True)
    assert '<label for="veld-themes">Hoofdthema' in html and "<legend>Ook over" in html
    assert "Pleegzorg betekent dat een kind of jongere tijdelijk" in html  # the theme's hint
    for section in ("Wat we zien", "Wat we adviseren", "Waarom"):
        assert f"<dt>{section}</dt>" in html
        assert f"## {section}" in html  # the body starts with the three headings
    assert '<option value="Sam" selected>' in html
    assert '<option value="anoniem">' in html
    for button in ("Bekijk voorbeeld", "Bewaar als concept", "Stuur naar de redactie"):
        assert button in html

OWN_SCRIPT = '<script src="/static/js/autosave.js" defer></script>'


def test_work_pages_have_no_inline_scripts_or_styles(client, writer, advice_by):
    advice = advice_by(S.PUBLISHED)
    for url in ("/schrijven", "/mijn-adviezen", f"/mijn-adviezen/{advice.id}"):
        # The one script allowed is our own autosave file (issue 12), never inline code.
        html = client.get(url).get_data(as_text=True).replace(OWN_SCRIPT, "")
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert 'name="robots" content="noindex' in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in ("/schrijven", "/mijn-adviezen", "/mijn-adviezen/1"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen" in response.headers["Location"]


# --------------------------------------------------------------------------- preview


def test_preview_shows_the_advice_with_reading_and_privacy_aids_and_stores_nothing(
        app, client, post, write_form):
    body = ("## Wat we zien\n\nSanne woont in Nijkerk en belt 06-12345678. Dit is een hele "
            "lange zin met ontzettend ingewikkelde jeugdbeschermingsmaatregelen en verwarrende "
            "woorden die bijna niemand begrijpt omdat ze veel te lang en te moeilijk zijn.\n")
    response = post("/schrijven", {**write_form, "body": body, "action": "preview"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Zo ziet je advies eruit" in html
    assert "<h1>Luister naar jongeren in de pleegzorg</h1>" in html
    assert "Sanne woont in Nijkerk" in html  # the body, rendered
    # The plain-language aid: score, band, averages, long words, hardest sentence marked.
    assert "leesscore" in html and "Woorden per zin" in html and "Lange woorden" in html
    assert re.search(r"<mark>Dit is een hele lange zin.*?</mark>", html)
    assert "<strong>jeugdbeschermingsmaatregelen</strong>" in html
    # The privacy check: hints, with what kind of detail and where.
    assert "Privacycheck" in html
    assert "<mark>Sanne</mark>" in html and "Een naam: kan iemand hierdoor herkend worden?" in html
    assert "<mark>06-12345678</mark>" in html and "regel 3" in html
    # The text stays in the form; nothing is stored.
    assert "06-12345678. Dit is een hele lange zin" in html.split('id="veld-body"')[1]
    assert stored(app) == []


def test_preview_lists_what_is_missing_but_still_shows(client, post, write_form):
    response = post("/schrijven", {**write_form, "summary": "", "themes": [],
                                   "action": "preview"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Voordat je het kunt insturen" in html
    assert "Schrijf een korte samenvatting" in html and "Kies een hoofdthema" in html
    assert "Zo ziet je advies eruit" in html


def test_the_preview_is_exactly_the_published_page(app, client, post, people, log_in,
                                                   write_form):
    response = post("/schrijven", {**write_form, "action": "save"})
    advice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/mijn-adviezen/{advice_id}").get_data(as_text=True)
    revision = hidden(page, "revision")
    preview = post(f"/mijn-adviezen/{advice_id}", {**FORM, "revision": revision,
                                                   "action": "preview"})
    post(f"/mijn-adviezen/{advice_id}", {**FORM, "revision": revision, "action": "submit"})
    log_in(people.editor)
    review = client.get(f"/redactie/advies/{advice_id}").get_data(as_text=True)
    post(f"/redactie/advies/{advice_id}/publiceren", {"revision": hidden(review, "revision")})
    public = client.get(f"/advies/{advice_id}/luister-naar-jongeren-in-de-pleegzorg")
    assert public.status_code == 200
    assert article(preview.get_data(as_text=True)) == article(public.get_data(as_text=True))


# --------------------------------------------------------------------------- save and submit


def test_saving_a_draft_keeps_it_private_and_listed_as_concept(app, client, post, write_form):
    response = post("/schrijven", {**write_form, "action": "save"})
    assert response.status_code == 303
    (advice,) = stored(app)
    assert response.headers["Location"].endswith(f"/mijn-adviezen/{advice.id}")
    assert advice.status == S.DRAFT
    assert advice.authors == ["Sam"]
    assert "Je concept is bewaard" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    mine = client.get("/mijn-adviezen").get_data(as_text=True)
    assert "Luister naar jongeren in de pleegzorg" in mine and ">concept<" in mine
    assert client.get(f"/advies/{advice.id}").status_code == 404
    assert search_ids(client, "pleegkinderen") == []


def test_a_draft_needs_only_a_title(app, post, write_form):
    response = post("/schrijven", {**write_form, "summary": "", "themes": [], "body": "",
                                   "action": "save"})
    assert response.status_code == 303
    assert stored(app)[0].status == S.DRAFT


def test_submitting_sends_it_to_the_editors(app, client, post, write_form):
    response = post("/schrijven", {**write_form, "action": "submit"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/mijn-adviezen")
    (advice,) = stored(app)
    assert advice.status == S.SUBMITTED
    assert [e.action for e in stored(app, AuditEntry)] == ["create", "submit"]
    html = client.get("/mijn-adviezen").get_data(as_text=True)
    assert "naar de redactie gestuurd" in html and ">ingediend<" in html


def test_the_writer_edits_and_resubmits_after_feedback(app, client, post, people, log_in,
                                                       advice_by):
    advice = advice_by(S.CHANGES_REQUESTED)
    log_in(people.writer)
    mine = client.get("/mijn-adviezen").get_data(as_text=True)
    assert ">wijzigingen gevraagd<" in mine and "Korter graag." in mine
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert "Bericht van de redactie" in page and "Korter graag." in page
    response = post(f"/mijn-adviezen/{advice.id}", {**FORM, "summary": "Korter.",
                                                    "revision": hidden(page, "revision"),
                                                    "action": "submit"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert (advice.status, advice.summary) == (S.SUBMITTED, "Korter.")
    # Once submitted the writer can look but not change.
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert 'name="body"' not in page and "Je advies ligt bij de redactie" in page


def test_the_editors_feedback_is_only_shown_to_the_writer_not_the_public(client, people,
                                                                          advice_by):
    advice = advice_by(S.PUBLISHED)
    assert "Korter graag" not in client.get(f"/advies/{advice.id}/{advice.slug}").get_data(
        as_text=True)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "Geef je advies een titel."),
    ({"title": "x" * 161}, "De titel is te lang"),
    ({"summary": "x" * 301}, "De samenvatting is te lang"),
    ({"summary": ""}, "Schrijf een korte samenvatting"),
    ({"themes": ["pleegzorg", "verzonnen-thema"]}, "Kies de thema’s uit de lijst."),
    ({"themes": []}, "Kies een hoofdthema."),
    ({"region": "x" * 81}, "De regio is te lang"),
    ({"audience": ["iedereen"]}, "Kies uit de lijst voor wie je advies is."),
    ({"display_name": "Kim"}, "Kies een naam uit de lijst."),
    ({"body": "## Wat we zien\n\n## Waarom\n"}, "Je hebt nog geen tekst geschreven."),
])
def test_bad_input_gets_a_dutch_message_400_the_text_kept_and_nothing_stored(
        app, post, write_form, changes, message):
    data = {**write_form, **changes, "action": "submit"}
    response = post("/schrijven", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and message in html
    assert data["body"].strip() in html  # the text is kept
    if changes.get("title"):
        assert f'value="{changes["title"]}"' in html
    assert stored(app) == [] and stored(app, AuditEntry) == []


def test_a_body_over_100_kb_gets_413_with_the_text_kept(app, post, write_form):
    body = "## Wat we zien\n\n" + "Een zin die blijft. " * (MAX_BODY_BYTES // 19) + "EINDE\n"
    for action in ("save", "submit", "preview"):
        response = post("/schrijven", {**write_form, "body": body, "action": action})
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "Je tekst is te lang: meer dan 100 kB" in html
        assert "Een zin die blijft. EINDE" in html
    assert stored(app) == []


def test_a_request_over_the_global_limit_gets_the_dutch_413_page(app, post, write_form):
    response = post("/schrijven", {**write_form, "body": "x" * 1_100_000, "action": "save"})
    assert response.status_code == 413
    assert "Dit is te veel in één keer" in response.get_data(as_text=True)


def test_hostile_html_in_every_field_is_shown_as_text(app, client, post, write_form):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = {**write_form, "title": "Titel " + attack, "summary": attack, "region": attack,
            "body": f"## Wat we zien\n\n{attack}\n\n[klik](javascript:alert(1))\n"}
    response = post("/schrijven", {**data, "action": "preview"})
    html = response.get_data(as_text=True).replace(OWN_SCRIPT, "")
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    response = post("/schrijven", {**data, "region": "", "action": "save"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True).replace(OWN_SCRIPT, "")
    assert "<script" not in page and "&lt;script&gt;" in page


def test_a_form_without_its_revision_is_a_bad_request(client, post, writer, advice_by):
    advice = advice_by(S.DRAFT)
    response = post(f"/mijn-adviezen/{advice.id}", {**FORM, "action": "save"})
    assert response.status_code == 400


# --------------------------------------------------------------------------- double submit


def test_the_same_write_form_sent_twice_stores_one_advice(app, post, write_form):
    first = post("/schrijven", {**write_form, "action": "save"})
    second = post("/schrijven", {**write_form, "action": "save"})
    assert first.status_code == 303
    assert second.status_code == 409
    assert "Dit is al gedaan" in second.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_a_double_click_on_submit_gives_a_friendly_409_and_one_revision(app, client, post,
                                                                        writer, advice_by):
    advice = advice_by(S.DRAFT)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    data = {**FORM, "revision": hidden(page, "revision"), "action": "submit"}
    assert post(f"/mijn-adviezen/{advice.id}", data).status_code == 303
    second = post(f"/mijn-adviezen/{advice.id}", data)
    assert second.status_code == 409
    assert "Dit is al gedaan" in second.get_data(as_text=True)
    assert len(stored(app, Revision)) == 2


def test_a_double_click_on_save_writes_one_revision_and_no_conflict(app, client, post, writer,
                                                                    advice_by):
    advice = advice_by(S.DRAFT)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    data = {**FORM, "title": "Nieuwe titel", "revision": hidden(page, "revision"),
            "action": "save"}
    assert post(f"/mijn-adviezen/{advice.id}", data).status_code == 303
    assert post(f"/mijn-adviezen/{advice.id}", data).status_code == 303
    assert len(stored(app, Revision)) == 2


def test_two_windows_with_different_text_get_the_conflict_page(app, client, post, writer,
                                                               advice_by):
    advice = advice_by(S.DRAFT)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    revision = hidden(page, "revision")
    post(f"/mijn-adviezen/{advice.id}", {**FORM, "body": "Uit venster een.\n",
                                         "revision": revision, "action": "save"})
    response = post(f"/mijn-adviezen/{advice.id}", {**FORM, "body": "Uit venster twee.\n",
                                                    "revision": revision, "action": "save"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Jouw versie" in html and "jezelf, in een ander venster" in html
    assert "Uit venster een." in html and "Uit venster twee." in html


# --------------------------------------------------------------------------- whose advice


def test_someone_elses_advice_is_not_found(client, post, people, log_in, advice_by):
    advice = advice_by(S.DRAFT)
    published = advice_by(S.PUBLISHED, title="Een ander advies")
    for user in (people.other, people.editor, people.admin):
        log_in(user)
        assert client.get(f"/mijn-adviezen/{advice.id}").status_code == 404
        assert post(f"/mijn-adviezen/{advice.id}", {**FORM, "revision": "1",
                                                    "action": "save"}).status_code == 404
        assert post(f"/mijn-adviezen/{published.id}/intrekken").status_code == 404
        assert "Luister naar" not in client.get("/mijn-adviezen").get_data(as_text=True)


def test_published_advice_is_read_only_for_its_writer(client, post, writer, advice_by):
    advice = advice_by(S.PUBLISHED)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert 'name="body"' not in page
    assert "Vraag het de redactie" in page
    response = post(f"/mijn-adviezen/{advice.id}", {**FORM, "revision": str(advice.revision),
                                                    "action": "save"})
    assert response.status_code == 409


# --------------------------------------------------------------------------- withdrawal


def test_the_writer_withdraws_their_published_advice_with_one_click(app, client, post, people,
                                                                    log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    assert search_ids(client, "pleegkinderen") == [advice.id]
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert "Haal mijn advies van de website" in page
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"revision": hidden(page, "revision")})
    assert response.status_code == 303
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 410
    assert search_ids(client, "pleegkinderen") == []
    assert ">ingetrokken<" in client.get("/mijn-adviezen").get_data(as_text=True)
    log_in(people.editor)
    queue = client.get("/redactie").get_data(as_text=True)
    assert "ingetrokken door de schrijver" in queue


def test_a_withdrawal_reason_is_optional_but_not_endless(app, client, post, writer, advice_by):
    advice = advice_by(S.PUBLISHED)
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"revision": str(advice.revision), "reason": "x" * 501})
    assert response.status_code == 400
    assert "De reden is te lang" in response.get_data(as_text=True)
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"revision": str(advice.revision), "reason": "Het klopt niet meer."})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).revisions[-1].note == "Het klopt niet meer."
