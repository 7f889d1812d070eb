"""What a search with never-seen words costs, counted (never timed): the work the engine does
per query (BM25 computations, query evaluations) and the SQL a search request runs.

Issue 10: a new query cost 40–80 ms in process at 10,000 advice because the per-generation
caches threw away what the next query needed (the whole of each new query was cached and pushed
out the words it shared with the next one; a word was cached six or seven times), a filtered
search ran the whole search twice for its facet counts, and every search page asked the database
four things that cannot change while the change log stands still.
"""

from __future__ import annotations

import pytest

from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus
from search_index import partial, scoring, searcher
from tests import test_search_segments
from tests.test_query_counts import counted

#: The same small index as the segment tests (a fixture, found by pytest under this name).
index = test_search_segments.index

WORDS = ("jongeren", "hulpverlener", "begeleiding", "beleid", "pleeggezin", "school",
         "wonen", "gemeente")


@pytest.fixture
def bm25(monkeypatch) -> list:
    """Every BM25 computation of a (field, term): the work a cached word saves."""
    seen: list = []
    original = scoring.Postings._bm25

    def counted_bm25(self, reader, fieldname, ids, weights):
        seen.append(fieldname)
        return original(self, reader, fieldname, ids, weights)

    monkeypatch.setattr(scoring.Postings, "_bm25", counted_bm25)
    return seen


def _pairs() -> list[str]:
    return [f"{a} {b}" for i, a in enumerate(WORDS) for b in WORDS[i + 1:]]


def test_new_queries_of_known_words_compute_no_bm25_even_past_the_dict_budget(
        index, bm25, monkeypatch):
    """Tried as a stream of new queries would: every pair of eight words, each pair once.
    Before, once the cache's budget was full, words the next query needed had been evicted
    (by whole queries that never came back) and their BM25 was computed again."""
    monkeypatch.setattr(scoring, "CACHE_POSTINGS", 20)  # a budget far below the words' size
    for word in WORDS:
        index.search(word)
    expected = {text: [(h.id, h.score) for h in index.search(text).hits] for text in _pairs()}
    bm25.clear()
    index.clear_cache()  # a new generation's caches: the words are read once more, then kept
    for word in WORDS:
        index.search(word)
    read_once = len(bm25)
    for text in _pairs():  # new to this generation's result cache
        assert [(h.id, h.score) for h in index.search(text).hits] == expected[text]
    assert read_once > 0
    assert len(bm25) == read_once  # no word's BM25 was computed twice


def test_a_filtered_search_evaluates_its_words_once_and_counts_facets_as_before(
        index, monkeypatch):
    calls: list = []
    original = partial.find

    def counted_find(*args, **kwargs):
        calls.append(args[3])
        return original(*args, **kwargs)

    monkeypatch.setattr(searcher, "find", counted_find)
    filters = {"region": "Drenthe"}
    results = index.search("jongeren", filters)
    assert len(calls) == 1  # was 2: a second search without the filters for the facets
    # The facet counts are those of the words without the filters (disjunctive faceting).
    unfiltered = index.search("jongeren")
    assert results.facets["region"] == unfiltered.facets["region"]
    assert results.total == unfiltered.facets["region"]["Drenthe"]
    assert {h.id for h in results.hits} <= {h.id for h in unfiltered.hits}


def test_a_new_search_page_asks_the_database_only_where_the_change_log_stands(
        app, make_advice):
    for n in range(3):
        make_advice(title=f"Wonen na je achttiende {n}", slug=f"wonen-{n}")
    client = app.test_client()
    assert client.get("/zoeken?q=wonen").status_code == 200  # this position checked once
    for url in ("/zoeken?q=wonen+gehoord", "/api/search?q=jongeren+wonen",
                "/zoeken?q=gehoord&theme=pleegzorg"):
        with counted(app) as statements:
            assert client.get(url).status_code == 200
        # Nothing but the change log's position, which kb.changes reads on a connection of
        # its own (not counted here); before: backlog, theme change, the hits' status,
        # themes, audiences and regions, six statements.
        assert statements == [], url


def test_a_withdrawal_moves_the_log_and_the_next_search_leaves_the_advice_out(
        app, make_advice):
    items = [make_advice(title=f"Wonen op kamers {n}", slug=f"kamers-{n}") for n in range(2)]
    client = app.test_client()
    assert len(client.get("/api/search?q=kamers").get_json()["results"]) == 2
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, items[0].id)
        save_advice(session, advice, content_of(advice), status=AdviceStatus.WITHDRAWN,
                    note="test")
    found = client.get("/api/search?q=kamers+wonen").get_json()["results"]
    assert [r["id"] for r in found] == [items[1].id]


