"""One error handler, one shape: a Dutch page for people, ``{"error", "status"}`` for the API.

No stack trace ever reaches a reader; a 500 rolls the request's session back.

A database that is unreachable, busy or read-only (:func:`kb.db.fault_of`) is not a bug: it
answers 503 with ``Retry-After`` and a Dutch page that says what is going on, and it is logged
once a minute per kind (:func:`kb.db.report_fault`) instead of a traceback per request. A form
that could not be saved comes back on that page, ready to send again.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from kb import db
from kb.db import DatabaseFault
from kb.web.health import is_probe

log = logging.getLogger(__name__)

#: Seconds a client should wait before it tries again (``Retry-After``), per database fault:
#: an outage or a restart takes seconds to minutes, a lock seconds, a read-only file a person.
RETRY_AFTER = {DatabaseFault.UNREACHABLE: 30, DatabaseFault.BUSY: 5,
               DatabaseFault.READ_ONLY: 300}
#: A form field longer than this (or with a line break) is also shown on the 503 page, so the
#: writer can copy it even if sending it again fails too.
SHOWN_FIELD_LENGTH = 200


class DatabaseUnavailable(ServiceUnavailable):
    """503: the database cannot serve this request just now (a :class:`kb.db.DatabaseFault`)."""

    def __init__(self, fault: DatabaseFault) -> None:
        super().__init__(retry_after=RETRY_AFTER[fault])
        self.fault = fault


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def wants_json() -> bool:
    """Whether the error goes to a program: the API and the health probes answer in JSON."""
    return request.path.startswith("/api/") or request.path == "/api" or is_probe()


def handle_http_error(error: HTTPException):
    """Every HTTP error: JSON for programs, a Dutch page for people, the error's headers kept."""
    code = error.code or 500
    tombstone = getattr(error, "tombstone", None)  # a withdrawn advice (kb.web.tombstone)
    if wants_json():
        response = jsonify({"error": error.name, "status": code,
                            **({"withdrawn": tombstone} if tombstone else {})})
        response.status_code = code
    elif tombstone is not None:
        response = render_template("tombstone.html", status=code, tombstone=tombstone), code
    elif isinstance(error, DatabaseUnavailable):
        response = _unavailable_page(error)
    else:
        # A refused Host (kb.web.site_url) links to the real site instead of back to itself;
        # an error may bring its own Dutch title and text (``page``, e.g. search's 503).
        response = render_template("error.html", status=code,
                                   site_url=getattr(error, "site_url", None),
                                   page=getattr(error, "page", None)), code
    return _with_headers(response, error)


def _with_headers(response, error: HTTPException):
    # Keep headers such as Allow (405) and Retry-After (429, 503) from the original error.
    response = make_response(response)
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    if isinstance(error, DatabaseUnavailable):
        # A cache in front must not go on showing the outage once the database is back.
        response.headers["Cache-Control"] = "no-store"
    return response


def _unavailable_page(error: DatabaseUnavailable):
    """The Dutch 503 page; a form that was sent comes back as hidden fields, passwords excepted."""
    return _kept_form_page(error.fault.value, 503)


def _kept_form_page(fault: str, status: int):
    """The 503 (or, for a bug while saving a text, 500) page that gives a sent form back."""
    sent = list(request.form.items(multi=True)) if request.method == "POST" else []
    kept = [(name, value) for name, value in sent if "password" not in name.lower()]
    shown = [(name, value) for name, value in kept
             if name != "csrf_token" and (len(value) > SHOWN_FIELD_LENGTH or "\n" in value)]
    # The same address again; one leading slash, so it can never read as another host.
    retry_url = "/" + request.full_path.rstrip("?").lstrip("/\\")
    return render_template("unavailable.html", fault=fault, kept=kept, shown=shown,
                           password_left_out=len(kept) < len(sent), retry_url=retry_url,
                           status=status), status


def handle_unexpected_error(error: Exception):
    """Any other exception: a 503 when the database is at fault, else a 500 with a traceback."""
    fault = db.fault_of(error)
    if fault is None:
        log.exception("Unhandled error on %s", request.path)
    else:
        db.report_fault(fault, error)
        # The page header asks the database who is logged in; it cannot answer now.
        g.current_user = None
    session = g.get("db_session")
    if session is not None:
        # A rollback on a connection that is gone may fail too; the session is closed anyway.
        with contextlib.suppress(Exception):
            session.rollback()
    if fault is None and not wants_json() and _sent_text():
        # A bug while saving a text: the writer still gets their text back to send again.
        return _kept_form_page("error", 500)
    return handle_http_error(InternalServerError() if fault is None
                             else DatabaseUnavailable(fault))


def _sent_text() -> bool:
    """Whether this request sent a form with a text worth keeping (long, or with a line)."""
    return request.method == "POST" and any(
        len(value) > SHOWN_FIELD_LENGTH or "\n" in value for value in request.form.values())
