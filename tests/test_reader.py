"""The reader: every page, its status codes, permalinks and old-slug redirects, safety."""

from __future__ import annotations

import re
from dataclasses import replace

import html5lib
import pytest

from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus

PAGES = ["/", "/themas", "/thema/pleegzorg", "/thema/18-18plus", "/zoeken", "/zoeken?q=pleeg",
         "/hulp"]


def parse_html(data: bytes):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_valid_dutch_html_with_landmarks(demo_client, url):
    response = demo_client.get(url)
    assert response.status_code == 200
    tree = parse_html(response.data)
    assert tree.get("lang") == "nl"
    assert tree.find(".//main") is not None
    assert tree.find(".//header") is not None and tree.find(".//footer") is not None
    assert len(tree.findall(".//h1")) == 1
    skip = tree.find(".//a[@href='#inhoud']")
    assert skip is not None
    assert b'href="/hulp"' in response.data  # the helplines are one click away everywhere


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_scripts_styles_or_third_party_requests(demo_client, url):
    response = demo_client.get(url)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    # The one script element allowed is JSON-LD: a data block, which browsers never execute.
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert attributes == ' type="application/ld+json"', attributes
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not attr.startswith("//")
        if attr.startswith(("http://", "https://")):
            # Only links out (never loaded resources) may point elsewhere.
            assert not re.search(rf'<(?:link|img|script)[^>]+"{re.escape(attr)}"', html)


def test_every_form_field_has_a_label(demo_client):
    for url in PAGES:
        tree = parse_html(demo_client.get(url).data)
        labels = {label.get("for") for label in tree.iter("label")}
        fields = [el for el in tree.iter() if el.tag in ("input", "select", "textarea")]
        assert fields
        for field in fields:
            if field.get("type") in ("hidden", "submit"):
                continue
            assert field.get("id") in labels or field.get("aria-label"), (url, field.attrib)


def test_the_home_page_shows_themes_with_counts_and_the_newest_advice(demo_client):
    html = demo_client.get("/").get_data(as_text=True)
    assert "ExpEx" in html
    assert 'href="/thema/gesloten-jeugdzorg"' in html
    assert re.search(r"\d+ advies", html)
    assert html.count('href="/advies/') >= 6
    assert 'name="q"' in html


def test_a_theme_page_shows_description_synonyms_advice_and_related_themes(demo_client):
    html = demo_client.get("/thema/gesloten-jeugdzorg").get_data(as_text=True)
    assert "Gesloten jeugdzorg" in html
    assert "JeugdzorgPlus" in html  # "ook bekend als"
    assert "een-gesloten-plaatsing-mag-nooit-voelen-als-straf" in html
    assert 'href="/thema/uithuisplaatsing"' in html
    assert 'name="theme" value="gesloten-jeugdzorg"' in html


def test_an_unknown_theme_answers_a_dutch_404(demo_client):
    response = demo_client.get("/thema/bestaat-niet")
    assert response.status_code == 404
    assert "niet gevonden" in response.get_data(as_text=True).lower()


def test_the_advice_page_shows_everything_a_reader_needs(client, make_advice):
    advice = make_advice(
        title="Luister eerst", authors=("ExpEx Flevoland", "Sam (pseudoniem)"),
        region="Flevoland", themes=("uithuisplaatsing", "toegang"),
        body="## Wat we zien\n\nTekst.\n\n## Wat we adviseren\n\nMeer tekst.\n",
    )
    response = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for expected in ("Luister eerst", "ExpEx Flevoland", "Sam (pseudoniem)", "Flevoland",
                     'href="/thema/uithuisplaatsing"', 'href="#wat-we-adviseren"',
                     'id="wat-we-zien"', "Citeer dit advies",
                     f"http://kennisbank.test/advies/{advice.id}/{advice.slug}"):
        assert expected in html, expected


def test_the_citation_follows_apa_with_a_dutch_date(client, make_advice):
    from datetime import date

    advice = make_advice(title="Luister eerst", authors=("ExpEx Flevoland",),
                         published=date(2025, 3, 14))
    html = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert (f"ExpEx Flevoland. (2025, 14 maart). Luister eerst. ExpEx Kennisbank. "
            f"http://kennisbank.test/advies/{advice.id}/{advice.slug}") in text


