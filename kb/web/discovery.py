"""How search engines find the knowledge base: ``/robots.txt`` and ``/sitemap.xml``.

robots.txt keeps crawlers out of what is not for them (the editors' and admins' pages, accounts,
a writer's own list) and out of search result pages, which are endless and say nothing a theme
or advice page does not.

The sitemap names every public page with its ``lastmod``: the home and theme pages, and every
published advice at its canonical URL with the time its text last changed
(``Advice.changed_at``). Rows are read from the database in batches and only the text is kept;
past :data:`SITEMAP_SIZE` URLs (the protocol's limit per file) ``/sitemap.xml`` becomes a
sitemap index of ``/sitemap-<n>.xml`` files, so one file is never more than about 8 MB. The
text is made whole rather than streamed so that the site's HTTP caching applies to it like to
every public page (:mod:`kb.web.caching`: ETag and 304, a kept copy until the change log
moves, CORS for harvesters); a streamed body would have none of that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, url_for
from sqlalchemy import func
from sqlmodel import select

from kb.db import get_session
from kb.models import Advice, AdviceStatus, Audience, Region, Theme

bp = Blueprint("discovery", __name__)

#: URLs per sitemap file: the protocol allows 50,000.
SITEMAP_SIZE = 50_000
#: Rows fetched from the database at a time while streaming.
BATCH = 1_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"

#: Paths no crawler needs; the search pages are endless combinations of filters.
DISALLOWED = ("/redactie", "/beheer", "/account", "/mijn-adviezen", "/schrijven",
              "/inloggen", "/uitnodiging", "/zoeken", "/api/search")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED),
             "", f"Sitemap: {url_for('.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap itself, or, when there are more URLs than one file may hold, its index."""
    files = _file_count()
    if files == 1:
        return _xml(_urlset(1))
    return _xml(_index(files))


@bp.get("/sitemap-<int:number>.xml")
def sitemap_file(number: int):
    """One file of a sitemap index (also when the whole sitemap fits in the first)."""
    if number < 1 or number > _file_count():
        abort(404)
    return _xml(_urlset(number))


def _xml(lines: Iterator[str]) -> Response:
    return Response("".join(lines), mimetype="application/xml")


def _page_urls() -> list[str]:
    """Every public page that is not an advice: the home page, the themes, the audiences and
    regions (with their lists), help."""
    session = get_session()
    themes = session.exec(select(Theme.slug).order_by(Theme.slug)).all()
    audiences = session.exec(select(Audience.slug).order_by(Audience.slug)).all()
    regions = session.exec(select(Region.slug).order_by(Region.position)).all()
    return [url_for("reader.home", _external=True), url_for("reader.themes", _external=True),
            url_for("reader.help_page", _external=True),
            *(url_for("reader.theme", slug=slug, _external=True) for slug in themes),
            url_for("browse.audiences", _external=True),
            *(url_for("browse.audience", slug=slug, _external=True) for slug in audiences),
            url_for("browse.regions", _external=True),
            *(url_for("browse.region", slug=slug, _external=True) for slug in regions)]


def _advice_count() -> int:
    return get_session().exec(select(func.count()).select_from(Advice)
                              .where(Advice.status == AdviceStatus.PUBLISHED)).one()


def _file_count() -> int:
    total = len(_page_urls()) + _advice_count()
    return max(1, -(-total // SITEMAP_SIZE))


def _index(files: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<sitemapindex xmlns="{NAMESPACE}">\n'
    for number in range(1, files + 1):
        loc = url_for(".sitemap_file", number=number, _external=True)
        yield f"  <sitemap><loc>{escape(loc)}</loc></sitemap>\n"
    yield "</sitemapindex>\n"


def _urlset(number: int) -> Iterator[str]:
    """File ``number``: the other pages first, then the advice in id order."""
    pages = _page_urls()
    newest = _newest_change()
    start, stop = (number - 1) * SITEMAP_SIZE, number * SITEMAP_SIZE
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<urlset xmlns="{NAMESPACE}">\n'
    for url in pages[start:stop]:
        yield _url(url, newest)
    offset = max(0, start - len(pages))
    limit = stop - max(start, len(pages))
    if limit > 0:
        rows = get_session().exec(
            select(Advice.id, Advice.slug, Advice.changed_at, Advice.published)
            .where(Advice.status == AdviceStatus.PUBLISHED)
            .order_by(Advice.id).offset(offset).limit(limit)
            .execution_options(yield_per=BATCH))
        for advice_id, slug, changed_at, published in rows:
            url = url_for("reader.advice", advice_id=advice_id, slug=slug, _external=True)
            yield _url(url, changed_at or (datetime.combine(published, datetime.min.time())
                                           if published else None))
    yield "</urlset>\n"


def _newest_change() -> datetime | None:
    """The lastmod of the pages that list advice: when the newest advice text changed."""
    return get_session().exec(select(func.max(Advice.changed_at))
                              .where(Advice.status == AdviceStatus.PUBLISHED)).one()


def _url(loc: str, lastmod: datetime | None) -> str:
    when = (f"<lastmod>{lastmod.replace(tzinfo=UTC, microsecond=0).isoformat()}</lastmod>"
            if lastmod else "")
    return f"  <url><loc>{escape(loc)}</loc>{when}</url>\n"
