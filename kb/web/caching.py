"""HTTP caching for every public page, by default: validators, 304s, shared-cache headers, and a
per-process cache of rendered public responses that the change log invalidates.

**Public unless told otherwise.** Every ``GET`` to any route is public, so a route someone adds
tomorrow (a version page, a download, a sitemap) gets all of this without doing anything, unless

- the route is *personal*: its view is marked with :func:`personal`, its blueprint with
  :func:`private_blueprint` (the work area does this in :func:`kb.web.workspace.setup_blueprint`)
  or named in :data:`PRIVATE_BLUEPRINTS`; or its response already says ``private`` or
  ``no-store`` (the probes, a 503);
- the person is logged in (the session names an account), has a message waiting (a flash), or
  the page carries a form token (:func:`kb.web.csrf.csrf_token` calls :func:`mark_personal`):
  such a page is for one person only.

A personal response gets ``Cache-Control: private, no-store`` and is never kept. A public one
(status 200) gets a strong ``ETag`` (a hash of its bytes, so every worker and node agrees),
``Last-Modified`` (when this process saw the change log last move), ``Cache-Control: public,
max-age=…, stale-while-revalidate=…`` so a reverse proxy may keep it briefly, ``Vary: Cookie``
(a logged-in visitor's copy differs), and ``Access-Control-Allow-Origin: *`` when it is data for
programs (JSON, a feed, XML). A conditional request that matches (``If-None-Match``, or else
``If-Modified-Since``) gets a ``304`` without a body.

**Kept pages.** Each process keeps up to ``PAGE_CACHE_SIZE`` public responses (and at most
:data:`KEPT_BYTES_BUDGET` of them: a stream of new searches keeps one page each), keyed by their
full URL (scheme, host, path, query), the day (the advice page cites "today") and the interface
language (:mod:`kb.web.i18n`: one URL, a Dutch and an English page). Before one is
served, the change log is asked whether anything public changed since (:class:`kb.changes.
ChangeClock`, one small query), and every kept response goes when it did: a publish, edit,
withdrawal, slug rename or theme change through any worker or node shows at the next request.
A request that is personal never reads the kept pages, and a personal response is never kept,
so a logged-in person and an anonymous one never see each other's page, and a form token is
never handed to another person.

**Kept pages before Flask.** A ``GET`` for a kept page from a visitor without a session cookie
is answered by :class:`KeptAnswers` before Flask builds a request (one look at the change
clock, no session, CSRF, hooks or context): a ``304`` when its ``If-None-Match`` names the
page's ETag (what a reverse proxy or a returning browser sends most), else the kept page.
"""

from __future__ import annotations

import hashlib
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flask import Blueprint, Flask, Response, current_app, g, request, session
from werkzeug.http import parse_etags

from kb import localtime
from kb.changes import ChangeClock
from kb.web import i18n, security

#: Blueprints whose pages are personal (the work area marks its own, see :func:`private_blueprint`).
PRIVATE_BLUEPRINTS = frozenset({"account", "admin", "contribute", "editorial", "health"})
#: Endpoints that handle caching themselves: static files carry their own validators.
SELF_CACHED_ENDPOINTS = frozenset({"static"})
#: Kinds of response that are data for programs and may be read from any origin.
SHARED_MIMETYPES = frozenset({"application/json", "application/atom+xml", "application/rss+xml",
                              "application/xml", "text/xml"})
#: A response larger than this is served but not kept (no page of ours comes near it).
MAX_KEPT_BYTES = 2 * 1024 * 1024
#: The kept pages' bodies together, per process: 1,000 search pages of 25 kB (every new query
#: is kept) held a worker at 10,000 advice some 45 MB above its 250 MB budget.
KEPT_BYTES_BUDGET = 8 * 1024 * 1024
#: Headers of a 200 that its 304 leaves out (the validators and cache headers stay).
NOT_IN_304 = frozenset({"content-type", "content-length"})
#: Pages whose URLs hold what a reader typed: each new query is a page of its own, seldom
#: asked twice. One is kept the second time it is asked, so that a stream of new searches does
#: not push the pages readers come back to (themes, advice) out of the byte budget.
KEPT_ON_SECOND_ASK = frozenset({"reader.search", "api.search"})
#: How many such first asks are remembered (their keys' hashes).
FIRST_ASKS_REMEMBERED = 10_000
#: Where :class:`KeptAnswers` leaves the change clock's error for the rest of the request.
CLOCK_FAILED = "kb.change_clock_failed"
#: Session keys that make a request personal: a login, a message waiting to be shown.
PERSONAL_SESSION_KEYS = ("uid", "token", "_flashes")

