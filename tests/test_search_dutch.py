"""Dutch as people type it (issue 11): each finding quoted in the issue, as a test.

"`wonen na je 18e` gives 'Geen advies bevat al je woorden' and then all 26 advice, with `na` and
`je` highlighted"; "'Bedoelde je' proposed non-words: 'beleid vakers', 'vechtscheidig'"; the
vocabulary (abbreviations, synonyms, English) as data that editors can extend.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kb import search
from kb.search_vocabulary import VocabularyFileError, load_vocabulary
from search_index.analysis import TOKEN_RE
from tests.conftest import _make_app
from tests.test_search_quality import (  # noqa: F401  (fixtures)
    QUALITY_DIR,
    _quality_template,
    quality_app,
)

DEMO_DIR = Path(__file__).parent.parent / "content" / "demo"
THEMES_DIR = Path(__file__).parent.parent / "themes"


def every_hit(app, query: str) -> list:
    with app.test_request_context():
        results = search.search(query)
        return [hit for page in range(1, results.pages + 1)
                for hit in search.search(query, page=page).hits]


def marked(hits) -> set[str]:
    return {m.lower() for hit in hits for m in re.findall(r"<mark>([^<]*)</mark>", hit.highlight)}


def collection_words(folder: Path) -> set[str]:
    return {token.lower() for path in folder.glob("*.md")
            for token in TOKEN_RE.findall(path.read_text(encoding="utf-8"))}


def test_wonen_na_je_18e_finds_the_advice_with_both_words_and_never_marks_na_or_je(demo_app):
    with demo_app.test_request_context():
        results = search.search("wonen na je 18e")
    assert results.message is None  # not "Geen advies bevat al je woorden"
    assert 0 < results.total < 26
    hits = every_hit(demo_app, "wonen na je 18e")
    assert not marked(hits) & {"na", "je"}
    assert "regel-een-woning-voordat-de-jeugdhulp-stopt" in [h.slug for h in hits]


def test_function_words_do_not_decide_the_ranking(quality_app):  # noqa: F811
    """The same content words with or without the question around them rank alike."""
    with quality_app.test_request_context():
        question = [h.slug for h in
                    search.search("wat moet een wethouder weten over pleegzorg").hits]
        plain = [h.slug for h in search.search("wethouder pleegzorg").hits]
    assert question[:3] == plain[:3]
    assert question[0] == "wat-een-wethouder-moet-weten-over-pleegzorg"


def test_a_query_of_function_words_alone_is_searched_as_typed(quality_app):  # noqa: F811
    with quality_app.test_request_context():
        assert search.search("wat is er").total > 0


def test_the_partial_fallback_shows_only_advice_holding_most_content_words(quality_app):  # noqa: F811,E501
    """No advice holds all of lang, jongere, crisisopvang, blijven: the one holding three comes
    first, none holding fewer than three is shown, and `hoe`, `mag`, `een`, `in`, `de` are
    never marked."""
    query = "hoe lang mag een jongere in de crisisopvang blijven"
    with quality_app.test_request_context():
        results = search.search(query)
    assert results.message == "partial"
    hits = every_hit(quality_app, query)
    assert hits[0].slug == "crisisopvang-mag-geen-eindstation-worden"
    assert len(hits) < 10  # the old fallback showed every advice with any one word
    assert not marked(hits) & {"hoe", "mag", "een", "in", "de"}


@pytest.mark.parametrize("typed", ["vechtscheidng", "vechtscheidingg", "vechtscheidin",
                                   "vechtscheidiing"])
def test_did_you_mean_proposes_the_word_the_advice_use(demo_app, typed):
    """These gave "vechtscheidig", "vechtscheidinge", "vechtscheiden", "vechtscheidding"."""
    with demo_app.test_request_context():
        assert search.search(typed).suggestion == "vechtscheiding"


def test_did_you_mean_never_proposes_beleid_vakers(demo_app):
    with demo_app.test_request_context():
        suggestion = search.search("beleid makers").suggestion
    assert suggestion != "beleid vakers"
    assert suggestion is None or set(suggestion.split()) <= collection_words(DEMO_DIR)


@pytest.mark.parametrize("typed", ["jeugbescherming", "pleeggezni", "wachtlijts ggz",
                                   "vechtscheidng", "omgangsregling", "kamertrainnig",
                                   "beleid makers", "pleegzorgg school", "jongern wonen"])
def test_a_suggestion_is_made_of_collection_words_and_finds_no_fewer_advice(demo_app, typed):
    with demo_app.test_request_context():
        results = search.search(typed)
        if results.suggestion is None:
            return
        assert set(results.suggestion.split()) <= collection_words(DEMO_DIR)
        assert search.search(results.suggestion).total >= results.total


def test_two_words_the_collection_writes_as_one_are_proposed_as_that_word(quality_app):  # noqa: F811,E501
    with quality_app.test_request_context():
        assert search.search("kamer training").suggestion == "kamertraining"


def test_advice_about_a_synonym_ranks_above_advice_that_only_carries_its_theme(quality_app):  # noqa: F811,E501
    """`thuisloos`: the two advice about thuisloze and dakloze jongeren come before the other
    advice of the theme wonen (thuisloos is one of its synonyms)."""
    with quality_app.test_request_context():
        top = [hit.slug for hit in search.search("thuisloos").hits[:2]]
    assert set(top) == {"thuisloze-jongeren-slapen-niet-op-straat-maar-op-banken",
                        "dakloosheid-na-de-jeugdzorg-is-te-voorkomen"}


def test_an_english_search_is_marked_in_the_dutch_words_it_found(quality_app):  # noqa: F811
    hits = every_hit(quality_app, "domestic violence")
    assert hits and "huiselijk geweld" in marked(hits[:3])


def test_a_short_abbreviation_only_matches_where_it_stands_alone(app, make_advice):
    make_advice(title="Wat we gisteren zagen", body="Gisteren spraken we met een gids.")
    make_advice(title="De GI belt terug", body="Een gecertificeerde instelling hoort bereikbaar "
                                                "te zijn.")
    with app.test_request_context():
        found = [hit.title for hit in search.search("GI").hits]
    assert found == ["De GI belt terug"]


def test_editors_extend_the_vocabulary_with_a_file(tmp_path):
    themes = tmp_path / "themes"
    shutil.copytree(THEMES_DIR, themes)
    (themes / "vocabulary" / "extra.yaml").write_text(
        "equal:\n  - [pooierboy, loverboy]\nenglish:\n  grooming: [loverboys]\n",
        encoding="utf-8")
    application = _make_app(tmp_path, LOAD_DEMO=True, DEMO_DIR=str(QUALITY_DIR),
                            THEMES_DIR=str(themes))
    try:
        with application.test_request_context():
            for query in ("pooierboy", "grooming"):
                assert [h.slug for h in search.search(query).hits][:1] == [
                    "lvb-jongeren-zijn-extra-kwetsbaar-voor-uitbuiting"]
    finally:
        application.extensions["kb.engine"].dispose()


def test_the_shipped_vocabulary_loads_and_holds_the_fields_abbreviations():
    vocabulary = load_vocabulary(THEMES_DIR)
    words = {word.lower() for group in vocabulary.equal for word in group}
    assert {"amhk", "wlz", "jr", "wvggz", "wsnp", "ots", "gi", "wmo", "pgb", "azc", "bjz",
            "cjg", "jgz", "ggz", "lvb", "vng"} <= words
    english = {term for term, _ in vocabulary.english}
    assert {"care leavers", "residential youth care", "domestic violence",
            "school dropout"} <= english


def test_the_audiences_english_names_are_english_search_terms():
    english = dict(load_vocabulary(THEMES_DIR).english)
    assert english["Youth care providers"] == ("Jeugdhulpaanbieders",)
    # A term the English list already has keeps its own Dutch words.
    assert "Municipalities" not in english and english["municipalities"] == ("gemeenten",)


@pytest.mark.parametrize(("content", "problem"), [
    ("equal: [amhk]\n", "group 1"),
    ("equal:\n  - [only-one]\n", "group 1"),
    ("english:\n  foster care: pleegzorg\n", "'foster care'"),
    ("synonyms:\n  - [a, b]\n", "expected 'equal:'"),
    ("equal: [\n", "not valid YAML"),
])
def test_a_broken_vocabulary_file_is_refused_with_its_name(tmp_path, content, problem):
    (tmp_path / "vocabulary").mkdir()
    (tmp_path / "vocabulary" / "bad.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(VocabularyFileError) as error:
        load_vocabulary(tmp_path)
    assert "bad.yaml" in str(error.value) and problem in str(error.value)


def test_the_search_page_says_honestly_when_advice_hold_only_most_words(quality_app):  # noqa: F811,E501
    with quality_app.test_request_context():
        client = quality_app.test_client()
        page = client.get("/zoeken?q=hoe+lang+mag+een+jongere+in+de+crisisopvang+blijven")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Geen advies bevat al je woorden" in html and "met de meeste ervan" in html
