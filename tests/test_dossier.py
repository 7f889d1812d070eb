"""The theme dossier (issue 13, part 7): "theme pages cannot be printed as one document for a
meeting". The PDF is opened with pypdf and every title is looked for in its text.
"""

from __future__ import annotations

import io
import re

import html5lib
import pytest
from pypdf import PdfReader

SITE = "http://kennisbank.test"


@pytest.fixture
def theme_advice(make_advice):
    return [
        make_advice(themes=("pleegzorg",), title="Vraag het pleegkind zelf",
                    audience=("gemeenten",), authors=("ExpEx Flevoland", "Sam"),
                    body="## Wat we zien\n\nNiemand vraagt het kind wat het wil.\n"),
        make_advice(themes=("pleegzorg", "wonen"), title="Een vaste plek voor broers en zussen",
                    audience=("hulpverleners",),
                    body="## Wat we adviseren\n\nPlaats broers en zussen samen.\n"),
        make_advice(themes=("pleegzorg",), title="Geld voor pleegouders op tijd",
                    audience=("gemeenten", "rijksoverheid")),
    ]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dossier_holds_cover_contents_and_every_advice_in_full(client, theme_advice,
                                                                  make_advice):
    make_advice(themes=("wonen",), title="Niet over pleegzorg")
    make_advice(themes=("pleegzorg",), title="Ingetrokken advies", status="withdrawn")
    response = client.get("/thema/pleegzorg/dossier")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html5lib.HTMLParser(strict=True).parse(response.data)
    assert "Pleegzorg" in html and "Gemaakt op" in html
    toc = html[html.index('class="dossier__toc"'):html.index("</nav>", html.index(
        'class="dossier__toc"'))]
    for advice in theme_advice:
        assert f'href="#advies-{advice.id}"' in toc
        assert f'id="advies-{advice.id}"' in html
        assert f"{SITE}/advies/{advice.id}/{advice.slug}" in html
    assert "Niemand vraagt het kind wat het wil." in html  # the text in full
    assert "ExpEx Flevoland &amp; Sam. (" in html  # the APA citation
    assert "Niet over pleegzorg" not in html and "Ingetrokken advies" not in html
    assert 'href="/static/css/dossier.css"' in html
    # Two advice with a "Wat we zien" heading, and still no id twice on the page.
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert f'id="a{theme_advice[0].id}-wat-we-zien"' in html


def test_the_print_stylesheet_starts_each_advice_on_a_new_page(client):
    css = client.get("/static/css/dossier.css").get_data(as_text=True)
    printed = css[css.index("@media print"):]
    rule = printed[printed.index(".dossier__advice {"):]
    assert "break-before: page;" in rule[:rule.index("}")]


def test_voor_keeps_the_advice_for_one_audience(client, theme_advice):
    html = client.get("/thema/pleegzorg/dossier?voor=gemeenten").get_data(as_text=True)
    assert "Vraag het pleegkind zelf" in html and "Geld voor pleegouders op tijd" in html
    assert "Een vaste plek voor broers en zussen" not in html
    assert 'href="/thema/pleegzorg/dossier.pdf?voor=gemeenten"' in html


@pytest.mark.parametrize("url", ["/thema/bestaat-niet/dossier", "/thema/pleegzorg/dossier?voor=x",
                                 "/thema/bestaat-niet/dossier.pdf"])
def test_an_unknown_theme_or_audience_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_the_theme_page_links_to_its_dossier(client):
    assert 'href="/thema/pleegzorg/dossier"' in client.get("/thema/pleegzorg").get_data(
        as_text=True)


def test_the_pdf_holds_every_title(client, theme_advice):
    response = client.get("/thema/pleegzorg/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    everything = re.sub(r"\s+", " ", " ".join(pages))
    for advice in theme_advice:
        assert advice.title in everything, advice.title
    # A cover, a table of contents, then each advice on a page of its own.
    starts = [n for n, page in enumerate(pages) for a in theme_advice
              if f"van 3 {a.title}".lower() in re.sub(r"\s+", " ", page).lower()]
    assert len(starts) == 3 and len(set(starts)) == 3
    assert "Pleegzorg" in pages[0] and "Gemaakt op" in pages[0]
