"""Link previews and structured data (issue 13, part 4): "no page has OpenGraph or JSON-LD, so
a link pasted in Teams or LinkedIn shows no preview".
"""

from __future__ import annotations

import json
from datetime import date

import html5lib

from kb.web.security import CONTENT_SECURITY_POLICY

SITE = "http://kennisbank.test"


def head_of(html: bytes):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html).find(
        "head")


def json_ld(head) -> list[dict]:
    return [json.loads(s.text) for s in head.findall("script")
            if s.get("type") == "application/ld+json"]


def meta(head, attribute: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in head.findall("meta"):
        if tag.get(attribute):
            found.setdefault(tag.get(attribute), []).append(tag.get("content"))
    return found


def test_an_advice_page_has_one_article_block_with_every_field(client, make_advice):
    advice = make_advice(title="Luister eerst", summary="Vraag het de jongere zelf.",
                         authors=("ExpEx Flevoland", "Sam", "anoniem"),
                         themes=("pleegzorg", "participatie"),
                         audience=("gemeenten", "hulpverleners"), published=date(2025, 3, 14))
    response = client.get(f"/advies/{advice.id}/{advice.slug}")
    (ld,) = json_ld(head_of(response.data))
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "Article"
    assert ld["headline"] == "Luister eerst"
    assert ld["description"] == "Vraag het de jongere zelf."
    assert ld["datePublished"] == "2025-03-14" and ld["dateModified"] == "2025-03-14"
    assert [a["name"] for a in ld["author"]] == ["ExpEx Flevoland", "Sam"]
    assert ld["publisher"]["name"] == "ExpEx"
    assert [t["name"] for t in ld["about"]] == ["Pleegzorg", "Inspraak en participatie"]
    assert ld["about"][0]["url"] == f"{SITE}/thema/pleegzorg"
    assert [a["audienceType"] for a in ld["audience"]] == ["gemeenten", "hulpverleners"]
    assert ld["inLanguage"] == "nl"
    assert ld["url"] == f"{SITE}/advies/{advice.id}/{advice.slug}"


def test_an_advice_page_has_opengraph_and_twitter_tags_for_a_preview(client, make_advice):
    advice = make_advice(title="Luister eerst", summary="Vraag het de jongere zelf.")
    head = head_of(client.get(f"/advies/{advice.id}/{advice.slug}").data)
    og = meta(head, "property")
    assert og["og:title"] == ["Luister eerst"] and og["og:type"] == ["article"]
    assert og["og:description"] == ["Vraag het de jongere zelf."]
    assert og["og:url"] == [f"{SITE}/advies/{advice.id}/{advice.slug}"]
    assert og["og:site_name"] == ["ExpEx Kennisbank"]
    twitter = meta(head, "name")
    assert twitter["twitter:card"] == ["summary"]
    assert twitter["twitter:title"] == ["Luister eerst"]


def test_text_from_an_advice_cannot_break_out_of_the_json_ld_block(client, make_advice):
    nasty = "Einde</script><script>alert(1)</script> & 'quotes'"
    advice = make_advice(title="Gewoon", summary=nasty)
    response = client.get(f"/advies/{advice.id}/{advice.slug}")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    (ld,) = json_ld(head_of(response.data))
    assert ld["description"] == nasty


def test_the_csp_still_allows_no_inline_script(client, make_advice):
    advice = make_advice()
    response = client.get(f"/advies/{advice.id}/{advice.slug}")
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


def test_a_theme_page_is_a_collection_page_listing_its_advice(client, make_advice):
    first = make_advice(themes=("pleegzorg",), title="Eerste")
    second = make_advice(themes=("pleegzorg",), title="Tweede")
    head = head_of(client.get("/thema/pleegzorg").data)
    (ld,) = json_ld(head)
    assert ld["@type"] == "CollectionPage" and ld["name"] == "Pleegzorg"
    assert ld["url"] == f"{SITE}/thema/pleegzorg"
    urls = {item["url"] for item in ld["mainEntity"]["itemListElement"]}
    assert urls == {f"{SITE}/advies/{a.id}/{a.slug}" for a in (first, second)}
    assert meta(head, "property")["og:title"] == ["Pleegzorg"]


def test_an_older_version_describes_itself_and_points_to_the_current_page(app, client,
                                                                         make_advice):
    from dataclasses import replace

    from kb.advice import content_of, save_advice
    from kb.db import session_scope
    from kb.models import Advice

    advice = make_advice(title="Oude titel")
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice.id)
        save_advice(session, stored, replace(content_of(stored), title="Nieuwe titel"),
                    status="published")
    head = head_of(client.get(f"/advies/{advice.id}/versie/1").data)
    (ld,) = json_ld(head)
    assert ld["headline"] == "Oude titel" and ld["version"] == "1"
    assert ld["url"] == f"{SITE}/advies/{advice.id}/versie/1"
    assert ld["mainEntityOfPage"] == f"{SITE}/advies/{advice.id}/{advice.slug}"
