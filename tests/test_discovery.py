"""robots.txt and the sitemap (issue 13, part 3): "`/robots.txt` and `/sitemap.xml` are 404".

The sitemap is validated against the sitemaps.org schemas (``tests/data/*.xsd``, written out
from the published schema text) with lxml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from kb.db import session_scope
from kb.models import Advice
from kb.web import discovery

DATA = Path(__file__).parent / "data"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "http://kennisbank.test"


def valid(body: bytes, schema: str) -> etree._Element:
    root = etree.fromstring(body)
    xsd = etree.XMLSchema(etree.parse(str(DATA / schema)))
    assert xsd.validate(root), xsd.error_log
    return root


def test_robots_keeps_crawlers_out_of_private_pages_and_search_results(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    for path in ("/redactie", "/beheer", "/account", "/mijn-adviezen", "/zoeken"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /" not in lines and "Disallow: /advies" not in lines


def test_the_sitemap_is_valid_and_lists_every_public_page_with_lastmod(app, client,
                                                                       make_advice):
    public = [make_advice(), make_advice()]
    hidden = make_advice(status="withdrawn")
    draft = make_advice(status="draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = valid(response.data, "sitemap.xsd")
    urls = {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in root.findall("s:url", NS)}
    for advice in public:
        loc = f"{SITE}/advies/{advice.id}/{advice.slug}"
        assert urls[loc] == f"{advice.published.isoformat()}T00:00:00+00:00"
    for advice in (hidden, draft):
        assert not any(f"/advies/{advice.id}/" in loc for loc in urls)
    assert f"{SITE}/thema/pleegzorg" in urls and f"{SITE}/" in urls
    assert urls[f"{SITE}/thema/pleegzorg"]  # the newest change of any advice


def test_an_edit_moves_the_lastmod_to_the_edit(app, client, make_advice):
    from kb.advice import content_of, save_advice

    advice = make_advice()
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice.id)
        content = content_of(stored)
        from dataclasses import replace

        save_advice(session, stored, replace(content, body="Nieuwe tekst."),
                    status="published")
        changed = stored.changed_at
    root = valid(client.get("/sitemap.xml").data, "sitemap.xsd")
    loc = f"{SITE}/advies/{advice.id}/{advice.slug}"
    (url,) = [u for u in root.findall("s:url", NS) if u.findtext("s:loc", namespaces=NS) == loc]
    assert url.findtext("s:lastmod", namespaces=NS).startswith(
        changed.replace(microsecond=0).isoformat())


def test_past_the_size_of_one_file_the_sitemap_becomes_a_valid_index(client, make_advice,
                                                                     monkeypatch):
    advice = [make_advice() for _ in range(3)]
    with client.application.test_request_context():
        pages = len(discovery._page_urls())  # home, themes, audiences, regions, help
    monkeypatch.setattr(discovery, "SITEMAP_SIZE", 5)
    count = -(-(pages + 3) // 5)
    index = valid(client.get("/sitemap.xml").data, "siteindex.xsd")
    files = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    assert count > 1 and files == [f"{SITE}/sitemap-{n}.xml" for n in range(1, count + 1)]
    seen = []
    for loc in files:
        response = client.get(loc.removeprefix(SITE))
        root = valid(response.data, "sitemap.xsd")
        found = [u.findtext("s:loc", namespaces=NS) for u in root.findall("s:url", NS)]
        assert len(found) <= 5
        seen += found
    assert len(seen) == len(set(seen)) == pages + 3
    for item in advice:
        assert f"{SITE}/advies/{item.id}/{item.slug}" in seen
    assert f"{SITE}/voor/gemeenten" in seen and f"{SITE}/regio/gelderland" in seen
    assert client.get(f"/sitemap-{count + 1}.xml").status_code == 404


@pytest.mark.parametrize("url", ["/sitemap-0.xml", "/sitemap-2.xml"])
def test_a_sitemap_file_that_does_not_exist_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_the_sitemap_answers_a_conditional_request_with_304_and_allows_harvesters(client):
    first = client.get("/sitemap.xml")
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
