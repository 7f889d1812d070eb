"""What of a page is still Dutch when the interface is English.

Used by the translation tests: a page rendered with ``kb_lang=en`` must have no Dutch UI text
left. Content keeps its own language (an advice, a theme's name, a quoted search), so elements
marked with ``lang="nl"`` (or any ``lang`` other than ``en``) are skipped, as are scripts,
styles and the language switch (which names "Nederlands" on purpose). What remains is
searched for common Dutch words that English never uses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Frequent Dutch words that are not English words (``de`` and ``in`` are left out: they
#: occur in English text and names too).
DUTCH_WORDS = frozenset("""
    het een van en niet voor met zijn naar ook als bij maar nog wel geen deze dit die wat
    wordt worden kan kunt moet hier hoe waar wie jij je jouw uw u wij ons onze zij hun
    zoeken zoek adviezen advies thema thema’s inloggen uitloggen pagina terug bekijk
    volgende vorige alle over meer lees geschreven gepubliceerd bijgewerkt hulp nodig
    schrijvers redactie beheer meldingen bewaar verstuur stuur annuleer opslaan
    verwijderd concept gebruiker wachtwoord naam tekst titel samenvatting regio
""".split())
WORD = re.compile(r"[^\W\d_][\w’'-]*", re.UNICODE)


class _Visible(HTMLParser):
    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.words: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").lower()
        classes = (attributes.get("class") or "").split()
        skip = (tag in self.SKIP or (lang and not lang.startswith("en") and tag != "html")
                or "language-switch" in classes)
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}:
            if not self._skipping() and not skip:
                for name in ("alt", "placeholder", "title", "aria-label", "value"):
                    if attributes.get(name) and not (name == "value" and
                                                      attributes.get("type") == "hidden"):
                        self.words += WORD.findall(attributes[name])
            return
        if not self._skipping() and not skip:
            for name in ("title", "aria-label"):
                if attributes.get(name):
                    self.words += WORD.findall(attributes[name])
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.words += WORD.findall(data)


def dutch_left(html: str) -> list[str]:
    """The Dutch words in the visible UI text of ``html`` (content in its own language aside)."""
    parser = _Visible()
    parser.feed(html)
    return sorted({word for word in parser.words if word.lower() in DUTCH_WORDS})
