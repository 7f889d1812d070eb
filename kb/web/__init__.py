"""The web layer: one blueprint per audience, plus error pages and security headers."""

from __future__ import annotations

from flask import Flask

from kb.web import api, csrf, errors, filters, reader, security


def init_app(app: Flask) -> None:
    app.register_blueprint(reader.bp)
    app.register_blueprint(api.bp)
    errors.init_app(app)
    filters.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
