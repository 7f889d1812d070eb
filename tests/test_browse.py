"""Browsing without typing (issue 11): every advice the chosen filters allow, facets as
checkboxes that combine (OR within a facet, AND across facets, each facet counted as if its own
selection were off), removable chips, pages per audience and region with JSON twins and feeds,
and out-of-range pages that redirect instead of showing "Pagina 99 van 2".
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from kb.models import Advice, AdviceStatus

PAGE_SIZE = 10


def published(app) -> list[Advice]:
    with Session(app.extensions["kb.engine"]) as session:
        rows = session.exec(select(Advice).where(Advice.status == AdviceStatus.PUBLISHED)).all()
        for advice in rows:
            _ = advice.themes
        return list(rows)


def ids_with(app, theme: str | None = None, audience: str | None = None,
             region: str | None = None) -> set[int]:
    return {a.id for a in published(app)
            if (theme is None or theme in a.theme_slugs)
            and (audience is None or audience in a.audience)
            and (region is None or a.region == region)}


def all_result_ids(client, url: str) -> list[int]:
    """The ids of every result of a JSON search, following its pages."""
    found: list[int] = []
    while url:
        data = client.get(url).get_json()
        found += [hit["id"] for hit in data["results"]]
        url = data["links"]["next"]
    return found


# ------------------------------------------------------------------ the findings


def test_a_theme_without_words_lists_its_advice_instead_of_asking_for_words(demo_client,
                                                                             demo_app):
    page = demo_client.get("/zoeken?theme=onderwijs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Typ een of meer woorden" not in html
    expected = ids_with(demo_app, theme="onderwijs")
    assert f"{len(expected)} adviezen, nieuwste eerst" in html
    assert set(all_result_ids(demo_client, "/api/search?theme=onderwijs")) == expected


def test_choosing_a_second_theme_adds_to_the_first(demo_client, demo_app):
    one = ids_with(demo_app, theme="onderwijs")
    two = ids_with(demo_app, theme="wonen")
    both = set(all_result_ids(demo_client, "/api/search?theme=onderwijs&theme=wonen"))
    assert both == one | two and len(both) > max(len(one), len(two))
    html = demo_client.get("/zoeken?theme=onderwijs&theme=wonen").get_data(as_text=True)
    for value in ("onderwijs", "wonen"):
        assert re.search(rf'name="theme" value="{value}" checked', html)


def test_a_page_past_the_end_redirects_to_the_last_page(demo_client):
    total = demo_client.get("/api/search?q=school").get_json()["total"]
    last = -(-total // PAGE_SIZE)
    assert last >= 1
    for url in ("/zoeken?q=school&page=99", "/api/search?q=school&page=99"):
        answer = demo_client.get(url)
        assert answer.status_code == 302
        target = urlsplit(answer.headers["Location"])
        assert parse_qs(target.query).get("page", ["1"]) == [str(last)]
        assert parse_qs(target.query)["q"] == ["school"]
        followed = demo_client.get(answer.headers["Location"])
        assert followed.status_code == 200
    html = demo_client.get("/zoeken?q=school&page=99", follow_redirects=True).get_data(
        as_text=True)
    assert "Pagina 99" not in html


@pytest.mark.parametrize(("url", "last"), [("/voor/gemeenten?page=99", "/voor/gemeenten"),
                                           ("/api/regio/landelijk?page=50", "/api/regio/landelijk"),
                                           ("/zoeken?audience=gemeenten&page=7", "/zoeken")])
def test_every_paged_list_redirects_past_its_end(demo_client, url, last):
    answer = demo_client.get(url)
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert target.path == last
    assert demo_client.get(answer.headers["Location"]).status_code == 200


@pytest.mark.parametrize("url", ["/zoeken?q=zzzqqq&page=2", "/api/search?q=zzzqqq&page=2",
                                 "/zoeken?theme=onbekend&page=3", "/voor/ouders?year=1999&page=2"])
def test_a_page_past_the_end_of_an_empty_list_is_not_found(demo_client, url):
    assert demo_client.get(url).status_code == 404


def test_gemeenten_in_one_province_without_typing_a_word(demo_client, demo_app):
    """The issue's "done when": every advice for gemeenten in one province, no words typed."""
    province = next(a.region for a in published(demo_app)
                    if "gemeenten" in a.audience and a.region not in (None, "landelijk"))
    expected = ids_with(demo_app, audience="gemeenten", region=province)
    url = f"/api/search?audience=gemeenten&region={province}"
    assert set(all_result_ids(demo_client, url)) == expected and expected
    page = demo_client.get(f"/voor/gemeenten?region={province}")
    assert page.status_code == 200
    assert set(all_result_ids(demo_client, f"/api/voor/gemeenten?region={province}")) == expected


