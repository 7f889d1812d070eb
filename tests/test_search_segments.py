"""Per-segment caches kept across index generations (search_index.segments): after a publish or
an edit the searcher reads only what changed, and every answer equals a fresh searcher's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from whoosh.reading import SegmentReader

from search_index import SearchIndex, segments
from tests.test_search_contract import DOCS, THEMES, doc

QUERIES = [("jongeren", {}), ("hulpverlener begeleiding", {}), ("beleid", {"region": "Drenthe"}),
           ("gesloten", {"theme": "gesloten-jeugdzorg"}), ("pleeggezin", {}),
           ("nieuwe", {"audience": "gemeenten"})]


def answers(index: SearchIndex) -> list:
    found = []
    for text, filters in QUERIES:
        results = index.search(text, filters)
        found.append(([(h.id, round(h.score, 6)) for h in results.hits], results.total,
                      results.facets))
    return found


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    built = SearchIndex(tmp_path / "index", THEMES)
    built.rebuild(DOCS)
    return built


@pytest.fixture
def reads(monkeypatch) -> list:
    """Every postings list Whoosh opens from disk, by segment (a real read, counted)."""
    seen: list = []
    original = SegmentReader.postings

    def counted(self, fieldname, text, *args, **kwargs):
        seen.append(segments.segment_key(self))
        return original(self, fieldname, text, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "postings", counted)
    return seen


@pytest.mark.parametrize("change", ["publish", "edit", "withdraw"])
def test_after_a_change_searches_read_only_the_changed_segments_and_answer_as_fresh(
        index, reads, tmp_path, change):
    answers(index)
    before = {key for key in reads if key is not None}
    applied = index.applied()
    if change == "publish":
        index.apply([doc(7, "Jongeren willen een nieuwe hulpverlener die blijft",
                         body="Begeleiding en beleid voor jongeren.", themes=("hulpverleners",),
                         region="Drenthe", published=date(2025, 12, 1))], [], applied)
    elif change == "edit":
        index.apply([replace(DOCS[2], title="Beleid maken met jongeren en pleeggezin",
                             region="Zeeland")], [], applied)
    else:
        index.apply([], [DOCS[5].id], applied)
    reads.clear()
    after = answers(index)
    read_again = {key for key in reads if key is not None} & before
    assert after == answers(SearchIndex(tmp_path / "index", THEMES))  # a searcher without caches
    # The segments that did not change were not read again (a phrase's word positions are
    # read per query, by design: they are too big to keep; these queries have no phrase).
    assert not read_again


def test_a_withdrawn_document_leaves_every_facet_count(index):
    index.search("jongeren")
    index.apply([], [DOCS[3].id], index.applied())
    facets = index.search("jongeren").facets
    assert "gesloten-jeugdzorg" not in facets.get("theme", {})
    assert index.search("gesloten", {"theme": "gesloten-jeugdzorg"}).total == 0
