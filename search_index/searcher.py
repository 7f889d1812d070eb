"""Running a search: ranked hits, filters, facet counts and safe highlighted snippets."""

from __future__ import annotations

from collections import Counter

from whoosh import query as q
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.index import Index
from whoosh.scoring import BM25F

from search_index.documents import Hit, Results
from search_index.query import parse, to_whoosh

FACET_FIELDS = ("themes", "audience", "region", "year")
#: Filter names as the web uses them, mapped to index fields.
FILTER_FIELDS = {"theme": "themes", "audience": "audience", "region": "region", "year": "year"}
FACET_NAMES = {value: key for key, value in FILTER_FIELDS.items()}


def _formatter() -> HtmlFormatter:
    # HtmlFormatter escapes the text around and inside matches; only <mark> is ours.
    return HtmlFormatter(tagname="mark", between=" … ")


def filter_query(filters: dict[str, str] | None) -> q.Query | None:
    """The filters a reader chose, as one Whoosh query, or None."""
    parts = [q.Term(FILTER_FIELDS[name], value)
             for name, value in (filters or {}).items() if name in FILTER_FIELDS and value]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else q.And(parts)


def run_search(ix: Index, text: str, filters: dict[str, str] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance") -> Results:
    """Search the index; any text gives results, no results, or a message, never an error."""
    parsed = parse(text)
    page = max(1, page)
    results = Results(query=text, total=0, page=page, page_size=page_size)
    if parsed.empty:
        results.message = "empty"
        return results
    whoosh_query = to_whoosh(parsed)
    allowed = filter_query(filters)
    with ix.searcher(weighting=BM25F()) as searcher:
        all_hits = searcher.search(whoosh_query, filter=allowed, limit=None)
        results.total = len(all_hits)
        results.facets = _facets(searcher, all_hits)
        kwargs = {"sortedby": "published", "reverse": True} if sort == "date" else {}
        page_hits = searcher.search_page(whoosh_query, page, pagelen=page_size,
                                         filter=allowed, **kwargs)
        page_hits.results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
        page_hits.results.formatter = _formatter()
        for hit in page_hits:
            results.hits.append(_hit(hit))
    return results


def _hit(hit) -> Hit:
    from html import escape

    stored = hit.fields()
    highlight = hit.highlights("body", top=2) or hit.highlights("summary") or escape(
        stored.get("summary", ""))
    published = stored.get("published")
    return Hit(
        id=int(stored["advice_id"]),
        slug=stored["slug"],
        title=stored["title"],
        summary=stored["summary"],
        themes=tuple(t for t in stored.get("themes", "").split(",") if t),
        published=published.date() if published else None,
        highlight=highlight,
        score=float(hit.score or 0.0),
    )


def _facets(searcher, hits) -> dict[str, dict[str, int]]:
    counters = {FACET_NAMES[name]: Counter() for name in FACET_FIELDS}
    for docnum in hits.docs():
        stored = searcher.stored_fields(docnum)
        for name in FACET_FIELDS:
            values = [v for v in stored.get(name, "").split(",") if v]
            counters[FACET_NAMES[name]].update(values)
    return {name: dict(counter.most_common()) for name, counter in counters.items()}
