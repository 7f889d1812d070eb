"""One error handler, one shape: a Dutch page for people, ``{"error", "status"}`` for the API.

No stack trace ever reaches a reader; a 500 rolls the request's session back.
"""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kb.web.health import is_probe

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def wants_json() -> bool:
    """Whether the error goes to a program: the API and the health probes answer in JSON."""
    return request.path.startswith("/api/") or request.path == "/api" or is_probe()


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if wants_json():
        response = jsonify({"error": error.name, "status": code})
    else:
        # A refused Host (kb.web.site_url) links to the real site instead of back to itself.
        response = render_template("error.html", status=code,
                                   site_url=getattr(error, "site_url", None)), code
        return _with_headers(response, error)
    response.status_code = code
    return _with_headers(response, error)


def _with_headers(response, error: HTTPException):
    # Keep headers such as Allow (405) and Retry-After (429) from the original error.
    from flask import make_response

    response = make_response(response)
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def handle_unexpected_error(error: Exception):
    log.exception("Unhandled error on %s", request.path)
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    return handle_http_error(InternalServerError())
