"""Versions you can cite (issue 13, part 1) and the tombstone of a withdrawn advice (part 2).

The findings pinned down here, as a new professional tried them on the demo: "APA is the only
citation style and always cites the latest text; `/advies/22/versie/1` is a 404; after an edit
the page still says only "Gepubliceerd op"; `.ris`/`.bib` do not exist; a withdrawn advice
answers 410 with no title, date or reason".
"""

from __future__ import annotations

import json
import re
from datetime import date

import bibtexparser
import html5lib
import pytest
import rispy

from kb import workflow
from kb.citation import Citation, apa
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden

SITE = "http://kennisbank.test"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def edit_published(app, people, advice_id: int, change_note: str = "", **fields) -> None:
    """An editor changes a published advice through the workflow."""
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice_id)
        form = AdviceForm(**{**FORM, **fields})
        workflow.edit(session, session.get(type(people.editor), people.editor.id), advice, form,
                      advice.revision, change_note=change_note)


@pytest.fixture
def changed(app, people, advice_by):
    """A published advice whose text an editor changed once, with a change note, and whose
    slug was renamed afterwards (which is no new version)."""
    advice = advice_by(S.PUBLISHED)
    edit_published(app, people, advice.id, "Cijfers over wachttijden bijgewerkt",
                   body=FORM["body"] + "\nDe wachttijd is nu twaalf weken.\n")
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice.id)
        workflow.rename_slug(session, session.get(type(people.editor), people.editor.id),
                             stored, "luister-altijd", stored.revision)
    return advice


# --------------------------------------------------------------------------- versions


def test_every_published_version_is_readable_at_its_own_url(client, changed):
    first = client.get(f"/advies/{changed.id}/versie/1")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Dit is een oudere versie van" in text_of(html)
    assert "Bekijk de huidige versie." in html
    assert f'href="/advies/{changed.id}/luister-altijd">Bekijk de huidige versie.' in html
    assert f'<link rel="canonical" href="{SITE}/advies/{changed.id}/luister-altijd">' in html
    assert "twaalf weken" not in html
    second = client.get(f"/advies/{changed.id}/versie/2").get_data(as_text=True)
    assert "twaalf weken" in second and "oudere versie" not in second


def test_a_slug_rename_is_not_a_new_version(client, changed):
    assert client.get(f"/advies/{changed.id}/versie/3").status_code == 404
    assert client.get(f"/advies/{changed.id}/versie/2").status_code == 200


def test_the_page_says_when_it_was_updated_and_lists_the_changes_newest_first(client, changed):
    html = client.get(f"/advies/{changed.id}/luister-altijd").get_data(as_text=True)
    text = text_of(html)
    today = date.today()
    assert "Bijgewerkt op" in text
    changes = text[text.index("Wijzigingen"):]
    assert changes.index("Cijfers over wachttijden bijgewerkt") < changes.index(
        "Eerste versie gepubliceerd")
    assert f'href="/advies/{changed.id}/versie/1"' in html
    assert f'href="/advies/{changed.id}/versie/2"' in html
    assert f"{today.year}" in changes


def test_an_advice_that_never_changed_says_only_when_it_was_published(client, make_advice):
    advice = make_advice()
    html = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert "Gepubliceerd op" in html and "Bijgewerkt op" not in html
    assert "Wijzigingen" not in html


def test_the_editor_writes_the_change_note_in_the_edit_form(client, post, people, log_in,
                                                            advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    assert 'name="change_note"' in page
    response = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": FORM["body"] + "\nNieuw stuk.\n", "revision": hidden(page, "revision"),
        "change_note": "Een alinea over voogden toegevoegd", "action": "save"})
    assert response.status_code == 303
    log_in(None)
    html = client.get(f"/advies/{advice.id}").headers["Location"]
    page = client.get(html).get_data(as_text=True)
    assert "Een alinea over voogden toegevoegd" in page


