"""URL converters: ``<int:…>`` in every route only matches an id the database could hold.

Werkzeug's ``int`` matches any number of digits. A number beyond PostgreSQL's integer (or, on
SQLite, beyond 64 bits) then reached the database and ended as a 500 instead of the Dutch 404
that an unknown id gets. Replacing the ``int`` converter app-wide covers every route with an
id, also those added later, without each view checking its arguments.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from kb.models import MAX_ID


class IdConverter(IntegerConverter):
    """An unsigned integer of at most :data:`~kb.models.MAX_ID`; anything larger is no match."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Install the converter; must run before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter
