"""Atom feeds: every published advice (``/feed.xml``) and per theme
(``/thema/<slug>/feed.xml``).

Only what the public page shows goes in: title, summary, the full text, link, themes and the
display names of the authors; never account data. A withdrawn advice leaves the feed with its
next fetch.

An entry's ``id`` is the advice's id-based permalink (``…/advies/22``), which no rename of the
slug changes, so a feed reader never shows a renamed advice twice. ``updated`` is when its text
last changed (``Advice.changed_at``, see :mod:`kb.versions`), not when it was imported.

:func:`feed_response` is the one way to make a feed: give it a filter (a SQL condition on
:class:`~kb.models.Advice`) and a limit, and it reads just those rows, newest change first
(the audience feeds of issue 11 are one more caller).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement
from sqlalchemy.orm import selectinload
from sqlmodel import select

from kb.db import get_session
from kb.models import Advice, AdviceStatus, AdviceTheme
from kb.themes import theme_map
from kb.web.context import advice_url

bp = Blueprint("feed", __name__)

FEED_SIZE = 30


@bp.get("/feed.xml")
def atom():
    """Every published advice; ``?theme=`` (as people try it) leads to that theme's feed."""
    wanted = request.args.get("theme")
    if wanted:
        if wanted not in theme_map(get_session()):
            abort(404)
        return redirect(url_for(".theme", slug=wanted), code=301)
    site = current_app.config["SITE_NAME"]
    return feed_response(title=f"{site}: nieuwe adviezen",
                         self_url=url_for(".atom", _external=True),
                         alternate_url=url_for("reader.home", _external=True))


@bp.get("/thema/<slug>/feed.xml")
def theme(slug: str):
    """The advice of one theme."""
    found = theme_map(get_session()).get(slug) or abort(404)
    site = current_app.config["SITE_NAME"]
    return feed_response(
        title=f"{site}: adviezen over {found.name}",
        self_url=url_for(".theme", slug=slug, _external=True),
        alternate_url=url_for("reader.theme", slug=slug, _external=True),
        where=[Advice.id.in_(select(AdviceTheme.advice_id)
                             .where(AdviceTheme.theme_id == found.id))])


def feed_response(title: str, self_url: str, alternate_url: str,
                  where: Iterable[ColumnElement[bool]] = (), limit: int = FEED_SIZE):
    """An Atom feed of the ``limit`` published advice matching ``where`` whose text changed
    last; one query for the advice, one for their themes."""
    items = get_session().exec(
        select(Advice).where(Advice.status == AdviceStatus.PUBLISHED, *where)
        .options(selectinload(Advice.themes))
        .order_by(Advice.changed_at.desc(), Advice.id.desc()).limit(limit)
    ).all()
    entries = [entry(item) for item in items]
    updated = max((e["updated"] for e in entries), default=_stamp(datetime(2025, 1, 1)))
    body = render_template("feed.xml", entries=entries, updated=updated, title=title,
                           self_url=self_url, home_url=alternate_url)
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


def entry(item: Advice) -> dict:
    """One advice as a feed entry."""
    published = (datetime.combine(item.published, time()) if item.published
                 else item.created_at)
    return {
        "id": url_for("reader.advice", advice_id=item.id, _external=True),
        "url": advice_url(item, external=True),
        "title": item.title,
        "summary": item.summary,
        "content": item.body_html,
        "authors": list(item.authors) or ["ExpEx"],
        "themes": [{"slug": t.slug, "name": t.name} for t in item.themes],
        "published": _stamp(published),
        "updated": _stamp(item.changed_at or published),
    }


def _stamp(value: datetime) -> str:
    """RFC 3339 in UTC, as Atom wants it (stored times are naive UTC)."""
    return value.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")
