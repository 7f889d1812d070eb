"""The search page's context, shared by ``/zoeken`` and ``/api/search``.

When this node's index cannot answer (damaged files being rebuilt, no index yet, a read-only
folder or full disk while changes wait), search answers 503 :class:`SearchUnavailable`, a
Dutch page or ``{"error", "status": 503}`` under ``/api/``, and the rest of the site works.
"""

from __future__ import annotations

from flask import g, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable

from kb import search
from kb.db import get_session
from kb.themes import theme_map
from kb.web import caching
from search_index import IndexUnavailable, Results

FILTER_NAMES = ("theme", "audience", "region", "year")
SORTS = ("relevance", "date")
MAX_PAGE = 1000
#: Seconds a client should wait before searching again: a rebuild of 10,000 advice takes ~30 s.
RETRY_AFTER = 30


class SearchUnavailable(ServiceUnavailable):
    """503 "Zoeken werkt even niet": the index is being repaired or cannot take changes."""

    page = ("Zoeken werkt even niet",
            "Het zoeken in de adviezen werkt op dit moment niet. Dat ligt niet aan jou: we zijn "
            "het aan het herstellen. Probeer het over een minuut opnieuw. Je kunt de adviezen "
            "intussen wel per thema bekijken.")

    def __init__(self) -> None:
        super().__init__(retry_after=RETRY_AFTER)

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        # A cache in front must not go on showing this once search works again.
        return [*super().get_headers(environ, scope), ("Cache-Control", "no-store")]


def search_args(args: MultiDict) -> dict:
    """Read the query string leniently: odd values fall back to defaults instead of failing."""
    try:
        page = min(MAX_PAGE, max(1, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    sort = args.get("sort", "relevance")
    return {
        "q": args.get("q", "")[:500],
        "page": page,
        "sort": sort if sort in SORTS else "relevance",
        "filters": {name: args.get(name, "")[:100] for name in FILTER_NAMES if args.get(name)},
    }


def search_context(args: MultiDict, endpoint: str = "reader.search") -> dict:
    """Run the search the query string asks for and describe its results."""
    params = search_args(args)
    try:
        results: Results = search.search(params["q"], params["filters"], params["page"],
                                         params["sort"])
    except IndexUnavailable as error:  # logged by the index, once; no traceback per search
        search.repair(error)
        raise SearchUnavailable() from error
    if g.get("search_index_behind"):
        caching.do_not_keep()

    def link(**changes) -> str:
        query = {"q": params["q"], "sort": params["sort"], **params["filters"],
                 "page": params["page"], **changes}
        query = {k: v for k, v in query.items() if v not in ("", None)}
        if query.get("page") == 1:
            query.pop("page")
        if query.get("sort") == "relevance":
            query.pop("sort")
        return url_for(endpoint, **query)

    return {
        "query": params["q"],
        "sort": params["sort"],
        "filters": params["filters"],
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "message": results.message,
        "suggestion": results.suggestion,
        "results": [
            {
                "id": hit.id,
                "slug": hit.slug,
                "title": hit.title,
                "url": url_for("reader.advice", advice_id=hit.id, slug=hit.slug),
                "summary": hit.summary,
                "themes": list(hit.themes),
                "published": hit.published.isoformat() if hit.published else None,
                "highlight": hit.highlight,
            }
            for hit in results.hits
        ],
        "facets": results.facets,
        "theme_names": {slug: theme.name for slug, theme in theme_map(get_session()).items()},
        "links": {
            "previous": link(page=results.page - 1) if results.page > 1 else None,
            "next": link(page=results.page + 1) if results.page < results.pages else None,
        },
    }
