"""One error handler, one shape: a page for people, ``{"error", "status", "message"}`` for the API.

The page and the JSON ``message`` are in the interface language (Dutch, or English:
:mod:`kb.web.i18n`); ``error`` stays the HTTP name, for programs.

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
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from kb import db
from kb.db import DatabaseFault
from kb.l10n import N_
from kb.web.health import is_probe

log = logging.getLogger(__name__)

#: Seconds a client should wait before it tries again (``Retry-After``), per database fault:
#: an outage or a restart takes seconds to minutes, a lock seconds, a read-only file a person.
RETRY_AFTER = {DatabaseFault.UNREACHABLE: 30, DatabaseFault.BUSY: 5,
               DatabaseFault.READ_ONLY: 300}
#: A form field longer than this (or with a line break) is also shown on the 503 page, so the
#: writer can copy it even if sending it again fails too.
SHOWN_FIELD_LENGTH = 200

#: The title and text of each error page (Dutch source; :func:`error_message` translates).
MESSAGES = {
    400: (N_("Dit verzoek klopt niet"),
          N_("De website begreep je verzoek niet. Misschien is de link niet helemaal goed "
             "overgenomen. Probeer het opnieuw vanaf de homepage.")),
    403: (N_("Je hebt hier geen toegang"),
          N_("Deze pagina is niet openbaar. Denk je dat je er wel bij zou moeten kunnen? Ga "
             "dan terug naar de homepage en probeer het opnieuw.")),
    404: (N_("Pagina niet gevonden"),
          N_("We kunnen deze pagina niet vinden. Misschien klopt de link niet, of is het "
             "advies verhuisd. Zoek het advies hieronder op, of begin op de homepage.")),
    405: (N_("Dit kan niet op deze pagina"),
          N_("Deze pagina kan dit verzoek niet uitvoeren. Ga terug en probeer het op een "
             "andere manier, of begin op de homepage.")),
    410: (N_("Dit advies is ingetrokken"),
          N_("De schrijvers of de redactie hebben dit advies teruggetrokken. Het staat daarom "
             "niet meer op de website. De link blijft bestaan, zodat je weet dat het advies er "
             "was.")),
    413: (N_("Dit is te veel in één keer"),
          N_("Je verzoek is te groot om te verwerken. Maak het korter en probeer het opnieuw.")),
    429: (N_("Even rustig aan"),
          N_("Er kwamen in korte tijd heel veel verzoeken binnen. Wacht een minuut en probeer "
             "het dan opnieuw.")),
    500: (N_("Er ging iets mis"),
          N_("Er ging bij ons iets mis. Dat ligt niet aan jou. Probeer het later nog eens.")),
}
OTHER_HOST = (N_("Deze kennisbank staat op een ander adres"),
              N_("Je probeerde de kennisbank te bereiken via een adres dat niet klopt. Ga naar "
                 "het juiste adres hieronder."))
#: The 503 page of each database fault, and the 500 of a bug while a text was saved.
FAULT_MESSAGES = {
    "unreachable": (N_("De kennisbank is even niet bereikbaar"),
                    N_("We kunnen de adviezen nu niet ophalen. Dat ligt niet aan jou. Meestal "
                       "werkt het binnen een minuut weer. Probeer het dan opnieuw.")),
    "busy": (N_("Het is even heel druk"),
             N_("De kennisbank is nu met iets anders bezig. Dat ligt niet aan jou. Probeer het "
                "over een paar seconden opnieuw.")),
    "read-only": (N_("Opslaan lukt nu niet"),
                  N_("Je kunt alles lezen en zoeken, maar de kennisbank kan nu niets opslaan. "
                     "Dat ligt niet aan jou. Probeer het later opnieuw.")),
    "error": (N_("Er ging iets mis bij het opslaan"),
              N_("Er ging bij ons iets mis. Dat ligt niet aan jou. Wat je schreef is niet weg: "
                 "bewaar het hieronder, en probeer het straks nog eens.")),
}
OTHER = (N_("Dit lukte niet"),
         N_("Deze pagina kan nu niet worden getoond. Probeer het opnieuw vanaf de homepage."))


class DatabaseUnavailable(ServiceUnavailable):
    """503: the database cannot serve this request just now (a :class:`kb.db.DatabaseFault`)."""

    def __init__(self, fault: DatabaseFault) -> None:
        super().__init__(retry_after=RETRY_AFTER[fault])
        self.fault = fault


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.add_template_global(error_message, "error_message")
    app.add_template_global(fault_message, "fault_message")


def fault_message(fault: str | None) -> tuple[str, str]:
    """The (title, text) of the 503 page of a database fault, in the interface language."""
    found = FAULT_MESSAGES.get(fault or "", FAULT_MESSAGES["unreachable"])
    return gettext(found[0]), gettext(found[1])


def error_message(status: int | None, site_url: str | None = None,
                  page: tuple[str, str] | None = None) -> tuple[str, str]:
    """The (title, text) of an error page in the interface language: the error's own
    ``page`` if it brings one (search's 503), the wrong-host text, or the one of its status."""
    code = int(status) if status else 500
    if page:
        found = page
    elif site_url:
        found = OTHER_HOST
    elif code in MESSAGES:
        found = MESSAGES[code]
    else:
        found = MESSAGES[500] if code >= 500 else OTHER
    return gettext(found[0]), gettext(found[1])


def wants_json() -> bool:
    """Whether the error goes to a program: the API and the health probes answer in JSON."""
    return request.path.startswith("/api/") or request.path == "/api" or is_probe()


def handle_http_error(error: HTTPException):
    """Every HTTP error: JSON for programs, a Dutch page for people, the error's headers kept."""
    code = error.code or 500
    tombstone = getattr(error, "tombstone", None)  # a withdrawn advice (kb.web.tombstone)
    if wants_json():
        message = (fault_message(error.fault.value) if isinstance(error, DatabaseUnavailable)
                   else error_message(code, getattr(error, "site_url", None),
                                      getattr(error, "page", None)))[0]
        response = jsonify({"error": error.name, "status": code, "message": message,
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
