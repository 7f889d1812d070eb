"""Template filters: dates and times in the interface language (one local-time filter, ``tijd``).

Dates are Amsterdam dates (:mod:`kb.localtime`) written the way the reader's language writes
them, through Babel's CLDR data: "14 maart 2025" in Dutch, "14 March 2025" in English (the
British order: the site is Dutch, and so are its readers' habits of day before month).
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from flask import Flask

from kb.localtime import local
from kb.web.i18n import current_language

#: The CLDR locale each interface language writes its dates in.
DATE_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date, "datum")
    app.add_template_filter(local_time, "tijd")
    # The name the beheer pages used before there was one filter: the same function.
    app.add_template_filter(local_time, "tijdstip")


def long_date(value: str | date | None, language: str | None = None) -> str:
    """``2025-03-14`` → ``14 maart 2025`` (Dutch) or ``14 March 2025`` (English)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM y", locale=DATE_LOCALES[language or current_language()])


def local_time(value: datetime | None) -> str:
    """A stored (UTC) time as Amsterdam time: ``14 maart 2025, 09:30``, on every page."""
    if value is None:
        return ""
    value = local(value)
    return f"{long_date(value.date())}, {value:%H:%M}"
