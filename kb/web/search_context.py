"""The search page's context, shared by ``/zoeken`` and ``/api/search``.

When this node's index cannot answer (damaged files being rebuilt, no index yet, a read-only
folder or full disk while changes wait), search answers 503 :class:`SearchUnavailable`, a
Dutch page or ``{"error", "status": 503}`` under ``/api/``, and the rest of the site works.
"""

from __future__ import annotations

from flask import abort, g, url_for
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable

from kb import search, vocabulary
from kb.db import get_session
from kb.l10n import N_
from kb.models import Advice
from kb.themes import theme_map
from kb.web import caching
from kb.web.i18n import current_language
from search_index import IndexUnavailable, Results

FILTER_NAMES = ("theme", "audience", "region", "year")
SORTS = ("relevance", "date")
MAX_PAGE = 1000
#: Values of one filter read from a query string (more is not a person ticking boxes).
MAX_VALUES = 60
#: Seconds a client should wait before searching again: a rebuild of 10,000 advice takes ~30 s.
RETRY_AFTER = 30


class PageOutOfRange(Exception):
    """A page number past the last page: the view answers a redirect to ``url``, the last page
    (never "Pagina 99 van 2" with an empty list)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class SearchUnavailable(ServiceUnavailable):
    """503 "Zoeken werkt even niet": the index is being repaired or cannot take changes.

    ``page`` is the Dutch source text; the error page and the JSON translate it when shown."""

    page = (N_("Zoeken werkt even niet"),
            N_("Het zoeken in de adviezen werkt op dit moment niet. Dat ligt niet aan jou: we "
               "zijn het aan het herstellen. Probeer het over een minuut opnieuw. Je kunt de "
               "adviezen intussen wel per thema bekijken."))

    def __init__(self) -> None:
        super().__init__(retry_after=RETRY_AFTER)

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        # A cache in front must not go on showing this once search works again.
        return [*super().get_headers(environ, scope), ("Cache-Control", "no-store")]


def search_args(args: MultiDict) -> dict:
    """Read the query string leniently: odd values fall back to defaults instead of failing.

    Every filter may be given more than once (``theme=a&theme=b``): values of one filter
    combine with OR, filters with AND.
    """
    try:
        page = min(MAX_PAGE, max(1, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    sort = args.get("sort", "relevance")
    filters = {}
    for name in FILTER_NAMES:
        values = list(dict.fromkeys(v[:100] for v in args.getlist(name) if v))[:MAX_VALUES]
        if values:
            filters[name] = values
    return {
        "q": args.get("q", "")[:500],
        "page": page,
        "sort": sort if sort in SORTS else "relevance",
        "filters": filters,
    }


def _not_dutch() -> dict[int, str]:
    """The language of every advice whose text is not Dutch (most are; Dutch is the default)."""
    return dict(get_session().exec(select(Advice.id, Advice.language)
                                   .where(Advice.language != "nl")).all())


def _names(english: bool) -> dict[str, dict[str, str]]:
    """The shown names of the filter values by slug: themes and audiences by their English
    name in the English interface (when the data has one); regions are place names and stay
    as they are."""
    session = get_session()
    return {"theme": {slug: (english and theme.name_en) or theme.name
                      for slug, theme in theme_map(session).items()},
            "audience": {slug: (english and a.name_en) or a.name
                         for slug, a in vocabulary.audience_map(session).items()},
            "region": {slug: r.name for slug, r in vocabulary.region_map(session).items()}}


def search_context(args: MultiDict, endpoint: str = "reader.search", fixed: dict | None = None,
                   **url_values) -> dict:
    """Run the search the query string asks for and describe its results.

    With no words it lists every advice the filters allow, newest first (a browse), with the
    same facets. ``fixed`` filters (an audience or region page) apply without being shown as
    removable. A page past the end raises :class:`PageOutOfRange` (a redirect to the last page)
    or a 404 when there is nothing to page through.
    """
    params = search_args(args)
    filters = {**params["filters"], **(fixed or {})}
    try:
        results: Results = search.search(params["q"], filters, params["page"], params["sort"])
    except IndexUnavailable as error:  # logged by the index, once; no traceback per search
        search.repair(error)
        raise SearchUnavailable() from error
    browse = results.message == "browse"
    if g.get("search_index_behind"):
        caching.do_not_keep()

    def link(**changes) -> str:
        query = {"q": params["q"], "sort": params["sort"], **params["filters"],
                 "page": params["page"], **changes}
        query = {k: v for k, v in query.items() if v not in ("", None, [])}
        if query.get("page") == 1:
            query.pop("page")
        if query.get("sort") == "relevance":
            query.pop("sort")
        return url_for(endpoint, **url_values, **query)

    if results.page > results.pages:
        if results.total == 0:
            abort(404)
        raise PageOutOfRange(link(page=results.pages))
    language = current_language()
    names = caching.per_version(f"search.names.{language}", lambda: _names(language == "en"))
    # The language of each hit's title and summary (the index does not hold it): the few
    # advice not in Dutch, kept per change-log position, so a search asks the database nothing.
    languages = caching.per_version("search.languages", _not_dutch)

    def label(name: str, value: str) -> str:
        return names.get(name, {}).get(value, value)

    def without(name: str, value: str) -> str:
        rest = [v for v in params["filters"].get(name, []) if v != value]
        return link(page=None, **{name: rest or None})

    chosen = params["filters"]
    facet_groups = []
    for name in FILTER_NAMES:
        counts = (results.facets or {}).get(name) or {}
        if fixed and name in fixed:
            continue
        items = list(counts.items())
        if name == "year":
            items.sort(key=lambda item: str(item[0]), reverse=True)
        facet_groups.append({"name": name, "values": [
            {"value": str(value), "label": label(name, str(value)), "count": count,
             "chosen": str(value) in chosen.get(name, [])}
            for value, count in items]})
    return {
        # Which language the interface used for this answer (labels, and on the page, every
        # message); the data itself (titles, slugs) is the same in both.
        "interface_language": current_language(),
        "query": params["q"],
        "sort": "date" if browse else params["sort"],
        "browse": browse,
        "filters": params["filters"],
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "message": None if browse else results.message,
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
                "highlight": "" if browse else hit.highlight,
                "language": languages.get(hit.id) or "nl",
            }
            for hit in results.hits
        ],
        "facets": results.facets,
        "facet_groups": [group for group in facet_groups if group["values"]],
        "chips": [{"name": name, "value": value, "label": label(name, value),
                   "remove": without(name, value)}
                  for name, values in chosen.items() for value in values],
        "clear_filters": link(page=None, **{name: None for name in chosen}),
        "theme_names": names["theme"],
        "links": {
            "previous": link(page=results.page - 1) if results.page > 1 else None,
            "next": link(page=results.page + 1) if results.page < results.pages else None,
        },
    }
