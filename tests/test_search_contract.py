"""The contract of ``search_index.SearchIndex``: what any caller may rely on.

Built directly on ``SearchDocument`` objects in a temporary folder, without Flask or a database:
index, remove, search, rebuild, facets, filters, sorting, pages, snippets, suggestions and
"Lees ook" (``more_like_this``).
"""

from __future__ import annotations

import html
import re
import threading
from datetime import date

import pytest
from work_count import calls_to

from search_index import Hit, Results, SearchDocument, SearchIndex, ThemeTerms

THEMES = (
    ThemeTerms("pleegzorg", "Pleegzorg", ("pleeggezin", "pleegouders")),
    ThemeTerms("jeugdbescherming", "Jeugdbescherming", ("OTS", "ondertoezichtstelling")),
    ThemeTerms("gesloten-jeugdzorg", "Gesloten jeugdzorg", ("JeugdzorgPlus", "JZ+")),
    ThemeTerms("hulpverleners", "Hulpverleners", ("hulpverlener", "mentor")),
)


def doc(id: int, title: str, summary: str = "", body: str = "", **fields) -> SearchDocument:
    defaults = {"slug": f"advies-{id}", "themes": (), "audience": ("gemeenten",),
                "region": "Utrecht", "published": date(2024, 1, id % 28 + 1)}
    return SearchDocument(id=id, title=title, summary=summary or title, body=body,
                          **{**defaults, **fields})


DOCS = [
    doc(1, "Pleeggezinnen verdienen steun", "Pleegouders hebben hulp nodig.",
        "Een pleeggezin krijgt te weinig begeleiding. De pleegzorgaanbieder belt te weinig.",
        themes=("pleegzorg",), audience=("gemeenten", "jeugdhulpaanbieders"),
        region="Utrecht", published=date(2023, 5, 1)),
    doc(2, "Leg de OTS uit", "Een ondertoezichtstelling in gewone taal.",
        "Bij een ondertoezichtstelling komt er een jeugdbeschermer. Kinderen snappen het niet.",
        themes=("jeugdbescherming",), audience=("jeugdbescherming",), region="Flevoland",
        published=date(2024, 11, 26)),
    doc(3, "Beleid maken met jongeren", "Gemeenten schrijven beleid.",
        "Het beleid van de gemeente moet samen met jongeren worden gemaakt.",
        themes=(), audience=("gemeenten", "rijksoverheid"), region="Drenthe",
        published=date(2025, 11, 5)),
    doc(4, "Een gesloten plaatsing is geen straf", "Jongeren in de gesloten jeugdzorg.",
        "In de gesloten jeugdzorg voelen jongeren zich gestraft. Stop met separeren.",
        themes=("gesloten-jeugdzorg",), region="Noord-Holland", published=date(2025, 2, 3)),
    doc(5, "Eén vast gezicht", "Een vaste coördinator voor elk gezin.",
        "Een jeugdhulpverlener voor het broertje, een gezinscoach en meer. Vraag cliënten "
        "wat zij nodig hebben.", themes=("hulpverleners",), region="Friesland",
        published=date(2024, 3, 11)),
    doc(6, "Een nieuwe hulpverlener", "Vertrouwen eerst.",
        "Bij een nieuwe hulpverlener begint het met een plan. Goede begeleiding kost tijd.",
        themes=("hulpverleners",), region="Zeeland", published=date(2023, 12, 12)),
]


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    search = SearchIndex(tmp_path / "index", THEMES)
    search.rebuild(DOCS)
    return search


def slugs(results: Results) -> list[str]:
    return [hit.slug for hit in results.hits]


# --------------------------------------------------------------------------- index lifecycle

def test_rebuild_then_search_finds_a_document(index):
    results = index.search("ondertoezichtstelling")
    assert slugs(results)[0] == "advies-2"
    assert isinstance(results.hits[0], Hit)
    assert index.doc_count() == len(DOCS)


def test_index_adds_and_replaces_by_id(index):
    index.index([doc(7, "Kamertraining in de praktijk", body="Oefenen met post en geld.")])
    assert slugs(index.search("kamertraining")) == ["advies-7"]
    index.index([doc(7, "Zelfstandig wonen", body="Oefenen met huur.")])
    assert index.search("kamertraining").total == 0
    assert slugs(index.search("huur")) == ["advies-7"]
    assert index.doc_count() == len(DOCS) + 1


def test_remove_takes_a_document_out_of_results_and_facets(index):
    assert index.search("separeren").total == 1
    index.remove([4])
    results = index.search("jongeren")
    assert "advies-4" not in slugs(results)
    assert "gesloten-jeugdzorg" not in results.facets["theme"]
    assert index.search("separeren").total == 0


