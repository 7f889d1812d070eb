"""CSRF protection on every form: a per-session token checked on every unsafe request."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

from kb.web import caching, kept_text
from kb.web.health import is_probe

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
#: Endpoints that authorise by a secret token in their URL instead (the RFC 8058 one-click
#: unsubscribe of mail, see kb.web.alerts); add one only with that reasoning written down.
_EXEMPT: set[str] = set()


def exempt(endpoint: str) -> None:
    """Leave this endpoint out of the check (see ``_EXEMPT``)."""
    _EXEMPT.add(endpoint)


def init_app(app: Flask) -> None:
    app.before_request(check_csrf)
    app.add_template_global(csrf_token)


def csrf_token() -> str:
    """The session's token, created on first use; forms put it in a hidden field. A page that
    holds it is for this person only: it is never kept or shared (:mod:`kb.web.caching`)."""
    caching.mark_personal()
    token = session.get(FIELD)
    if not token:
        token = session[FIELD] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse an unsafe request whose token is missing or wrong (400, a Dutch page).

    A request that matched no route or no method of it reaches no view, so it needs no token:
    routing's own answer (404, or 405 with ``Allow``) follows instead of a misleading 400.
    """
    if request.method in SAFE_METHODS or is_probe():  # a probe has no session to hold a token
        return
    if request.routing_exception is not None or request.endpoint in _EXEMPT:
        return
    expected = session.get(FIELD)
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        if kept_text.is_text_form():  # the form comes back with its text instead of a bare 400
            kept_text.refuse("csrf")
            return
        abort(400, description="csrf")
