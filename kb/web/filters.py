"""Template filters: Dutch dates and theme names."""

from __future__ import annotations

from datetime import date

from flask import Flask

#: Month names per UI language; the only calendar words the templates need.
MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date, "datum")


def long_date(value: str | date | None, language: str = "nl") -> str:
    """``2025-03-14`` → ``14 maart 2025``."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"
