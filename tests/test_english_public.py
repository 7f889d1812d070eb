"""The public reader in English: every page type, rendered with ``kb_lang=en``, has no Dutch UI
text left (content keeps its own language and says so with ``lang``), and the JSON twins say
which language the interface used and give their messages in it.

The Dutch pages are held by the rest of the suite (test_reader, test_browse, test_search_*, …).
"""

from __future__ import annotations

import re

import pytest
from english_pages import dutch_left

from kb.web.i18n import COOKIE
from tests.conftest import _make_app


def _english(client) -> None:
    client.set_cookie(COOKIE, "en", domain="kennisbank.test")


def _page(client, url: str, status: int = 200) -> str:
    """The English page at ``url``: its status checked and no Dutch UI text left in it."""
    response = client.get(url)
    assert response.status_code == status, url
    assert response.headers["Content-Language"] == "en"
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert dutch_left(html) == [], url
    return html


@pytest.fixture
def english_demo(demo_client):
    _english(demo_client)
    return demo_client


@pytest.fixture
def english(client):
    _english(client)
    return client


def _first_advice(client) -> dict:
    return client.get("/api/").get_json()["newest"][0]


# --------------------------------------------------------------------------- home, themes, advice


def test_the_home_page_in_english(english_demo):
    html = _page(english_demo, "/")
    assert "Advice from young people who know youth care from the inside" in html
    # Theme names from the data's English names; advice titles marked as Dutch content.
    assert ">Foster care<" in html or "Foster care" in html
    assert re.search(r'<a href="/advies/\d+/[^"]+" lang="nl">', html)


def test_the_themes_page_shows_english_names_and_marks_dutch_descriptions(english_demo):
    html = _page(english_demo, "/themas")
    assert "Turning 18 and transition to adulthood" in html
    # No English description in the data: the Dutch one is shown and marked as Dutch.
    assert re.search(r'<p class="card__summary" lang="nl">Dit thema gaat over', html)


def test_a_theme_page_in_english(english_demo):
    html = _page(english_demo, "/thema/18-18plus")
    assert "<h1>Turning 18 and transition to adulthood</h1>" in html
    assert "Advice on Turning 18 and transition to adulthood" in html
    assert "In het Engels" not in html


def test_a_theme_without_an_english_name_is_marked_dutch(english, app, db_session):
    from sqlmodel import select

    from kb.models import Theme
    theme = db_session.exec(select(Theme).where(Theme.slug == "pleegzorg")).one()
    theme.name_en = ""
    db_session.commit()
    html = _page(english, "/thema/pleegzorg")
    assert f'<h1 lang="nl">{theme.name}</h1>' in html


def test_an_advice_page_in_english_marks_the_advice_text_with_its_language(english_demo):
    card = _first_advice(english_demo)
    html = _page(english_demo, card["url"])
    assert f'<h1 lang="nl">{card["title"]}' in html
    assert '<div class="prose advice__body" lang="nl">' in html
    assert "Cite this advice" in html and "Written by" in html


def test_an_english_advice_is_marked_english_on_a_dutch_page(client, make_advice):
    """The advice's own language goes on its content, whatever the interface language."""
    advice = make_advice(title="Listen first", summary="Young people want to be heard.",
                         body="## What we see\n\nYoung people want to be heard.\n",
                         language="en")
    html = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert '<h1 lang="en">Listen first</h1>' in html
    assert '<p class="lead" lang="en">Young people want to be heard.</p>' in html
    assert '<div class="prose advice__body" lang="en">' in html
    # The Dutch chrome is not marked as something else: <html lang> covers it.
    assert '<nav class="breadcrumbs" lang="nl"' not in html


def test_a_version_page_in_english(english, make_advice, app):
    from dataclasses import replace

    from kb.advice import content_of, save_advice
    from kb.db import session_scope
    from kb.models import Advice
    advice = make_advice()
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        save_advice(session, item, replace(content_of(item), body="## Nieuw\n\nAnders nu.\n"),
                    status=item.status, note="Tekst aangepast")
    html = _page(english, f"/advies/{advice.id}/versie/1")
    assert "This is an older version from" in html
    assert "First version published." in html


# --------------------------------------------------------------------------- search and browse


def test_search_with_results_in_english(english_demo):
    html = _page(english_demo, "/zoeken?q=pleegzorg")
    assert re.search(r"\d+ pieces of advice found for ‘<span lang=\"nl\">pleegzorg</span>’", html)
    assert "Refine your search" in html and "Most relevant" in html
    assert re.search(r'<h3 class="result__title"><a href="[^"]+" lang="nl">', html)


