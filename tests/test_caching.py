"""HTTP caching and kept pages (kb.web.caching), with two apps on one database as two workers or
nodes: each kind of public change through one shows on the other's kept pages at once, a
withdrawn advice never answers 200 from a kept page, and personal pages never cross."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import event
from sqlmodel import select

from app import create_app
from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, IndexChange, Theme
from tests.conftest import POSTGRES_URL, sign_in
from tests.workflow_fixtures import *  # noqa: F403  (people, advice_by, log_in)
from tests.workflow_fixtures import S


@pytest.fixture
def other(app, tmp_path: Path):
    """A second app on the same database with an index of its own: another node (or worker)."""
    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "other-instance",
        "DATABASE_URL": POSTGRES_URL or app.config["DATABASE_URL"],
        "INDEX_DIR": str(tmp_path / "other-index"),
        "LOAD_DEMO": False,
        "SERVER_NAME": "kennisbank.test",
    })
    yield application
    application.extensions["kb.engine"].dispose()


class Counter:
    """Statements an app's engine runs, to tell a kept page (only the change-log look) from a
    rendered one."""

    def __init__(self, app) -> None:
        self.count = 0
        event.listen(app.extensions["kb.engine"], "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1

    def during(self, call):
        before = self.count
        result = call()
        return result, self.count - before


def eventually(check, seconds: float = 1.0):
    """``check()`` until it is true, for at most ``seconds`` (the issue's bound)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def _warm(client, urls) -> dict[str, str]:
    """Fetch each page twice (the second from the kept pages); returns the bodies."""
    bodies = {}
    for url in urls:
        client.get(url)
        bodies[url] = client.get(url).get_data(as_text=True)
    return bodies


def test_a_second_anonymous_view_is_served_from_the_kept_page(app, other, advice_by):
    item = advice_by(S.PUBLISHED)
    counter = Counter(other)
    reader = other.test_client()
    url = f"/advies/{item.id}/{item.slug}"
    first, rendered = counter.during(lambda: reader.get(url))
    second, kept = counter.during(lambda: reader.get(url))
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert kept < rendered and kept <= 2  # only the look at the change log


def test_a_publish_through_one_app_shows_on_the_others_kept_pages(app, other, people, log_in,
                                                                   post, advice_by):
    item = advice_by(S.SUBMITTED, title="Een huis dat blijft")
    reader = other.test_client()
    urls = ["/", "/api/", "/thema/pleegzorg", "/api/thema/pleegzorg", "/feed.xml"]
    before = _warm(reader, urls)
    assert not any("Een huis dat blijft" in body for body in before.values())
    log_in(people.editor)
    assert post(f"/redactie/advies/{item.id}/publiceren",
                {"revision": item.revision}).status_code == 303
    for url in urls:
        assert eventually(lambda u=url: "Een huis dat blijft" in reader.get(u).get_data(
            as_text=True)), url


def test_an_edit_through_one_app_shows_on_the_others_kept_pages(app, other, advice_by):
    item = advice_by(S.PUBLISHED, title="Oude titel van het advies")
    reader = other.test_client()
    urls = [f"/advies/{item.id}/{item.slug}", f"/api/advies/{item.id}", "/thema/pleegzorg"]
    _warm(reader, urls)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, item.id)
        save_advice(session, advice, replace(content_of(advice), title="Nieuwe titel erboven"),
                    status=AdviceStatus.PUBLISHED, note="redactie")
    for url in urls:
        assert eventually(lambda u=url: "Nieuwe titel erboven" in reader.get(u).get_data(
            as_text=True)), url


def test_a_withdrawn_advice_never_answers_200_from_a_kept_page(app, other, people, log_in, post,
                                                               advice_by):
    item = advice_by(S.PUBLISHED)
    reader = other.test_client()
    page, twin = f"/advies/{item.id}/{item.slug}", f"/api/advies/{item.id}"
    _warm(reader, [page, twin])
    etag = reader.get(page).headers["ETag"]
    log_in(people.editor)
    assert post(f"/redactie/advies/{item.id}/intrekken",
                {"revision": item.revision}).status_code == 303
    # At once, not eventually: the very next request on the other app.
    assert reader.get(page).status_code == 410
    assert reader.get(twin).status_code == 410
    assert reader.get(page, headers={"If-None-Match": etag}).status_code == 410
    assert item.title not in reader.get("/thema/pleegzorg").get_data(as_text=True)


