"""Template filters: Dutch dates and times (one local-time filter, ``tijd``)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from kb.localtime import local

#: Month names per UI language; the only calendar words the templates need.
MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date, "datum")
    app.add_template_filter(local_time, "tijd")
    # The name the beheer pages used before there was one filter: the same function.
    app.add_template_filter(local_time, "tijdstip")


def long_date(value: str | date | None, language: str = "nl") -> str:
    """``2025-03-14`` → ``14 maart 2025``."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def local_time(value: datetime | None) -> str:
    """A stored (UTC) time as Dutch local time: ``14 maart 2025, 09:30``, on every page."""
    if value is None:
        return ""
    value = local(value)
    return f"{long_date(value.date())}, {value:%H:%M}"
