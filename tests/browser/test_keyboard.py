"""The main flows with the keyboard alone, with JavaScript on and off: search and filter; write,
preview and submit; review and publish. Every Tab must land on an element whose focus is
visible (an outline or a box shadow), and each flow must really complete: what it did is read
back from the site's database, not from the page's words.

Each flow works on advice of its own (seeded, or made by the flow), so the flows never depend
on the order of the tests.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import create_engine, text

FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
        type: el.getAttribute('type') || '', value: el.getAttribute('value') || '',
        href: el.getAttribute('href') || '',
        form: el.form ? (el.form.getAttribute('action') || '') : '',
        formclass: el.form ? el.form.className : '',
        text: (el.innerText || el.value || '').trim().slice(0, 60),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
        size: rect.width > 0 && rect.height > 0,
    };
}"""

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


class Keyboard:
    """Key presses on one page, checking after every Tab that the focus can be seen."""

    def __init__(self, page) -> None:
        self.page = page
        self.tabs = 0

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUS)

    def tab_to(self, matches, limit: int = 200, backwards: bool = False) -> dict:
        """Press Tab until the focused element matches; each stop must show its focus."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.tabs += 1
            here = self.focused()
            if here is None:
                continue
            assert here["size"] and (here["outline"] or here["shadow"]), (
                f"focus not visible on {self.page.url}: {here}")
            if matches(here):
                return here
        raise AssertionError(f"Tab never reached the element on {self.page.url}")

    def enter(self) -> int:
        """Press Enter on a link or button and wait for the page it leads to; its status."""
        with self.page.expect_navigation() as navigation:
            self.page.keyboard.press("Enter")
        return navigation.value.status


def by_name(name: str, value: str | None = None):
    return lambda el: el["name"] == name and (value is None or el["value"] == value)


def button_of(action_end: str):
    return lambda el: el["tag"] == "button" and el["form"].endswith(action_end)


def status_of(site, advice_id: int) -> str:
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT status FROM advice WHERE id = :id"),
                                      {"id": advice_id}).scalar_one()
    finally:
        engine.dispose()


@JS
def test_search_and_filter_with_the_keyboard(js, visit, site):
    opened = visit(None, js=js, width=390)
    opened.goto("/")
    keys = Keyboard(opened.page)
    keys.tab_to(lambda el: el["tag"] == "input" and el["type"] == "search")
    opened.page.keyboard.type("jongeren")
    assert keys.enter() == 200
    assert re.search(r"/zoeken\?q=jongeren", opened.page.url)
    keys.tab_to(lambda el: el["type"] == "checkbox" and el["name"] == "theme")
    opened.page.keyboard.press("Space")
    keys.tab_to(lambda el: el["tag"] == "button" and "facet-form" in el["formclass"])
    assert keys.enter() == 200
    assert "theme=" in opened.page.url and "q=jongeren" in opened.page.url
    assert opened.page.locator("input[name=theme][type=checkbox]:checked").count() == 1


@JS
def test_write_preview_and_submit_with_the_keyboard(js, visit, site):
    opened = visit("schrijver", js=js)
    opened.goto("/schrijven")
    page, keys = opened.page, Keyboard(opened.page)
    title = f"Luister eerst en beslis dan ({'js' if js else 'zonder js'} {time.time_ns()})"
    keys.tab_to(by_name("title"))
    page.keyboard.type(title)
    keys.tab_to(by_name("summary"))
    page.keyboard.type("Vraag een jongere eerst wat er speelt, voordat je een besluit neemt.")
    keys.tab_to(by_name("main_theme"))
    page.keyboard.press("ArrowDown")
    keys.tab_to(by_name("audience"))
    page.keyboard.press("Space")
    keys.tab_to(by_name("body"))
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nWe zien dat besluiten vallen zonder dat iemand het ons vraagt.")
    keys.tab_to(by_name("action", "preview"))
    assert keys.enter() == 200
    assert page.locator(".preview, [class*=preview]").count() > 0, "no preview shown"
    keys.tab_to(by_name("action", "submit"))
    assert keys.enter() == 200
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            status = connection.execute(text("SELECT status FROM advice WHERE title = :t"),
                                        {"t": title}).scalar_one()
    finally:
        engine.dispose()
    assert status == "submitted"


@JS
def test_review_and_publish_with_the_keyboard(js, visit, site):
    advice_id = site.ids["to_publish" if js else "to_publish_nojs"]
    opened = visit("redacteur", js=js)
    opened.goto("/redactie")
    keys = Keyboard(opened.page)
    keys.tab_to(lambda el: el["href"].endswith(f"/redactie/advies/{advice_id}"))
    assert keys.enter() == 200
    keys.tab_to(button_of("/publiceren"))
    assert keys.enter() == 200  # "are you sure?"
    keys.tab_to(button_of("/publiceren"))
    assert keys.enter() == 200
    assert status_of(site, advice_id) == "published"
    assert opened.goto(f"/advies/{advice_id}").status == 200