def test_read_also_shows_advice_alike_in_words_and_themes(client, make_advice):
    main = make_advice(themes=("pleegzorg",), title="Steun voor pleegouders",
                       summary="Over logeeropvang.",
                       body="Pleegouders hebben steun nodig bij logeeropvang en training.")
    alike = make_advice(themes=("wonen",), title="Broertje", summary="Logeeropvang helpt.",
                        body="Steun pleegouders met logeeropvang en een goede training.")
    sibling = make_advice(themes=("pleegzorg",), title="Zusje", summary="Kort.",
                          body="Iets heel anders.")
    make_advice(themes=("verslaving",), title="Vreemde eend", summary="Feest.",
                body="Alcohol en gamen op een feestje.")
    html = client.get(f"/advies/{main.id}/{main.slug}").get_data(as_text=True)
    assert "Lees ook" in html
    assert html.index(f"/advies/{alike.id}/{alike.slug}") < html.index(
        f"/advies/{sibling.id}/{sibling.slug}")
    assert "Vreemde eend" not in html


@pytest.mark.parametrize("suffix", ["", "/", "/verkeerde-slug"])
def test_the_id_alone_or_a_wrong_slug_redirects_permanently(client, make_advice, suffix):
    advice = make_advice()
    response = client.get(f"/advies/{advice.id}{suffix}")
    assert response.status_code in (301, 308)
    target = response.headers["Location"]
    if response.status_code == 308:  # Flask's strict-slash redirect, then ours
        response = client.get(target)
        target = response.headers["Location"]
    assert target.endswith(f"/advies/{advice.id}/{advice.slug}")


def test_an_old_slug_redirects_to_the_canonical_url(app, client, make_advice):
    advice = make_advice(slug="oude-naam")
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        save_advice(session, item, replace(content_of(item), slug="nieuwe-naam"),
                    status=item.status)
    response = client.get(f"/advies/{advice.id}/oude-naam")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/advies/{advice.id}/nieuwe-naam")
    assert client.get(response.headers["Location"]).status_code == 200


def test_an_unknown_advice_answers_a_dutch_404(client):
    response = client.get("/advies/999999/iets")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'lang="nl"' in html and "niet gevonden" in html.lower()
    assert "Traceback" not in html


@pytest.mark.parametrize("status", [AdviceStatus.DRAFT, AdviceStatus.SUBMITTED])
def test_unpublished_advice_is_not_shown(client, make_advice, status):
    advice = make_advice(status=status)
    assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 404
    assert client.get(f"/api/advies/{advice.id}").status_code == 404


def test_withdrawn_advice_answers_410(client, make_advice):
    advice = make_advice(status=AdviceStatus.WITHDRAWN)
    response = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert response.status_code == 410
    assert "ingetrokken" in response.get_data(as_text=True)


def test_html_in_titles_and_summaries_is_escaped(client, make_advice):
    advice = make_advice(title='<script>alert("t")</script>',
                         summary="<img src=x onerror=alert(1)>")
    html = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    listing = client.get("/thema/pleegzorg").get_data(as_text=True)
    assert "<script>alert" not in listing


def test_search_finds_advice_by_an_inflected_word(demo_client):
    html = demo_client.get("/zoeken?q=pleegouder").get_data(as_text=True)
    assert "vertel-pleegouders-eerlijk-wat-een-kind-meeneemt" in html
    assert "<mark" in html


@pytest.mark.parametrize("query", ['"', "-", "*", "title:x AND", "\x00", "a" * 2000, "((("])
def test_odd_search_strings_never_break_the_page(demo_client, query):
    response = demo_client.get("/zoeken", query_string={"q": query, "page": "x"})
    assert response.status_code == 200


def test_a_server_error_shows_a_dutch_page_without_a_trace(app, monkeypatch):
    import kb.web.reader as reader

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(reader, "home_context", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Er ging iets mis" in html
    assert "secret detail" not in html and "Traceback" not in html


def test_the_help_page_lists_the_helplines(client):
    html = client.get("/hulp").get_data(as_text=True)
    for expected in ("Kindertelefoon", "Veilig Thuis", "113", "0800-0432", "0800-2000"):
        assert expected in html


def test_static_css_is_served_from_this_site(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) or re.search(
        r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', html)
    assert href and href.group(1).startswith("/static/")
    assert client.get(href.group(1)).status_code == 200
