"""Running searches: ranked hits, filters, facet counts, snippets, suggestions, "Lees ook".

Speed comes from doing little per query: one searcher per thread, refreshed rather than reopened
(a Whoosh ``Searcher`` is not thread-safe); facet counts and filters from per-value document sets
cached per index generation (:mod:`search_index.facets`); scoring only the page that is shown;
and a small cache of finished results keyed by (normalized query, filters, page, sort),
dropped with its generation as soon as the index changes.
"""

from __future__ import annotations

import heapq
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape
from pathlib import Path

from whoosh import query as q
from whoosh.index import Index
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search_index.compounds import Decompounder
from search_index.documents import Hit, Results
from search_index.expand import Built, Expander, Or
from search_index.facets import FacetSets
from search_index.partial import find
from search_index.query import parse
from search_index.scoring import Evaluator, Postings
from search_index.segments import SegmentCache
from search_index.snippets import highlight
from search_index.spelling import Lexicon, Speller
from search_index.suggest import SAMPLE_DOCS, suggestion, surface_forms
from search_index.synonyms import Thesaurus

#: Finished results kept per index generation.
RESULT_CACHE_SIZE = 512
MLT_TERMS = 12
MLT_THEME_SCORE = 1.0
#: A word in more than this share of the documents does not tell what an advice is about
#: ("de", "jongeren"): BM25 gives it almost nothing, yet adding its scores meant a dict merge
#: over most of the collection on every first view of an advice (38 of 46 ms at 10,000).
MLT_MAX_DOC_SHARE = 0.25
#: Below this many documents every word may count (in a small collection most words are
#: in a quarter of it).
MLT_MIN_DOCS_FOR_CAP = 200
#: "Lees ook" entries stored with a document written through a change.
STORED_RELATED = 5
NONE_RELATED = "-"


class Generation:
    """What is cached for one version of the index: facet sets, the speller, finished results."""

    def __init__(self, searcher: Searcher, terms: SegmentTerms,
                 segments: SegmentCache | None = None) -> None:
        self.segment_terms = terms
        self.facets = FacetSets(searcher.reader(), segments)
        self.postings = Postings(searcher.reader(), segments.postings if segments else None)
        self.results: OrderedDict[tuple, Results | list[Hit]] = OrderedDict()
        self._speller: Speller | None = None
        self._published: list | None = None
        self._forms: dict[str, Counter] = {}
        self._lock = threading.Lock()

    def published(self, searcher: Searcher) -> list:
        """Every document's publication date as a sortable number, indexed by docnum."""
        with self._lock:
            if self._published is None:
                column = searcher.reader().column_reader("published", translate=False)
                self._published = [value or 0 for value in column]
            return self._published

    def speller(self, searcher: Searcher) -> Speller:
        """Typo corrections against this generation's terms, read the first time one is needed."""
        with self._lock:
            if self._speller is None:
                reader = searcher.reader()
                self._speller = Speller(self.segment_terms.lexicon(reader), lambda term: sum(
                    reader.doc_frequency(f, term) for f in ("title", "summary", "body")))
            return self._speller

    def forms(self, searcher: Searcher, term: str) -> Counter:
        """How the advice write an index term (for "Bedoelde je"), read from a few advice
        that use it; cached for the generation."""
        with self._lock:
            found = self._forms.get(term)
        if found is None:
            postings = self.postings.term(searcher.reader(), "body", term) or \
                self.postings.term(searcher.reader(), "title", term)
            texts = [" ".join(searcher.stored_fields(d).get(f, "")
                              for f in ("title", "summary", "body"))
                     for d in sorted(postings)[:SAMPLE_DOCS]]
            found = surface_forms(texts, term)
            with self._lock:
                self._forms[term] = found
        return found

    def cached(self, key: tuple):
        with self._lock:
            found = self.results.get(key)
            if found is not None:
                self.results.move_to_end(key)
            return found

    def store(self, key: tuple, results) -> None:
        with self._lock:
            self.results[key] = results
            while len(self.results) > RESULT_CACHE_SIZE:
                self.results.popitem(last=False)


