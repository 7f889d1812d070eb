"""HTTP methods: a HEAD is a GET without a body, and it never reaches anything else.

Werkzeug routes a HEAD to every view that has GET, and our views tell a form's display from its
submission with ``request.method == "GET"``. A view for GET and POST therefore took a HEAD for a
POST: a HEAD with a form body logged in, and the CSRF check let it through because HEAD is a
safe method. Rather than have every view remember HEAD, a HEAD is turned into a GET with an
empty body before Flask sees it, and the body of the answer is dropped (its headers, including
``Content-Length``, are those of the GET). So a HEAD only ever does what a GET does, and only
where a GET exists; elsewhere routing answers 405 with ``Allow``.

Other methods a route lacks (PUT, DELETE, PATCH, …) are answered by routing too, with a 405 and
``Allow``: the CSRF check (:mod:`kb.web.csrf`) stands aside when routing has already failed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class HeadAsGet:
    """WSGI middleware: serve a HEAD as a body-less GET and send no body back."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "").upper() != "HEAD":
            return self.app(environ, start_response)
        environ = {**environ, "REQUEST_METHOD": "GET", "CONTENT_LENGTH": "0",
                   "wsgi.input": io.BytesIO(b"")}
        for name in ("CONTENT_TYPE", "HTTP_TRANSFER_ENCODING"):
            environ.pop(name, None)
        body = self.app(environ, start_response)  # Flask calls start_response before returning
        close = getattr(body, "close", None)
        if close is not None:
            close()  # let Flask end the request (teardown) without producing the body
        return []


def init_app(app: Flask) -> None:
    """Wrap the app, outermost, so that no part of it ever sees a HEAD."""
    app.wsgi_app = HeadAsGet(app.wsgi_app)
