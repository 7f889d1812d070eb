"""The interface language: Dutch, the source and default, or English beside it.

Every UI string is Dutch in the code and templates and goes through gettext (Flask-Babel);
the English catalog is ``kb/translations/en/LC_MESSAGES/messages.po`` (see README,
"Translating the interface"). Advice texts are never translated: they stay as written and
carry their own ``language``, which the pages put on the content's ``lang``.

The language is chosen per visitor, never per URL, so a shared link works for everyone:

1. the cookie ``kb_lang`` set by the switch on every page (``/taal/<code>?next=…``);
2. else the browser's ``Accept-Language``;
3. else Dutch.

Because one URL now has two renderings, every response says ``Content-Language`` and varies
on ``Cookie`` and ``Accept-Language``, and the kept pages (:mod:`kb.web.caching`) are keyed by
the language too.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import Babel, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

#: The interface languages, the default first.
LANGUAGES = ("nl", "en")
DEFAULT = LANGUAGES[0]
#: What the switch offers, in the language it switches to (a link's text is read in its own
#: language; the link carries ``lang``).
NAMES = {"nl": "Nederlands", "en": "English"}
COOKIE = "kb_lang"
#: A year: a choice of language is not personal data and should outlive a session.
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

bp = Blueprint("i18n", __name__)


def language_of(environ: dict) -> str:
    """The interface language a request asks for (see the module docstring for the order).

    Read from the WSGI environment, so that the kept pages' 304 layer (:mod:`kb.web.caching`),
    which answers before Flask builds a request, picks the same language as the page would.
    """
    cookie = environ.get("HTTP_COOKIE")
    if cookie and COOKIE in cookie:
        chosen = parse_cookie(cookie).get(COOKIE)
        if chosen in LANGUAGES:
            return chosen
    accept = environ.get("HTTP_ACCEPT_LANGUAGE")
    if not accept:
        return DEFAULT
    return parse_accept_header(accept, LanguageAccept).best_match(LANGUAGES, default=DEFAULT)


def select_language() -> str:
    """Flask-Babel's locale selector: the language of this request."""
    return language_of(request.environ)


def current_language() -> str:
    """The interface language of this request; Dutch outside a request (mail, CLI)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


@bp.get("/taal/<code>")
def switch(code: str) -> Response:
    """Remember the chosen language and go back to the page the visitor was on."""
    response = redirect(_local_path(request.args.get("next", "")) or "/", code=303)
    # One visitor's choice: never stored by a shared cache (a 303 is never a kept page).
    response.headers["Cache-Control"] = "private, no-store"
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


def _local_path(target: str) -> str | None:
    """``target`` when it is a path on this site; never another host (an open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _switch_links() -> list[dict]:
    """The other languages, each with the link that switches to it and back to this page."""
    here = request.full_path if request.query_string else request.path
    current = current_language()
    return [{"code": code, "name": NAMES[code],
             "url": f"/taal/{code}?next={_quote(here)}"}
            for code in LANGUAGES if code != current]


def _quote(path: str) -> str:
    return quote(path, safe="/")


def say_language(response: Response) -> Response:
    """``Content-Language`` and ``Vary`` on a response; the kept pages call it before they keep
    one, so that a 304 from :mod:`kb.web.caching` carries the same headers as the page."""
    response.headers["Content-Language"] = current_language()
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language, default_locale=DEFAULT,
          default_timezone="Europe/Amsterdam")
    app.register_blueprint(bp)
    app.after_request(say_language)
    app.add_template_global(current_language, "ui_language")
    app.add_template_global(_switch_links, "language_links")
