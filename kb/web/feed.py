"""The Atom feed of newly published advice: ``/feed.xml``.

Only what the public page shows goes in: title, summary, link, themes and the display names of
the authors; never account data. A withdrawn advice leaves the feed with its next fetch.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, current_app, render_template, url_for

from kb.advice import published_advice
from kb.db import get_session
from kb.web.context import advice_url

bp = Blueprint("feed", __name__)

FEED_SIZE = 30


@bp.get("/feed.xml")
def atom():
    items = published_advice(get_session(), limit=FEED_SIZE)
    entries = [
        {
            "id": advice_url(item, external=True),
            "url": advice_url(item, external=True),
            "title": item.title,
            "summary": item.summary,
            "authors": list(item.authors) or ["ExpEx"],
            "themes": [{"slug": t.slug, "name": t.name} for t in item.themes],
            "published": _stamp(datetime.combine(item.published, time()) if item.published
                                else item.created_at),
            "updated": _stamp(item.updated_at),
        }
        for item in items
    ]
    updated = max((e["updated"] for e in entries), default=_stamp(datetime(2025, 1, 1)))
    body = render_template("feed.xml", entries=entries, updated=updated,
                           site_name=current_app.config["SITE_NAME"],
                           self_url=url_for(".atom", _external=True),
                           home_url=url_for("reader.home", _external=True))
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


def _stamp(value: datetime) -> str:
    """RFC 3339 in UTC, as Atom wants it (stored times are naive UTC)."""
    return value.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")