def test_search_without_results_in_english(english_demo):
    html = _page(english_demo, "/zoeken?q=zzzqqq")
    assert "No advice found for" in html and "Use fewer words." in html


def test_did_you_mean_in_english(english_demo):
    html = _page(english_demo, "/zoeken?q=vechtscheidng")
    assert "Did you mean:" in html and ">vechtscheiding</a>" in html
    assert "Bedoelde je" not in html


def test_the_partial_fallback_notice_in_english(english_demo):
    html = _page(english_demo, "/zoeken?q=pleegzorg+wethouder+crisisopvang+wachtlijst")
    assert "No advice contains all your words." in html
    assert '<span lang="nl">‘je’</span>' in html


def test_search_with_filters_in_english(english_demo):
    html = _page(english_demo, "/zoeken?theme=onderwijs&audience=gemeenten")
    assert "You only chose:" in html
    # Chips and facets show the English names of themes and audiences.
    assert "<strong>Education</strong>" in html and "<strong>Municipalities</strong>" in html
    assert "Who it is for" in html


def test_all_advice_paged_in_english(english_demo):
    html = _page(english_demo, "/zoeken?page=2")
    assert re.search(r"Page 2 of \d+", html)


def test_the_search_twin_says_which_interface_language_it_used(demo_client):
    dutch = demo_client.get("/api/search?q=pleegzorg&theme=pleegzorg").get_json()
    assert dutch["interface_language"] == "nl"
    assert dutch["chips"][0]["label"] == "Pleegzorg"
    _english(demo_client)
    english = demo_client.get("/api/search?q=pleegzorg&theme=pleegzorg").get_json()
    assert english["interface_language"] == "en"
    assert english["chips"][0]["label"] == "Foster care"
    # The data stays as it is: the same hits, titles and slugs in both languages.
    assert [hit["slug"] for hit in english["results"]] == [hit["slug"] for hit in dutch["results"]]
    assert all(hit["language"] == "nl" for hit in english["results"])


@pytest.mark.parametrize("url", ["/voor", "/voor/gemeenten", "/regios", "/regio/gelderland",
                                 "/regio/landelijk", "/voor/gemeenten?page=2"])
def test_browse_pages_in_english(english_demo, url):
    html = _page(english_demo, url)
    assert "Who it is for" in html or "Regions" in html


def test_an_audience_page_uses_its_english_name(english_demo):
    html = _page(english_demo, "/voor/gemeenten")
    assert "<h1>For municipalities</h1>" in html
    assert '<p class="lead" lang="nl">Wethouders' in html


def test_the_region_list_in_english_counts_with_plurals(english_demo):
    html = _page(english_demo, "/regios")
    assert "Provinces" in html
    counts = re.findall(r'\((\d+)<span class="visually-hidden"> (piece|pieces) of advice</span>\)',
                        html)
    assert counts and all((n == "1") == (word == "piece") for n, word in counts)


# --------------------------------------------------------------------------- dossier, help, errors


def test_a_dossier_in_english(english_demo):
    html = _page(english_demo, "/thema/pleegzorg/dossier?voor=gemeenten")
    assert "Dossier from the ExpEx Kennisbank" in html and "Advice for: Municipalities" in html
    assert re.search(r"Advice 1 of \d+", html)