def test_a_too_long_change_note_keeps_the_text_in_the_form(client, post, people, log_in,
                                                          advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    response = post(f"/redactie/advies/{advice.id}/bewerken", {
        **FORM, "body": FORM["body"] + "\nMijn nieuwe zin.\n",
        "revision": hidden(page, "revision"), "change_note": "x" * 201, "action": "save"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mijn nieuwe zin." in html and "niet meer dan 200 tekens" in html


# --------------------------------------------------------------------------- citing


def test_apa_joins_two_authors_with_an_ampersand_and_never_cites_anoniem_as_co_author():
    facts = {"advice_id": 1, "version": 1, "title": "T", "summary": "", "url": "u",
             "site_name": "ExpEx Kennisbank", "date": date(2025, 3, 14)}
    two = Citation(authors=("ExpEx Flevoland", "Sam"), **facts)
    assert apa(two).startswith("ExpEx Flevoland & Sam. (2025, 14 maart). T. ExpEx Kennisbank.")
    with_anonymous = Citation(authors=("Sam", "Anoniem"), **facts)
    assert apa(with_anonymous).startswith("Sam. (2025")
    three = Citation(authors=("A", "B", "C"), **facts)
    assert apa(three).startswith("A, B, & C. (2025")
    only_anonymous = Citation(authors=("anoniem",), **facts)
    assert apa(only_anonymous).startswith("Anoniem. (2025")


def test_each_version_is_cited_with_its_own_date_and_url(app, client, changed):
    with app.app_context(), session_scope() as session:
        created = session.get(Advice, changed.id).revisions[-1].created_at.date()
    old = text_of(client.get(f"/advies/{changed.id}/versie/1").get_data(as_text=True))
    published = changed.published
    months = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december")
    assert (f"Sam. ({published.year}, {published.day} {months[published.month - 1]}). "
            f"Luister naar jongeren in de pleegzorg. ExpEx Kennisbank. "
            f"{SITE}/advies/{changed.id}/versie/1") in old
    current = text_of(client.get(f"/advies/{changed.id}/luister-altijd").get_data(
        as_text=True))
    assert (f"({created.year}, {created.day} {months[created.month - 1]}). Luister naar "
            f"jongeren in de pleegzorg. ExpEx Kennisbank. "
            f"{SITE}/advies/{changed.id}/luister-altijd") in current


@pytest.mark.parametrize("path", ["citeer", "versie/1"])
def test_the_citation_block_links_ris_bibtex_and_csl_json(client, changed, path):
    page = f"/advies/{changed.id}/luister-altijd" if path == "citeer" else \
        f"/advies/{changed.id}/{path}"
    html = client.get(page).get_data(as_text=True)
    section = html[html.index('class="citation"'):]
    for fmt in ("ris", "bib", "csl.json"):
        assert f'href="/advies/{changed.id}/{path}.{fmt}"' in section


def test_ris_parses_with_a_real_parser(client, changed):
    response = client.get(f"/advies/{changed.id}/versie/1.ris")
    assert response.status_code == 200
    assert response.mimetype == "application/x-research-info-systems"
    assert "attachment" in response.headers["Content-Disposition"]
    (entry,) = rispy.loads(response.get_data(as_text=True))
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == "Luister naar jongeren in de pleegzorg"
    assert entry["authors"] == ["Sam"]
    assert entry["urls"] == [f"{SITE}/advies/{changed.id}/versie/1"]
    assert entry["year"] == str(changed.published.year)


def test_bibtex_parses_with_a_real_parser_and_keeps_group_names_whole(client, make_advice):
    advice = make_advice(title="Geld & regels: 100% duidelijk_{nu}",
                         authors=("ExpEx Flevoland", "Sam"), published=date(2025, 3, 14))
    response = client.get(f"/advies/{advice.id}/citeer.bib")
    assert response.status_code == 200
    library = bibtexparser.parse_string(response.get_data(as_text=True))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == f"expex-{advice.id}-v1"
    assert entry["author"] == "{ExpEx Flevoland} and {Sam}"
    assert entry["year"] == "2025"
    assert entry["url"] == f"{SITE}/advies/{advice.id}/{advice.slug}"
    assert entry["title"] == r"{Geld \& regels: 100\% duidelijk\_\{nu\}}"


def test_csl_json_is_valid_json_with_the_versions_date(client, changed):
    response = client.get(f"/advies/{changed.id}/versie/1.csl.json")
    (item,) = json.loads(response.get_data(as_text=True))
    published = changed.published
    assert item["issued"] == {"date-parts": [[published.year, published.month, published.day]]}
    assert item["author"] == [{"literal": "Sam"}]
    assert item["type"] == "webpage" and item["version"] == "1"


def test_highwire_meta_tags_let_zotero_and_scholar_find_the_citation(client, make_advice):
    advice = make_advice(authors=("ExpEx Flevoland", "anoniem"), published=date(2025, 3, 14))
    html = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert f'<meta name="citation_title" content="{advice.title}">' in html
    assert '<meta name="citation_author" content="ExpEx Flevoland">' in html
    assert 'name="citation_author" content="anoniem"' not in html
    assert '<meta name="citation_publication_date" content="2025/03/14">' in html


def test_an_unknown_version_or_format_is_a_404(client, changed):
    assert client.get(f"/advies/{changed.id}/versie/9").status_code == 404
    assert client.get(f"/advies/{changed.id}/versie/1.doc").status_code == 404
    assert client.get(f"/advies/{changed.id}/versie/99999999999").status_code == 404


def test_every_page_of_versions_is_valid_html(client, changed):
    for url in (f"/advies/{changed.id}/versie/1", f"/advies/{changed.id}/luister-altijd"):
        html5lib.HTMLParser(strict=True).parse(client.get(url).data)


# --------------------------------------------------------------------------- tombstone


@pytest.fixture
def withdrawn(app, client, post, people, log_in, advice_by):
    """A published advice its writer withdrew with a public reason, through the page."""
    advice = advice_by(S.PUBLISHED)
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    response = post(f"/mijn-adviezen/{advice.id}/intrekken", {
        "revision": hidden(page, "revision"), "reason": "Voor de redactie alleen.",
        "public_reason": "Mijn situatie is veranderd."})
    assert response.status_code == 303
    log_in(None)
    return advice


def test_a_withdrawn_advice_answers_410_with_title_date_and_reason_but_no_text(client,
                                                                              withdrawn):
    response = client.get(f"/advies/{withdrawn.id}/{withdrawn.slug}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    text = text_of(html)
    assert "Luister naar jongeren in de pleegzorg" in text
    today = date.today()
    assert f'datetime="{today.isoformat()}"' in html and "Ingetrokken op" in text
    assert "Mijn situatie is veranderd." in text
    assert "Voor de redactie alleen." not in text
    assert "Pleegkinderen worden vaak niet gehoord" not in text
    assert FORM["summary"] not in text


def test_the_versions_of_a_withdrawn_advice_answer_410_too(client, withdrawn):
    assert client.get(f"/advies/{withdrawn.id}/versie/1").status_code == 410
    assert client.get(f"/advies/{withdrawn.id}/versie/1.ris").status_code == 410
    assert client.get(f"/advies/{withdrawn.id}/citeer.bib").status_code == 410


def test_the_api_tombstone_has_the_same_facts(client, withdrawn):
    response = client.get(f"/api/advies/{withdrawn.id}")
    assert response.status_code == 410
    body = response.get_json()
    assert body["withdrawn"]["title"] == "Luister naar jongeren in de pleegzorg"
    assert body["withdrawn"]["reason"] == "Mijn situatie is veranderd."


def test_an_editor_points_the_tombstone_to_another_advice(client, post, people, log_in,
                                                          withdrawn, make_advice):
    other = make_advice(title="Het nieuwe advies over pleegzorg")
    log_in(people.editor)
    review = client.get(f"/redactie/advies/{withdrawn.id}").get_data(as_text=True)
    assert 'name="replaced_by"' in review
    refused = post(f"/redactie/advies/{withdrawn.id}/lees-in-plaats-daarvan",
                   {"replaced_by": str(withdrawn.id)})
    assert refused.status_code == 400 and "vinden we niet" in refused.get_data(as_text=True)
    done = post(f"/redactie/advies/{withdrawn.id}/lees-in-plaats-daarvan",
                {"replaced_by": f"{SITE}/advies/{other.id}/{other.slug}"})
    assert done.status_code == 303
    log_in(None)
    html = client.get(f"/advies/{withdrawn.id}").get_data(as_text=True)
    assert (f'<a href="/advies/{other.id}/{other.slug}">Lees in plaats daarvan: '
            f'Het nieuwe advies over pleegzorg</a>') in html


def test_a_writer_cannot_point_the_tombstone_elsewhere(client, post, people, log_in, withdrawn,
                                                       make_advice):
    other = make_advice()
    log_in(people.writer)
    response = post(f"/redactie/advies/{withdrawn.id}/lees-in-plaats-daarvan",
                    {"replaced_by": str(other.id)})
    assert response.status_code == 403


def test_putting_an_advice_back_clears_its_tombstone(app, client, people, withdrawn):
    """The writer withdrew it, so only the writer can put it back (issue 12)."""
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, withdrawn.id)
        workflow.restore_own(session, session.get(type(people.writer), people.writer.id),
                             advice, advice.revision)
    assert client.get(f"/advies/{withdrawn.id}").status_code == 301
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, withdrawn.id)
        assert advice.withdrawn_at is None and advice.withdrawal_reason == ""


def test_the_tombstone_is_valid_html_and_not_indexed(client, withdrawn):
    response = client.get(f"/advies/{withdrawn.id}")
    html5lib.HTMLParser(strict=True).parse(response.data)
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