def test_a_rebuild_replaces_everything(index):
    index.rebuild([doc(9, "Alleen dit advies", body="Over verslaving en hulp.")])
    assert index.doc_count() == 1
    assert index.search("pleeggezin").total == 0
    assert slugs(index.search("verslaving")) == ["advies-9"]


def test_an_empty_index_answers_every_query(tmp_path):
    search = SearchIndex(tmp_path / "empty")
    search.rebuild([])
    for text in ("pleegzorg", "jeugbescherming", '"a b"', "x*", "-y"):
        results = search.search(text)
        assert results.total == 0 and results.hits == []


def test_a_search_after_an_update_never_serves_stale_cached_results(index):
    assert index.search("kamertraining").total == 0
    index.index([doc(8, "Kamertraining", body="Oefenen.")])
    assert index.search("kamertraining").total == 1
    index.remove([8])
    assert index.search("kamertraining").total == 0


def test_searches_from_several_threads_at_once_agree(index):
    expected = slugs(index.search("hulpverlener"))
    seen, errors = [], []

    def worker():
        try:
            for _ in range(20):
                seen.append(slugs(index.search("hulpverlener")))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(found == expected for found in seen)


# ------------------------------------------------------------------------------ ranking

def test_title_outranks_body(tmp_path):
    search = SearchIndex(tmp_path / "ix")
    search.rebuild([doc(1, "Over iets anders", body="Hier staat kamertraining één keer."),
                    doc(2, "Kamertraining", body="Een tekst over wonen.")])
    assert slugs(search.search("kamertraining")) == ["advies-2", "advies-1"]


def test_whole_words_rank_above_compound_parts(index):
    # Advice 6 says "hulpverlener"; advice 5 only "jeugdhulpverlener".
    found = slugs(index.search("hulpverlener"))
    assert found.index("advies-6") < found.index("advies-5")


def test_literal_words_rank_above_their_expansions(index):
    # Advice 2 literally says OTS (title); the theme and equivalents reach no further up.
    assert slugs(index.search("OTS"))[0] == "advies-2"
    found = slugs(index.search("JeugdzorgPlus"))
    assert found == ["advies-4"]  # only through "gesloten jeugdzorg" and the theme


def test_sort_by_date_puts_the_newest_first(index):
    results = index.search("gemeente OR jongeren OR pleegouders", sort="date")
    dates = [hit.published for hit in results.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) > 1


def test_pages_cover_every_result_once(tmp_path):
    search = SearchIndex(tmp_path / "ix")
    search.rebuild([doc(i, f"Advies {i} over wonen", body="wonen " * (i % 5 + 1))
                    for i in range(1, 24)])
    first = search.search("wonen", page=1, page_size=10)
    assert first.total == 23 and first.pages == 3
    seen = []
    for page in (1, 2, 3):
        seen += slugs(search.search("wonen", page=page, page_size=10))
    assert sorted(seen) == sorted(f"advies-{i}" for i in range(1, 24))
    assert search.search("wonen", page=4, page_size=10).hits == []


# ---------------------------------------------------------------------- filters and facets

def test_facets_count_the_matching_documents_per_value(index):
    results = index.search("gemeente OR jongeren OR pleegouders")
    assert results.total == 3
    assert results.facets["theme"] == {"gesloten-jeugdzorg": 1, "pleegzorg": 1}
    assert results.facets["region"] == {"Drenthe": 1, "Noord-Holland": 1, "Utrecht": 1}
    assert results.facets["year"] == {"2025": 2, "2023": 1}
    assert results.facets["audience"] == {"gemeenten": 3, "jeugdhulpaanbieders": 1,
                                          "rijksoverheid": 1}


def test_filters_combine_and_narrow_results_and_facets(index):
    query = "gemeente OR jongeren OR pleegouders"
    results = index.search(query, {"year": "2025"})
    assert sorted(slugs(results)) == ["advies-3", "advies-4"]
    both = index.search(query, {"year": "2025", "audience": "rijksoverheid"})
    assert slugs(both) == ["advies-3"]
    assert both.facets["region"] == {"Drenthe": 1}
    assert index.search(query, {"audience": ["rijksoverheid", "jeugdhulpaanbieders"]}).total == 2
    assert index.search(query, {"theme": "bestaat-niet"}).total == 0
    assert index.search(query, {"onbekend": "x"}).total == 3


# ----------------------------------------------------------------------------- snippets

