"""One site URL (``KB_SITE_URL``): every absolute link uses it, and other hosts are refused.

The finding of issue 8 these tests pin down: "Canonical links, the citation URL and feed ids are
built from whatever Host a request sends; kb invite create prints a port-5000 link". The apps
here run as production does: ``SITE_URL`` set and no ``SERVER_NAME`` of the test suite's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from kb.models import Role
from kb.web.site_url import SiteURLError, parse_site_url
from tests.conftest import _make_app

SITE = "https://kennisbank.expex.nl"
#: A proxy that ends TLS and forwards plain HTTP, without KB_PROXY_FIX: the app sees http.
PLAIN_HTTP = "http://kennisbank.expex.nl"
FOREIGN = {"Host": "aanvaller.example"}


@pytest.fixture
def app(tmp_path) -> Iterator:
    """The suite's app fixture, configured like production: a site URL, no SERVER_NAME."""
    application = _make_app(tmp_path, SITE_URL=SITE + "/", SERVER_NAME=None)
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def advice(make_advice):
    return make_advice(title="Luister eerst", slug="luister-eerst")


def canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)


# ------------------------------------------------------------------ links use the site URL


def test_canonical_link_and_citation_use_the_site_url_not_the_request(client, advice):
    html = client.get(f"/advies/{advice.id}/luister-eerst", base_url=PLAIN_HTTP).get_data(
        as_text=True)
    permalink = f"{SITE}/advies/{advice.id}/luister-eerst"
    assert canonical(html) == permalink
    assert f"Kennisbank. {permalink}" in html  # the APA citation
    assert "http://kennisbank" not in html


def test_the_api_permalink_uses_the_site_url(client, advice):
    body = client.get(f"/api/advies/{advice.id}", base_url=PLAIN_HTTP).get_json()
    assert body["advice"]["permalink"] == f"{SITE}/advies/{advice.id}/luister-eerst"


def test_feed_id_links_and_entry_ids_use_the_site_url(client, advice):
    xml = client.get("/feed.xml", base_url=PLAIN_HTTP).get_data(as_text=True)
    assert f"<id>{SITE}/feed.xml</id>" in xml
    assert f'rel="self" type="application/atom+xml" href="{SITE}/feed.xml"' in xml
    assert f'rel="alternate" type="text/html" href="{SITE}/"' in xml
    assert f"<id>{SITE}/advies/{advice.id}</id>" in xml  # id-based: a rename changes nothing
    assert "http://" not in xml.replace("http://www.w3.org/2005/Atom", "")


def test_an_invite_made_on_the_web_links_to_the_site_url(app, client, post, login_as):
    login_as(Role.EDITOR)
    response = post("/beheer/uitnodigingen", {"role": "contributor"}, base_url=PLAIN_HTTP)
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert re.search(rf'value="{re.escape(SITE)}/uitnodiging/[^"]+"', html), html


def test_behind_a_proxy_the_forwarded_site_host_is_served_with_site_links(tmp_path, make_advice):
    app = _make_app(tmp_path / "proxied", SITE_URL=SITE, SERVER_NAME=None, PROXY_FIX=1)
    try:
        client = app.test_client()
        proxy = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "kennisbank.expex.nl",
                 "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        response = client.get("/feed.xml", headers=proxy, base_url="http://127.0.0.1:8000")
        assert response.status_code == 200
        assert f"<id>{SITE}/feed.xml</id>" in response.get_data(as_text=True)
        # The proxy passes on whatever Host the visitor sent: that is what is checked.
        forged = client.get("/feed.xml", headers={**proxy, "X-Forwarded-Host": "aanvaller.example"},
                            base_url="http://127.0.0.1:8000")
        assert forged.status_code == 400
    finally:
        app.extensions["kb.engine"].dispose()


# ------------------------------------------------------------------ other hosts are refused


@pytest.mark.parametrize("path", ["/", "/feed.xml", "/advies/1", "/bestaat-niet", "/inloggen"])
def test_a_request_for_another_host_gets_a_dutch_400_pointing_to_the_site(client, path):
    response = client.get(path, headers=FOREIGN)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Deze kennisbank staat op een ander adres" in html
    assert f'href="{SITE}/"' in html
    assert "aanvaller.example" not in html
    assert "Traceback" not in html


def test_an_api_request_for_another_host_gets_the_json_error_shape(client):
    response = client.get("/api/themas", headers=FOREIGN)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Bad Request", "status": 400,
                                     "message": "Deze kennisbank staat op een ander adres"}


