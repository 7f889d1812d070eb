"""Browsing without typing: a page per audience ("Voor gemeenten") and per region, each with
its advice (paged, newest first), a JSON twin and an Atom feed.

Every list comes from the search index's browse (no words, a fixed filter), so a page costs
the same at 26 advice and at 50,000, and its facets let a reader narrow it further ("voor
gemeenten, in Gelderland, over wonen") without typing a word.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from kb import search, vocabulary
from kb.db import get_session
from kb.l10n import N_
from kb.models import Advice
from kb.web.feed import FEED_SIZE, feed_response
from kb.web.search_context import PageOutOfRange, SearchUnavailable, search_context
from search_index import IndexUnavailable

bp = Blueprint("browse", __name__)
bp.register_error_handler(PageOutOfRange, lambda error: redirect(error.url))

#: The heading of each kind of region (Dutch source; translated where a page or twin shows it).
REGION_KINDS = {"landelijk": N_("Heel Nederland"), "provincie": N_("Provincies"),
                "jeugdregio": N_("Jeugdregio’s")}


def _kind_label(kind: str) -> str:
    return gettext(REGION_KINDS[kind]) if kind in REGION_KINDS else kind


# --------------------------------------------------------------------------- contexts


def _counts(name: str) -> dict[str, int]:
    """How many advice each audience or region has, from the index's facets; empty while the
    index cannot answer (the list of names still shows)."""
    try:
        return search.search("", None, 1, "date").facets.get(name, {})
    except IndexUnavailable as error:
        search.repair(error)
        return {}


def audiences_context() -> dict:
    counts = _counts("audience")
    return {"audiences": [
        {"slug": a.slug, "name": a.name, "name_en": a.name_en, "description": a.description,
         "url": url_for("browse.audience", slug=a.slug), "advice_count": counts.get(a.slug, 0)}
        for a in vocabulary.audience_map(get_session()).values()]}


def audience_context(slug: str, endpoint: str) -> dict:
    audience = vocabulary.audience_map(get_session()).get(slug) or abort(404)
    listing = search_context(request.args, endpoint=endpoint, fixed={"audience": [slug]},
                             slug=slug)
    return {"audience": {"slug": slug, "name": audience.name, "name_en": audience.name_en,
                         "description": audience.description,
                         "synonyms": list(audience.synonyms),
                         "url": url_for("browse.audience", slug=slug),
                         "feed_url": url_for("browse.audience_feed", slug=slug),
                         "search_url": url_for("reader.search", audience=slug)},
            **listing}


def regions_context() -> dict:
    counts = _counts("region")
    regions = vocabulary.region_map(get_session()).values()
    return {"groups": [
        {"kind": kind, "label": _kind_label(kind), "regions": [
            {**_region_ref(r), "province": r.province, "advice_count": counts.get(r.slug, 0)}
            for r in group]}
        for kind, group in vocabulary.region_groups(regions)]}


def region_context(slug: str, endpoint: str) -> dict:
    regions = vocabulary.region_map(get_session())
    region = regions.get(slug) or abort(404)
    listing = search_context(request.args, endpoint=endpoint, fixed={"region": [slug]},
                             slug=slug)
    province = regions.get(region.province) if region.province else None
    return {"region": {**_region_ref(region), "kind": region.kind,
                       "kind_label": _kind_label(region.kind),
                       "province": _region_ref(province) if province else None,
                       "jeugdregios": [_region_ref(r) for r in regions.values()
                                       if r.province == slug],
                       "feed_url": url_for("browse.region_feed", slug=slug),
                       "search_url": url_for("reader.search", region=slug)},
            **listing}


def _region_ref(region) -> dict:
    return {"slug": region.slug, "name": region.name,
            "url": url_for("browse.region", slug=region.slug)}


# --------------------------------------------------------------------------- pages and twins


@bp.get("/voor")
def audiences():
    return render_template("browse/audiences.html", **audiences_context())


@bp.get("/api/voor")
def api_audiences():
    return jsonify(audiences_context())


@bp.get("/voor/<slug>")
def audience(slug: str):
    return render_template("browse/audience.html", **audience_context(slug, "browse.audience"))


@bp.get("/api/voor/<slug>")
def api_audience(slug: str):
    return jsonify(audience_context(slug, "browse.api_audience"))


@bp.get("/regios")
def regions():
    return render_template("browse/regions.html", **regions_context())


@bp.get("/api/regios")
def api_regions():
    return jsonify(regions_context())


@bp.get("/regio/<slug>")
def region(slug: str):
    return render_template("browse/region.html", **region_context(slug, "browse.region"))


@bp.get("/api/regio/<slug>")
def api_region(slug: str):
    return jsonify(region_context(slug, "browse.api_region"))


# --------------------------------------------------------------------------- feeds


@bp.get("/voor/<slug>/feed.xml")
def audience_feed(slug: str):
    audience = vocabulary.audience_map(get_session()).get(slug) or abort(404)
    return _feed({"audience": [slug]}, f"adviezen voor {audience.name.lower()}",
                 url_for(".audience_feed", slug=slug, _external=True),
                 url_for(".audience", slug=slug, _external=True))


@bp.get("/regio/<slug>/feed.xml")
def region_feed(slug: str):
    region = vocabulary.region_map(get_session()).get(slug) or abort(404)
    return _feed({"region": [slug]}, f"adviezen voor {region.name}",
                 url_for(".region_feed", slug=slug, _external=True),
                 url_for(".region", slug=slug, _external=True))


def _feed(filters: dict, title: str, self_url: str, page_url: str):
    """The newest advice of one audience or region, through the site's feed code. The index
    picks them (the same browse as the page, so the two always agree); the database gives
    what the feed shows of each."""
    try:
        ids = [hit.id for hit in search.search("", filters, 1, "date",
                                                page_size=FEED_SIZE).hits]
    except IndexUnavailable as error:
        search.repair(error)
        raise SearchUnavailable() from error
    site = current_app.config["SITE_NAME"]
    return feed_response(title=f"{site}: {title}", self_url=self_url, alternate_url=page_url,
                         where=[Advice.id.in_(ids)])
