"""The rest of issue 15's interface in English: co-writing (the writers' page, the invitations
on "Mijn adviezen", the messages after each step) and the accessibility statement.

With ``kb_lang=en`` no Dutch UI text is left (:func:`english_pages.dutch_left`); the writers'
own text (a title) keeps ``lang="nl"``; names people chose are shown as they chose them. The
Dutch pages are checked, unchanged, by ``test_cowriting.py`` and
``test_accessibility_statement.py``; the last tests here check the two languages side by side.
"""

from __future__ import annotations

import pytest
from english_pages import dutch_left

from kb import accessibility, consent, cowriting
from kb.db import session_scope
from kb.models import Advice, User
from tests.test_cowriting import GROUP, group
from tests.test_english_work import ENGLISH_FORM, TITLE, english, english_page, text_of
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import S

__all__ = ["english", "group"]  # the fixtures, imported for pytest to find

@pytest.fixture
def invited(app, people, group, advice_by):
    """A draft by Sam (with a title without the Dutch words dutch_left looks for: the page's
    ``<title>`` cannot mark it) to which Sam invited Kim."""
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    with app.app_context(), session_scope() as session:
        cowriting.invite(session, people.writer, session.get(Advice, advice.id), people.other.id)
    return advice


@pytest.fixture
def co_written(app, people, invited):
    """The same draft after Kim said yes, as "Kim"."""
    with app.app_context(), session_scope() as session:
        cowriting.accept(session, session.get(User, people.other.id),
                         session.get(Advice, invited.id), "Kim")
        return session.get(Advice, invited.id)


def writers_url(advice) -> str:
    return f"/mijn-adviezen/{advice.id}/schrijvers"


# --------------------------------------------------------------------------- the writers' page


def test_the_writers_page_of_a_co_written_advice_is_english(english, people, log_in,
                                                             co_written):
    log_in(people.writer)
    html = english_page(english.get(writers_url(co_written)))
    text = text_of(html)
    for words in (f"Writers of “{TITLE}”", "Your advice", "draft",
                  "You can write a piece of advice together.", "Who is writing", "You",
                  "Co-writing. Shown as: Sam.", "Co-writing. Shown as: Kim.",
                  "Take my name off this advice", "Invite someone to co-write",
                  "There is nobody you can invite right now.", "Back to the advice",
                  "Go to My advice"):
        assert words in text, words
    assert f'<h1>Writers of “<span lang="nl">{TITLE}</span>”</h1>' in html
    assert f"<title>Writers of {TITLE}" in html


def test_an_open_invitation_and_the_choice_of_whom_to_invite_are_english(
        app, english, people, log_in, group, advice_by, invited):
    log_in(people.writer)
    text = text_of(english_page(english.get(writers_url(invited))))
    assert "Invited. No answer yet: the name is not shown anywhere." in text
    assert "Cancel the invitation for Kim" in text
    # Before the invitation: Kim is someone Sam may invite, with the group's name.
    fresh = advice_by(S.DRAFT, **ENGLISH_FORM)
    html = english_page(english.get(writers_url(fresh)))
    assert "Who do you want to invite?" in html and "Send the invitation" in html
    assert f'<option value="{people.other.id}">Kim ({GROUP})</option>' in html
    assert '<option value="">Choose…</option>' in html


def test_the_invitation_and_its_errors_are_english(english, people, log_in, post, invited):
    log_in(people.other)
    html = english_page(english.get(writers_url(invited)))
    text = text_of(html)
    for words in ("Invitation", "Do you want to co-write?",
                  "Sam is asking you to co-write this advice. It is your decision.",
                  "If you say yes, you can change the advice",
                  "How do you want your name to be shown?",
                  "Yes, I will co-write", "No, I would rather not", "The advice"):
        assert words in text, words
    assert '<option value="anoniem">Without a name (anonymous)</option>' in html
    missing = english_page(post(writers_url(invited), {"step": "accept"}), 400)
    text = text_of(missing)
    assert "Not everything is right yet" in text
    assert "Error: Choose how your name is shown with the advice." in text
    unknown = english_page(post(writers_url(invited), {"step": "guess"}), 400)
    assert "That did not work. Choose again and press the button once more." in text_of(unknown)


def test_an_expired_form_on_the_writers_page_is_english(english, people, log_in, invited):
    log_in(people.other)
    refused = english.post(writers_url(invited), data={"step": "accept", "display_name": "Kim",
                                                       "csrf_token": "een-oud-token"})
    text = text_of(english_page(refused, 400))
    assert "Your choice has not been sent yet." in text
    assert "This form had expired" in text


def test_the_invitations_on_my_advice_are_english(english, people, log_in, invited):
    log_in(people.other)
    html = english_page(english.get("/mijn-adviezen"))
    text = text_of(html)
    for words in ("Invitations to co-write",
                  "It is your decision. Your name is only shown with a piece of advice once "
                  "you say yes.", "Sam is inviting you.", "Read the advice and reply"):
        assert words in text, words
    # The advice's title is the writer's text: in its own language wherever it is shown.
    assert f'<strong lang="nl">{TITLE}</strong>' in html
    assert f'<span lang="nl">{TITLE}</span>' in html


# --------------------------------------------------------------------------- the messages


