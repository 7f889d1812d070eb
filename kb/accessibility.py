"""The accessibility statement of ``/toegankelijkheid`` (and ``/api/toegankelijkheid``), as data.

It follows the Dutch government's model statement (toegankelijkheidsverklaring): which standard,
how far the site is, how and when it was tested, what does not work yet, and how to report a
problem. The facts about testing describe the browser suite in ``tests/browser/``, and the tests
hold them to it: :data:`AXE_VERSION` must be the axe-core that ``package-lock.json`` pins and the
suite runs, :data:`WIDTHS` and :data:`AXE_TAGS` the widths and rules it checks. So a statement
that says more than the suite proves fails the tests.

Kept in code rather than the database, like the helplines: it changes when the site or its
tests change, in the same commit. Update :data:`REVIEWED` whenever the text changes.

The texts are Dutch, and the JSON twin gives them as they are (like every twin's data); they are
marked with ``N_`` and their values kept apart (``"values"``), so that the English page
translates them where it shows them (``accessibility.html``, through :func:`page_texts`).
"""

from __future__ import annotations

from datetime import date

from kb.l10n import N_

#: When this statement was last checked against the site and its tests.
REVIEWED = date(2026, 12, 5)
STANDARD = N_("WCAG 2.1 niveau AA")
NORM = "EN 301 549"
#: The government model's status: A (voldoet volledig) needs an audit by an independent expert,
#: which has not been done; automatic checks and keyboard walks alone give B.
STATUS = "B"
STATUS_TEXT = N_("voldoet gedeeltelijk")
AXE_VERSION = "4.14.1"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
WIDTHS = (390, 1280)
BROWSER = N_("Chromium (het pakket van Debian), zonder scherm")

#: What the browser suite checks on every change, in plain Dutch.
CHECKS = [
    {"id": "axe", "text": N_("Elke soort pagina gaat door axe-core %(version)s, met alle regels "
                             "van WCAG 2.1 A en AA en de ‘best practices’ van axe. Er mag geen "
                             "enkele fout uitkomen."),
     "values": {"version": AXE_VERSION}},
    {"id": "widths", "text": N_("Elke pagina wordt bekeken op een smal scherm (390 pixels, "
                                "zoals een telefoon) en op een breed scherm (1280 pixels).")},
    {"id": "reflow", "text": N_("Op het smalle scherm hoef je nergens opzij te scrollen om de "
                                "pagina te lezen.")},
    {"id": "keyboard", "text": N_("Zoeken en filteren, een advies schrijven en insturen, en een "
                                  "advies nakijken en publiceren: dat doen we alleen met het "
                                  "toetsenbord. Je ziet steeds waar je bent (de focus).")},
    {"id": "no-javascript", "text": N_("Dezelfde stappen doen we ook met JavaScript uit. Alles "
                                       "werkt dan nog.")},
    {"id": "no-third-parties", "text": N_("Geen pagina haalt iets op bij een andere website. Zo "
                                          "volgt niemand anders wat je leest.")},
    {"id": "languages", "text": N_("Alle controles doen we in het Nederlands en in het "
                                   "Engels.")},
]

#: What does not (yet) work well or is not checked, with the success criterion it touches.
EXCEPTIONS = [
    {"id": "pdf", "criteria": ["1.3.1", "2.4.2"],
     "text": N_("De pdf van een themadossier controleren we niet automatisch. De webpagina van "
                "het dossier (dezelfde tekst) controleren we wel. Gebruik die als de pdf niet "
                "goed werkt met je hulpmiddel.")},
    {"id": "advice-texts", "text": N_("De adviezen zijn geschreven door jongeren, in hun eigen "
                                      "woorden. De redactie let op duidelijke taal, maar niet "
                                      "elk advies is op taalniveau B1."), "criteria": ["3.1.5"]},
    {"id": "expert-audit", "text": N_("Een onafhankelijke deskundige heeft de site nog niet "
                                      "onderzocht. Automatische controles vinden niet alle "
                                      "problemen. Ook met een schermlezer hebben we nog niet "
                                      "elke pagina getest."), "criteria": []},
    {"id": "unavailable", "text": N_("De pagina die je ziet als de site even niet werkt "
                                     "(storing), controleren we niet in de browser, omdat we "
                                     "de storing daar niet kunnen nadoen."), "criteria": []},
]

#: How soon a report gets an answer (working days), as the model statement asks to promise.
ANSWER_DAYS = 5


def statement_context(contact_email: str | None) -> dict:
    """What ``/toegankelijkheid`` shows, for the page and its JSON twin."""
    return {
        "standard": STANDARD,
        "norm": NORM,
        "status": STATUS,
        "status_text": STATUS_TEXT,
        "reviewed": REVIEWED.isoformat(),
        "tested_with": {"tool": "axe-core", "version": AXE_VERSION, "rules": list(AXE_TAGS),
                        "browser": BROWSER, "widths": list(WIDTHS),
                        "when": "bij elke wijziging van de website (de testsuite)"},
        "checks": [{"id": check["id"], "text": dutch(check)} for check in CHECKS],
        "exceptions": [{"id": item["id"], "criteria": list(item["criteria"]),
                        "text": dutch(item)} for item in EXCEPTIONS],
        "contact": {"address": contact_email or None, "answer_days": ANSWER_DAYS},
    }


def dutch(item: dict) -> str:
    """A check's or an exception's text as written (Dutch), its values filled in."""
    return item["text"] % item.get("values", {})


def page_texts() -> dict[str, dict]:
    """Per check and exception id, its text to translate and the values that go in it: the
    page shows each item of the statement in the interface language (the JSON keeps Dutch)."""
    return {item["id"]: {"text": item["text"], "values": dict(item.get("values", {}))}
            for item in CHECKS + EXCEPTIONS}
