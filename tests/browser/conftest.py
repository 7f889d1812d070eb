"""Fixtures of the browser suite: one seeded site and one Chromium per test session (per xdist
worker), contexts kept per role, language and JavaScript setting, and axe-core.

The suite needs Debian's Chromium (``/usr/bin/chromium``), Playwright from PyPI (which drives it
by ``executable_path``: no browser download) and axe-core from npm (``npm ci``). Without one of
them the suite skips with the reason; with ``KB_REQUIRE_BROWSER=1`` (set by ``.ci/run``) it fails
instead, so CI cannot pass without really running a browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import site as site_module

REQUIRE_BROWSER = os.environ.get("KB_REQUIRE_BROWSER", "") not in ("", "0")
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
AXE_PATH = site_module.ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Without the background-networking flags Chromium calls home, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: WCAG 2.1 A and AA, and axe's best practices: no rule is switched off.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = (390, 1280)
LANGUAGES = ("nl", "en")
ROLES = (None, "schrijver", "redacteur", "beheerder")


def _missing() -> str | None:
    """Why the suite cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)"
    if not AXE_PATH.exists():
        return f"axe-core is not at {AXE_PATH} (npm ci)"
    return None


@pytest.fixture(scope="session", autouse=True)
def browser_tools() -> None:
    """Before anything starts: skip every browser test when a tool is missing, or, under
    KB_REQUIRE_BROWSER, fail each of them with the reason."""
    reason = _missing()
    if reason is None:
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"KB_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(f"browser suite: {reason}")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[site_module.Site]:
    """The seeded site, served by gunicorn for the whole session."""
    running = site_module.start(tmp_path_factory.mktemp("browser-site"))
    yield running
    site_module.stop(running)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session (Playwright gives it a fresh profile folder)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which(CHROMIUM) or CHROMIUM,
                                              headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


class Recorder:
    """Every request and every Content-Security-Policy complaint of every page in the kept
    contexts (tabs a test opens itself included), so that each test can check its own."""

    def __init__(self, site: site_module.Site) -> None:
        self.own = urlsplit(site.url).netloc
        self.requests: list[str] = []
        self.csp: list[str] = []

    def watch(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._page)

    def _page(self, page) -> None:
        page.on("console", lambda message: self.csp.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)

    def mark(self) -> tuple[int, int]:
        return len(self.requests), len(self.csp)

    def problems_since(self, mark: tuple[int, int]) -> list[str]:
        """Requests to anything but the test server (data: URLs stay in the page), and
        anything the page's own Content-Security-Policy refused."""
        off = [f"request off the site: {url}" for url in self.requests[mark[0]:]
               if not url.startswith("data:") and urlsplit(url).netloc != self.own]
        return off + [f"refused by the CSP: {text}" for text in self.csp[mark[1]:]]


class Visit:
    """One open page of the site."""

    def __init__(self, page, site: site_module.Site) -> None:
        self.page = page
        self.site = site

    def goto(self, path: str, status: int | None = 200):
        response = self.page.goto(self.site.url + path)
        if status is not None:
            assert response is not None and response.status == status, (
                f"{path}: {response.status if response else None}, expected {status}")
        return response


@pytest.fixture(scope="session")
def recorder(site) -> Recorder:
    return Recorder(site)


@pytest.fixture(scope="session")
def contexts(browser, site, recorder) -> Iterator[Callable]:
    """``contexts(role, lang, js)``: a browser context logged in as ``role`` (None: a reader)
    with the ``kb_lang`` cookie, made once and kept; each login goes through the real form."""
    made: dict[tuple, object] = {}
    states: dict[str, dict] = {}

    def state(role: str) -> dict:
        if role not in states:
            context = browser.new_context()
            recorder.watch(context)
            mark = recorder.mark()
            page = context.new_page()
            page.goto(site.url + "/inloggen")
            page.fill("#login", role)
            page.fill("#password", site_module.PASSWORD)
            with page.expect_navigation():
                page.click("form.form button[type=submit]")
            assert "/inloggen" not in page.url, f"login of {role} failed: {page.content()[:500]}"
            assert not recorder.problems_since(mark), recorder.problems_since(mark)
            states[role] = context.storage_state()
            context.close()
        return states[role]

    def get(role: str | None, lang: str = "nl", js: bool = True, fresh: bool = False):
        key = (role, lang, js)
        if fresh or key not in made:
            context = browser.new_context(
                storage_state=state(role) if role else None, java_script_enabled=js,
                viewport={"width": 1280, "height": 900})
            host = urlsplit(site.url).hostname
            context.add_cookies([{"name": "kb_lang", "value": lang, "domain": host,
                                  "path": "/"}])
            recorder.watch(context)
            if fresh:
                return context
            made[key] = context
        return made[key]

    yield get
    for context in made.values():
        context.close()


@pytest.fixture
def visit(contexts, site, recorder) -> Iterator[Callable]:
    """``visit(role, lang, width, js)``: a new page in the kept context; closed after the test,
    which fails if any page of the test (its own extra tabs too) asked anything of another host
    or broke the Content-Security-Policy."""
    opened: list[Visit] = []
    own: list = []
    mark = recorder.mark()

    def open_page(role: str | None = None, lang: str = "nl", width: int = 1280,
                  js: bool = True, fresh: bool = False) -> Visit:
        """``fresh``: a context of its own, closed after the test, for steps that log in."""
        context = contexts(role, lang, js, fresh=fresh)
        if fresh:
            own.append(context)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        opened.append(Visit(page, site))
        return opened[-1]

    yield open_page
    try:
        problems = recorder.problems_since(mark)
        assert not problems, "\n".join(problems)
    finally:
        for one in opened:
            one.page.close()
        for context in own:
            context.close()


def run_axe(page, source: str) -> dict:
    """axe-core on the page as it is now, with every rule of :data:`AXE_TAGS`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                    resultTypes: ['violations']});
            return {version: axe.version, violations: result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))};
        }""", AXE_TAGS)


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
                     for v in violations)
