"""The bridge between the knowledge base and ``search_index``: what of an advice is searchable,
and when the index catches up with the database.

Views call these functions and never import Whoosh. The index follows the database through the
change log (:mod:`kb.indexing`); it is never written before the transaction has committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import func
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from kb import indexing
from kb.follower import Follower
from kb.models import Advice, AdviceStatus, AdviceTheme, Region, Theme
from kb.render import plain_text
from kb.search_vocabulary import load_vocabulary
from kb.themes import theme_map
from search_index import IndexUnavailable, Results, SearchDocument, SearchIndex, ThemeTerms

log = logging.getLogger(__name__)

#: A "Lees ook" hit must score at least this share of the best hit's score.
RELATED_MIN_SHARE = 0.3
#: A request applies at most this many logged changes itself (a publish it just committed, a
#: few from another node: well under a second); a larger backlog is the follower's.
INLINE_CHANGES = 50
#: At start an index of at most this many advice is built at once (under a second); a larger
#: one in the background, so that a new node serves pages at once (12,000 advice took 87 s).
INLINE_BUILD = 300


def init_app(app: Flask) -> None:
    """Attach the search index to the app (its follower starts with the app, see
    :func:`ensure_index`)."""
    app.extensions["kb.search"] = SearchIndex(
        app.config["INDEX_DIR"], vocabulary=load_vocabulary(Path(app.config["THEMES_DIR"])))


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
        regions_within=_within(object_session(advice), advice.region),
    )


def _within(session: Session | None, region: str | None) -> tuple[str, ...]:
    """The province a jeugdregio lies in (nothing for a province, landelijk or no region)."""
    if session is None or not region:
        return ()
    province = session.exec(select(Region.province).where(Region.slug == region)).first()
    return (province,) if province else ()


def published_documents(session: Session) -> Iterator[SearchDocument]:
    """Every public advice as a document, newest first, like :func:`kb.advice.published_advice`,
    but read as plain rows in batches: a rebuild never holds thousands of ORM objects (with
    their HTML) nor loads each advice's themes with a query of its own."""
    themes: dict[int, list[str]] = {}
    for advice_id, slug in session.exec(
            select(AdviceTheme.advice_id, Theme.slug).join(Theme, Theme.id == AdviceTheme.theme_id)
            .order_by(AdviceTheme.advice_id, AdviceTheme.position)):
        themes.setdefault(advice_id, []).append(slug)
    provinces = dict(session.exec(select(Region.slug, Region.province)
                                  .where(Region.province.is_not(None))).all())
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
            region=region, published=published, revision=revision,
            regions_within=(provinces[region],) if region in provinces else ())


def theme_terms(session: Session) -> list[ThemeTerms]:
    """The themes' search vocabulary (name and synonyms) as plain data for the index."""
    return [ThemeTerms(slug=t.slug, name=t.name, synonyms=tuple(t.synonyms or ()),
                       name_en=t.name_en or "")
            for t in theme_map(session).values()]


#: How the index is made from the database, for :mod:`kb.indexing` and the follower.
SOURCE = indexing.Source(to_document=to_document, documents=published_documents,
                         themes=theme_terms)


def catch_up(session: Session, wait: bool = False) -> int | None:
    """Bring the index up to date with what was committed; call right after a commit.

    With ``wait`` (commands, tests) everything is applied, waiting for the lock. Without it (a
    request) at most :data:`INLINE_CHANGES` are applied and only when the lock is free, so that
    the writer's own publish is searchable at once but no request waits long; anything more is
    handed to the background follower. Returns what :func:`kb.indexing.catch_up` returns.
    """
    index = search_index()
    if wait:
        return indexing.catch_up(session, index, SOURCE, wait=True)
    try:
        written = indexing.catch_up(session, index, SOURCE, limit=INLINE_CHANGES)
    except IndexUnavailable:
        # A read-only folder, a full disk, a damaged index: the index said why, once. The
        # database commit stands, so the writer gets no error; the follower retries.
        written = None
    if written is None:
        _wake_follower()
    return written


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database, beside the live one; returns the document count."""
    return indexing.rebuild(session, search_index(), SOURCE, progress)


def ensure_index(session: Session, background: bool = True) -> None:
    """At start-up: check that this node's index belongs to this database, then build or
    catch it up.

    An index of another database is refused (:class:`kb.indexing.IndexOfAnotherDatabase`):
    the process does not start. Otherwise a missing, damaged, outdated or older version's index
    is rebuilt, and a backlog applied: at once when that is quick (at most
    :data:`INLINE_BUILD` advice, :data:`INLINE_CHANGES` changes) and no other process is at
    it, else by the background follower, so the site serves pages while a large index is
    built (search answers 503 until one exists). With ``background`` off (``kb`` commands,
    which need the index when they return) everything is done here, waiting as long as needed.
    """
    index = search_index()
    index.set_themes(theme_terms(session))
    indexing.refuse_another_database(session, index)
    reason = index.open() or indexing.build_reason(index)
    if not background:
        if reason is not None:
            began = _say_building(index, reason)
            _say_built(rebuild(session), began)
        else:
            catch_up(session, wait=True)
        return
    follower = _start_follower()
    if reason is not None:
        published = session.exec(select(func.count()).select_from(Advice)
                                 .where(Advice.status == AdviceStatus.PUBLISHED)).one()
        if published > INLINE_BUILD or not _build_now(session, index, reason):
            log.warning("The search index will be built in the background (%s; %d advice): "
                        "pages are served meanwhile, search answers 503 until it is done.",
                        reason, published)
            # Also a damaged index, which the follower's own check (build_reason) cannot see.
            follower.request_rebuild(reason)
            return
    if catch_up(session) is None:
        log.info("The search index is behind the database: the changes are applied in the "
                 "background.")


def refuse_another_database(session: Session) -> None:
    """Stop (:class:`kb.indexing.IndexOfAnotherDatabase`) when this node's index belongs to
    another database; the start-up asks before it writes anything."""
    indexing.refuse_another_database(session, search_index())


def _build_now(session: Session, index: SearchIndex, reason: str) -> bool:
    """Build a small index here if no other process holds the lock (it may be building)."""
    try:
        with index.write_lock(blocking=False) as acquired:
            if not acquired:
                return False
            # Another worker may have built it before this one got the lock.
            if index.open() is not None or indexing.build_reason(index) is not None:
                began = _say_building(index, reason)
                _say_built(indexing.rebuild_locked(session, index, SOURCE), began)
    except IndexUnavailable:
        return False  # cannot be written (the index said why): the follower keeps trying
    return True


def _say_building(index: SearchIndex, reason: str) -> float:
    # A missing index is normal on a new node; one that is there but unusable is news.
    (log.warning if indexing.has_index(index) else log.info)(
        "Building the search index: %s.", reason)
    return time.monotonic()


def _say_built(count: int, began: float) -> None:
    log.info("Search index built with %d advice in %.1f s.", count, time.monotonic() - began)


def _start_follower() -> Follower:
    app = current_app
    follower = app.extensions.get("kb.follower")
    if follower is None:
        follower = Follower(app.extensions["kb.engine"], search_index(), SOURCE,
                            float(app.config["INDEX_CHECK_SECONDS"]))
        app.extensions["kb.follower"] = follower
    follower.start()
    return follower


def follower() -> Follower | None:
    """This process's background follower (None in ``kb`` commands, which have none)."""
    return current_app.extensions.get("kb.follower")


