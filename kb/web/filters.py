"""Template filters: dates and times in the interface language (one local-time filter, ``tijd``),
and the names of themes and audiences in it (``local_name``, ``name_lang``).

Dates are Amsterdam dates (:mod:`kb.localtime`) written the way the reader's language writes
them, through Babel's CLDR data: "14 maart 2025" in Dutch, "14 March 2025" in English (the
British order: the site is Dutch, and so are its readers' habits of day before month).
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask
from markupsafe import Markup

from kb.localtime import local
from kb.web.i18n import current_language

#: The CLDR locale each interface language writes its dates in.
DATE_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date, "datum")
    app.add_template_filter(local_time, "tijd")
    # The name the beheer pages used before there was one filter: the same function.
    app.add_template_filter(local_time, "tijdstip")
    app.add_template_filter(number, "number")
    app.add_template_global(local_name, "local_name")
    app.add_template_global(lang_attr, "lang_attr")
    app.add_template_global(name_lang, "name_lang")


def long_date(value: str | date | None, language: str | None = None) -> str:
    """``2025-03-14`` → ``14 maart 2025`` (Dutch) or ``14 March 2025`` (English)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM y", locale=DATE_LOCALES[language or current_language()])


def number(value: int | float | None) -> str:
    """A number the way the reader's language writes it: ``1.234`` in Dutch, ``1,234`` in
    English (CLDR, through Babel)."""
    if value is None:
        return ""
    return format_decimal(value, locale=DATE_LOCALES[current_language()])


def local_time(value: datetime | None) -> str:
    """A stored (UTC) time as Amsterdam time: ``14 maart 2025, 09:30``, on every page."""
    if value is None:
        return ""
    value = local(value)
    return f"{long_date(value.date())}, {value:%H:%M}"


# Names of themes and audiences: data with an English name beside the Dutch one (``name_en``,
# from ``themes/*.yaml`` and ``themes/audiences/*.yaml``). The JSON keeps both as data; a page
# shows the one of its interface language, and marks a Dutch fallback with ``lang="nl"``.


def local_name(item: dict | None, field: str = "name") -> str:
    """``item[field]`` in the interface language: ``item[field + "_en"]`` in English when the
    data has it, else the Dutch ``item[field]``."""
    if not item:
        return ""
    if current_language() != "nl" and item.get(f"{field}_en"):
        return item[f"{field}_en"]
    return item.get(field) or ""


def name_lang(item: dict | None, field: str = "name") -> Markup:
    """`` lang="nl"`` on the element of a :func:`local_name` that is Dutch in a page that is
    not (no English name in the data), else nothing: a screen reader reads it as Dutch."""
    if item and current_language() != "nl" and not item.get(f"{field}_en") and item.get(field):
        return Markup(' lang="nl"')
    return Markup("")


def lang_attr(code: str | None) -> Markup:
    """`` lang="en"`` for content in another language than the interface's, else nothing (the
    page's ``<html lang>`` already says it): a Dutch page's Dutch advice stays as it was."""
    code = code or "nl"
    return Markup(' lang="%s"') % code if code != current_language() else Markup("")