V = TypeVar("V", bound=Callable)
T = TypeVar("T")


@dataclass(frozen=True)
class Kept:
    """A rendered public response, as it left the view (before the per-request headers)."""

    version: int
    status: int
    #: Every header of the public answer, validators and Cache-Control included.
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: The ETag (unquoted) and the headers of a 304 for it (no Content-Type or -Length).
    etag: str = ""
    headers_304: tuple[tuple[str, str], ...] = ()


class PageCache:
    """A least-recently-used store of :class:`Kept` responses; all go when the version moves."""

    def __init__(self, size: int, budget: int = KEPT_BYTES_BUDGET) -> None:
        self.size = size
        self.budget = budget
        self._items: OrderedDict[tuple, Kept] = OrderedDict()
        self._bytes = 0
        self._version = -1
        self._lock = threading.Lock()
        self._asked: OrderedDict[int, None] = OrderedDict()

    def get(self, key: tuple, version: int) -> Kept | None:
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._bytes = 0
                self._version = version
                return None
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, kept: Kept) -> None:
        if self.size <= 0:
            return
        with self._lock:
            if kept.version != self._version:
                return  # rendered before a change this process has since seen
            replaced = self._items.pop(key, None)
            if replaced is not None:
                self._bytes -= len(replaced.body)
            self._items[key] = kept
            self._bytes += len(kept.body)
            while len(self._items) > self.size or (self._bytes > self.budget
                                                   and len(self._items) > 1):
                self._bytes -= len(self._items.popitem(last=False)[1].body)

    def holds(self, key: tuple) -> bool:
        """Whether a page is kept for this key (of any version: a cheap first look)."""
        return key in self._items

    def asked_before(self, key: tuple) -> bool:
        """Whether this key was asked before (see :data:`KEPT_ON_SECOND_ASK`); remembers it."""
        mark = hash(key)
        with self._lock:
            if mark in self._asked:
                self._asked.move_to_end(mark)
                return True
            self._asked[mark] = None
            if len(self._asked) > FIRST_ASKS_REMEMBERED:
                self._asked.popitem(last=False)
            return False

    def __len__(self) -> int:
        return len(self._items)


def init_app(app: Flask) -> None:
    """Register last, so that the kept page is looked up after the host and CSRF checks."""
    app.extensions["kb.page_cache"] = PageCache(int(app.config["PAGE_CACHE_SIZE"]))
    app.extensions["kb.change_clock"] = ChangeClock(
        app.extensions["kb.engine"], float(app.config["PAGE_CACHE_CHECK_SECONDS"]))
    app.before_request(serve_kept)
    app.after_request(finish)
    _wrap_innermost(app, lambda inner: KeptAnswers(app, inner))


