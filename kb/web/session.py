"""The login cookie, the real visitor address behind proxies, and who is logged in for templates.

The cookie is HttpOnly and SameSite=Lax always, and Secure whenever the request came over HTTPS
(or ``SESSION_COOKIE_SECURE`` says so), so one setup serves both local HTTP and production.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from kb.auth import current_user
from kb.models import User
from kb.web.health import is_probe

log = logging.getLogger(__name__)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure on every HTTPS request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def should_set_cookie(self, app: Flask, session) -> bool:
        # A health probe never gets (or refreshes) a login cookie, whatever it sent.
        return not is_probe() and super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_HOURS"]))
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        # Trust exactly this many X-Forwarded-For/-Proto/-Host headers: remote_addr (counted by
        # the rate limits) and is_secure (the Secure cookie) then describe the real visitor.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.add_template_global(nav_user)
    app.add_template_global(has_endpoint)


def nav_user() -> User | None:
    """The logged-in account for the page header, or None, also when the database is down.

    Error pages use the same layout, so this must never raise.
    """
    try:
        return current_user()
    except Exception:  # noqa: BLE001 - the layout must render whatever broke
        log.warning("Could not look up the logged-in account for the page header.")
        session = g.get("db_session")
        if session is not None:
            with contextlib.suppress(Exception):
                session.rollback()
        g.current_user = None
        return None


def has_endpoint(name: str) -> bool:
    """Whether a view exists, so the header only links to parts that are installed."""
    return name in current_app.view_functions