def test_a_post_for_another_host_is_refused_before_anything_else(client, post, login_as):
    login_as(Role.EDITOR)
    response = post("/beheer/uitnodigingen", {"role": "contributor"}, headers=FOREIGN)
    assert response.status_code == 400
    assert "Deze kennisbank staat op een ander adres" in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["kennisbank.expex.nl", "KENNISBANK.expex.nl",
                                  "kennisbank.expex.nl:443", "kennisbank.expex.nl:80"])
def test_the_site_host_is_served_with_or_without_a_default_port(client, host):
    assert client.get("/themas", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["kennisbank.expex.nl:8443", "expex.nl",
                                  "evil.kennisbank.expex.nl", "kennisbank.expex.nl.evil", ""])
def test_near_misses_of_the_site_host_are_refused(client, host):
    assert client.get("/themas", headers={"Host": host}).status_code == 400


def test_a_site_url_with_a_port_accepts_exactly_that_port(tmp_path):
    app = _make_app(tmp_path, SITE_URL="http://127.0.0.1:8000", SERVER_NAME=None)
    try:
        client = app.test_client()
        assert client.get("/themas", headers={"Host": "127.0.0.1:8000"}).status_code == 200
        assert client.get("/themas", headers={"Host": "127.0.0.1"}).status_code == 400
    finally:
        app.extensions["kb.engine"].dispose()


# ------------------------------------------------------------------ the command line


def test_kb_invite_create_prints_a_link_on_the_site_url(runner):
    result = runner.invoke(args=["kb", "invite", "create"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith(f"{SITE}/uitnodiging/")
    assert "KB_SITE_URL is not set" not in result.stderr


def test_kb_invite_create_base_url_overrides_the_site_url(runner):
    result = runner.invoke(args=["kb", "invite", "create", "--base-url", "https://elders.nl/"])
    assert result.stdout.strip().startswith("https://elders.nl/uitnodiging/")


def test_kb_invite_create_without_a_site_url_says_the_link_is_local(tmp_path):
    app = _make_app(tmp_path, SERVER_NAME=None)
    try:
        result = app.test_cli_runner().invoke(args=["kb", "invite", "create"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().startswith("http://127.0.0.1:5000/uitnodiging/")
        assert "KB_SITE_URL is not set" in result.stderr
    finally:
        app.extensions["kb.engine"].dispose()


# ------------------------------------------------------------------ start-up


def test_without_a_site_url_links_follow_the_request_and_the_log_says_so(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="kb.web.site_url"):
        app = _make_app(tmp_path, SERVER_NAME=None)
    try:
        assert "KB_SITE_URL is not set: links follow each request's host" in caplog.text
        client = app.test_client()
        xml = client.get("/feed.xml", base_url="http://localhost:5000").get_data(as_text=True)
        assert "<id>http://localhost:5000/feed.xml</id>" in xml
        assert client.get("/themas", headers=FOREIGN).status_code == 200
    finally:
        app.extensions["kb.engine"].dispose()


def test_with_a_site_url_the_log_names_it(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="kb.web.site_url"):
        app = _make_app(tmp_path, SITE_URL=SITE, SERVER_NAME=None)
    app.extensions["kb.engine"].dispose()
    assert f"Site URL: {SITE}" in caplog.text


@pytest.mark.parametrize(("value", "problem"), [
    ("https://expex.nl/kennisbank", "a path such as '/kennisbank' is not supported"),
    ("kennisbank.expex.nl", "must start with https:// or http://"),
    ("ftp://kennisbank.expex.nl", "must start with https:// or http://"),
    ("https://kennisbank.expex.nl/?a=1", "must be just scheme and host"),
    ("https://kennisbank.expex.nl:poort", "invalid port"),
])
def test_a_site_url_that_cannot_be_a_site_root_is_refused_at_start(tmp_path, value, problem):
    with pytest.raises(SiteURLError, match=re.escape(problem)):
        _make_app(tmp_path, SITE_URL=value, SERVER_NAME=None)


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("  ", None),
    ("https://Kennisbank.ExpEx.nl/", "https://kennisbank.expex.nl"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https://[::1]:8443/", "https://[::1]:8443"),
])
def test_the_site_url_is_kept_as_scheme_and_host(value, expected):
    assert parse_site_url(value) == expected