def test_a_slug_rename_through_one_app_shows_on_the_other(app, other, people, log_in, post,
                                                          advice_by):
    item = advice_by(S.PUBLISHED)
    reader = other.test_client()
    old = f"/advies/{item.id}/{item.slug}"
    _warm(reader, [old, "/thema/pleegzorg"])
    log_in(people.editor)
    assert post(f"/redactie/advies/{item.id}/webadres",
                {"revision": item.revision, "slug": "een-nieuw-adres"}).status_code == 303
    response = reader.get(old)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/advies/{item.id}/een-nieuw-adres")
    assert f"/advies/{item.id}/een-nieuw-adres" in reader.get("/thema/pleegzorg").get_data(
        as_text=True)


def test_a_theme_change_through_one_app_shows_on_the_other(app, other, advice_by):
    advice_by(S.PUBLISHED)
    reader = other.test_client()
    urls = ["/themas", "/thema/pleegzorg", "/api/thema/pleegzorg"]
    _warm(reader, urls)
    with app.app_context(), session_scope() as session:  # what `kb themes` writes
        theme = session.exec(select(Theme).where(Theme.slug == "pleegzorg")).one()
        theme.description = "Een heel nieuwe beschrijving van pleegzorg."
        session.add(IndexChange(advice_id=None))
    for url in urls:
        assert eventually(lambda u=url: "heel nieuwe beschrijving" in reader.get(u).get_data(
            as_text=True)), url


def test_logged_in_and_anonymous_pages_never_cross(app, other, people, advice_by):
    item = advice_by(S.PUBLISHED)
    urls = ["/", f"/advies/{item.id}/{item.slug}", "/thema/pleegzorg"]
    anonymous, editor = other.test_client(), other.test_client()
    sign_in(other, editor, people.editor)
    for url in urls:
        assert "Uitloggen" not in anonymous.get(url).get_data(as_text=True)
        own = editor.get(url)
        assert "Uitloggen" in own.get_data(as_text=True), url
        assert own.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in own.headers
        # And the other way round: what the editor saw is not what the next visitor gets.
        again = anonymous.get(url)
        assert "Uitloggen" not in again.get_data(as_text=True)
        assert again.headers["Cache-Control"].startswith("public")


def test_a_form_token_is_never_kept_nor_shared(app, tmp_path):
    # A public route someone adds later that renders a form: public by default, personal
    # because of the token.
    app.add_url_rule("/proef-formulier", "proef_formulier",
                     lambda: render_template_string("<form>{{ csrf_token() }}</form>"))
    first, second = app.test_client(), app.test_client()
    one = first.get("/proef-formulier")
    two = second.get("/proef-formulier")
    assert one.get_data() != two.get_data()
    assert one.headers["Cache-Control"] == two.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in one.headers
    login_form = [c.get("/inloggen") for c in (app.test_client(), app.test_client())]
    assert login_form[0].get_data() != login_form[1].get_data()
    assert all("no-store" in page.headers["Cache-Control"] for page in login_form)


def test_a_new_public_route_gets_etag_and_304_by_default(app):
    app.add_url_rule("/proef.txt", "proef", lambda: ("Een nieuwe openbare pagina", 200,
                                                     {"Content-Type": "text/plain"}))
    client = app.test_client()
    response = client.get("/proef.txt")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/proef.txt", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


PUBLIC_URLS = ["/", "/themas", "/thema/pleegzorg", "/advies/{id}/{slug}", "/hulp",
               "/zoeken?q=pleegzorg", "/api/", "/api/themas", "/api/thema/pleegzorg",
               "/api/advies/{id}", "/api/search?q=pleegzorg", "/feed.xml"]


