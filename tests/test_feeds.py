"""Atom feeds (issue 13, part 5): "there is one global Atom feed (`?theme=` is ignored), entry
ids change when a slug is renamed and every entry's `updated` is the import time".

Every feed is read with feedparser, which must find nothing wrong with it (no ``bozo``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import feedparser
import pytest

from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice

SITE = "http://kennisbank.test"


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type.startswith("application/atom+xml")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def change(app, advice_id: int, **fields) -> Advice:
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice_id)
        save_advice(session, stored, replace(content_of(stored), **fields), status="published")
        session.flush()
        session.expunge(stored)
    return stored


def test_each_theme_has_its_own_valid_feed(client, make_advice):
    mine = make_advice(themes=("pleegzorg",), title="Over pleegzorg")
    make_advice(themes=("wonen",), title="Over wonen")
    feed = parsed(client, "/thema/pleegzorg/feed.xml")
    assert [e.title for e in feed.entries] == ["Over pleegzorg"]
    assert feed.feed.title.endswith("adviezen over Pleegzorg")
    assert feed.feed.link == f"{SITE}/thema/pleegzorg"
    assert feed.entries[0].link == f"{SITE}/advies/{mine.id}/{mine.slug}"
    assert [e.title for e in parsed(client, "/feed.xml").entries] == ["Over wonen",
                                                                      "Over pleegzorg"]


def test_the_feed_query_parameter_people_try_leads_to_the_theme_feed(client):
    response = client.get("/feed.xml?theme=pleegzorg")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/thema/pleegzorg/feed.xml")
    assert client.get("/feed.xml?theme=bestaat-niet").status_code == 404
    assert client.get("/thema/bestaat-niet/feed.xml").status_code == 404


def test_a_theme_page_links_its_feed_in_the_head(client):
    html = client.get("/thema/pleegzorg").get_data(as_text=True)
    head = html[:html.index("</head>")]
    assert 'type="application/atom+xml"' in head
    assert 'href="/thema/pleegzorg/feed.xml"' in head and 'href="/feed.xml"' in head


def test_entry_ids_survive_a_slug_rename(app, client, make_advice):
    advice = make_advice(title="Luister eerst")
    before = parsed(client, "/feed.xml").entries[0].id
    change(app, advice.id, slug="luister-altijd-eerst")
    after = parsed(client, "/feed.xml").entries[0]
    assert after.id == before == f"{SITE}/advies/{advice.id}"
    assert after.link.endswith("/luister-altijd-eerst")


def test_updated_is_when_the_text_changed_not_the_import(app, client, make_advice):
    advice = make_advice(published=date(2025, 3, 14))
    entry = parsed(client, "/feed.xml").entries[0]
    assert entry.updated == "2025-03-14T00:00:00Z" and entry.published == entry.updated
    stored = change(app, advice.id, body="Een nieuwe tekst.")
    entry = parsed(client, "/feed.xml").entries[0]
    assert entry.updated == stored.changed_at.replace(microsecond=0).isoformat() + "Z"
    assert entry.published == "2025-03-14T00:00:00Z"


def test_entries_carry_the_full_text_besides_the_summary(client, make_advice):
    make_advice(summary="Kort gezegd.", body="## Wat we zien\n\nDe hele tekst, met *nadruk*.\n")
    entry = parsed(client, "/feed.xml").entries[0]
    assert entry.summary == "Kort gezegd."
    (content,) = entry.content
    assert content.type == "text/html"
    assert "De hele tekst, met <em>nadruk</em>." in content.value


@pytest.mark.parametrize("url", ["/feed.xml", "/thema/pleegzorg/feed.xml"])
def test_an_empty_feed_is_valid_too(client, url):
    assert parsed(client, url).entries == []
