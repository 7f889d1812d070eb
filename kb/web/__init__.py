"""The web layer: one blueprint per audience, plus error pages and security headers."""

from __future__ import annotations

from flask import Flask

from kb.web import (
    account,
    admin,
    alerts,
    api,
    browse,
    caching,
    contribute,
    converters,
    cowriting,
    csrf,
    discovery,
    dossier,
    editorial,
    errors,
    feed,
    filters,
    health,
    i18n,
    kept_text,
    mail,
    methods,
    notifications,
    password_reset,
    reader,
    security,
    session,
    site_url,
    workspace,
)


def init_app(app: Flask) -> None:
    # Before any route is added: routes compile their converters when they are added.
    converters.init_app(app)
    # First: the Host check must run before any other before_request hook (CSRF, login).
    site_url.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(reader.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(contribute.bp)
    app.register_blueprint(cowriting.bp)
    app.register_blueprint(editorial.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(browse.bp)
    mail.init_app(app)
    notifications.init_app(app)
    app.register_blueprint(password_reset.bp)
    alerts.init_app(app)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(dossier.bp)
    workspace.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    kept_text.init_app(app)  # after csrf: it acts on what the CSRF check marked
    session.init_app(app)
    methods.init_app(app)
    # Last: kept pages are looked up after the host and CSRF checks have run.
    caching.init_app(app)