class KeptAnswers:
    """WSGI middleware: a ``GET`` for a kept page is answered before Flask sees the request,
    a ``304`` when its ``If-None-Match`` names the page's ETag, else the kept ``200``: no
    request context, session, hooks or response object, only the change clock's look (the
    same one the kept page needs in Flask). A kept page through Flask cost some 0.4 ms of
    hooks and objects, which held the advice page's JSON twin at 43 % of a bare Flask app.

    Safe because a page is kept only when it was public (see the module docstring) for its
    exact URL, host, day and language, and dropped when the change log moves. Anything else
    goes the whole way: a request with a session cookie (it may be logged in or have a message
    waiting), no kept page, ``If-Modified-Since`` without an ETag (Flask compares the dates),
    or a clock that cannot be read (the full path then answers the outage as usual).
    """

    def __init__(self, app: Flask, inner: Callable) -> None:
        self.flask = app
        self.app = inner

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("REQUEST_METHOD") == "GET":
            answer = self._kept_answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body] if body else []
        return self.app(environ, start_response)

    def _kept_answer(self, environ: dict) -> tuple[str, list, bytes] | None:
        cache: PageCache = self.flask.extensions["kb.page_cache"]
        if not len(cache):
            return None
        sent = environ.get("HTTP_IF_NONE_MATCH")
        if not sent and environ.get("HTTP_IF_MODIFIED_SINCE"):
            return None
        cookie = environ.get("HTTP_COOKIE")
        if cookie and f"{self.flask.config['SESSION_COOKIE_NAME']}=" in cookie:
            return None
        key = _key_of(environ)
        if not cache.holds(key):  # the clock is asked only for a page that may be answered
            return None
        try:
            version, _ = self.flask.extensions["kb.change_clock"].version()
        except Exception as error:  # noqa: BLE001 - the full path answers a database outage
            # ... with this very error: a second look would wait for the database again
            # (a server that never answers: twice the connect timeout for one page).
            environ[CLOCK_FAILED] = error
            return None
        kept = cache.get(key, version)
        if kept is None or not kept.etag:
            return None
        secure = security.security_headers(environ.get("wsgi.url_scheme") == "https",
                                           self.flask.config["HSTS_SECONDS"])
        if sent and parse_etags(sent).contains_weak(kept.etag):
            return "304 NOT MODIFIED", [*kept.headers_304, *_missing(kept.headers_304, secure)], b""
        headers = [*kept.headers, ("Content-Length", str(len(kept.body))),
                   *_missing(kept.headers, secure)]
        return "200 OK", headers, kept.body