# ------------------------------------------------------------------ browsing and facets


def test_no_words_and_no_filters_list_every_advice_newest_first_paged(demo_client, demo_app):
    everything = published(demo_app)
    data = demo_client.get("/api/search").get_json()
    assert data["browse"] is True and data["total"] == len(everything)
    assert len(data["results"]) == min(PAGE_SIZE, len(everything))
    ids = all_result_ids(demo_client, "/api/search")
    assert sorted(ids) == sorted(a.id for a in everything)
    by_id = {a.id: a for a in everything}
    dates = [by_id[i].published for i in ids]
    assert dates == sorted(dates, reverse=True)
    assert demo_client.get("/zoeken").status_code == 200


def test_facets_combine_with_and_and_count_as_if_their_own_choice_were_off(demo_client,
                                                                           demo_app):
    chosen = demo_client.get("/api/search?theme=onderwijs&audience=gemeenten").get_json()
    expected = ids_with(demo_app, theme="onderwijs", audience="gemeenten")
    assert chosen["total"] == len(expected)
    # The theme facet is counted with only the audience chosen: each count says what ticking
    # that theme too would add. The audience facet likewise with only the theme chosen.
    for slug, count in chosen["facets"]["theme"].items():
        assert count == len(ids_with(demo_app, theme=slug, audience="gemeenten")), slug
    for slug, count in chosen["facets"]["audience"].items():
        assert count == len(ids_with(demo_app, theme="onderwijs", audience=slug)), slug
    assert chosen["facets"]["theme"]["onderwijs"] == chosen["total"]


def test_words_and_filters_count_facets_the_same_way(demo_client):
    words = demo_client.get("/api/search?q=jongeren").get_json()
    theme = max(words["facets"]["theme"], key=words["facets"]["theme"].get)
    narrowed = demo_client.get(f"/api/search?q=jongeren&theme={theme}").get_json()
    assert narrowed["total"] == words["facets"]["theme"][theme]
    assert narrowed["facets"]["theme"] == words["facets"]["theme"]


def test_chosen_filters_are_chips_that_each_remove_one_value(demo_client):
    data = demo_client.get("/api/search?theme=onderwijs&theme=wonen&audience=gemeenten"
                           ).get_json()
    chips = {(chip["name"], chip["value"]): chip["remove"] for chip in data["chips"]}
    assert set(chips) == {("theme", "onderwijs"), ("theme", "wonen"), ("audience", "gemeenten")}
    left = parse_qs(urlsplit(chips[("theme", "wonen")]).query)
    assert left == {"theme": ["onderwijs"], "audience": ["gemeenten"]}
    html = demo_client.get("/zoeken?theme=onderwijs&theme=wonen").get_data(as_text=True)
    assert "Je kiest alleen" in html and "Alle filters weghalen" in html
    assert html.count('class="facet"') >= 3  # checkbox groups in a GET form, no script
    assert '<form class="facet-form" action="/zoeken" method="get">' in html


def test_the_facet_form_keeps_the_words(demo_client):
    html = demo_client.get("/zoeken?q=school&theme=onderwijs").get_data(as_text=True)
    form = html[html.index('<form class="facet-form"'):]
    form = form[:form.index("</form>")]
    assert '<input type="hidden" name="q" value="school">' in form
    assert 'name="theme" value="onderwijs" checked' in form


def test_a_page_costs_the_same_queries_at_any_size(app, client, make_advice):
    """Counts come from the index's facet sets and the page from its date column: the number
    of database statements of a browse page does not grow with the collection."""
    for _ in range(3):
        make_advice(region="gelderland")

    def statements(url: str) -> int:
        engine = app.extensions["kb.engine"]
        seen: list[str] = []

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    urls = ["/zoeken?theme=pleegzorg", "/voor/gemeenten", "/regio/gelderland", "/zoeken"]
    small = {url: statements(url) for url in urls}
    for _ in range(25):
        make_advice(region="gelderland")
    assert {url: statements(url) for url in urls} == small


# ------------------------------------------------------------------ audience and region pages


def test_an_audience_page_lists_its_advice_with_a_twin_and_a_feed(demo_client, demo_app):
    expected = ids_with(demo_app, audience="gemeenten")
    html = demo_client.get("/voor/gemeenten").get_data(as_text=True)
    assert "<h1>Voor gemeenten</h1>" in html
    assert 'type="application/atom+xml" title="Nieuwe adviezen voor gemeenten"' in html
    assert set(all_result_ids(demo_client, "/api/voor/gemeenten")) == expected
    feed = demo_client.get("/voor/gemeenten/feed.xml")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    body = feed.get_data(as_text=True)
    assert "adviezen voor gemeenten</title>" in body
    entries = {int(n) for n in re.findall(r"<id>http://kennisbank\.test/advies/(\d+)</id>", body)}
    assert entries == expected  # fewer than the feed's 30 in the demo