def _wake_follower() -> None:
    found = follower()
    if found is not None:
        found.wake()


def search(text: str, filters: Mapping[str, str | list[str]] | None = None, page: int = 1,
           sort: str = "relevance", page_size: int | None = None) -> Results:
    """Search public advice, first applying a few changes committed elsewhere (a larger
    backlog is the follower's: this search gets the index as it is).

    Hits are checked against the database (one query for the page), so an advice withdrawn a
    moment ago is never shown, also while the index cannot be written (another process holds
    the lock for a rebuild of many seconds).
    """
    from kb.db import get_session

    session = get_session()
    index = search_index()
    # The change log's position as this request saw it (set by kb.web.caching for a public
    # request). Once this process found the index holding every change up to a position, the
    # three look-ups below cannot find anything new until the position moves.
    version = g.get("kb_version")
    checked = current_app.extensions.setdefault("kb.search_checked", {"version": None})
    current = version is not None and checked["version"] == version
    if not current:
        if indexing.is_behind(session, index):
            if catch_up(session) is None:
                # The follower applies the rest: these results may miss a change, so the page
                # must not be kept as if it were current (``kb.web.caching``).
                g.search_index_behind = True
            if index.write_failure is not None and indexing.is_behind(session, index):
                # The index cannot take the changes (read-only, disk full): an edit that
                # removed a name from a text would still be found by it. Search answers 503
                # until it can.
                raise IndexUnavailable(index.write_failure, "unwritable")
        _follow_theme_changes(session, index)
    results = index.search(text, filters, page, page_size or current_app.config["PAGE_SIZE"],
                           sort)
    if current:
        return results  # the index had applied every withdrawal up to this position
    if version is not None and not g.get("search_index_behind"):
        checked["version"] = version
    return _only_public(session, results)


def _only_public(session: Session, results: Results) -> Results:
    """Drop hits whose advice is no longer published. The cached results stay as they are (a
    copy is returned); the total drops by what this page lost, which is exact for the page and
    off by at most the few withdrawals that the index has not yet applied."""
    ids = [hit.id for hit in results.hits]
    if not ids:
        return results
    public = set(session.exec(select(Advice.id).where(
        Advice.id.in_(ids), Advice.status == AdviceStatus.PUBLISHED)).all())
    if len(public) == len(ids):
        return results
    return replace(results, hits=[hit for hit in results.hits if hit.id in public],
                   total=max(0, results.total - (len(ids) - len(public))))


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


def repair(error: IndexUnavailable) -> None:
    """Have the follower rebuild an index that is damaged or unusable (a search or the probe
    found it so); a read-only folder or full disk needs no rebuild, only a retry."""
    found = follower()
    if found is not None and error.kind != "unwritable":
        found.request_rebuild(error.reason)


def related(advice: Advice, limit: int = 5) -> list[int]:
    """Ids of advice most like this one ("Lees ook"), from the index's more-like-this."""
    try:
        hits = search_index().more_like_this(advice.id, limit)
        # Only advice that is really alike: a weak tail (a few common words) is noise.
        best = max((hit.score for hit in hits), default=0.0)
        return [hit.id for hit in hits if hit.score >= RELATED_MIN_SHARE * best]
    except IndexUnavailable as error:  # said once by the index; no traceback per page view
        repair(error)
        return []
    except Exception:  # the page must render even when the index is being repaired
        log.exception("More-like-this failed for advice %s", advice.id)
        return []
