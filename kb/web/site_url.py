"""One public address: ``SITE_URL`` decides every absolute link, and other hosts are refused.

Without it, Flask builds absolute URLs (canonical link, citation, API permalinks, the Atom
feed's ids, invite links) from whatever ``Host`` a request sends, so a crafted or mistaken Host
ends up in feed readers, citations and invites. With ``SITE_URL`` set:

- ``SERVER_NAME`` and ``PREFERRED_URL_SCHEME`` are derived from it, so ``url_for(...,
  _external=True)`` gives the site's host inside a request (Flask 3.1 binds the URL adapter to
  ``SERVER_NAME`` without restricting routing) and outside one (the CLI);
- the adapter's scheme is the site's too, so an HTTPS site behind a proxy that forwards plain
  HTTP (or without ``KB_PROXY_FIX``) still gets ``https://`` links;
- a request for any other host is refused with a ``400`` in the project's error shape. Flask's
  own ``TRUSTED_HOSTS`` is not used for this: a refused host leaves the request without a URL
  adapter, so even the Dutch error page could not build its links and would end as a bare 500.
  The health probes are exempt: load balancers call them by the node's address.

Behind a proxy the host compared is the forwarded one (``KB_PROXY_FIX`` rewrites the request
before Flask sees it). A site URL with a path (``https://x.nl/kennisbank``) is refused at start:
every link, cookie and redirect would need the prefix, and serving on a host name of its own is
simpler and safer.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import MapAdapter
from werkzeug.wrappers import Request

from kb.web.health import is_probe

log = logging.getLogger(__name__)

#: Ports a browser leaves out of the Host header: ``k.nl`` and ``k.nl:443`` are the same site.
DEFAULT_PORTS = {"80", "443"}


class SiteURLError(ValueError):
    """``SITE_URL`` is not an address the site can be served at; raised at start."""


class ForeignHost(BadRequest):
    """A request for a host other than the site's: a 400 that tells where the site is."""

    def __init__(self, site_url: str) -> None:
        super().__init__(description="host")
        self.site_url = site_url


def parse_site_url(value: str | None) -> str | None:
    """The site URL as ``scheme://host[:port]`` (no trailing slash), or None when unset.

    Refuses anything that cannot be the root of a site, with what to write instead.
    """
    text = (value or "").strip()
    if not text:
        return None
    example = "e.g. KB_SITE_URL=https://kennisbank.expex.nl"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteURLError(f"KB_SITE_URL must start with https:// or http:// and name a host "
                           f"({example}); got {text!r}.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise SiteURLError(f"KB_SITE_URL has an invalid port: {text!r}.") from error
    if parts.username or parts.password or parts.query or parts.fragment or not parts.hostname:
        raise SiteURLError(f"KB_SITE_URL must be just scheme and host ({example}); "
                           f"got {text!r}.")
    if parts.path not in ("", "/"):
        raise SiteURLError(
            f"KB_SITE_URL must be the root of a host name ({example}); a path such as "
            f"{parts.path!r} is not supported. Serve the knowledge base on a host name of its "
            f"own (a subdomain), not under a folder of another site.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def init_app(app: Flask) -> None:
    """Check ``SITE_URL``, derive Flask's URL settings from it and refuse other hosts.

    Says at start which links the site will make, so a missing setting shows in the log.
    """
    site_url = parse_site_url(app.config.get("SITE_URL"))
    app.config["SITE_URL"] = site_url
    if site_url is None:
        log.info("KB_SITE_URL is not set: links follow each request's host; "
                 "set it in production.")
        return
    parts = urlsplit(site_url)
    configured = app.config.get("SERVER_NAME")
    if configured and configured.lower() != parts.netloc:
        log.warning("SERVER_NAME %s is replaced by the host of KB_SITE_URL (%s).",
                    configured, parts.netloc)
    app.config["SERVER_NAME"] = parts.netloc
    app.config["PREFERRED_URL_SCHEME"] = parts.scheme
    _build_urls_with_scheme(app, parts.scheme)
    app.before_request(refuse_foreign_host)
    log.info("Site URL: %s (KB_SITE_URL); links use it and requests for another host "
             "are refused.", site_url)


def _build_urls_with_scheme(app: Flask, scheme: str) -> None:
    """Make every URL adapter build links with the site's scheme, whatever the request came in.

    ``create_url_adapter`` is Flask's hook for this; wrapping it on the instance avoids a Flask
    subclass in ``app.py``. Matching is unaffected: only the scheme of built URLs changes.
    """
    create = app.create_url_adapter

    def create_url_adapter(request: Request | None) -> MapAdapter | None:
        adapter = create(request)
        if adapter is not None:
            adapter.url_scheme = scheme
        return adapter

    app.create_url_adapter = create_url_adapter  # type: ignore[method-assign]


def refuse_foreign_host() -> None:
    """Refuse a request whose (forwarded) Host is not the site's, before any view runs."""
    if is_probe():  # load balancers probe a node by its address
        return
    site_url = current_app.config["SITE_URL"]
    if _host_key(request.host) != _host_key(urlsplit(site_url).netloc):
        raise ForeignHost(site_url)


def _host_key(host: str) -> tuple[str, str] | None:
    """``(hostname, port)`` with ports 80 and 443 left out, or None for an unusable Host.

    Both default ports count as "no port", whatever the scheme: a proxy that ends TLS may
    forward ``k.nl:443`` over plain HTTP, and that is still the site.
    """
    try:
        parts = urlsplit(f"//{host}")
        port = "" if parts.port is None else str(parts.port)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), "" if port in DEFAULT_PORTS else port