def test_snippets_mark_inflections_and_compound_parts(index):
    hit = next(h for h in index.search("pleeggezin").hits if h.slug == "advies-1")
    assert "<mark>pleeggezin</mark>" in hit.highlight
    hit = next(h for h in index.search("hulpverlener").hits if h.slug == "advies-5")
    assert "<mark>jeugdhulpverlener</mark>" in hit.highlight


def test_snippets_mark_phrases_only_where_the_words_stand_together(index):
    hit = index.search('"gesloten jeugdzorg"').hits[0]
    assert "<mark>gesloten jeugdzorg</mark>" in hit.highlight
    assert "<mark>gesloten</mark> plaatsing" not in hit.highlight


HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> pleegzorg & co '
           '<b>vet</b> "quotes" \'single\'')


DOCS_BODY_OF_HOSTILE = f"Over pleegzorg. {HOSTILE} Einde over pleegzorg."


def test_snippets_escape_hostile_advice(tmp_path):
    """Only our <mark> tags survive; everything else comes back as the text it was."""
    search = SearchIndex(tmp_path / "ix")
    search.rebuild([doc(1, f"Pleegzorg {HOSTILE}", summary=f"Pleegzorg {HOSTILE}",
                        body=DOCS_BODY_OF_HOSTILE)])
    for query in ("pleegzorg", "script", "img onerror", "alert", "vet"):
        for hit in search.search(query).hits:
            tags = re.findall(r"<[^>]*>", hit.highlight)
            assert set(tags) <= {"<mark>", "</mark>"}, (query, hit.highlight)
            text = html.unescape(re.sub(r"</?mark>", "", hit.highlight)).strip("… ")
            assert text in hit.title + hit.summary + DOCS_BODY_OF_HOSTILE


# -------------------------------------------------------------------- tolerant input

