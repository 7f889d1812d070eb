"""The bridge between the knowledge base and ``search_index``: what of an advice is searchable.

Views call these functions and never import Whoosh. The index follows the database: callers
update it only after their transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask, current_app
from sqlmodel import Session

from kb.advice import published_advice
from kb.models import Advice
from kb.render import plain_text
from search_index import Results, SearchDocument, SearchIndex

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Attach the search index to the app."""
    app.extensions["kb.search"] = SearchIndex(app.config["INDEX_DIR"])


def search_index() -> SearchIndex:
    """The current app's index."""
    return current_app.extensions["kb.search"]


def to_document(advice: Advice) -> SearchDocument:
    """The public, searchable part of an advice: never account data."""
    return SearchDocument(
        id=advice.id,
        slug=advice.slug,
        title=advice.title,
        summary=advice.summary,
        body=plain_text(advice.body),
        themes=tuple(advice.theme_slugs),
        audience=tuple(advice.audience),
        region=advice.region,
        published=advice.published,
    )


def sync_advice(advice_list: Iterable[Advice]) -> None:
    """Bring the index in line with these (committed) advice: public ones in, others out."""
    advice_list = list(advice_list)
    public = [to_document(a) for a in advice_list if a.is_public]
    hidden = [a.id for a in advice_list if not a.is_public]
    index = search_index()
    if public:
        index.index(public)
    if hidden:
        index.remove(hidden)


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database; returns the number of documents."""
    docs = [to_document(a) for a in published_advice(session)]
    search_index().rebuild(docs, progress)
    return len(docs)


def ensure_index(session: Session) -> None:
    """Open the index at start-up, rebuilding it when it is missing, corrupt or outdated."""
    reason = search_index().open()
    if reason is not None:
        log.warning("Rebuilding the search index: %s.", reason)
        count = rebuild(session)
        log.warning("Search index rebuilt with %d advice.", count)


def search(text: str, filters: dict[str, str] | None = None, page: int = 1,
           sort: str = "relevance") -> Results:
    """Search public advice."""
    return search_index().search(text, filters, page, current_app.config["PAGE_SIZE"], sort)
