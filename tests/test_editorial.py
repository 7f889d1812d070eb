"""The editors' pages: the whole story from writing to withdrawal, the queue and its diffs,
review actions, editing with conflicts, history and restoring revisions, renames and the feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import html5lib
from sqlmodel import select

from kb.db import session_scope
from kb.models import Advice, AuditEntry, Revision, Role
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, article, hidden, search_ids

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_html(data: bytes):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)


def revision_of(client, advice_id: int) -> str:
    return hidden(client.get(f"/redactie/advies/{advice_id}").get_data(as_text=True),
                  "revision")


def feed_titles(client) -> list[str]:
    root = ET.fromstring(client.get("/feed.xml").data)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


# --------------------------------------------------------------------------- the whole story


def test_the_whole_story_from_writing_to_withdrawal(app, client, post, people, log_in):
    # A writer writes, previews (privacy and readability shown), saves and submits.
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    form = {**FORM, "form_id": hidden(page, "form_id"),
            "body": FORM["body"] + "\nMijn begeleider Joris zei het ook.\n"}
    preview = post("/schrijven", {**form, "action": "preview"}).get_data(as_text=True)
    assert "Privacycheck" in preview and "<mark>Joris</mark>" in preview
    assert "Hoe makkelijk is je tekst te lezen?" in preview and "leesscore" in preview
    saved = post("/schrijven", {**form, "action": "save"})
    advice_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/mijn-adviezen/{advice_id}").get_data(as_text=True)
    assert post(f"/mijn-adviezen/{advice_id}", {**form, "revision": hidden(page, "revision"),
                                                "action": "submit"}).status_code == 303

    # The editor sees it in the queue, reviews it (privacy hints too) and asks for changes.
    log_in(people.editor)
    queue = client.get("/redactie").get_data(as_text=True)
    assert f"/redactie/advies/{advice_id}" in queue and "Eerste versie" in queue
    review = client.get(f"/redactie/advies/{advice_id}").get_data(as_text=True)
    assert "<mark>Joris</mark>" in review and "leesscore" in review
    response = post(f"/redactie/advies/{advice_id}/wijzigingen-vragen",
                    {"note": "Laat de naam van je begeleider weg.",
                     "revision": hidden(review, "revision")})
    assert response.status_code == 303

    # The writer sees the feedback, edits and resubmits.
    log_in(people.writer)
    assert "Laat de naam van je begeleider weg." in client.get("/mijn-adviezen").get_data(
        as_text=True)
    page = client.get(f"/mijn-adviezen/{advice_id}").get_data(as_text=True)
    assert "Laat de naam van je begeleider weg." in page
    post(f"/mijn-adviezen/{advice_id}", {**FORM, "revision": hidden(page, "revision"),
                                         "action": "submit"})

    # The editor sees exactly what changed, and publishes: searchable at once, in the feed.
    log_in(people.editor)
    queue = client.get("/redactie").get_data(as_text=True)
    assert "<del>Mijn begeleider Joris zei het ook.</del>" in queue
    assert search_ids(client, "pleegkinderen") == []
    post(f"/redactie/advies/{advice_id}/publiceren",
         {"revision": revision_of(client, advice_id)})
    assert search_ids(client, "pleegkinderen") == [advice_id]
    url = f"/advies/{advice_id}/luister-naar-jongeren-in-de-pleegzorg"
    assert client.get(url).status_code == 200
    assert feed_titles(client) == [FORM["title"]]

    # The editor withdraws it: 410, gone from search and feed; and restores it.
    post(f"/redactie/advies/{advice_id}/intrekken",
         {"reason": "Even offline.", "revision": revision_of(client, advice_id)})
    assert client.get(url).status_code == 410
    assert "Dit advies is ingetrokken" in client.get(url).get_data(as_text=True)
    assert search_ids(client, "pleegkinderen") == []
    assert feed_titles(client) == []
    post(f"/redactie/advies/{advice_id}/terugzetten",
         {"revision": revision_of(client, advice_id)})
    assert client.get(url).status_code == 200
    assert search_ids(client, "pleegkinderen") == [advice_id]

    with app.app_context(), session_scope() as session:
        actions = session.exec(select(AuditEntry.action).where(
            AuditEntry.advice_id == advice_id).order_by(AuditEntry.id)).all()
    assert actions == ["create", "submit", "request_changes", "submit", "publish", "withdraw",
                       "restore"]


# --------------------------------------------------------------------------- queue and review


def test_the_queue_lists_submitted_advice_oldest_first(client, people, log_in, advice_by):
    first = advice_by(S.SUBMITTED, title="Het oudste advies")
    second = advice_by(S.SUBMITTED, title="Het nieuwste advies")
    advice_by(S.DRAFT, title="Een geheim concept")
    advice_by(S.CHANGES_REQUESTED, title="Terug bij de schrijver")
    log_in(people.editor)
    response = client.get("/redactie")
    assert response.status_code == 200
    parse_html(response.data)
    html = response.get_data(as_text=True)
    assert html.index(first.title) < html.index(second.title)
    assert "Een geheim concept" not in html
    assert "Terug bij de schrijver" in html


def test_the_queue_searches_published_and_withdrawn_by_title(client, people, log_in,
                                                             advice_by):
    advice_by(S.PUBLISHED, title="Over wonen na je achttiende")
    advice_by(S.WITHDRAWN, title="Over school")
    log_in(people.editor)
    html = client.get("/redactie?q=wonen").get_data(as_text=True)
    assert "Over wonen na je achttiende" in html and "Over school" not in html
    html = client.get("/redactie?q=100%").get_data(as_text=True)
    assert "Geen adviezen gevonden" in html


def test_the_review_page_shows_preview_diff_privacy_reading_and_actions(client, people,
                                                                        log_in, advice_by):
    advice = advice_by(S.SUBMITTED,
                       body="## Wat we zien\n\nIk woonde in Nijkerk bij een pleeggezin.\n")
    log_in(people.editor)
    response = client.get(f"/redactie/advies/{advice.id}")
    assert response.status_code == 200
    parse_html(response.data)
    html = response.get_data(as_text=True)
    assert "Zo ziet het advies eruit" in html and "<h1>" in article(html)
    assert "<mark>Nijkerk</mark>" in html
    assert "leesscore" in html
    for action in ("Publiceer", "Vraag om wijzigingen", "Verander het webadres", "Bewerken",
                   "Geschiedenis"):
        assert action in html
    assert "Trek dit advies in" not in html  # only for published advice
    assert "schrijverlogin" not in html  # people are named by display name only


def test_drafts_stay_private_to_their_writer(client, people, log_in, advice_by):
    advice = advice_by(S.DRAFT)
    log_in(people.editor)
    for url in (f"/redactie/advies/{advice.id}", f"/redactie/advies/{advice.id}/bewerken",
                f"/redactie/advies/{advice.id}/geschiedenis"):
        assert client.get(url).status_code == 404


def test_asking_for_changes_needs_a_note_and_keeps_what_was_typed(client, post, people,
                                                                  log_in, advice_by):
    advice = advice_by(S.SUBMITTED)
    log_in(people.editor)
    revision = revision_of(client, advice.id)
    response = post(f"/redactie/advies/{advice.id}/wijzigingen-vragen",
                    {"note": "", "revision": revision})
    assert response.status_code == 400
    assert "Schrijf wat de schrijver kan veranderen." in response.get_data(as_text=True)
    response = post(f"/redactie/advies/{advice.id}/wijzigingen-vragen",
                    {"note": "<b>te lang</b> " * 60, "revision": revision})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Je bericht is te lang" in html and "&lt;b&gt;te lang&lt;/b&gt;" in html


def test_a_second_publish_click_is_a_friendly_409(client, post, people, log_in, advice_by):
    advice = advice_by(S.SUBMITTED)
    log_in(people.editor)
    revision = revision_of(client, advice.id)
    assert post(f"/redactie/advies/{advice.id}/publiceren",
                {"revision": revision}).status_code == 303
    second = post(f"/redactie/advies/{advice.id}/publiceren", {"revision": revision})
    assert second.status_code == 409
    assert "Dit is al gedaan" in second.get_data(as_text=True)


def test_publishing_a_version_the_editor_has_not_seen_is_refused(client, post, people, log_in,
                                                                 advice_by):
    advice = advice_by(S.SUBMITTED)
    log_in(people.editor)
    stale = revision_of(client, advice.id)
    log_in(people.admin)
    post(f"/redactie/advies/{advice.id}/bewerken", {**FORM, "title": "Nieuwe titel",
                                                    "revision": stale, "action": "save"})
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/publiceren", {"revision": stale})
    assert response.status_code == 409
    assert "Het advies is intussen veranderd" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- editing


def test_the_edit_preview_is_exactly_the_published_page(client, post, people, log_in,
                                                        advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    preview = post(f"/redactie/advies/{advice.id}/bewerken",
                   {**FORM, "revision": hidden(page, "revision"), "action": "preview"})
    public = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert article(preview.get_data(as_text=True)) == article(public.get_data(as_text=True))


def test_an_edit_of_published_advice_is_searchable_at_once(client, post, people, log_in,
                                                           advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    response = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": "## Wat we zien\n\nOok voogden moeten luisteren.\n",
        "revision": hidden(page, "revision"), "note": "Voogden toegevoegd.", "action": "save"})
    assert response.status_code == 303
    assert search_ids(client, "voogden") == [advice.id]


def test_two_editors_editing_at_once_get_both_versions_side_by_side(app, client, post, people,
                                                                    log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    revision = hidden(client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(
        as_text=True), "revision")
    log_in(people.admin)
    first = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": "De tekst van de beheerder.\n", "revision": revision,
        "action": "save"})
    assert first.status_code == 303
    log_in(people.editor)
    second = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": "De tekst van Eva.\n", "revision": revision, "action": "save"})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Jouw versie" in html and "De versie van Beheer" in html
    assert "De tekst van de beheerder." in html and "De tekst van Eva." in html
    assert hidden(html, "revision") == str(int(revision) + 1)
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).body == "De tekst van de beheerder.\n"
    # Saving from the conflict page keeps both: Eva's text now, Beheer's in the history.
    third = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": "De tekst van Eva.\n", "revision": hidden(html, "revision"),
        "action": "save"})
    assert third.status_code == 303
    with app.app_context(), session_scope() as session:
        bodies = [r.content["body"] for r in session.exec(
            select(Revision).where(Revision.advice_id == advice.id)).all()]
    assert bodies[-2:] == ["De tekst van de beheerder.\n", "De tekst van Eva.\n"]


def test_editing_keeps_the_text_on_bad_input(client, post, people, log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "title": "", "body": "Mijn bewerking.\n", "revision": str(advice.revision),
        "action": "save"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Geef je advies een titel." in html and "Mijn bewerking." in html


def test_editing_while_the_writer_holds_the_pen_is_refused(client, people, log_in, advice_by):
    advice = advice_by(S.CHANGES_REQUESTED)
    log_in(people.editor)
    assert client.get(f"/redactie/advies/{advice.id}/bewerken").status_code == 409


# --------------------------------------------------------------------------- renames


def test_a_rename_makes_the_old_url_redirect(client, post, people, log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/webadres",
                    {"slug": "luisteren-werkt", "revision": str(advice.revision)})
    assert response.status_code == 303
    old = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(f"/advies/{advice.id}/luisteren-werkt")


def test_a_bad_slug_is_refused_and_kept_in_the_form(client, post, people, log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    advice_by(S.PUBLISHED, title="Bezet")
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/webadres",
                    {"slug": "Niet <goed>", "revision": str(advice.revision)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Gebruik alleen kleine letters" in html and 'value="Niet &lt;goed&gt;"' in html
    response = post(f"/redactie/advies/{advice.id}/webadres",
                    {"slug": "bezet", "revision": str(advice.revision)})
    assert response.status_code == 400
    assert "hoort al bij een ander advies" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- history


def test_the_history_shows_every_revision_with_who_when_note_and_diff(client, post, people,
                                                                      log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "title": "Een betere titel", "revision": str(advice.revision),
        "note": "Titel verbeterd.", "action": "save"})
    response = client.get(f"/redactie/advies/{advice.id}/geschiedenis")
    assert response.status_code == 200
    parse_html(response.data)
    html = response.get_data(as_text=True)
    for number in range(1, advice.revision + 2):
        assert f"Versie {number}" in html
    assert "Titel verbeterd." in html
    assert "Sam (schrijver)" in html and "Eva" in html
    assert "<del><span class=\"visually-hidden\">Was: </span>Luister naar jongeren" in html
    assert "<ins><span class=\"visually-hidden\">Nu: </span>Een betere titel</ins>" in html
    for secret in ("schrijverlogin", "redacteurlogin", "@"):
        assert secret not in html
    assert html.count("Zet deze versie terug") == advice.revision  # all but the current one


def test_restoring_a_revision_adds_a_new_one(app, client, post, people, log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "title": "Een betere titel", "revision": str(advice.revision),
        "action": "save"})
    current = advice.revision + 1
    response = post(f"/redactie/advies/{advice.id}/geschiedenis/1/terugzetten",
                    {"revision": str(current)})
    assert response.status_code == 303
    assert f"teruggezet als nieuwe versie {current + 1}" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    with app.app_context(), session_scope() as session:
        restored = session.get(Advice, advice.id)
        assert (restored.revision, restored.title) == (current + 1, FORM["title"])
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 200
    assert post(f"/redactie/advies/{advice.id}/geschiedenis/99/terugzetten",
                {"revision": str(current + 1)}).status_code == 404


def test_hostile_text_is_escaped_in_diffs(client, post, people, log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": "<script>alert(1)</script>\n", "revision": str(advice.revision),
        "action": "save"})
    for url in (f"/redactie/advies/{advice.id}", f"/redactie/advies/{advice.id}/geschiedenis"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --------------------------------------------------------------------------- the feed


def test_the_feed_lists_published_advice_newest_first_without_account_data(client, people,
                                                                           advice_by):
    advice_by(S.DRAFT, title="Concept")
    advice_by(S.SUBMITTED, title="Ingediend")
    advice_by(S.PUBLISHED, title="Eerste advies")
    advice_by(S.PUBLISHED, title="Tweede advies")
    advice_by(S.WITHDRAWN, title="Ingetrokken advies")
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    entries = list(root.iter(f"{ATOM}entry"))
    assert {e.find(f"{ATOM}title").text for e in entries} == {"Eerste advies", "Tweede advies"}
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Sam"
    link = entries[0].find(f"{ATOM}link").get("href")
    assert re.match(r"http://kennisbank\.test/advies/\d+/\S+", link)
    body = response.get_data(as_text=True)
    for secret in ("schrijverlogin", "redacteurlogin", "owner", "Verouderd"):
        assert secret not in body


def test_every_page_links_to_the_feed(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feed.xml"' in html


def test_the_feed_holds_the_newest_thirty(client, make_advice):
    for _ in range(32):
        make_advice()
    root = ET.fromstring(client.get("/feed.xml").data)
    assert len(list(root.iter(f"{ATOM}entry"))) == 30


def test_admins_may_do_what_editors_do(client, post, people, log_in, advice_by):
    advice = advice_by(S.SUBMITTED)
    log_in(people.admin)
    assert client.get("/redactie").status_code == 200
    assert post(f"/redactie/advies/{advice.id}/publiceren",
                {"revision": str(advice.revision)}).status_code == 303
    assert people.admin.role == Role.ADMIN


def test_imported_advice_keeps_its_authors_when_an_editor_edits_it(app, client, post, people,
                                                                   log_in, make_advice):
    advice = make_advice(authors=("ExpEx Flevoland", "ExpEx Utrecht"))
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    assert '<option value="ExpEx Flevoland, ExpEx Utrecht" selected>' in page
    history = client.get(f"/redactie/advies/{advice.id}/geschiedenis").get_data(as_text=True)
    assert "geïmporteerd" in history
    response = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "display_name": "ExpEx Flevoland, ExpEx Utrecht",
        "revision": hidden(page, "revision"), "action": "save"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).authors == ["ExpEx Flevoland", "ExpEx Utrecht"]
