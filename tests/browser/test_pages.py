"""Every page type, at 390 and 1280 px, in both interface languages: axe-core finds nothing
(WCAG 2.1 A and AA and its best practices), the page never scrolls sideways, and nothing is
asked of another host.
"""

from __future__ import annotations

import pytest

from kb import accessibility
from tests.browser.conftest import LANGUAGES, WIDTHS, describe, run_axe
from tests.browser.pages import ALL, Page


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("spec", ALL, ids=[p.name for p in ALL])
def test_page_is_accessible_at_every_width(spec: Page, width: int, lang: str, visit, site,
                                           axe_source):
    opened = visit(spec.role, lang, width, fresh=spec.fresh)
    opened.goto(spec.url(site), spec.status)
    if spec.then is not None:
        response = spec.then(opened.page, site)
        expected = spec.then_status or 200
        assert response is not None and response.status == expected, (
            f"{spec.name}: the steps ended on {response.status if response else None}, "
            f"expected {expected}")
    page = opened.page
    if spec.expect:
        assert page.locator(spec.expect).count() > 0, f"{spec.name}: no {spec.expect} on the page"
    sideways = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert sideways[0] <= sideways[1], f"{spec.name} scrolls sideways at {width} px: {sideways}"
    result = run_axe(page, axe_source)
    assert not result["violations"], (
        f"{spec.name} at {width} px: axe {result['version']} found\n"
        + describe(result["violations"]))


def test_the_statement_names_the_axe_core_the_suite_runs(visit, site, axe_source):
    """``/toegankelijkheid`` says which axe-core tests the site: the one injected here."""
    opened = visit()
    opened.goto("/toegankelijkheid")
    version = run_axe(opened.page, axe_source)["version"]
    assert version == accessibility.AXE_VERSION
    assert f"axe-core {version}" in opened.page.inner_text("main")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_request_carries_the_language_cookie(lang: str, visit):
    """The page tests' language really reaches the server (the English interface reads it)."""
    opened = visit(None, lang)
    response = opened.goto("/")
    assert f"kb_lang={lang}" in response.request.all_headers().get("cookie", "")
