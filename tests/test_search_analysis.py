"""Dutch analysis: stemming choices, stop words, diacritics, 18+, abbreviations, compounds,
typo candidates and the thesaurus. Pure functions: no index needed."""

from __future__ import annotations

import pickle

import pytest

from search_index.analysis import (
    MUST_STAY_APART,
    analyze,
    dutch_analyzer,
    fold,
    index_term,
    terms,
    words,
)
from search_index.compounds import Decompounder
from search_index.documents import ThemeTerms
from search_index.schema import build_schema
from search_index.spelling import Speller, edits1
from search_index.synonyms import Thesaurus


@pytest.mark.parametrize(("one", "other"), MUST_STAY_APART)
def test_domain_words_that_differ_keep_different_terms(one, other):
    assert index_term(one) != index_term(other)


@pytest.mark.parametrize("group", [
    ("begeleiding", "begeleiden", "begeleid"),
    ("gezin", "gezinnen"),
    ("pleeggezin", "pleeggezinnen"),
    ("gemeente", "gemeenten"),
    ("hulpverlener", "hulpverleners"),
    ("school", "scholen"),
    ("jongere", "jongeren"),
    ("uithuisplaatsing", "uithuisplaatsingen"),
    ("mens", "mensen"),
    ("naam", "namen"),
    ("foto", "foto's"),
])
def test_inflections_share_a_term(group):
    assert len({index_term(word) for word in group}) == 1, [index_term(w) for w in group]


def test_the_milder_stemmer_is_used_not_kraaij_pohlmann():
    # Kraaij–Pohlmann (Snowball 3's default for Dutch) maps these onto one stem.
    assert index_term("begeleiding") == "begeleid"
    assert index_term("beleid") == "beleid"
    assert index_term("gezin") == "gezin"
    assert index_term("gemeente") == "gemeent"


@pytest.mark.parametrize("word", ["uit", "niet", "geen", "zonder", "tegen", "de", "het", "een"])
def test_no_stop_words_are_dropped(word):
    assert analyze(f"zij gaan {word} huis") == ["zij", "gan", index_term(word), "huis"]


def test_uit_huis_geplaatst_keeps_every_word():
    assert analyze("Uit huis geplaatst") == ["uit", "huis", "geplaatst"]


@pytest.mark.parametrize(("plain", "written"), [
    ("geinformeerd", "geïnformeerd"), ("clienten", "cliënten"), ("coordinator", "coördinator"),
    ("ideeen", "ideeën"), ("financiele", "financiële"), ("Cliëntenraad", "clientenraad"),
])
def test_diacritics_are_folded_on_both_sides(plain, written):
    assert analyze(plain) == analyze(written)
    assert fold(written).isascii()


@pytest.mark.parametrize("form", ["18-/18+", "18+", "18-", "18min", "18plus", "achttien",
                                  "Achttien", "achttiende", "18", "18 -/ 18+"])
def test_every_way_of_writing_eighteen_is_one_term(form):
    assert analyze(form) == ["achttien"]


def test_eighteen_inside_a_sentence_and_before_a_hyphenated_word():
    assert analyze("de overgang 18-/18+ is zwaar") == ["de", "overgang", "achttien", "is",
                                                     "zwar"]
    assert analyze("een 18-jarige") == ["een", "achttien", "jarig"]


@pytest.mark.parametrize(("text", "term"), [
    ("JZ+", "jz+"), ("OTS", "ots"), ("GI", "gi"), ("GGZ", "ggz"), ("pgb", "pgb"),
    ("Wmo", "wmo"),
])
def test_abbreviations_survive_tokenizing_and_are_not_stemmed(text, term):
    assert analyze(f"een {text} regelen") == ["een", term, "regel"]


def test_hyphenated_words_are_split_into_their_parts():
    assert analyze("jeugd-GGZ en co-ouderschap") == ["jeugd", "ggz", "en", "co", "ouderschap"]


def test_hostile_text_analyzes_to_something_or_nothing():
    assert analyze("\x00 😀 <script>") == ["script"]
    assert analyze("a" * 10_000) == []
    assert analyze("") == []
    assert len(analyze("woord " * 5_000)) == 5_000


def test_words_and_terms_agree_with_analyze():
    text = "Pleeggezinnen en cliënten, 18+ en JZ+."
    assert terms(text) == set(analyze(text))
    assert words(text, 8) == {"pleeggezinnen", "clienten"}


def test_the_schema_with_its_analyzer_pickles():
    # Whoosh pickles the schema into the index: every filter must import at module level.
    schema = pickle.loads(pickle.dumps(build_schema()))
    assert [t.text for t in schema["body"].analyzer("Cliënten 18+")] == ["client", "achttien"]
    assert [t.text for t in dutch_analyzer()("OTS")] == ["ots"]


# ------------------------------------------------------------------------------ compounds

