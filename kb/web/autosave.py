"""Autosave: the JSON answers of the writing forms to ``kb/static/js/autosave.js``.

The script posts the form's own "Bewaar als concept" action (CSRF token and expected revision
included) with the header ``X-KB-Autosave: 1``; the views then answer JSON instead of a
redirect or a page, so the writer stays where they are typing. Everything else about the save
is the ordinary one: a conflict is refused (``409``), never saved over a newer revision, and
without JavaScript nothing of this is used. The status words live in the script and templates.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from kb import localtime
from kb.models import Advice, utcnow

HEADER = "X-KB-Autosave"


def wanted() -> bool:
    """Whether this POST comes from the autosave script (it sends ``X-KB-Autosave: 1``)."""
    return request.headers.get(HEADER) == "1"


def saved(item: Advice, url: str) -> Response:
    """Saved: the new revision for the form's hidden field, its address, the local time."""
    response = jsonify(saved=True, revision=item.revision, url=url,
                       time=localtime.local(utcnow()).strftime("%H:%M"))
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(reason: str, status: int) -> tuple[Response, int]:
    """Not saved (``conflict``, ``invalid``, ``csrf``): the script says so and stops."""
    response = jsonify(saved=False, reason=reason)
    response.headers["Cache-Control"] = "no-store"
    return response, status
