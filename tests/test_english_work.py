"""The writers' and editors' pages in English (issue 15): with ``kb_lang=en`` no Dutch UI text
is left on any work page, a message after a step is English, and the writers' own text keeps
its Dutch ``lang``. The Dutch pages are checked, unchanged, by their own test files.

The advice used here has a Dutch title, summary and body full of words that
:func:`english_pages.dutch_left` looks for ("naar", "niet", "wat", "je"): they pass only
because every place that shows them marks them ``lang="nl"``. Only the page's ``<title>``
cannot mark a part of itself, so these tests give the advice a title without such words and
one test checks that a title with them is marked wherever it is in the page body.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from english_pages import dutch_left

from kb import consent, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, User
from kb.web.i18n import COOKIE
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden

TITLE = "Luister eerst, beslis daarna"
PHONE = "06-12345678"
#: Dutch content with the words dutch_left looks for; a phone number and a hard sentence for
#: the privacy check and the B1 aid.
BODY = ("## Wat we zien\n\nPleegkinderen worden vaak niet gehoord. Mijn voogd belde me nooit "
        f"terug op {PHONE}.\n\n## Wat we adviseren\n\nVraag het ze zelf, en neem de tijd "
        "voor een gesprek waarin de jongere vertelt wat er in het dagelijks leven van de "
        "leefgroep allemaal misgaat en wat er volgens haar zou moeten veranderen.\n\n"
        "## Waarom\n\nZij weten het best.\n")
ENGLISH_FORM = {**FORM, "title": TITLE, "body": BODY}


@pytest.fixture
def english(client):
    """The client with the English interface chosen (the switch's cookie)."""
    client.set_cookie(COOKIE, "en", domain="kennisbank.test")
    return client


def english_page(response, status: int = 200) -> str:
    """The page's HTML after checking its status, its language and that no Dutch UI is left."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    left = dutch_left(html)
    assert left == [], left
    return html


def no_dutch(html: str) -> bool:
    return not dutch_left(html)


def text_of(html: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


# --------------------------------------------------------------------------- the writer


def test_the_empty_write_page_is_english(english, people, log_in):
    log_in(people.writer)
    html = english_page(english.get("/schrijven"))
    text = text_of(html)
    for words in ("Write advice", "Main theme", "How to write advice", "Save as draft",
                  "Send to the editors", "Preview", "Name on your advice"):
        assert words in text
    # The body template and the theme names are content: Dutch, and marked so.
    assert re.search(r'<textarea id="veld-body"[^>]* lang="nl">## Wat we zien', html)
    assert re.search(r'<label for="veld-themes-pleegzorg" lang="nl">', html)
    # "anoniem" is the form value; the writer reads "anonymous".
    assert '<option value="anoniem">anonymous</option>' in html


def test_the_autosave_messages_come_from_the_form_in_english(english, people, log_in):
    log_in(people.writer)
    html = english_page(english.get("/schrijven"))
    assert 'data-autosave-saved="Draft saved at {time}"' in html
    assert 'data-autosave-offline="Not saved automatically. Perhaps you are logged out' in html
    script = english.get("/static/js/autosave.js").get_data(as_text=True)
    assert 'text("saved"' in script and 'getAttribute("data-autosave-" + name)' in script


def test_the_write_page_with_errors_is_english(english, people, log_in, post):
    log_in(people.writer)
    page = english.get("/schrijven").get_data(as_text=True)
    response = post("/schrijven", {**ENGLISH_FORM, "title": "", "summary": "x" * 400,
                                   "form_id": hidden(page, "form_id"), "action": "submit"})
    html = english_page(response, 400)
    text = text_of(html)
    assert "Not everything is right yet" in text
    assert "Title: Give your advice a title." in text
    assert "The summary is too long. Use no more than 300 characters." in text
    assert "Error:" in text


def test_the_preview_with_privacy_hints_and_the_reading_aid_is_english(english, people,
                                                                       log_in, post):
    log_in(people.writer)
    page = english.get("/schrijven").get_data(as_text=True)
    response = post("/schrijven", {**ENGLISH_FORM, "form_id": hidden(page, "form_id"),
                                   "action": "preview"})
    html = english_page(response)
    text = text_of(html)
    assert "Privacy check" in text
    assert "A phone number: anyone can call or find someone with this." in text
    assert f'<mark lang="nl">{PHONE}</mark>' in html
    assert "How easy is your text to read?" in text
    assert re.search(r"reading score \d+", text)
    assert "These sentences are the hardest" in text
    assert re.search(r"\d+\.\d on average", text)  # an English decimal point
    assert "This is how your advice looks" in text


def test_my_advice_and_the_view_of_a_submitted_advice_are_english(english, people, log_in,
                                                                  advice_by):
    submitted = advice_by(S.SUBMITTED, **ENGLISH_FORM)
    advice_by(S.CHANGES_REQUESTED, **{**ENGLISH_FORM, "title": "Een tweede"})
    advice_by(S.DRAFT, **{**ENGLISH_FORM, "title": "Een derde"})
    log_in(people.writer)
    text = text_of(english_page(english.get("/mijn-adviezen")))
    for words in ("My advice", "Write new advice", "submitted", "changes requested", "draft",
                  "The editors ask you to change something.", "Message from the editors",
                  "Continue writing", "Change your advice"):
        assert words in text
    text = text_of(english_page(english.get(f"/mijn-adviezen/{submitted.id}")))
    assert "Your advice is with the editors. You cannot change it now." in text


def test_a_published_advice_the_writer_may_withdraw_is_english(english, people, log_in,
                                                               advice_by, post):
    advice = advice_by(S.PUBLISHED, **ENGLISH_FORM)
    log_in(people.writer)
    html = english_page(english.get(f"/mijn-adviezen/{advice.id}"))
    assert "Take my advice off the website" in html
    response = post(f"/mijn-adviezen/{advice.id}/intrekken",
                    {"revision": hidden(html, "revision"), "reason": "x" * 600})
    assert "The reason is too long." in text_of(english_page(response, 400))


def test_the_conflict_page_is_english(english, people, log_in, post, advice_by):
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    log_in(people.writer)
    page = english.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    revision = hidden(page, "revision")
    post(f"/mijn-adviezen/{advice.id}", {**ENGLISH_FORM, "body": "Uit venster een, niet twee.\n",
                                         "revision": revision, "action": "save"})
    response = post(f"/mijn-adviezen/{advice.id}", {
        **ENGLISH_FORM, "body": "Uit venster twee, niet een.\n", "revision": revision,
        "action": "save"})
    text = text_of(english_page(response, 409))
    assert "This advice has changed in the meantime" in text
    assert "a newer version was saved by yourself, in another window" in text
    assert "Your version" in text and "Error code 409" in text


def test_the_kept_text_page_after_a_refused_token_is_english(english, people, log_in):
    log_in(people.writer)
    page = english.get("/schrijven").get_data(as_text=True)
    response = english.post("/schrijven", data={**ENGLISH_FORM, "action": "save",
                                                "form_id": hidden(page, "form_id"),
                                                "csrf_token": "een-oud-token"})
    text = text_of(english_page(response, 400))
    assert "Your text has not been saved yet, but it is not lost." in text
    assert "Vraag het ze zelf" in text  # the writer's text is back


def test_the_redact_page_and_its_steps_are_english(app, english, people, log_in, post,
                                                   advice_by):
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        workflow.save_draft(session, people.writer, advice,
                            AdviceForm(**{**ENGLISH_FORM, "body": "Zonder nummer.\n"}),
                            advice.revision)
    log_in(people.writer)
    url = f"/mijn-adviezen/{advice.id}/wissen"
    text = text_of(english_page(english.get(url)))
    assert "Remove text from the history" in text and "It is replaced by [verwijderd]." in text
    html = english_page(post(url, {"passage": PHONE, "step": "check"}))
    assert f"“{PHONE}” is in 1 version: 1." in text_of(html)
    assert "Write at least 3 characters" in text_of(
        english_page(post(url, {"passage": "x", "step": "check"}), 400))
    done = post(url, {"passage": PHONE, "step": "confirm"})
    assert done.status_code == 303
    html = english_page(english.get(done.headers["Location"]))
    assert ('The text was removed from 1 version. Everywhere it now says '
            '<span lang="nl">[verwijderd]</span>.') in html


@pytest.mark.parametrize("step", ["save", "submit"])
def test_a_message_after_a_writers_step_is_english(english, people, log_in, post, step):
    log_in(people.writer)
    page = english.get("/schrijven").get_data(as_text=True)
    response = post("/schrijven", {**ENGLISH_FORM, "form_id": hidden(page, "form_id"),
                                   "action": step})
    assert response.status_code == 303
    text = text_of(english_page(english.get(response.headers["Location"])))
    assert {"save": "Your draft has been saved. Only you can see it.",
            "submit": "Your advice has been sent to the editors."}[step] in text


def test_a_double_submit_gives_the_state_error_page_in_english(english, people, log_in, post,
                                                               advice_by):
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    log_in(people.writer)
    page = english.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    data = {**ENGLISH_FORM, "revision": hidden(page, "revision"), "action": "submit"}
    assert post(f"/mijn-adviezen/{advice.id}", data).status_code == 303
    text = text_of(english_page(post(f"/mijn-adviezen/{advice.id}", data), 409))
    assert "This has already been done" in text and "To my advice" in text


# --------------------------------------------------------------------------- the editors


def test_the_editorial_queue_is_english(app, english, people, log_in, post, advice_by):
    again = advice_by(S.CHANGES_REQUESTED, **ENGLISH_FORM)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, again.id)
        workflow.submit(session, people.writer, advice, advice.revision,
                        AdviceForm(**{**ENGLISH_FORM, "summary": "Korter, en niet te lang."}))
    advice_by(S.SUBMITTED, **{**ENGLISH_FORM, "title": "Een nieuwe"})
    advice_by(S.PUBLISHED, **{**ENGLISH_FORM, "title": "Een oude"})
    log_in(people.editor)
    text = text_of(english_page(english.get("/redactie")))
    for words in ("Advice waiting for you", "Submitted (2)", "First version:",
                  "What has changed since version", "Published (1)", "Withdrawn (0)",
                  "Search by title", "No advice found."):
        assert words in text


def test_the_review_page_with_a_diff_and_an_earlier_versions_privacy_warning_is_english(
        app, english, people, log_in, advice_by):
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        without = {**ENGLISH_FORM, "body": "Zonder nummer, niet meer.\n"}
        workflow.submit(session, people.writer, advice, advice.revision, AdviceForm(**without))
        workflow.request_changes(session, people.editor, advice, "Wat korter graag.")
        workflow.submit(session, people.writer, advice, advice.revision,
                        AdviceForm(**{**without, "body": "Zonder nummer, nu korter.\n"}))
    log_in(people.editor)
    html = english_page(english.get(f"/redactie/advies/{advice.id}"))
    text = text_of(html)
    assert "Version 1 still contains a phone number — remove it from the history." in text
    assert "What has changed?" in text and "Compared with version 3 (changes requested, " in text
    assert "[removed: " in text and "[added: " in text  # the word diff, read out in English
    assert '<del><span class="visually-hidden">[removed: </span><span lang="nl">' in html
    for action in ("Publish", "Ask for changes", "Change the web address", "Edit", "History"):
        assert action in text


def test_editing_history_and_the_confirmation_pages_are_english(english, people, log_in, post,
                                                                advice_by):
    advice = advice_by(S.PUBLISHED, **ENGLISH_FORM)
    log_in(people.editor)
    html = english_page(english.get(f"/redactie/advies/{advice.id}/bewerken"))
    assert "Edit the advice" in text_of(html) and "What has changed, in one sentence" in html
    revision = hidden(html, "revision")
    preview = post(f"/redactie/advies/{advice.id}/bewerken",
                   {**ENGLISH_FORM, "revision": revision, "action": "preview"})
    assert "This is how the advice looks" in text_of(english_page(preview))
    saved = post(f"/redactie/advies/{advice.id}/bewerken",
                 {**ENGLISH_FORM, "summary": "Nieuw en korter.", "revision": revision,
                  "note": "Samenvatting korter gemaakt.", "action": "save"})
    assert saved.status_code == 303
    assert "Your changes have been saved." in text_of(
        english_page(english.get(saved.headers["Location"])))
    text = text_of(english_page(english.get(f"/redactie/advies/{advice.id}/geschiedenis")))
    assert "History of “" in text and "(now)" in text and "What the first version said" in text
    page = post(f"/redactie/advies/{advice.id}/intrekken",
                {"revision": str(advice.revision + 1), "step": "check",
                 "reason": "Niet meer actueel."})
    html = english_page(page)
    assert "Do you want to withdraw this advice?" in text_of(html)
    assert 'Reason: <span lang="nl">Niet meer actueel.</span>' in html


def test_the_publish_confirmation_and_its_message_are_english(english, people, log_in, post,
                                                              advice_by):
    advice = advice_by(S.SUBMITTED, **ENGLISH_FORM)
    log_in(people.editor)
    page = post(f"/redactie/advies/{advice.id}/publiceren",
                {"revision": str(advice.revision), "step": "check"})
    assert "Do you want to publish this advice?" in text_of(english_page(page))
    done = post(f"/redactie/advies/{advice.id}/publiceren", {"revision": str(advice.revision)})
    assert done.status_code == 303
    text = text_of(english_page(english.get(done.headers["Location"])))
    assert "The advice is now on the website and can be found by searching." in text


def test_restoring_an_old_version_says_so_in_english(english, people, log_in, post, advice_by):
    advice = advice_by(S.PUBLISHED, **ENGLISH_FORM)
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/geschiedenis/1/terugzetten",
                    {"revision": str(advice.revision)})
    assert response.status_code == 303
    text = text_of(english_page(english.get(response.headers["Location"])))
    assert "Version 1 " in text and ("has been put back as new version" in text
                                     or "is the same as the current version" in text)


def test_a_refused_restore_is_explained_in_english(english, people, log_in, post, advice_by):
    advice = advice_by(S.PUBLISHED, **ENGLISH_FORM)
    log_in(people.writer)
    page = english.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    assert post(f"/mijn-adviezen/{advice.id}/intrekken",
                {"revision": hidden(page, "revision")}).status_code == 303
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/terugzetten",
                    {"revision": str(advice.revision + 1)})
    text = text_of(english_page(response, 403))
    assert "Only the writer can put this back" in text and "“My advice”" in text


def test_a_dutch_title_is_marked_dutch_wherever_the_work_pages_show_it(english, people, log_in,
                                                                       advice_by):
    title = "Luister naar jongeren, niet over ze"
    advice = advice_by(S.SUBMITTED, **{**ENGLISH_FORM, "title": title})
    log_in(people.editor)
    for url in ("/redactie", f"/redactie/advies/{advice.id}"):
        html = english.get(url).get_data(as_text=True)
        body = html[html.index("<body"):]
        assert title in body
        assert no_dutch(body)  # only the <title> in <head> holds it unmarked
    log_in(people.writer)
    html = english.get("/mijn-adviezen").get_data(as_text=True)
    assert no_dutch(html[html.index("<body"):])


def test_the_dutch_work_pages_carry_no_extra_lang_attributes(client, people, log_in, advice_by):
    """Content in Dutch on a Dutch page needs no lang of its own: the pages stay as they were."""
    advice = advice_by(S.SUBMITTED, **ENGLISH_FORM)
    log_in(people.editor)
    html = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert f"<h1>{TITLE}</h1>" in html
    assert ' lang="nl"' not in html.replace('<html lang="nl">', "")


def test_a_writer_under_16_is_told_about_consent_in_english(app, english, people, log_in, post):
    with app.app_context(), session_scope() as session:
        consent.mark_under_16(session, session.get(User, people.writer.id))
    log_in(people.writer)
    text = text_of(english_page(english.get("/schrijven")))
    assert "First, permission from your parent or guardian" in text
    assert "Send to the editors" not in text  # no send button until the consent is recorded
    page = english.get("/schrijven").get_data(as_text=True)
    preview = post("/schrijven", {**ENGLISH_FORM, "form_id": hidden(page, "form_id"),
                                  "action": "preview"})
    assert "You are under 16. So the check names every place" in text_of(english_page(preview))
    sent = post("/schrijven", {**ENGLISH_FORM, "form_id": hidden(page, "form_id"),
                               "action": "submit"})
    assert sent.status_code == 303
    text = text_of(english_page(english.get(sent.headers["Location"])))
    assert "Your advice has been saved as a draft. You are under 16" in text