@pytest.fixture
def decompounder() -> Decompounder:
    vocabulary = "hulpverlener pleegzorg aanbieders begeleider gezin huis vertrouwen persoon"
    return Decompounder(terms(vocabulary))


@pytest.mark.parametrize(("word", "part"), [
    ("jeugdhulpverlener", "hulpverlener"),
    ("jeugdhulpverleners", "hulpverleners"),
    ("pleegzorgaanbieder", "pleegzorg"),
    ("pleegzorgaanbieder", "aanbieder"),
    ("gezinshuis", "gezin"),
    ("vertrouwenspersoon", "vertrouwen"),
])
def test_compounds_split_into_known_parts(decompounder, word, part):
    assert part in decompounder.parts(word)


@pytest.mark.parametrize("word", ["begeleiding", "belangrijk", "overdracht", "voorkomen",
                                  "achttien", "overbrugging", "ontstaan", "hulp"])
def test_words_that_are_no_compounds_are_left_whole(word):
    vocabulary = terms("begeleid leiding belang rijk dracht komen acht tien brug ging staan hulp")
    assert Decompounder(vocabulary).parts(word) == ()


def test_the_decompounder_learns_new_words(decompounder):
    assert decompounder.parts("jongerenpanel") == ()
    decompounder.add(terms("panel jongeren"))
    assert decompounder.parts("jongerenpanel") == ("jongeren", "panel")


# ------------------------------------------------------------------------------ spelling

def test_edits1_covers_missing_extra_wrong_and_swapped_letters():
    candidates = edits1("pleeggezni")
    assert {"pleeggezin", "pleegezni", "pleeggeznni", "pleeggezna"} <= candidates
    assert "pleeggezni" not in candidates


@pytest.fixture
def speller() -> Speller:
    vocabulary = terms("jeugdbescherming pleeggezin wachtlijst begeleiding omgangsregeling")
    return Speller(frozenset(vocabulary), lambda term: 5)


@pytest.mark.parametrize(("typo", "written"), [
    ("jeugbescherming", "jeugdbescherming"),  # a letter missing
    ("pleeggezni", "pleeggezin"),             # two neighbours swapped
    ("wachtlijts", "wachtlijst"),
    ("omgangsregling", "omgangsregeling"),
    ("begeleidign", "begeleiding"),           # the typo is in the ending the stemmer drops
    ("begeleidnig", "begeleiding"),           # a swap across the stem's end and the ending
    ("pleegggezin", "pleeggezin"),            # a letter too many
    ("pleegfezin", "pleeggezin"),             # a wrong letter
])
def test_typos_of_five_letters_or_more_are_corrected(speller, typo, written):
    (term, shown), *_ = speller.corrections(typo)
    assert shown == written
    assert term == index_term(written)


def test_short_or_odd_words_are_never_corrected(speller):
    assert speller.corrections("gzin") == []
    assert speller.corrections("a" * 100) == []
    assert speller.corrections("18+") == []


# ------------------------------------------------------------------------------ thesaurus

THEMES = [
    ThemeTerms("gesloten-jeugdzorg", "Gesloten jeugdzorg", ("JeugdzorgPlus", "JZ+")),
    ThemeTerms("18-18plus", "18-/18+", ("verlengde jeugdhulp", "achttien worden")),
    ThemeTerms("uithuisplaatsing", "Uithuisplaatsing", ("gezinshuis", "crisisplaatsing")),
    ThemeTerms("jeugdbescherming", "Jeugdbescherming", ("OTS",)),
]


def test_a_theme_synonym_points_at_the_theme_and_its_name():
    expansion = Thesaurus.build(THEMES).get(("jeugdzorgplus",))
    assert expansion.themes == ("gesloten-jeugdzorg",)
    assert ("geslot", "jeugdzorg") in expansion.theme_names
    assert ("jz+",) in expansion.equivalents


def test_synonyms_of_one_theme_are_not_made_equal_to_each_other():
    expansion = Thesaurus.build(THEMES).get(("gezinshuis",))
    assert expansion.themes == ("uithuisplaatsing",)
    assert ("crisisplaats",) not in expansion.equivalents
    assert not any("crisis" in " ".join(terms) for terms in expansion.equivalents)


def test_curated_equivalents_work_both_ways_and_take_their_theme_along():
    thesaurus = Thesaurus.build(THEMES)
    assert (index_term("ondertoezichtstelling"),) in thesaurus.get(("ots",)).equivalents
    back = thesaurus.get((index_term("ondertoezichtstelling"),))
    assert ("ots",) in back.equivalents
    assert back.themes == ("jeugdbescherming",)


def test_the_longest_key_wins():
    thesaurus = Thesaurus.build(THEMES)
    runs = [("verlengd",), ("jeugdhulp",), ("won",)]
    end, expansion = thesaurus.longest(runs, 0)
    assert end == 2 and expansion.themes == ("18-18plus",)
    assert thesaurus.longest(runs, 2) is None
