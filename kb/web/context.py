"""The context of every reader page, as plain JSON-ready dicts.

The HTML page and its JSON twin are rendered from the same dict, so they can never disagree,
and only the fields listed here are ever public: no account data can leak through a page.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, g, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from kb import versions, vocabulary
from kb.advice import published_advice
from kb.db import get_session
from kb.models import Advice, AdviceStatus, AdviceTheme, Revision, Theme
from kb.render import render_markdown
from kb.themes import theme_map
from kb.web import caching, citing

NEWEST_ON_HOME = 6
RELATED_LIMIT = 5
#: The highest page number a list accepts: deeper pages answer like the last one would (empty).
MAX_PAGE = 10_000


def advice_url(advice: Advice, external: bool = False) -> str:
    """The canonical, permanent URL of an advice."""
    return url_for("reader.advice", advice_id=advice.id, slug=advice.slug, _external=external)


def theme_ref(theme: Theme) -> dict:
    return {"slug": theme.slug, "name": theme.name, "name_en": theme.name_en,
            "url": url_for("reader.theme", slug=theme.slug)}


def advice_card(advice: Advice) -> dict:
    """What a list of advice shows of each one."""
    return {
        "id": advice.id,
        "slug": advice.slug,
        "title": advice.title,
        "summary": advice.summary,
        "url": advice_url(advice),
        "themes": [theme_ref(t) for t in advice.themes],
        "authors": list(advice.authors),
        **region_fields(advice.region),
        "published": _iso(advice.published),
        # The language the title and summary are written in (pages put it on their `lang`).
        "language": advice.language or "nl",
    }


# Audiences and regions are stored by slug; pages show their names and link their pages.


def _names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Audience and region names by slug, and the audiences' English names, read once per
    request (a few dozen rows)."""
    if "kb_vocabulary_names" not in g:
        session = get_session()
        audiences = vocabulary.audience_map(session)
        g.kb_vocabulary_names = (
            {slug: a.name for slug, a in audiences.items()},
            {slug: r.name for slug, r in vocabulary.region_map(session).items()},
            {slug: a.name_en for slug, a in audiences.items()})
    return g.kb_vocabulary_names


def region_fields(slug: str | None) -> dict:
    """``region`` (the name a reader sees) and ``region_url`` (its page) of a region slug; a
    value not on the list is shown as it is, without a page."""
    name = _names()[1].get(slug) if slug else None
    return {"region": name or slug,
            "region_url": url_for("browse.region", slug=slug) if name else None}


def audience_refs(slugs) -> list[dict]:
    """The audiences of an advice with their names and pages, in the writer's order."""
    names, english = _names()[0], _names()[2]
    return [{"slug": slug, "name": names.get(slug, slug), "name_en": english.get(slug, ""),
             "url": url_for("browse.audience", slug=slug) if slug in names else None}
            for slug in slugs]


def theme_counts(session: Session) -> dict[int, int]:
    """How many published advice each theme has, by theme id: counted once per change-log
    position in this process (the count reads every advice of every theme)."""
    def count() -> dict[int, int]:
        rows = session.exec(
            select(AdviceTheme.theme_id, func.count())
            .join(Advice, Advice.id == AdviceTheme.advice_id)
            .where(Advice.status == AdviceStatus.PUBLISHED)
            .group_by(AdviceTheme.theme_id)
        ).all()
        return dict(rows)

    return caching.per_version("theme.counts", count)


def theme_advice_ids(session: Session, theme: Theme) -> list[int]:
    """The ids of a theme's published advice, newest first, read once per change-log position
    in this process: a page of the theme is then a slice and one query for its advice,
    whichever page it is (an OFFSET query sorted all of the theme's advice for every page)."""
    def read() -> list[int]:
        return list(session.exec(
            select(Advice.id).join(AdviceTheme, AdviceTheme.advice_id == Advice.id)
            .where(AdviceTheme.theme_id == theme.id, Advice.status == AdviceStatus.PUBLISHED)
            .order_by(Advice.published.desc(), Advice.id.desc())
        ).all())

    return caching.per_version(f"theme.advice.{theme.id}", read)


def theme_summary(theme: Theme, counts: dict[int, int]) -> dict:
    return {**theme_ref(theme), "description": theme.description,
            "advice_count": counts.get(theme.id, 0)}


def home_context(session: Session) -> dict:
    counts = theme_counts(session)
    newest = published_advice(session, limit=NEWEST_ON_HOME)
    return {
        "themes": [theme_summary(t, counts) for t in theme_map(session).values()],
        "newest": [advice_card(a) for a in newest],
        "advice_total": _published_count(session),
    }


def themes_context(session: Session) -> dict:
    counts = theme_counts(session)
    return {"themes": [theme_summary(t, counts) for t in theme_map(session).values()]}


def theme_context(session: Session, slug: str) -> dict:
    """One theme and one page of its advice, newest first (``?page=``, ``LIST_PAGE_SIZE`` each):
    a fixed number of queries and a fixed size however many advice the theme has."""
    themes = theme_map(session)
    theme = themes.get(slug) or abort(404)
    ids = theme_advice_ids(session, theme)
    total = len(ids)
    paging = page_of(total)
    shown = ids[paging["offset"]:paging["offset"] + paging["size"]]
    found = {a.id: a for a in session.exec(
        select(Advice).where(Advice.id.in_(shown), Advice.status == AdviceStatus.PUBLISHED)
        .options(selectinload(Advice.themes))
    ).all()} if shown else {}
    advice = [found[i] for i in shown if i in found]
    return {
        "theme": {**theme_ref(theme),
                  "description": theme.description, "synonyms": list(theme.synonyms),
                  "advice_count": total},
        "advice": [advice_card(a) for a in advice],
        "related": [theme_ref(themes[s]) for s in theme.related if s in themes],
        "paging": paging_links(paging, slug=slug),
    }


