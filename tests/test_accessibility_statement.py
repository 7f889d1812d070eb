"""The accessibility statement (``/toegankelijkheid``): after the government model, linked from
every page's footer, with a JSON twin, and held to what the browser suite really checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import accessibility
from tests.browser import conftest as browser_suite
from tests.conftest import _make_app

ROOT = Path(__file__).resolve().parent.parent


def test_the_statement_names_the_standard_the_tests_and_how_to_report(client):
    response = client.get("/toegankelijkheid")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for words in ("WCAG 2.1 niveau AA", "EN 301 549", "voldoet gedeeltelijk",
                  f"axe-core {accessibility.AXE_VERSION}", "390 pixels", "1280 pixels",
                  "JavaScript uit", "toetsenbord", "Wat werkt nog niet goed?",
                  "Loop je tegen een probleem aan?", "5 december 2026"):
        assert words in html, words
    for item in accessibility.EXCEPTIONS:
        assert item["text"] in html


@pytest.mark.parametrize("path", ["/", "/hulp", "/themas", "/inloggen", "/bestaat-niet"])
def test_every_page_links_the_statement_from_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer'):]
    assert 'href="/toegankelijkheid"' in footer


def test_the_statement_has_a_json_twin_linked_from_the_page(client):
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert 'href="/api/toegankelijkheid"' in html
    body = client.get("/api/toegankelijkheid").get_json()
    assert body["standard"] == "WCAG 2.1 niveau AA" and body["norm"] == "EN 301 549"
    assert body["tested_with"]["version"] == accessibility.AXE_VERSION
    assert [e["id"] for e in body["exceptions"]] == [e["id"] for e in accessibility.EXCEPTIONS]
    for check in body["checks"]:
        assert check["text"] in html


def test_problems_go_to_the_contact_address_else_the_mail_sender(tmp_path):
    for extra, expected in (({"CONTACT_EMAIL": "toegankelijk@expex.nl",
                              "MAIL_FROM": "kennisbank@expex.nl"}, "toegankelijk@expex.nl"),
                            ({"MAIL_FROM": "kennisbank@expex.nl"}, "kennisbank@expex.nl"),
                            ({}, None)):
        folder = tmp_path / str(len(extra))
        app = _make_app(folder, **extra)
        client = app.test_client()
        assert client.get("/api/toegankelijkheid").get_json()["contact"]["address"] == expected
        html = client.get("/toegankelijkheid").get_data(as_text=True)
        if expected:
            assert f'href="mailto:{expected}"' in html
        else:
            assert "nog geen e-mailadres ingesteld" in html
        app.extensions["kb.engine"].dispose()


def test_the_statement_says_what_the_browser_suite_runs():
    """The axe-core version is the one package-lock.json pins (the browser suite also checks the
    one it injects); the widths and rules are the suite's own."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/axe-core"]["version"] == accessibility.AXE_VERSION
    assert tuple(browser_suite.WIDTHS) == accessibility.WIDTHS
    assert tuple(browser_suite.AXE_TAGS) == accessibility.AXE_TAGS


