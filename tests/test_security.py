"""Security headers: HSTS only when configured and only on HTTPS responses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import _make_app

YEAR = 31_536_000


@pytest.fixture
def make_app(tmp_path: Path):
    apps = []

    def make(**config):
        apps.append(_make_app(tmp_path, **config))
        return apps[-1]

    yield make
    for application in apps:
        application.extensions["kb.engine"].dispose()


def test_no_hsts_by_default_even_over_https(client):
    response = client.get("/", base_url="https://kennisbank.test")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("url", ["/", "/api/", "/bestaat-niet", "/healthz", "/inloggen"])
def test_hsts_is_sent_on_https_responses_when_configured(make_app, url):
    client = make_app(HSTS_SECONDS=YEAR).test_client()
    response = client.get(url, base_url="https://kennisbank.test")
    assert response.headers["Strict-Transport-Security"] == f"max-age={YEAR}"


def test_hsts_is_never_sent_over_plain_http(make_app):
    client = make_app(HSTS_SECONDS=YEAR).test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_follows_the_proxy_s_scheme_with_proxy_fix(make_app):
    client = make_app(HSTS_SECONDS=YEAR, PROXY_FIX=1).test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == f"max-age={YEAR}"
    assert "Strict-Transport-Security" not in client.get(
        "/", headers={"X-Forwarded-Proto": "http"}).headers


def test_hsts_is_not_trusted_from_a_forwarded_header_without_proxy_fix(make_app):
    client = make_app(HSTS_SECONDS=YEAR).test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_seconds_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_HSTS_SECONDS", "600")
    application = _make_app(tmp_path)
    try:
        response = application.test_client().get("/", base_url="https://kennisbank.test")
        assert response.headers["Strict-Transport-Security"] == "max-age=600"
    finally:
        application.extensions["kb.engine"].dispose()


@pytest.mark.parametrize("value", ["-1", "een jaar"])
def test_a_bad_hsts_setting_is_refused_at_start(tmp_path, value):
    with pytest.raises(ValueError, match="HSTS_SECONDS"):
        _make_app(tmp_path, HSTS_SECONDS=value)
