"""Response headers that make a strict Content-Security-Policy and no third parties a fact,
and (when configured) HTTPS for good.

``HSTS_SECONDS`` makes browsers use HTTPS only, for that many seconds after a visit. It is sent
on HTTPS responses only: browsers ignore it over HTTP, and an operator turns it on once the site
is reachable over HTTPS alone. Whether a request came over HTTPS is ``request.is_secure``, which
behind a proxy honours ``X-Forwarded-Proto`` only with ``KB_PROXY_FIX`` set.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Check ``HSTS_SECONDS`` at start and add the headers to every response."""
    app.config["HSTS_SECONDS"] = hsts_seconds(app.config.get("HSTS_SECONDS"))
    app.after_request(add_security_headers)


def hsts_seconds(value: object) -> int:
    """The setting as a number of seconds; anything else is refused at start, with the name."""
    try:
        seconds = int(str(value if value is not None else 0).strip())
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ValueError(f"KB_HSTS_SECONDS must be a whole number of seconds, 0 or more "
                         f"(e.g. 31536000 for a year); got {value!r}.")
    return seconds


def security_headers(secure: bool, hsts: int) -> list[tuple[str, str]]:
    """The headers every response carries (``secure``: it goes out over HTTPS); also used by
    the 304 that :mod:`kb.web.caching` answers before Flask sees the request."""
    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY),
               ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
               ("X-Frame-Options", "DENY")]
    if hsts and secure:
        headers.append(("Strict-Transport-Security", f"max-age={hsts}"))
    return headers


def add_security_headers(response: Response) -> Response:
    """Forbid inline scripts, framing and third-party loads on every response; HSTS on HTTPS."""
    for name, value in security_headers(request.is_secure, current_app.config["HSTS_SECONDS"]):
        response.headers.setdefault(name, value)
    return response