class SegmentTerms:
    """Each segment's full-text terms, read once and kept across index generations (a few
    hundred milliseconds per 10,000 advice to read; an edit adds a small segment)."""

    def __init__(self, size: int = 64) -> None:
        self._sets: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def lexicon(self, reader) -> Lexicon:
        """The terms of every segment of ``reader``."""
        parts = []
        for sub, _ in reader.leaf_readers():
            segment = sub.segment()
            if segment is None:  # an empty index
                parts.append(lexicon(sub))
                continue
            key = segment.segment_id()
            with self._lock:
                found = self._sets.get(key)
            if found is None:
                found = lexicon(sub)
                with self._lock:
                    self._sets[key] = found
                    while len(self._sets) > self._size:
                        self._sets.popitem(last=False)
            parts.append(found)
        return Lexicon(parts)


class Engine:
    """Searching one index root: per-thread searchers and per-generation caches."""

    def __init__(self, thesaurus: Thesaurus,
                 decompounder: Callable[[], Decompounder | None]) -> None:
        self.thesaurus = thesaurus
        self.decompounder = decompounder
        self._local = threading.local()
        self._generations: dict[tuple, Generation] = {}
        self._segment_terms = SegmentTerms()
        #: Postings and facet sets per segment, kept across generations (a publish adds one
        #: small segment; the big ones need not be read again).
        self._segments = SegmentCache()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget cached generations (and so cached results), e.g. after the themes changed."""
        with self._lock:
            self._generations.clear()

    def searcher(self, ix: Index) -> tuple[Searcher, Generation]:
        """This thread's searcher on ``ix``, up to date, and its generation's caches."""
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is None or local.ix is not ix or not searcher.up_to_date():
            # Not Searcher.refresh(): its reader reuse fails on an empty index (whoosh 2.7.5).
            if searcher is not None:
                searcher.close()
            searcher = ix.searcher(weighting=BM25F())
            local.ix = ix
        local.searcher = searcher
        key = (str(Path(ix.storage.folder)), searcher.reader().generation())
        with self._lock:
            generation = self._generations.get(key)
            if generation is None:
                # Keep the newest two: another thread may briefly still search the older one.
                while len(self._generations) >= 2:
                    self._generations.pop(next(iter(self._generations)))
                generation = self._generations[key] = Generation(searcher, self._segment_terms,
                                                                 self._segments)
        return searcher, generation

    def search(self, ix: Index, text: str, filters: Mapping[str, object] | None = None,
               page: int = 1, page_size: int = 10, sort: str = "relevance") -> Results:
        """Search; any text gives results, no results, or a message, never an error."""
        page, page_size = max(1, int(page)), max(1, min(int(page_size), 100))
        sort = sort if sort in ("relevance", "date") else "relevance"
        parsed = parse(text)
        searcher, generation = self.searcher(ix)
        if parsed.empty:
            return self.browse(searcher, generation, text, filters, page, page_size)
        key = (parsed.key(), _filters_key(filters), page, page_size, sort)
        cached = generation.cached(key)
        if cached is not None:
            return replace(cached, query=text, hits=list(cached.hits))
        expander = Expander(searcher.reader(), self.thesaurus,
                            lambda: generation.speller(searcher), self.decompounder())
        built = expander.build(parsed)
        results = self._run(searcher, generation, built, text, filters, page, page_size, sort)
        generation.store(key, results)
        return replace(results, hits=list(results.hits))

    def _run(self, searcher: Searcher, generation: Generation, built: Built, text: str,
             filters, page: int, page_size: int, sort: str) -> Results:
        results = Results(query=text, total=0, page=page, page_size=page_size)
        allowed = generation.facets.allowed(filters)
        evaluator = Evaluator(searcher.reader(), generation.postings)
        unfiltered: list[set[int]] = []
        scores, partial, most = find(searcher.reader(), generation.postings, built, allowed,
                                     unfiltered)
        if most:
            results.message = "partial"
        matched = set(scores)
        # Facets are counted before the filters (each as if its own selection were off), so
        # they need what the words find without any filter: mostly a by-product of the search
        # above; only when the filters changed which step of find() answers is it asked again.
        if allowed is None:
            found = matched
        elif unfiltered:
            found = unfiltered[0]
        else:
            found = set(find(searcher.reader(), generation.postings, built, None)[0])
        results.total = len(matched)
        results.facets = generation.facets.counts(found, filters)
        first = (page - 1) * page_size
        if matched and first < len(matched):
            if sort == "date":
                published = generation.published(searcher)
                tiers = [matched]
                key = published.__getitem__
            else:
                # The user's own words first: expansions, parts and typos rank below them.
                literal = (evaluator.docs(built.strict, keep=len(built.items) <= 1) & matched
                           if results.message is None and built.strict is not None else set())
                found = partial or [matched]
                tiers = [literal, *(tier - literal for tier in found)] if literal else found
                key = scores.__getitem__
            split = self.decompounder()
            split_fn = split.parts if split is not None else None
            results.hits = [
                _hit(searcher.stored_fields(docnum), scores[docnum], built.terms, split_fn)
                for docnum in _page(tiers, key, first, page_size)]
        if built.corrections or results.total == 0 or results.message == "partial":
            results.suggestion = suggestion(
                text, built.corrections, results.total, generation.speller(searcher),
                lambda term: generation.forms(searcher, term),
                lambda other: self._count(searcher, generation, other, filters))
        return results

    def browse(self, searcher: Searcher, generation: Generation, text: str,
               filters: Mapping[str, object] | None, page: int, page_size: int) -> Results:
        """No words: every document the filters allow, newest first, with the same facets.

        Built from the generation's facet sets and its column of dates, so a page costs the
        same at 26 advice and at 50,000 (only the shown page's stored fields are read).
        """
        key = ("\0browse", _filters_key(filters), page, page_size)
        cached = generation.cached(key)
        if cached is not None:
            return replace(cached, query=text, hits=list(cached.hits))
        facets = generation.facets
        allowed = facets.allowed(filters)
        matched = facets.live if allowed is None else facets.live & allowed
        results = Results(query=text, total=len(matched), page=page, page_size=page_size,
                          message="browse")
        results.facets = facets.counts(facets.live, filters)
        first = (page - 1) * page_size
        if first < len(matched):
            published = generation.published(searcher)
            results.hits = [_hit(searcher.stored_fields(docnum), 0.0, {}, None)
                            for docnum in _page([set(matched)], published.__getitem__, first,
                                                page_size)]
        generation.store(key, results)
        return replace(results, hits=list(results.hits))

    def _count(self, searcher: Searcher, generation: Generation, text: str, filters) -> int:
        """How many advice ``text`` finds (with the partial-match fallback), for checking a
        suggestion; no snippets, no suggestion of its own."""
        parsed = parse(text)
        if parsed.empty:
            return 0
        expander = Expander(searcher.reader(), self.thesaurus,
                            lambda: generation.speller(searcher), self.decompounder())
        built = expander.build(parsed)
        allowed = generation.facets.allowed(filters)
        return len(find(searcher.reader(), generation.postings, built, allowed)[0])

    def more_like_this(self, ix: Index, advice_id: int, limit: int = 5) -> list[Hit]:
        """Advice like this one: its most telling words, and its themes, over the index.

        A document written through a change carries its list (:meth:`related_when_written`):
        a view then only looks up those documents. Without a usable stored list (see
        :meth:`_stored_related`: a rebuild stores none) the list is computed at the first view
        and kept for the index generation, as before.
        """
        searcher, generation = self.searcher(ix)
        key = ("\0more-like-this", int(advice_id), int(limit))
        cached = generation.cached(key)
        if cached is not None:
            return list(cached)
        docnum = searcher.document_number(id=str(advice_id))
        if docnum is None or limit < 1:
            return []
        stored = searcher.stored_fields(docnum)
        related = self._stored_related(searcher, stored, limit)
        if related is None:
            related = self._more_like_this(searcher, generation, stored, docnum, limit)
        generation.store(key, related)
        return list(related)

    @staticmethod
    def _stored_related(searcher: Searcher, stored: dict, limit: int) -> list[Hit] | None:
        """The stored list, or None when it cannot answer: none stored (a rebuild), fewer than
        ``limit`` when written (the collection was small then: advice published since may
        belong in it), or one of them has left the index since."""
        kept = stored.get("related") or ""
        items = [] if kept in ("", NONE_RELATED) else kept.split(",")
        if limit > STORED_RELATED or len(items) < limit:
            return None
        related = []
        for item in items[:limit]:
            other, score = item.split(":")
            found = searcher.document_number(id=other)
            if found is None:
                return None
            related.append(_hit(searcher.stored_fields(found), float(score), {}, None))
        return related

    def related_when_written(self, ix: Index, doc) -> str:
        """"Lees ook" of a document about to be written (new or changed), against the index
        before the write, as stored in its ``related`` field: ``"id:score,…"`` best first, or
        ``"-"`` for none. Computed here, once per change, so that no view has to."""
        searcher, generation = self.searcher(ix)
        own = searcher.document_number(id=str(doc.id))
        stored = {"title": doc.title, "summary": doc.summary, "body": doc.body,
                  "themes": ",".join(doc.themes)}
        hits = self._more_like_this(searcher, generation, stored, own, STORED_RELATED)
        return ",".join(f"{hit.id}:{hit.score:.6g}" for hit in hits) or NONE_RELATED

    def _more_like_this(self, searcher: Searcher, generation: Generation, stored: dict,
                        docnum: int | None, limit: int) -> list[Hit]:
        """The ``limit`` documents most like ``stored`` (title, summary, body, themes), not
        counting document ``docnum`` (itself, when it is in the index)."""
        text = " ".join(stored.get(name, "") for name in ("title", "summary", "body"))
        if not text.strip() or searcher.doc_count() == 0:
            return []
        key_terms = _telling(searcher, searcher.key_terms_from_text(
            "body", text, numterms=MLT_TERMS * 2))[:MLT_TERMS]
        # Each word's three fields are summed once per index generation (the same node for
        # every advice that has the word); its weight for this advice is applied in the sum.
        parts: list[tuple[q.Query, float]] = [
            (Or([q.Term(f, term, boost=boost)
                 for f, boost in (("title", 2.0), ("summary", 1.5), ("body", 1.0))]), weight)
            for term, weight in key_terms]
        themes = [t for t in stored.get("themes", "").split(",") if t]
        if themes:
            parts.append((q.ConstantScoreQuery(
                Or([q.Term("themes", t) for t in themes]), score=MLT_THEME_SCORE), 1.0))
        if not parts:
            return []
        evaluator = Evaluator(searcher.reader(), generation.postings)
        scores = evaluator.weighted_sum(parts)
        if docnum is not None:
            scores.pop(docnum, None)
        best = heapq.nlargest(limit, scores, key=lambda d: (scores[d], -d))
        return [_hit(searcher.stored_fields(d), scores[d], {}, None) for d in best]


def _telling(searcher: Searcher, key_terms: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The key terms without the words found in most documents (see :data:`MLT_MAX_DOC_SHARE`)."""
    count = searcher.doc_count_all()
    if count < MLT_MIN_DOCS_FOR_CAP:
        return key_terms
    cap = MLT_MAX_DOC_SHARE * count
    return [(term, weight) for term, weight in key_terms
            if searcher.doc_frequency("body", term) <= cap]


def _allowed(scores: dict[int, float], allowed) -> dict[int, float]:
    if allowed is None:
        return scores
    return {d: s for d, s in scores.items() if d in allowed}


def _page(tiers: list[set[int]], key: Callable[[int], float], first: int, size: int) -> list[int]:
    """Documents ``first`` to ``first + size`` of the tiers in order, each tier best first;
    only as many are sorted as the page needs. Ties keep document order (sets of ints iterate
    in a fixed order; small tiers are sorted to be sure)."""
    page: list[int] = []
    for tier in tiers:
        if first >= len(tier):
            first -= len(tier)
            continue
        wanted = first + size - len(page)
        best = heapq.nlargest(wanted, sorted(tier) if len(tier) < 2_000 else tier, key=key)
        page.extend(best[first:])
        first = 0
        if len(page) >= size:
            break
    return page[:size]


def _hit(stored: dict, score: float, terms: dict, split) -> Hit:
    summary = stored.get("summary", "")
    snippet = (highlight(stored.get("body", ""), terms, split)
               or highlight(summary, terms, split, max_chars=400) or escape(summary))
    published = stored.get("published")
    return Hit(
        id=int(stored["advice_id"]),
        slug=stored["slug"],
        title=stored["title"],
        summary=summary,
        themes=tuple(t for t in stored.get("themes", "").split(",") if t),
        published=published.date() if published else None,
        highlight=snippet,
        score=float(score),
    )


def _filters_key(filters: Mapping[str, object] | None) -> tuple:
    items = []
    for name, value in sorted((filters or {}).items()):
        if value:
            items.append((name, value if isinstance(value, str) else tuple(map(str, value))))
    return tuple(items)


def lexicon(reader) -> frozenset[str]:
    """Every index term of the full-text fields: the vocabulary of typos and compounds."""
    found: set[str] = set()
    for fieldname in ("title", "summary", "body"):
        found.update(t.decode("utf-8") if isinstance(t, bytes) else t
                     for t in reader.lexicon(fieldname))
    return frozenset(found)