def test_every_co_writing_step_says_what_happened_in_english(app, english, people, log_in, post,
                                                              group, advice_by):
    advice = advice_by(S.DRAFT, **ENGLISH_FORM)
    log_in(people.writer)
    steps = [
        ({"step": "invite", "writer": str(people.other.id)}, "Your invitation has been sent."),
        ({"step": "cancel", "writer": str(people.other.id)},
         "The invitation has been cancelled."),
        ({"step": "name_off", "writer": str(people.writer.id)},
         "Your name is no longer shown with this advice. Only you can put it back."),
        ({"step": "name_on", "writer": str(people.writer.id)},
         "Your name is shown with this advice again."),
    ]
    for data, message in steps:
        sent = post(writers_url(advice), data)
        assert sent.status_code == 303, data
        html = english_page(english.get(sent.headers["Location"]))
        assert message in text_of(html), data
        if data["step"] == "name_off":
            assert "Co-writing. The name is not shown with the advice (you took it off)." in \
                text_of(html)
            assert "Only you can put your name back." in text_of(html)


def test_saying_yes_or_no_is_answered_in_english(app, english, people, log_in, post, invited,
                                                 advice_by):
    log_in(people.other)
    sent = post(writers_url(invited), {"step": "accept", "display_name": "Kim"})
    text = text_of(english_page(english.get(sent.headers["Location"])))
    assert "You are now co-writing this advice. Your name is shown the way you chose." in text
    assert "Name on the advice: Sam, Kim." in text
    assert "Writers: invite someone to co-write, or take your name off" in text
    other = advice_by(S.DRAFT, **{**ENGLISH_FORM, "title": "Een tweede"})
    with app.app_context(), session_scope() as session:
        cowriting.invite(session, people.writer, session.get(Advice, other.id), people.other.id)
    sent = post(writers_url(other), {"step": "decline"})
    text = text_of(english_page(english.get(sent.headers["Location"])))
    assert "You said no. Your name will not be shown with this advice." in text


def test_a_co_writer_under_16_holds_the_sending_in_english(app, english, people, log_in, post,
                                                           co_written):
    with app.app_context(), session_scope() as session:
        consent.mark_under_16(session, session.get(User, people.other.id))
    log_in(people.writer)
    sent = post(f"/mijn-adviezen/{co_written.id}", {**ENGLISH_FORM, "action": "submit",
                                                    "display_name": "Sam",
                                                    "revision": str(co_written.revision)})
    assert sent.status_code == 303
    text = text_of(english_page(english.get(sent.headers["Location"])))
    assert "Someone who co-writes it is under 16" in text


def test_a_co_writers_withdrawal_is_explained_in_english(app, english, people, log_in, post,
                                                         co_written):
    with app.app_context(), session_scope() as session:
        from kb import workflow

        item = session.get(Advice, co_written.id)
        workflow.submit(session, people.writer, item, item.revision)
        workflow.publish(session, people.editor, item, item.revision)
        workflow.request_withdrawal(session, session.get(User, people.other.id), item,
                                    "Niet meer.", item.revision)
    log_in(people.writer)
    text = text_of(english_page(english.get(f"/mijn-adviezen/{co_written.id}")))
    assert "Another writer of this advice took it off the website. Only that writer can put " \
           "it back." in text


# --------------------------------------------------------------------------- the statement


def test_the_accessibility_statement_is_english(english):
    response = english.get("/toegankelijkheid")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    # The norm's name "EN 301 549" is a code, not UI text ("EN" reads as the Dutch "en").
    assert dutch_left(html.replace(accessibility.NORM, "")) == []
    text = text_of(html)
    for words in ("Accessibility", "WCAG 2.1 level AA", "EN 301 549", "partially compliant",
                  f"axe-core {accessibility.AXE_VERSION}", "390 pixels", "1280 pixels",
                  "What does not work well yet?", "Having a problem?", "5 December 2026",
                  "(WCAG 1.3.1, 2.4.2)", "Need help?"):
        assert words in text, words


def test_the_statements_json_twin_keeps_its_dutch_data(english):
    """Like every JSON twin, the data stays as it is, whatever the interface language."""
    english_body = english.get("/api/toegankelijkheid").get_json()
    english.delete_cookie("kb_lang", domain="kennisbank.test")
    assert english.get("/api/toegankelijkheid").get_json() == english_body
    assert english_body["status_text"] == "voldoet gedeeltelijk"
    axe = next(check for check in english_body["checks"] if check["id"] == "axe")
    assert f"axe-core {accessibility.AXE_VERSION}, met alle regels" in axe["text"]


def test_the_dutch_pages_stay_dutch(client, people, log_in, co_written):
    """Without the cookie, the same pages are Dutch: the wrapping changed no Dutch text."""
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert '<html lang="nl">' in html and "voldoet gedeeltelijk" in html
    for item in accessibility.EXCEPTIONS + accessibility.CHECKS:
        assert accessibility.dutch(item) in text_of(html)
    log_in(people.writer)
    text = text_of(client.get(writers_url(co_written)).get_data(as_text=True))
    assert "Schrijft mee. Staat erbij als: Kim." in text and "Wie schrijft mee" in text
    assert dutch_left(client.get(writers_url(co_written)).get_data(as_text=True))
