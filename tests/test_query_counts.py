"""A page's cost does not grow with the collection: the same number of queries at 12 advice as
at 35, and lists that are paged (theme pages, their JSON twins, the editors' published list)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from kb.models import AdviceStatus
from tests.conftest import _make_app

THEMES = ("pleegzorg", "wonen", "onderwijs")


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    statements: list[str] = []
    engine = app.extensions["kb.engine"]

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add(make_advice, how_many: int, start: int) -> list:
    return [make_advice(themes=(THEMES[n % 3], THEMES[(n + 1) % 3]),
                        title=f"Advies over wonen en school {n}", slug=f"advies-{n}")
            for n in range(start, start + how_many)]


def _queries(app, client, url: str) -> int:
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


PAGES = ["/", "/api/", "/themas", "/thema/pleegzorg", "/api/thema/pleegzorg", "/feed.xml",
         "/thema/pleegzorg?page=2"]


@pytest.fixture
def app(tmp_path):
    """An app without the page cache, so that every request renders (and queries), and with
    small list pages."""
    application = _make_app(tmp_path, PAGE_CACHE_SIZE=0, LIST_PAGE_SIZE=5)
    yield application
    application.extensions["kb.engine"].dispose()


def test_list_pages_run_as_many_queries_at_35_advice_as_at_12(app,
                                                              make_advice):
    client = app.test_client()
    _add(make_advice, 12, 0)  # two pages of the theme pleegzorg
    before = {url: _queries(app, client, url) for url in PAGES}
    _add(make_advice, 23, 12)
    after = {url: _queries(app, client, url) for url in PAGES}
    assert after == before


def test_the_advice_page_runs_as_many_queries_with_many_related_advice(app,
                                                                        make_advice):
    client = app.test_client()
    first = _add(make_advice, 3, 0)[0]
    urls = [f"/advies/{first.id}/{first.slug}", f"/api/advies/{first.id}"]
    before = [_queries(app, client, url) for url in urls]
    _add(make_advice, 20, 3)
    after = [_queries(app, client, url) for url in urls]
    # Fewer, even: with enough alike advice the theme top-up query is not needed.
    assert all(later <= earlier for later, earlier in zip(after, before, strict=True))
    assert max(after) <= 10


def test_deeper_theme_pages_read_only_their_own_advice(app, make_advice):
    """Tried as the mixed load run would: a third page of a theme took 32 ms of CPU at 10,000
    advice (a count of the theme's advice and an OFFSET query that sorted all of them, for
    every page). The theme's order is read once per change-log position; a page then reads
    only the advice it shows, and the counts on home and the theme list come along."""
    client = app.test_client()
    _add(make_advice, 20, 0)
    client.get("/thema/pleegzorg")
    client.get("/")
    for url in ("/thema/pleegzorg?page=2", "/thema/pleegzorg?page=3",
                "/api/thema/pleegzorg?page=2", "/themas", "/api/themas"):
        with counted(app) as statements:
            assert client.get(url).status_code == 200
        grouped = [s for s in statements if "count(" in s.lower() or "OFFSET" in s]
        assert not grouped, (url, grouped)
    pages = [client.get(f"/api/thema/pleegzorg?page={n}").get_json() for n in (1, 2, 3)]
    ids = [a["id"] for page in pages for a in page["advice"]]
    assert len(ids) == len(set(ids)) == pages[0]["theme"]["advice_count"]
    newer = make_advice(themes=("pleegzorg",), title="Het nieuwste advies", slug="nieuwste")
    first = client.get("/api/thema/pleegzorg").get_json()
    assert first["advice"][0]["id"] == newer.id  # the log moved: read again
    assert first["theme"]["advice_count"] == len(ids) + 1


def test_a_theme_page_shows_one_page_of_its_advice_and_links_the_next(app,
                                                                       make_advice):
    client = app.test_client()
    _add(make_advice, 12, 0)  # 8 of them have the theme pleegzorg
    data = client.get("/api/thema/pleegzorg").get_json()
    assert data["theme"]["advice_count"] == 8
    assert len(data["advice"]) == 5
    assert data["paging"] == {"page": 1, "pages": 2, "per_page": 5, "previous": None,
                              "next": "/api/thema/pleegzorg?page=2"}
    second = client.get("/api/thema/pleegzorg?page=2").get_json()
    assert len(second["advice"]) == 3
    assert not {a["id"] for a in second["advice"]} & {a["id"] for a in data["advice"]}
    page = client.get("/thema/pleegzorg").get_data(as_text=True)
    assert 'href="/thema/pleegzorg?page=2" rel="next"' in page
    assert "Pagina 1 van 2" in page
    assert client.get("/thema/pleegzorg?page=x").status_code == 200
    beyond = client.get("/thema/pleegzorg?page=99")
    assert beyond.status_code == 200 and "Naar de eerste pagina" in beyond.get_data(as_text=True)


def test_the_feed_reads_only_its_30_newest(app, make_advice):
    client = app.test_client()
    _add(make_advice, 33, 0)
    with counted(app) as statements:
        body = client.get("/feed.xml").get_data(as_text=True)
    assert body.count("<entry>") == 30
    advice_reads = [s for s in statements if "FROM advice" in s and "advice_theme" not in s]
    assert advice_reads and all("LIMIT" in s for s in advice_reads)


def test_the_editors_published_list_is_counted_and_paged(app, client, make_advice, login_as):
    _add(make_advice, 12, 0)
    login_as("editor")
    with counted(app) as first:
        page = client.get("/redactie").get_data(as_text=True)
    assert "Gepubliceerd (12)" in page and "Pagina 1 van 3" in page
    assert page.count("/redactie/advies/") >= 5
    second = client.get("/redactie?page=3").get_data(as_text=True)
    assert "Pagina 3 van 3" in second
    _add(make_advice, 10, 12)
    with counted(app) as later:
        assert "Gepubliceerd (22)" in client.get("/redactie").get_data(as_text=True)
    assert len(later) == len(first)


def test_the_editors_queue_and_withdrawn_list_load_revisions_in_one_query(
        app, client, make_advice, login_as):
    """Issue 10: the review queue compared each submitted advice with the version the editors
    saw, and the withdrawn list asked who withdrew each, loading revisions per advice."""

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_advice(status=AdviceStatus.SUBMITTED, title=f"Ingediend {i}", slug=f"in-{i}")
            make_advice(status=AdviceStatus.WITHDRAWN, title=f"Ingetrokken {i}",
                        slug=f"uit-{i}")

    add(2, 0)
    login_as("editor")
    with counted(app) as first:
        page = client.get("/redactie").get_data(as_text=True)
    assert "Ingediend (2)" in page
    add(6, 2)
    with counted(app) as later:
        page = client.get("/redactie").get_data(as_text=True)
    assert "Ingediend (8)" in page and "Ingetrokken 7" in page
    assert len(later) == len(first)
