"""The search page's context, shared by ``/zoeken`` and ``/api/search``."""

from __future__ import annotations

from flask import url_for
from werkzeug.datastructures import MultiDict

from kb import search
from kb.db import get_session
from kb.themes import theme_map
from search_index import Results

FILTER_NAMES = ("theme", "audience", "region", "year")
SORTS = ("relevance", "date")
MAX_PAGE = 1000


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
    results: Results = search.search(params["q"], params["filters"], params["page"],
                                     params["sort"])

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
