"""A kept page, and its 304, are answered before Flask builds a request
(kb.web.caching.KeptAnswers): no request context, session, hooks or SQL through the app's
engine; and only where that is safe (no session cookie, the kept page of that very URL, host
and language, an unchanged change log)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask import request_started

from kb.models import Role
from tests.conftest import _make_app, sign_in
from tests.test_query_counts import counted


@contextmanager
def dispatched(app):
    """How many requests reached Flask's own dispatch inside the block."""
    seen: list = []

    def started(sender, **extra):
        seen.append(sender)

    request_started.connect(started, app)
    try:
        yield seen
    finally:
        request_started.disconnect(started, app)


def _warm(client, url: str) -> str:
    assert client.get(url).status_code == 200
    second = client.get(url)  # from the kept page
    assert second.status_code == 200
    return second.headers["ETag"]


def _same_headers(answer, full) -> dict:
    """The headers of two answers, the date aside, as name -> value."""
    ours = {k: v for k, v in answer.headers.items() if k != "Date"}
    theirs = {k: v for k, v in full.headers.items() if k != "Date"}
    assert ours == theirs
    return ours


@pytest.mark.parametrize("url", ["/", "/api/", "/thema/pleegzorg", "/feed.xml", "/advies",
                                 "/api/advies"])
def test_a_kept_page_is_answered_before_flask_as_flask_answered_it(app, make_advice, url):
    """Tried as the load benchmark would: a kept page still went through Flask's request,
    session, hooks and response objects (~0.4 ms), so the advice page's JSON twin ran at 43 %
    of a bare Flask app serving the same bytes."""
    item = make_advice(title="Een huis met een eigen sleutel", themes=("pleegzorg",))
    url = {"/advies": f"/advies/{item.id}/{item.slug}",
           "/api/advies": f"/api/advies/{item.id}"}.get(url, url)
    client = app.test_client()
    full = client.get(url)  # rendered by Flask, and kept
    with dispatched(app) as requests, counted(app) as statements:
        answer = client.get(url)
    assert requests == [] and statements == []
    assert answer.status_code == 200 and answer.get_data() == full.get_data()
    headers = _same_headers(answer, full)
    assert headers["Content-Length"] == str(len(full.get_data()))
    with dispatched(app) as requests:
        head = client.head(url)
    assert requests == [] and head.get_data() == b"" and _same_headers(head, full)
    # In the other language: its own page, rendered by Flask.
    with dispatched(app) as requests:
        english = client.get(url, headers={"Accept-Language": "en"})
    assert len(requests) == 1 and english.headers["Content-Language"] == "en"


@pytest.mark.parametrize("url", ["/", "/api/", "/themas", "/feed.xml", "/advies"])
def test_a_conditional_request_for_a_kept_page_never_reaches_flask(app, make_advice, url):
    item = make_advice(title="Een huis met een eigen sleutel")
    if url == "/advies":
        url = f"/advies/{item.id}/{item.slug}"
    client = app.test_client()
    etag = _warm(client, url)
    full = client.get(url)
    with dispatched(app) as requests, counted(app) as statements:
        answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.get_data() == b""
    assert requests == [] and statements == []
    # The same validators and cache headers as the full path's answer, and the security ones.
    for name in ("ETag", "Cache-Control", "Vary", "Last-Modified", "Content-Security-Policy",
                 "X-Frame-Options"):
        assert answer.headers.get(name) == full.headers.get(name), name
    assert "Content-Type" not in answer.headers
    # Another ETag: the kept page itself, still without Flask.
    with dispatched(app) as requests:
        other = client.get(url, headers={"If-None-Match": '"iets-anders"'})
    assert other.status_code == 200 and other.get_data() == full.get_data() and requests == []
    # A date to compare: Flask compares it.
    with dispatched(app) as requests:
        dated = client.get(url, headers={"If-Modified-Since": full.headers["Last-Modified"]})
    assert dated.status_code == 304 and len(requests) == 1


def test_a_visitor_with_a_session_cookie_goes_the_whole_way(app, make_advice):
    item = make_advice()
    url = f"/advies/{item.id}/{item.slug}"
    etag = _warm(app.test_client(), url)
    anonymous_with_cookie = app.test_client()
    sign_in(app, anonymous_with_cookie, None)  # a session (a form token), no login
    with dispatched(app) as requests:
        answer = anonymous_with_cookie.get(url, headers={"If-None-Match": etag})
    assert len(requests) == 1
    assert answer.status_code == 304  # the full path still answers it: the page is public


def test_a_logged_in_person_never_gets_the_anonymous_pages_304(app, make_advice, make_user):
    item = make_advice()
    url = f"/advies/{item.id}/{item.slug}"
    etag = _warm(app.test_client(), url)
    editor = app.test_client()
    sign_in(app, editor, make_user(Role.EDITOR))
    answer = editor.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_behind_a_proxy_the_forwarded_host_decides_which_kept_page(tmp_path):
    app = _make_app(tmp_path, PROXY_FIX=1)
    try:
        client = app.test_client()
        here = {"X-Forwarded-Host": "kennisbank.example", "X-Forwarded-Proto": "https"}
        assert client.get("/api/themas", headers=here).status_code == 200
        etag = client.get("/api/themas", headers=here).headers["ETag"]
        with dispatched(app) as requests:
            answer = client.get("/api/themas", headers={**here, "If-None-Match": etag})
        assert answer.status_code == 304 and requests == []
        # Another forwarded host has no kept page: Flask renders it.
        elsewhere = {"X-Forwarded-Host": "elders.example", "If-None-Match": etag}
        with dispatched(app) as requests:
            client.get("/api/themas", headers=elsewhere)
        assert len(requests) == 1
    finally:
        app.extensions["kb.engine"].dispose()


def test_a_database_outage_is_looked_at_once_per_request(app, monkeypatch):
    """Tried as CI's frozen-server test would: with a kept page, the layer before Flask asked
    the change clock, waited the connect timeout, and Flask asked again: 6 s instead of 3 for
    one page. Its error now is the request's; pages that were never kept ask nothing early."""
    from sqlalchemy.exc import TimeoutError as NoConnectionInTime

    client = app.test_client()
    assert client.get("/themas").status_code == 200  # kept
    looks: list[str] = []

    def out(*args, **kwargs):
        looks.append("look")
        raise NoConnectionInTime("no connection within the timeout")

    monkeypatch.setattr(app.extensions["kb.change_clock"], "version", out)
    answer = client.get("/themas")
    assert answer.status_code == 503 and looks == ["look"]
    looks.clear()
    assert client.get("/api/themas").status_code == 503 and looks == ["look"]
