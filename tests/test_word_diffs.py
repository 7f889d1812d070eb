"""Word-level diffs inside changed paragraphs, with words for screen readers, on the review,
history and conflict pages."""

from __future__ import annotations

from kb import workflow
from kb.db import session_scope
from kb.diffs import content_changes, summary, word_diff
from kb.forms import AdviceForm
from kb.models import Advice
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S

OLD = "Pleegkinderen worden vaak niet gehoord op school."
NEW = "Pleegkinderen worden vaak niet gehoord door de gemeente."


def test_a_changed_paragraph_is_diffed_word_by_word():
    [change] = content_changes({"body": f"Intro.\n\n{OLD}\n"}, {"body": f"Intro.\n\n{NEW}\n"})
    [changed] = [line for line in change.lines if line.kind != "same"]
    assert changed.kind == "change"
    assert changed.parts == (("same", "Pleegkinderen worden vaak niet gehoord "),
                             ("del", "op school"), ("add", "door de gemeente"), ("same", "."))
    assert summary([change]) == {"fields": 1, "added": 1, "removed": 1}


def test_a_rewritten_paragraph_stays_whole_lines():
    [change] = content_changes({"body": "Alles was anders toen.\n"},
                               {"body": "Niemand luisterde naar ons.\n"})
    assert [line.kind for line in change.lines] == ["del", "add"]
    assert word_diff("Alles was anders toen.", "Niemand luisterde naar ons.") is None


def test_the_title_is_diffed_word_by_word_too():
    [change] = content_changes({"title": "Luister naar jongeren"},
                               {"title": "Luister echt naar jongeren"})
    assert ("add", "echt ") in change.parts or ("add", " echt") in change.parts


def test_review_history_and_conflict_pages_show_words_with_text_for_screen_readers(
        app, client, post, people, log_in, advice_by):
    body = FORM["body"].replace("Pleegkinderen worden vaak niet gehoord.", OLD)
    advice = advice_by(S.PUBLISHED, body=body)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        workflow.edit(session, people.editor, item,
                      AdviceForm(**{**FORM, "body": body.replace(OLD, NEW)}), item.revision)
    marked = ('<del><span class="visually-hidden">[weg: </span>op school'
              '<span class="visually-hidden">]</span></del>')
    added = ('<ins><span class="visually-hidden">[erbij: </span>door de gemeente'
             '<span class="visually-hidden">]</span></ins>')
    log_in(people.editor)
    for url in (f"/redactie/advies/{advice.id}", f"/redactie/advies/{advice.id}/geschiedenis"):
        page = client.get(url).get_data(as_text=True)
        assert marked in page and added in page, url
        assert '<span class="visually-hidden">Veranderd: </span>' in page
    # A conflict: someone saved in between; the page shows what differs, word by word.
    response = post(f"/redactie/advies/{advice.id}/bewerken",
                    {**FORM, "body": body.replace(OLD, OLD.replace("school", "<b>werk</b>")),
                     "revision": str(advice.revision), "action": "save"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert '<span class="visually-hidden">Veranderd: </span>' in page
    assert '<span class="visually-hidden">[erbij: </span>op &lt;b&gt;werk&lt;/b&gt;' in page
    assert "<b>werk</b>" not in page  # hostile text stays text
