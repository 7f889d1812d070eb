"""The context of every reader page, as plain JSON-ready dicts.

The HTML page and its JSON twin are rendered from the same dict, so they can never disagree,
and only the fields listed here are ever public: no account data can leak through a page.
"""

from __future__ import annotations

from datetime import date

from flask import abort, url_for
from sqlalchemy import func
from sqlmodel import Session, select

from kb.advice import published_advice
from kb.localtime import local_date
from kb.models import Advice, AdviceStatus, AdviceTheme, Theme
from kb.themes import theme_map

NEWEST_ON_HOME = 6
RELATED_LIMIT = 5


def advice_url(advice: Advice, external: bool = False) -> str:
    """The canonical, permanent URL of an advice."""
    return url_for("reader.advice", advice_id=advice.id, slug=advice.slug, _external=external)


def theme_ref(theme: Theme) -> dict:
    return {"slug": theme.slug, "name": theme.name,
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
        "region": advice.region,
        "published": _iso(advice.published),
    }


def theme_counts(session: Session) -> dict[int, int]:
    """How many published advice each theme has, by theme id."""
    rows = session.exec(
        select(AdviceTheme.theme_id, func.count())
        .join(Advice, Advice.id == AdviceTheme.advice_id)
        .where(Advice.status == AdviceStatus.PUBLISHED)
        .group_by(AdviceTheme.theme_id)
    ).all()
    return dict(rows)


def theme_summary(theme: Theme, counts: dict[int, int]) -> dict:
    return {**theme_ref(theme), "description": theme.description,
            "advice_count": counts.get(theme.id, 0)}


def home_context(session: Session) -> dict:
    counts = theme_counts(session)
    newest = published_advice(session)[:NEWEST_ON_HOME]
    return {
        "themes": [theme_summary(t, counts) for t in theme_map(session).values()],
        "newest": [advice_card(a) for a in newest],
        "advice_total": _published_count(session),
    }


def themes_context(session: Session) -> dict:
    counts = theme_counts(session)
    return {"themes": [theme_summary(t, counts) for t in theme_map(session).values()]}


def theme_context(session: Session, slug: str) -> dict:
    themes = theme_map(session)
    theme = themes.get(slug) or abort(404)
    advice = [a for a in theme.advice if a.is_public]
    advice.sort(key=lambda a: (a.published or date.min, a.id), reverse=True)
    return {
        "theme": {**theme_ref(theme), "name_en": theme.name_en,
                  "description": theme.description, "synonyms": list(theme.synonyms),
                  "advice_count": len(advice)},
        "advice": [advice_card(a) for a in advice],
        "related": [theme_ref(themes[s]) for s in theme.related if s in themes],
    }


def advice_context(session: Session, advice: Advice) -> dict:
    """Everything the advice page shows, including how to cite it and what is related."""
    return {
        "advice": {
            **advice_card(advice),
            "permalink": advice_url(advice, external=True),
            # Only a change after the first version counts as an update for readers.
            "updated": _iso(local_date(advice.updated_at)) if advice.revision > 1 else None,
            "audience": list(advice.audience),
            "language": advice.language,
            "toc": list(advice.toc),
            "body_html": advice.body_html,
        },
        "related": [advice_card(a) for a in read_also(session, advice)],
    }


def read_also(session: Session, advice: Advice, limit: int = RELATED_LIMIT) -> list[Advice]:
    """"Lees ook": the advice most alike in words, topped up with advice sharing themes."""
    from kb import search

    ids = search.related(advice, limit)
    found = {a.id: a for a in session.exec(
        select(Advice).where(Advice.id.in_(ids), Advice.status == AdviceStatus.PUBLISHED)
    ).all()} if ids else {}
    chosen = [found[i] for i in ids if i in found]
    for extra in related_advice(session, advice, limit):
        if len(chosen) >= limit:
            break
        if extra not in chosen:
            chosen.append(extra)
    return chosen[:limit]


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
    ).all()
    return [row[0] for row in rows]


def _published_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(Advice).where(Advice.status == AdviceStatus.PUBLISHED)
    ).one()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