@pytest.mark.parametrize("pattern", PUBLIC_URLS)
def test_every_public_page_has_validators_and_answers_304(app, advice_by, pattern):
    item = advice_by(S.PUBLISHED)
    url = pattern.format(id=item.id, slug=item.slug)
    client = app.test_client()
    response = client.get(url)
    assert response.status_code == 200
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert response.headers["Cache-Control"] == (
        "public, max-age=10, stale-while-revalidate=30")
    assert "Cookie" in response.headers["Vary"]
    shared = url.startswith("/api/") or url.endswith(".xml")
    assert (response.headers.get("Access-Control-Allow-Origin") == "*") == shared
    by_tag = client.get(url, headers={"If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.get_data() == b""
    assert by_tag.headers["ETag"] == etag
    by_date = client.get(url, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url, headers={"If-None-Match": '"iets-anders"'}).status_code == 200


def test_two_apps_give_a_page_the_same_etag(app, other, advice_by):
    item = advice_by(S.PUBLISHED)
    url = f"/api/advies/{item.id}"
    assert app.test_client().get(url).headers["ETag"] == other.test_client().get(url).headers[
        "ETag"]


@pytest.mark.parametrize("url", ["/redactie", "/account", "/mijn-adviezen", "/"])
def test_personal_pages_are_private_and_not_stored(app, client, people, log_in, url):
    log_in(people.editor)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert "ETag" not in response.headers


def test_health_probes_are_never_kept(app, client):
    for _ in range(2):
        response = client.get("/healthz")
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


def test_the_change_clock_sees_a_change_that_commits_after_a_later_one(app, postgres_url):
    """PostgreSQL hands out log ids before commit: a transaction holding a lower id that commits
    after a higher one must still move the clock (the highest id alone would not)."""
    from kb.changes import ChangeClock

    engine = app.extensions["kb.engine"]
    clock = ChangeClock(engine)
    start = clock.version()[0]
    late = engine.connect()
    late.execute(IndexChange.__table__.insert().values(advice_id=None,
                                                       created_at=datetime.now(UTC)))
    with engine.begin() as early:
        early.execute(IndexChange.__table__.insert().values(advice_id=None,
                                                            created_at=datetime.now(UTC)))
    moved = clock.version()[0]
    assert moved > start
    assert clock.version()[0] == moved  # nothing new
    late.commit()
    late.close()
    assert clock.version()[0] > moved


def test_a_process_that_first_looks_after_a_change_never_answers_304_by_date(app, other,
                                                                            advice_by):
    """``other`` started before both changes but looks at the log only after the second: its
    Last-Modified must date from that look, not from its start (else a wrong 304)."""
    item = advice_by(S.PUBLISHED)
    url = f"/api/advies/{item.id}"
    reader = app.test_client()

    def retitle(title: str) -> None:
        with app.app_context(), session_scope() as session:
            advice = session.get(Advice, item.id)
            save_advice(session, advice, replace(content_of(advice), title=title),
                        status=AdviceStatus.PUBLISHED, note="redactie")

    reader.get(url)
    time.sleep(1.1)  # Last-Modified counts whole seconds
    retitle("Eerste nieuwe titel")
    seen = reader.get(url).headers["Last-Modified"]
    time.sleep(1.1)
    retitle("Tweede nieuwe titel")
    response = other.test_client().get(url, headers={"If-Modified-Since": seen})
    assert response.status_code == 200
    assert response.get_json()["advice"]["title"] == "Tweede nieuwe titel"


def test_kept_pages_stay_within_their_byte_budget_the_newest_kept():
    """Tried as a stream of new searches would: every new query's page (25 kB) was kept, up to
    1,000 of them, and a worker at 10,000 advice grew some 45 MB past its 250 MB budget. The
    kept pages now also stay within a budget of bytes, least recently used out first."""
    from kb.web.caching import Kept, PageCache

    kept = PageCache(1000, budget=100)
    assert kept.get(("home",), 7) is None  # the first look sets the version
    for n in range(5):
        kept.put((f"/zoeken?q={n}",), Kept(7, 200, (), b"x" * 30))
    assert len(kept) == 3
    assert kept.get(("/zoeken?q=0",), 7) is None and kept.get(("/zoeken?q=1",), 7) is None
    assert kept.get(("/zoeken?q=4",), 7).body == b"x" * 30
    kept.put(("/zoeken?q=4",), Kept(7, 200, (), b"y" * 90))  # the same page again, bigger
    assert len(kept) == 1 and kept.get(("/zoeken?q=4",), 7).body == b"y" * 90


def test_a_search_page_is_kept_when_it_is_asked_a_second_time(demo_app):
    """Tried as the mixed load run would: every new search's page was kept, and a stream of
    them pushed the theme and advice pages out of the kept pages' byte budget (a theme page's
    repeat views went from 0.7 to 9 ms). A search page is now kept on its second ask."""
    from tests.test_not_modified import dispatched

    client = demo_app.test_client()
    kept = demo_app.extensions["kb.page_cache"]
    client.get("/themas")
    before = len(kept)
    for n in range(5):
        assert client.get(f"/zoeken?q=pleegzorg+{n}").status_code == 200
    assert len(kept) == before  # each asked once: none kept
    again = client.get("/zoeken?q=pleegzorg+3")
    assert len(kept) == before + 1
    with dispatched(demo_app) as requests:
        third = client.get("/zoeken?q=pleegzorg+3")
    assert requests == [] and third.get_data() == again.get_data()
    with dispatched(demo_app) as requests:
        assert client.get("/themas").status_code == 200
    assert requests == []  # still kept: answered before Flask