def test_an_advice_written_through_a_change_shows_its_lees_ook_without_a_more_like_this(
        app, make_advice, monkeypatch):
    """Issue 10: "Lees ook" ran more-like-this (~40 ms at 10,000 advice) at the first view of
    every advice after every index change; it is now computed when the advice is written."""
    body = "## Wat we zien\n\nWonen op kamers met begeleiding van een mentor en een budget.\n"
    for n in range(6):
        make_advice(title=f"Kamers en begeleiding {n}", body=body, slug=f"kamers-{n}")
    item = make_advice(title="Op kamers wonen met een mentor", body=body, slug="op-kamers")
    calls: list = []
    original = searcher.Engine._more_like_this

    def counted_mlt(self, *args):
        calls.append(args)
        return original(self, *args)

    monkeypatch.setattr(searcher.Engine, "_more_like_this", counted_mlt)
    page = app.test_client().get(f"/advies/{item.id}/{item.slug}")
    assert page.status_code == 200
    assert calls == []  # the view read the stored list
    with app.test_request_context():
        from kb import search
        from kb.db import get_session

        advice = get_session().get(Advice, item.id)
        stored = search.related(advice)
        monkeypatch.setattr(searcher.Engine, "_stored_related", staticmethod(lambda *a: None))
        search.search_index().clear_cache()
        assert stored and search.related(advice) == stored  # as computed at the view before
    assert calls  # (the comparison did compute it)
    html = page.get_data(as_text=True)
    assert all(f"/advies/{i}/" in html for i in stored)


def test_renaming_an_audience_with_kb_themes_moves_the_change_log(app, tmp_path):
    """The names on kept pages and in the search page's filters are kept per change-log
    position, so a change of the audience or region lists must move it (it moved only when a
    theme changed)."""
    import shutil

    from sqlmodel import func, select

    from kb.config import PROJECT_ROOT
    from kb.models import IndexChange

    folder = tmp_path / "themes"
    shutil.copytree(PROJECT_ROOT / "themes", folder)
    gemeenten = folder / "audiences" / "gemeenten.yaml"
    gemeenten.write_text(gemeenten.read_text(encoding="utf-8").replace(
        "name: Gemeenten", "name: Gemeentebesturen"), encoding="utf-8")

    def log_size() -> int:
        with app.app_context(), session_scope() as session:
            return session.exec(select(func.count()).select_from(IndexChange)).one()

    before = log_size()
    result = app.test_cli_runner().invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert log_size() == before + 1


def test_lees_ook_merges_no_word_found_in_most_advice(tmp_path, monkeypatch):
    """Tried as the mixed load run would: 400 first views of advice pages took 72–76 ms of CPU
    each at 10,000 advice, most of it summing the scores of "de", "jongeren" and "zorg" (in
    8,000–10,000 of the advice) for more-like-this. Such words tell nothing and are left out;
    the telling words still decide."""
    from search_index import SearchIndex
    from tests.test_search_contract import THEMES, doc

    common = "de jongeren zorg " * 6
    docs = [doc(i, f"Advies {i} over {topic}", body=f"{common} {topic} {topic} {topic} {extra}")
            for i, (topic, extra) in enumerate(
                [("pleeggezin", "pleegouders"), ("pleeggezin", "pleegouders"),
                 ("schoolreis", "leraren"), ("schoolreis", "leraren"),
                 ("woonplek", "kamer"), ("woonplek", "kamer"),
                 ("voogdij", "jeugdbeschermer"), ("voogdij", "jeugdbeschermer")], start=1)]
    built = SearchIndex(tmp_path / "index", THEMES)
    built.rebuild(docs)
    monkeypatch.setattr(searcher, "MLT_MIN_DOCS_FOR_CAP", 0, raising=False)  # cap 8 advice
    read: list[str] = []
    original = scoring.Postings.term

    def recorded(self, reader, fieldname, text, keep=True):
        read.append(text)
        return original(self, reader, fieldname, text, keep)

    monkeypatch.setattr(scoring.Postings, "term", recorded)
    related = built.more_like_this(1, limit=1)
    assert [hit.id for hit in related] == [2]  # the other advice about the foster family
    assert "pleeggezin" in read
    assert not {"de", "jongeren", "jonger", "zorg"} & set(read), read