def _missing(headers: tuple[tuple[str, str], ...],
             extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``extra`` headers that ``headers`` does not hold yet (as Flask's ``setdefault``)."""
    present = {name.lower() for name, _ in headers}
    return [(name, value) for name, value in extra if name.lower() not in present]


def _wrap_innermost(app: Flask, wrap: Callable[[Callable], Callable]) -> None:
    """Put a middleware right around Flask's own ``wsgi_app``, inside the ones already there
    (``HeadAsGet``, and ``ProxyFix`` whose rewritten host and scheme the kept pages' keys use)."""
    outer, inner = None, app.wsgi_app
    while not inspect.ismethod(inner) and hasattr(inner, "app"):
        outer, inner = inner, inner.app
    if outer is None:
        app.wsgi_app = wrap(inner)  # type: ignore[method-assign]
    else:
        outer.app = wrap(inner)


def personal(view: V) -> V:
    """Mark a view whose pages are for one person: never kept, ``private, no-store``."""
    view.kb_personal = True  # type: ignore[attr-defined]
    return view


def private_blueprint(bp: Blueprint) -> None:
    """Mark every page of a blueprint as personal."""
    bp.kb_personal = True  # type: ignore[attr-defined]


def mark_personal() -> None:
    """This response is for one person (it carries their form token): never keep or share it."""
    g.kb_personal = True


def do_not_keep() -> None:
    """This response is public but must not be kept (e.g. search results from an index that is
    still applying changes)."""
    g.kb_do_not_keep = True


def per_version(name: str, build: Callable[[], T]) -> T:
    """A value made of public data (names of themes, regions), built once per change-log
    position in this process; a request without a position (a personal one) builds its own.
    The value must be plain data, never a database object."""
    version = g.get("kb_version")
    if version is None:
        return build()
    store = current_app.extensions.setdefault("kb.per_version", {})
    found = store.get(name)
    if found is not None and found[0] == version:
        return found[1]
    value = build()
    store[name] = (version, value)
    return value


def changed_here() -> None:
    """This process committed a change: look at the log again at the next request."""
    clock = current_app.extensions.get("kb.change_clock")
    if clock is not None:
        clock.moved()


def _route_is_personal() -> bool:
    if request.method != "GET" or request.endpoint in SELF_CACHED_ENDPOINTS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "kb_personal", False):
        return True
    name = request.blueprint
    if name is None:
        return False
    bp = current_app.blueprints.get(name)
    return name in PRIVATE_BLUEPRINTS or bool(getattr(bp, "kb_personal", False))


def _visitor_is_personal() -> bool:
    return any(key in session for key in PERSONAL_SESSION_KEYS)


def _key() -> tuple:
    return _key_of(request.environ)


def _key_of(environ: dict) -> tuple:
    # From the WSGI environment as it came (after ProxyFix): cheaper than ``request.url``.
    return (environ["wsgi.url_scheme"], environ.get("HTTP_HOST", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            localtime.today().toordinal(), i18n.language_of(environ))


def serve_kept() -> Response | None:
    """Answer from the kept pages when nothing public changed since this one was rendered."""
    failed = request.environ.get(CLOCK_FAILED)
    if failed is not None:
        raise failed  # the look before Flask found the database out (see KeptAnswers)
    if request.routing_exception is not None or _route_is_personal():
        return None
    if _visitor_is_personal():
        return None
    version, since = current_app.extensions["kb.change_clock"].version()
    g.kb_version, g.kb_since = version, since
    kept = current_app.extensions["kb.page_cache"].get(_key(), version)
    if kept is None:
        return None
    g.kb_kept = kept
    return Response(kept.body, status=kept.status, headers=list(kept.headers))


def finish(response: Response) -> Response:
    """Public or personal headers; keep a public page; answer a matching conditional request."""
    i18n.say_language(response)
    if request.method != "GET":
        changed_here()  # a form may have changed something public: this process looks again
        return response
    if request.endpoint in SELF_CACHED_ENDPOINTS:
        return response
    if _is_personal(response):
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
        return response
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return response
    if g.get("kb_kept") is None:  # a kept answer has its public headers already
        _make_public(response)
    if _not_modified(response):
        return _as_304(response)
    return response


def _make_public(response: Response) -> None:
    """The validators and shared-cache headers of a public answer; then keep it."""
    settings = current_app.config
    body = response.get_data()
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    response.set_etag(etag)
    since = g.get("kb_since")
    if since is not None:
        response.last_modified = datetime.fromtimestamp(int(since), UTC)
    response.headers["Cache-Control"] = (
        f"public, max-age={int(settings['PUBLIC_MAX_AGE'])}, "
        f"stale-while-revalidate={int(settings['STALE_WHILE_REVALIDATE'])}")
    response.vary.add("Cookie")
    if response.mimetype in SHARED_MIMETYPES:
        response.headers["Access-Control-Allow-Origin"] = "*"
    kept_pages: PageCache = current_app.extensions["kb.page_cache"]
    if ("kb_version" in g and not g.get("kb_do_not_keep") and len(body) <= MAX_KEPT_BYTES
            and "Set-Cookie" not in response.headers
            and (request.endpoint not in KEPT_ON_SECOND_ASK or kept_pages.asked_before(_key()))):
        headers = tuple((k, v) for k, v in response.headers.items()
                        if k.lower() not in ("content-length", "set-cookie"))
        kept_pages.put(
            _key(), Kept(g.kb_version, response.status_code, headers, body, etag,
                         tuple((k, v) for k, v in headers if k.lower() not in NOT_IN_304)))


def _is_personal(response: Response) -> bool:
    if _route_is_personal() or g.get("kb_personal") or _visitor_is_personal():
        return True
    said = response.headers.get("Cache-Control", "")
    return "private" in said or "no-store" in said


def _not_modified(response: Response) -> bool:
    """RFC 9110: ``If-None-Match`` decides when sent; else ``If-Modified-Since``."""
    if request.if_none_match:
        etag, _ = response.get_etag()
        return bool(etag) and request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return bool(since and response.last_modified and response.last_modified <= since)


def _as_304(response: Response) -> Response:
    response.status_code = 304
    response.set_data(b"")
    for name in ("Content-Type", "Content-Length"):
        response.headers.pop(name, None)
    return response