def test_a_dossier_pdf_in_english(english_demo):
    from io import BytesIO

    from pypdf import PdfReader
    response = english_demo.get("/thema/pleegzorg/dossier.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "dossier from the expex kennisbank" in text.lower() and "Written by" in text


def test_the_help_page_in_english(english_demo):
    html = _page(english_demo, "/hulp")
    assert "In immediate danger: call" in html and "Call 112 straight away." in html
    assert '<h2 id="kindertelefoon" lang="nl">De Kindertelefoon</h2>' in html
    # The JSON twin gives the data as it is (Dutch), whatever the interface.
    line = english_demo.get("/api/hulp").get_json()["helplines"][0]
    assert line["phone_note"] == "gratis"


def test_a_withdrawn_advice_answers_an_english_410(english, make_advice):
    advice = make_advice(status="withdrawn")
    html = _page(english, f"/advies/{advice.id}/{advice.slug}", status=410)
    assert "This advice has been withdrawn" in html
    answer = english.get(f"/api/advies/{advice.id}")
    assert answer.status_code == 410
    assert answer.get_json()["message"] == "This advice has been withdrawn"


@pytest.mark.parametrize(("url", "status", "title"), [
    ("/bestaat-niet", 404, "Page not found"),
    ("/advies/999999/iets", 404, "Page not found"),
])
def test_error_pages_in_english(english, url, status, title):
    html = _page(english, url, status=status)
    assert f"<h1>{title}</h1>" in html and f"Error code {status}" in html


def test_a_request_for_another_host_answers_an_english_400(tmp_path):
    app = _make_app(tmp_path, SITE_URL="https://kennisbank.example/", SERVER_NAME=None)
    response = app.test_client().get("/", headers={"Host": "elders.example",
                                                   "Accept-Language": "en"})
    app.extensions["kb.engine"].dispose()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert dutch_left(html) == [] and "This knowledge base is at another address" in html


def test_a_post_without_a_form_token_answers_an_english_400(english, make_user):
    response = english.post("/inloggen", data={"login": "eva", "password": "x"})
    assert response.status_code == 400
    assert dutch_left(response.get_data(as_text=True)) == []


def test_json_errors_give_their_message_in_the_interface_language(client):
    assert client.get("/api/advies/999999").get_json()["message"] == "Pagina niet gevonden"
    _english(client)
    answer = client.get("/api/advies/999999").get_json()
    assert answer == {"error": "Not Found", "status": 404, "message": "Page not found"}
    assert client.post("/api/").get_json()["message"] == "This cannot be done on this page"


def _damage_the_index(app) -> None:
    """Truncate a postings file, as a full disk or a crash would: search answers 503 while
    the index is rebuilt (tests/test_index_faults.py does this in every way)."""
    from pathlib import Path
    for path in Path(app.config["INDEX_DIR"]).rglob("*.pst"):
        path.write_bytes(b"x")


def test_search_unavailable_answers_an_english_503(english_demo, demo_app):
    _damage_the_index(demo_app)
    html = _page(english_demo, "/zoeken?q=pleegzorg", status=503)
    assert "Search is not working just now" in html


def test_search_unavailable_json_gives_an_english_message(english_demo, demo_app):
    _damage_the_index(demo_app)
    response = english_demo.get("/api/search?q=pleegzorg")
    assert response.status_code == 503
    assert response.get_json()["message"] == "Search is not working just now"


def test_a_database_that_cannot_be_opened_answers_an_english_503(tmp_path):
    """A directory where the SQLite file should be: SQLITE_CANTOPEN, the 'unreachable' fault
    (an app of its own on SQLite, also when the suite runs on PostgreSQL)."""
    database = tmp_path / "eigen.db"
    app = _make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    app.extensions["kb.engine"].dispose()
    database.rename(database.with_suffix(".away"))
    database.mkdir()
    english = app.test_client()
    _english(english)
    html = _page(english, "/thema/pleegzorg", status=503)
    assert "<h1>The knowledge base cannot be reached just now</h1>" in html
    answer = english.get("/api/themas")
    assert answer.status_code == 503
    assert answer.get_json()["message"] == "The knowledge base cannot be reached just now"
    app.extensions["kb.engine"].dispose()


# --------------------------------------------------------------------------- citing


def test_apa_dates_and_anonymous_follow_the_language():
    from datetime import date

    from kb.citation import Citation, apa
    facts = {"advice_id": 1, "version": 1, "title": "T", "summary": "", "url": "u",
             "site_name": "ExpEx Kennisbank"}
    cited = Citation(authors=("Sam",), date=date(2025, 3, 14), **facts)
    assert apa(cited).startswith("Sam. (2025, 14 maart). T.")
    assert apa(cited, "en").startswith("Sam. (2025, March 14). T.")
    undated = Citation(authors=("anoniem",), date=None, **facts)
    assert apa(undated).startswith("Anoniem. (z.d.)")
    assert apa(undated, "en").startswith("Anonymous. (n.d.)")


def test_an_advice_page_in_english_cites_in_english(english, make_advice):
    from datetime import date
    advice = make_advice(published=date(2025, 3, 14), authors=("Sam",))
    html = _page(english, f"/advies/{advice.id}/{advice.slug}")
    assert "Sam. (2025, March 14). " in html
    assert '<time datetime="2025-03-14">14 March 2025</time>' in html
    cited = english.get(f"/api/advies/{advice.id}").get_json()["advice"]["citation"]
    assert cited["text"].startswith("Sam. (2025, March 14). ")


def test_numbers_are_written_the_way_each_language_writes_them(app):
    from kb.web.filters import number
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert number(1234) == "1.234"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert number(1234) == "1,234"
