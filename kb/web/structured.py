"""What a link preview and a search engine read of a page: OpenGraph and Twitter-card tags and
one schema.org JSON-LD block, built from the page's own context (so they say what the page says).

The JSON-LD goes in ``<script type="application/ld+json">``: a data block, which browsers never
execute, so the strict ``script-src 'self'`` of :mod:`kb.web.security` holds unchanged. It is
written with Flask's ``tojson``, which escapes ``<``, ``>``, ``&`` and ``'``: text from an
advice can never close the element.
"""

from __future__ import annotations

from flask import current_app, url_for

from kb.citation import Citation

#: A name that is an organisation rather than a person (a group of ExpEx, the editors).
ORGANISATION_WORDS = ("expex", "redactie", "groep", "raad")


def _publisher() -> dict:
    return {"@type": "Organization", "name": "ExpEx",
            "url": url_for("reader.home", _external=True)}


def _author(name: str) -> dict:
    kind = "Organization" if any(w in name.lower() for w in ORGANISATION_WORDS) else "Person"
    return {"@type": kind, "name": name}


def _external(path: str) -> str:
    return url_for("reader.home", _external=True).rstrip("/") + path


def advice_meta(advice: dict) -> dict:
    """OpenGraph, Twitter and JSON-LD (schema.org ``Article``) of an advice page's ``advice``
    dict (:func:`kb.web.context.advice_context` or ``version_context``)."""
    site = current_app.config["SITE_NAME"]
    url = advice["citation"]["url"]
    authors = Citation(advice_id=0, version=1, title="", summary="", date=None, url="",
                       site_name=site, authors=tuple(advice["authors"])).cited_authors
    modified = advice["updated"] or advice["published"]
    ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": advice["title"],
        "description": advice["summary"],
        "url": url,
        "mainEntityOfPage": advice["permalink"],
        "datePublished": advice["published"],
        "dateModified": modified,
        "author": [_author(name) for name in authors],
        "publisher": _publisher(),
        "about": [{"@type": "Thing", "name": t["name"], "url": _external(t["url"])}
                  for t in advice["themes"]],
        "audience": [{"@type": "Audience", "audienceType": a} for a in advice["audience"]],
        "inLanguage": advice["language"] or "nl",
        "isAccessibleForFree": True,
    }
    if advice.get("version"):
        ld["version"] = str(advice["version"])
    tags = [("og:type", "article"), ("og:title", advice["title"]),
            ("og:description", advice["summary"]), ("og:url", advice["permalink"]),
            ("og:site_name", site), ("og:locale", "nl_NL"),
            ("article:published_time", advice["published"] or ""),
            ("article:modified_time", modified or "")]
    tags += [("article:tag", t["name"]) for t in advice["themes"]]
    return {"open_graph": [(k, v) for k, v in tags if v],
            "twitter": _twitter(advice["title"], advice["summary"]), "json_ld": ld}


def theme_meta(context: dict) -> dict:
    """OpenGraph, Twitter and JSON-LD (schema.org ``CollectionPage``) of a theme page."""
    theme = context["theme"]
    url = url_for("reader.theme", slug=theme["slug"], _external=True)
    ld = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": theme["name"],
        "description": theme["description"],
        "url": url,
        "inLanguage": "nl",
        "publisher": _publisher(),
        "about": {"@type": "Thing", "name": theme["name"]},
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(context["advice"]),
            "itemListElement": [
                {"@type": "ListItem", "position": n, "url": _external(card["url"]),
                 "name": card["title"]}
                for n, card in enumerate(context["advice"], start=1)],
        },
    }
    tags = [("og:type", "website"), ("og:title", theme["name"]),
            ("og:description", theme["description"]), ("og:url", url),
            ("og:site_name", current_app.config["SITE_NAME"]), ("og:locale", "nl_NL")]
    return {"open_graph": [(k, v) for k, v in tags if v],
            "twitter": _twitter(theme["name"], theme["description"]), "json_ld": ld}


def _twitter(title: str, description: str) -> list[tuple[str, str]]:
    # "summary": a card without a large image (the site has no picture per advice).
    return [("twitter:card", "summary"), ("twitter:title", title),
            ("twitter:description", description)]
