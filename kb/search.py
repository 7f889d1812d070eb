"""The bridge between the knowledge base and ``search_index``: what of an advice is searchable,
and when the index catches up with the database.

Views call these functions and never import Whoosh. The index follows the database through the
change log (:mod:`kb.indexing`); it is never written before the transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from flask import Flask, current_app
from sqlmodel import Session, select

from kb import indexing
from kb.models import Advice, AdviceStatus, AdviceTheme, Theme
from kb.render import plain_text
from kb.themes import theme_map
from search_index import Results, SearchDocument, SearchIndex, ThemeTerms

log = logging.getLogger(__name__)

#: A "Lees ook" hit must score at least this share of the best hit's score.
RELATED_MIN_SHARE = 0.3


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
        revision=advice.revision,
    )


def published_documents(session: Session) -> Iterator[SearchDocument]:
    """Every public advice as a document, newest first, like :func:`kb.advice.published_advice`,
    but read as plain rows in batches: a rebuild never holds thousands of ORM objects (with
    their HTML) nor loads each advice's themes with a query of its own."""
    themes: dict[int, list[str]] = {}
    for advice_id, slug in session.exec(
            select(AdviceTheme.advice_id, Theme.slug).join(Theme, Theme.id == AdviceTheme.theme_id)
            .order_by(AdviceTheme.advice_id, AdviceTheme.position)):
        themes.setdefault(advice_id, []).append(slug)
    rows = session.exec(
        select(Advice.id, Advice.slug, Advice.title, Advice.summary, Advice.body,
               Advice.audience, Advice.region, Advice.published, Advice.revision)
        .where(Advice.status == AdviceStatus.PUBLISHED)
        .order_by(Advice.published.desc(), Advice.id.desc())
        .execution_options(yield_per=500))
    for advice_id, slug, title, summary, body, audience, region, published, revision in rows:
        yield SearchDocument(
            id=advice_id, slug=slug, title=title, summary=summary, body=plain_text(body),
            themes=tuple(themes.pop(advice_id, ())), audience=tuple(audience or ()),
            region=region, published=published, revision=revision)


def theme_terms(session: Session) -> list[ThemeTerms]:
    """The themes' search vocabulary (name and synonyms) as plain data for the index."""
    return [ThemeTerms(slug=t.slug, name=t.name, synonyms=tuple(t.synonyms or ()))
            for t in theme_map(session).values()]


def catch_up(session: Session, wait: bool = False) -> int:
    """Apply committed changes to the index now; call right after a commit."""
    return indexing.catch_up(session, search_index(), to_document, wait=wait)


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database, beside the live one; returns the document count."""
    index = search_index()
    index.set_themes(theme_terms(session))  # themes may have changed (``kb themes``)
    with index.write_lock(blocking=True):
        mark = indexing.rebuild_mark(session)
        count = index.rebuild(published_documents(session), progress, mark)
    catch_up(session, wait=True)
    return count


def ensure_index(session: Session) -> None:
    """At start-up: rebuild a missing, corrupt or outdated index, then catch up with the log."""
    index = search_index()
    index.set_themes(theme_terms(session))
    reason = index.open()
    if reason is not None:
        with index.write_lock(blocking=True):
            # Another worker may have rebuilt it while this one waited for the lock.
            reason = index.open()
        if reason is not None:
            log.warning("Rebuilding the search index: %s.", reason)
            count = rebuild(session)
            log.warning("Search index rebuilt with %d advice.", count)
    catch_up(session, wait=True)


def search(text: str, filters: dict[str, str] | None = None, page: int = 1,
           sort: str = "relevance") -> Results:
    """Search public advice, first catching up if another worker committed changes."""
    from kb.db import get_session

    session = get_session()
    index = search_index()
    if indexing.is_behind(session, index):
        catch_up(session)
    _follow_theme_changes(session, index)
    return index.search(text, filters, page, current_app.config["PAGE_SIZE"], sort)


def _follow_theme_changes(session: Session, index: SearchIndex) -> None:
    """Reload the query vocabulary when ``kb themes`` changed the themes (in any process).

    The vocabulary lives in each process's memory, so each process checks the log itself
    rather than relying on whoever applied the index changes.
    """
    latest = indexing.latest_theme_change(session)
    seen = current_app.extensions.setdefault("kb.themes_seen", {"id": None})
    if latest != seen["id"]:
        if seen["id"] is not None or latest is not None:
            index.set_themes(theme_terms(session))
        seen["id"] = latest


def related(advice: Advice, limit: int = 5) -> list[int]:
    """Ids of advice most like this one ("Lees ook"), from the index's more-like-this."""
    try:
        hits = search_index().more_like_this(advice.id, limit)
        # Only advice that is really alike: a weak tail (a few common words) is noise.
        best = max((hit.score for hit in hits), default=0.0)
        return [hit.id for hit in hits if hit.score >= RELATED_MIN_SHARE * best]
    except Exception:  # the page must render even when the index is being repaired
        log.exception("More-like-this failed for advice %s", advice.id)
        return []