def page_of(total: int) -> dict:
    """Which page of a list of ``total`` items this request asks for (``?page=``, leniently)."""
    size = int(current_app.config["LIST_PAGE_SIZE"])
    try:
        page = min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    pages = max(1, -(-total // size))
    return {"page": page, "pages": pages, "size": size, "offset": (page - 1) * size,
            "total": total}


def paging_links(paging: dict, **values: str) -> dict:
    """The page numbers and the previous/next links of the same endpoint (HTML or JSON);
    ``values`` are the route's arguments and any query to keep."""
    endpoint = request.endpoint

    def link(page: int) -> str:
        return url_for(endpoint, **values, page=page if page > 1 else None)

    page, pages = paging["page"], paging["pages"]
    return {"page": page, "pages": pages, "per_page": paging["size"],
            "previous": link(page - 1) if 1 < page <= pages + 1 else None,
            "next": link(page + 1) if page < pages else None}


def advice_context(session: Session, advice: Advice) -> dict:
    """Everything the advice page shows, including how to cite it and what is related."""
    found = versions.versions(session, advice)
    current = found[-1] if found else None
    permalink = advice_url(advice, external=True)
    citation = citing.make_citation(advice, current, permalink, advice.title, advice.summary)
    return {
        "advice": {
            **advice_card(advice),
            "permalink": permalink,
            # Only a change of the text after the first version counts as an update.
            "updated": current.date.isoformat() if current and current.number > 1 else None,
            "audience": list(advice.audience),
            "audiences": audience_refs(advice.audience),
            "language": advice.language,
            "toc": list(advice.toc),
            "body_html": advice.body_html,
            "version": current.number if current else None,
            "changes": citing.changes(advice, found),
            "citation": citing.citation_block(citation, citing.download_urls(advice, None)),
            "highwire": citing.highwire(citation),
        },
        "related": [advice_card(a) for a in read_also(session, advice)],
    }


def version_context(session: Session, advice: Advice, revision: Revision) -> dict:
    """One version of an advice: its own title, summary and text, the advice's current names
    and themes (see :mod:`kb.versions`), how to cite exactly this version, and the way to the
    current page."""
    found = versions.versions(session, advice)
    this = next(v for v in found if v.number == revision.version)
    content = revision.content
    rendered = render_markdown(content.get("body") or "")
    url = citing.version_url(advice, this.number, external=True)
    title, summary = content.get("title") or advice.title, content.get("summary") or ""
    citation = citing.make_citation(advice, this, url, title, summary)
    return {
        "advice": {
            **advice_card(advice),
            "title": title,
            "summary": summary,
            "permalink": advice_url(advice, external=True),
            "updated": this.date.isoformat() if this.number > 1 else None,
            "audience": list(advice.audience),
            "language": advice.language,
            "toc": [{"level": h.level, "id": h.id, "text": h.text} for h in rendered.toc],
            "body_html": rendered.html,
            "version": this.number,
            "changes": citing.changes(advice, found),
            "citation": citing.citation_block(citation,
                                              citing.download_urls(advice, this.number)),
            "highwire": citing.highwire(citation),
        },
        "version": {"number": this.number, "date": this.date.isoformat(),
                    "change_note": this.change_note, "url": url,
                    "is_current": this.number == found[-1].number},
    }


def read_also(session: Session, advice: Advice, limit: int = RELATED_LIMIT) -> list[Advice]:
    """"Lees ook": the advice most alike in words, topped up with advice sharing themes."""
    from kb import search

    ids = search.related(advice, limit)
    found = {a.id: a for a in session.exec(
        select(Advice).where(Advice.id.in_(ids), Advice.status == AdviceStatus.PUBLISHED)
        .options(selectinload(Advice.themes))
    ).all()} if ids else {}
    chosen = [found[i] for i in ids if i in found]
    if len(chosen) >= limit:  # the top-up query groups every advice of the themes: skip it
        return chosen[:limit]
    for extra in related_advice(session, advice, limit + len(chosen)):
        if len(chosen) >= limit:
            break
        if extra not in chosen:
            chosen.append(extra)
    return chosen


def related_advice(session: Session, advice: Advice, limit: int = RELATED_LIMIT) -> list[Advice]:
    """Published advice sharing the most themes with this one, newest first among equals."""
    theme_ids = [t.id for t in advice.themes]
    if not theme_ids:
        return []
    shared = func.count(AdviceTheme.theme_id)
    rows = session.exec(
        select(Advice, shared)
        .join(AdviceTheme, AdviceTheme.advice_id == Advice.id)
        .where(AdviceTheme.theme_id.in_(theme_ids), Advice.id != advice.id,
               Advice.status == AdviceStatus.PUBLISHED)
        .group_by(Advice.id)
        .order_by(shared.desc(), Advice.published.desc(), Advice.id.desc())
        .limit(limit)
        .options(selectinload(Advice.themes))
    ).all()
    return [row[0] for row in rows]


def _published_count(session: Session) -> int:
    return caching.per_version("advice.count", lambda: session.exec(
        select(func.count()).select_from(Advice).where(Advice.status == AdviceStatus.PUBLISHED)
    ).one())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