HOSTILE_QUERIES = [
    "", " ", '"', "'", "-", "*", "?", "~", "^", "(", ")", "[", "{", ":", "\\", "/",
    "title:x", "body:*", "AND OR NOT", "OR", "NOT", "AND", "-pleegzorg", "--", '""', '"""',
    '"unbalanced quote', "pleeg*", "p*", "*zorg", "pleeg?org", "pleegzorg~2", "pleegzorg^5",
    "\x00", "pleeg\x00zorg", "😀", "pleegzorg 😀", "a" * 10_000, "pleegzorg " * 2_000,
    "x " * 5_000, "9" * 400, "99999999999999999999999999", "-1", "1e309", "NaN", "∞",
    "<script>alert(1)</script>", "%s %d {0}", "DROP TABLE advice;", "$(rm -rf /)",
    "ÄÖÜ ß ĳ", "\u202e", "\ufeff", "jeugd-\n-ggz", "a OR OR b", "OR pleegzorg OR",
    "NOT NOT x", '"-" -"" * OR ~', "title:pleegzorg AND body:(x OR y)",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_query_gives_results_or_a_message_in_bounded_work(index, query):
    """A hostile query costs no more than a small multiple of an ordinary one (calls counted,
    not timed: the same on every machine)."""
    ordinary, _ = calls_to(index.search, "pleegzorg school")
    work, results = calls_to(index.search, query)
    assert work <= 40 * ordinary, f"{work} calls against {ordinary} for an ordinary query"
    assert isinstance(results, Results)
    assert results.total >= 0 and results.total >= len(results.hits)
    assert results.message in (None, "browse", "partial")
    for hit in results.hits:
        assert set(re.findall(r"<[^>]*>", hit.highlight)) <= {"<mark>", "</mark>"}


@pytest.mark.parametrize("page", [0, -5, 10_000])
def test_odd_pages_do_not_fail(index, page):
    results = index.search("gemeente OR jongeren OR pleegouders", page=page)
    assert results.page >= 1 and results.total == 3


def test_a_query_without_words_lists_every_advice(index):
    # No words to search for: a browse of everything (tests/test_browse.py has the rest).
    assert index.search("  ").message == "browse"
    assert index.search("-pleegzorg").message == "browse"
    assert index.search("").total == index.doc_count()


def test_when_no_advice_has_every_word_the_closest_are_shown(index):
    results = index.search("pleegouders separeren")
    assert results.message == "partial"
    assert set(slugs(results)) == {"advies-1", "advies-4"}


# ------------------------------------------------------------- typos and suggestions

def test_a_typo_still_finds_the_advice_and_suggests_the_word(index):
    results = index.search("ondertoezictstelling")
    assert "advies-2" in slugs(results)
    assert results.suggestion == "ondertoezichtstelling"


def test_typos_are_corrected_to_words_of_advice_added_later(index):
    assert index.search("ondertoezictstelling").suggestion == "ondertoezichtstelling"
    index.index([doc(40, "Huiswerkbegeleiding op de leefgroep", body="Huiswerkbegeleiding.")])
    results = index.search("huiswerkbegeleidnig")
    assert slugs(results) == ["advies-40"]
    assert results.suggestion == "huiswerkbegeleiding"
    assert index.search("ondertoezictstelling").suggestion == "ondertoezichtstelling"


def test_the_vocabulary_of_a_segment_is_read_once_across_generations(index, monkeypatch):
    import search_index.searcher as searcher
    from search_index.analysis import index_term
    from search_index.indexer import to_fields
    from search_index.schema import CODEC

    read = []
    real = searcher.lexicon
    monkeypatch.setattr(searcher, "lexicon", lambda sub: read.append(sub) or real(sub))
    terms = searcher.SegmentTerms()
    ix = index._index()
    with ix.reader() as before:
        assert index_term("ondertoezichtstelling") in terms.lexicon(before)
    assert len(read) == len(before.leaf_readers())
    writer = ix.writer(codec=CODEC)
    writer.add_document(**{k: v for k, v in to_fields(doc(41, "Huiswerkbegeleiding")).items()
                           if v is not None})
    writer.commit(merge=False)  # keep the old segment, add one
    read.clear()
    with ix.reader() as after:
        lexicon = terms.lexicon(after)
        assert len(after.leaf_readers()) == len(before.leaf_readers()) + 1
    assert len(read) == 1  # only the new segment
    assert index_term("huiswerkbegeleiding") in lexicon
    assert index_term("ondertoezichtstelling") in lexicon


def test_a_known_word_gets_no_suggestion(index):
    assert index.search("ondertoezichtstelling").suggestion is None


def test_short_words_are_not_corrected(index):
    assert index.search("pgbx").total == 0  # 4 letters: never a typo of anything


# ------------------------------------------------------------------------ themes

def test_theme_synonyms_find_tagged_advice(index):
    assert slugs(index.search("JZ+")) == ["advies-4"]
    assert "advies-2" in slugs(index.search("OTS"))


def test_themes_can_be_given_later(tmp_path):
    search = SearchIndex(tmp_path / "ix")
    search.rebuild(DOCS)
    assert search.search("JeugdzorgPlus").total == 1  # the curated equivalents work alone
    assert search.search("mentor").total == 0
    search.set_themes(THEMES)
    assert sorted(slugs(search.search("mentor"))) == ["advies-5", "advies-6"]


# ------------------------------------------------------------------------ Lees ook

def test_more_like_this_returns_related_advice_but_never_itself(index):
    related = index.more_like_this(6)
    assert related and all(isinstance(hit, Hit) for hit in related)
    assert 6 not in [hit.id for hit in related]
    assert related[0].id == 5  # same theme, shared words
    assert len(index.more_like_this(6, limit=2)) <= 2


def test_more_like_this_of_an_unknown_advice_is_empty(index):
    assert index.more_like_this(999) == []
    assert index.more_like_this(1, limit=0) == []


def test_a_parallel_rebuild_finds_what_a_serial_one_finds(tmp_path, monkeypatch):
    import search_index

    docs = DOCS + [doc(i, f"Advies {i} over wonen en begeleiding", body="wonen " * (i % 5 + 1))
                   for i in range(7, 260)]
    serial = SearchIndex(tmp_path / "serial", THEMES)
    serial.rebuild(docs)
    monkeypatch.setattr(search_index, "PARALLEL_MIN_DOCS", 1)
    monkeypatch.setattr(search_index, "PARALLEL_PROCS", 2)
    parallel = SearchIndex(tmp_path / "parallel", THEMES)
    assert parallel.rebuild(docs) == len(docs)
    for text in ("wonen", "begeleiding", '"een nieuwe hulpverlener"', "pleegzorg", "wonen -4"):
        a, b = serial.search(text, page_size=100), parallel.search(text, page_size=100)
        assert (a.total, a.facets) == (b.total, b.facets), text
        # Equal scores may come in another order (documents are numbered per process), so
        # the page holds the same scores, and the same advice when every hit is on it.
        assert sorted(round(h.score, 6) for h in a.hits) == \
            sorted(round(h.score, 6) for h in b.hits), text
        if a.total <= 100:
            assert sorted(h.id for h in a.hits) == sorted(h.id for h in b.hits), text