def test_a_region_page_lists_its_advice_and_its_jeugdregios(demo_client, demo_app):
    expected = ids_with(demo_app, region="gelderland")
    data = demo_client.get("/api/regio/gelderland").get_json()
    assert data["region"]["kind"] == "provincie"
    assert {r["slug"] for r in data["region"]["jeugdregios"]} >= {"achterhoek",
                                                                   "rijk-van-nijmegen"}
    assert {hit["id"] for hit in data["results"]} == expected
    html = demo_client.get("/regio/gelderland").get_data(as_text=True)
    assert "Jeugdregio’s in Gelderland" in html and "Achterhoek" in html
    jeugdregio = demo_client.get("/api/regio/achterhoek").get_json()
    assert jeugdregio["region"]["province"]["slug"] == "gelderland"
    feed = demo_client.get("/regio/gelderland/feed.xml").get_data(as_text=True)
    assert {int(n) for n in re.findall(r"/advies/(\d+)/", feed)} == expected


def test_the_overviews_list_every_audience_and_region_with_counts(demo_client, demo_app):
    audiences = demo_client.get("/api/voor").get_json()["audiences"]
    assert len(audiences) == 9
    counts = {a["slug"]: a["advice_count"] for a in audiences}
    assert counts["gemeenten"] == len(ids_with(demo_app, audience="gemeenten"))
    groups = demo_client.get("/api/regios").get_json()["groups"]
    assert [g["kind"] for g in groups] == ["landelijk", "provincie", "jeugdregio"]
    assert len(groups[1]["regions"]) == 12 and len(groups[2]["regions"]) == 42
    for url in ("/voor", "/regios"):
        assert demo_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/voor/wethouders", "/regio/atlantis", "/api/voor/x",
                                 "/regio/atlantis/feed.xml"])
def test_an_unknown_audience_or_region_is_not_found(demo_client, url):
    assert demo_client.get(url).status_code == 404


def test_an_advice_shows_its_region_and_audiences_by_name_with_links(demo_client, demo_app):
    advice = next(a for a in published(demo_app) if a.region == "noord-brabant")
    html = demo_client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert '<a href="/regio/noord-brabant">Noord-Brabant</a>' in html
    first = advice.audience[0]
    assert f'href="/voor/{first}"' in html


@pytest.mark.parametrize("url", [
    "/zoeken", "/zoeken?theme=onderwijs&theme=wonen&audience=gemeenten",
    "/zoeken?q=school&region=landelijk", "/voor", "/voor/gemeenten", "/regios",
    "/regio/gelderland", "/regio/achterhoek", "/"])
def test_browse_pages_are_valid_html_with_a_label_for_every_checkbox(demo_client, url):
    import html5lib

    response = demo_client.get(url)
    assert response.status_code == 200
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.data)
    assert len(tree.findall(".//h1")) == 1
    labels = {label.get("for") for label in tree.iter("label")}
    for box in tree.iter("input"):
        if box.get("type") == "checkbox":
            assert box.get("id") in labels, box.attrib
    assert "<script" not in response.get_data(as_text=True)


def test_a_province_also_finds_the_advice_of_its_jeugdregios(app, client, make_advice):
    """"Every advice for gemeenten in Gelderland" includes advice about the Achterhoek, a
    jeugdregio in Gelderland: the index files a jeugdregio's advice under its province too."""
    regional = make_advice(region="achterhoek", audience=("gemeenten",), title="Achterhoek")
    provincial = make_advice(region="gelderland", audience=("gemeenten",), title="Gelderland")
    elsewhere = make_advice(region="utrecht", audience=("gemeenten",), title="Utrecht")
    data = client.get("/api/search?audience=gemeenten&region=gelderland").get_json()
    assert {hit["id"] for hit in data["results"]} == {regional.id, provincial.id}
    assert data["facets"]["region"]["gelderland"] == 2
    assert data["facets"]["region"]["achterhoek"] == 1
    narrow = client.get("/api/search?region=achterhoek").get_json()
    assert {hit["id"] for hit in narrow["results"]} == {regional.id}
    page = client.get("/api/regio/gelderland").get_json()
    assert {hit["id"] for hit in page["results"]} == {regional.id, provincial.id}
    assert elsewhere.id not in {hit["id"] for hit in page["results"]}
