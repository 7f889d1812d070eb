"""E-mail alerts for readers under ``/attenderingen``: the subscription form (for a theme, an
audience or a search), the confirmation, one-click unsubscribe and the page to manage or end
all of one's alerts. The rules are :mod:`kb.alerts`'s.

Every page but the form carries a token in its URL and is personal: ``Cache-Control: private,
no-store``, never indexed, no ``Referer`` sent onwards. The form itself holds nothing personal
but is a POST target; it is not cached either.

The one-click unsubscribe (``POST /attenderingen/afmelden/<token>``, RFC 8058) is the only
route exempt from the CSRF check: a mail program posts ``List-Unsubscribe=One-Click`` without
our cookie or form token. It is safe because the token in the URL is the whole authority: a
forged request from another site would have to know it, and then it could only do what the
mail's owner can do with it anyway — end that one alert.
"""

from __future__ import annotations

import weakref
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlmodel import select

from kb import alerts, ratelimit, search, vocabulary
from kb.db import get_session, session_scope
from kb.models import AlertSubscriber, AlertSubscription, Theme
from kb.web import csrf
from kb.web.search_context import FILTER_NAMES

bp = Blueprint("alerts", __name__, url_prefix="/attenderingen")
#: Subscriptions asked per address and per visitor address within the login window.
SUBSCRIBE_LIMIT = 5
#: Pages of search results (of 100) looked at for a search alert's digest.
SEARCH_PAGES = 5


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(_audience_name, "audience_name")
    csrf.exempt("alerts.one_click")
    sender = app.extensions.get("kb.mail_sender")
    if sender is not None:
        ref = weakref.ref(app)  # the thread must not keep a finished app alive

        def prepare() -> None:
            found = ref()
            if found is not None:
                with found.app_context():
                    make_due_digests()

        sender.prepare = prepare


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def make_due_digests() -> int:
    """Queue the digests that are due and remove stale subscriptions; commits. For ``kb mail
    send`` and the background sender (both inside an app context)."""
    with session_scope() as session:
        alerts.purge(session)
        search.catch_up(session)
        return alerts.make_digests(session, _search_matcher)


def _search_matcher(query: str, filters: dict) -> set[int]:
    """The ids of the published advice a search alert's query finds (its best 500)."""
    index = search.search_index()
    found: set[int] = set()
    for page in range(1, SEARCH_PAGES + 1):
        results = index.search(query, filters, page, 100, "relevance")
        if results.message:  # "partial": no advice has every word; "empty": nothing asked
            break
        found.update(hit.id for hit in results.hits)
        if page >= results.pages:
            break
    return found


def _audience_name(slug: str) -> str:
    """An audience's name for the alert pages and mails (an alert stores the slug)."""
    found = vocabulary.audience_map(get_session()).get(slug)
    return found.name if found is not None else slug


def _asked(values) -> tuple[str, dict]:
    """What the reader wants to follow, from the link or the form."""
    if values.get("thema"):
        return "theme", {"theme": values.get("thema", "")[:80]}
    if values.get("doelgroep"):
        return "audience", {"audience": values.get("doelgroep", "")[:40]}
    filters = {name: [v[:100] for v in values.getlist(name) if v][:20] for name in FILTER_NAMES}
    filters = {name: chosen for name, chosen in filters.items() if chosen}
    query = values.get("q", "").strip()[:alerts.MAX_QUERY + 1]
    if not query and set(filters) == {"theme"} and len(filters["theme"]) == 1:
        return "theme", {"theme": filters["theme"][0]}
    if not query and set(filters) == {"audience"} and len(filters["audience"]) == 1:
        return "audience", {"audience": filters["audience"][0]}
    return "search", {"q": query, "filters": filters}


def _form(kind: str, criteria: dict, errors: dict | None = None, status: int = 200, **values):
    session = get_session()
    theme = None
    if kind == "theme":
        theme = session.exec(select(Theme).where(Theme.slug == criteria.get("theme"))).first()
    valid = (kind == "theme" and theme is not None) or (
        kind == "audience" and criteria.get("audience") in vocabulary.audience_map(session)) or (
        kind == "search" and bool(criteria.get("q")))
    return render_template("alerts/subscribe.html", kind=kind, criteria=criteria, theme=theme,
                           valid=valid, errors=errors or {},
                           mail_on=current_app.extensions["kb.mail"].enabled,
                           frequencies=alerts.FREQUENCIES,
                           values={"email": "", "frequency": "weekly", **values}), status


@bp.get("")
def form():
    kind, criteria = _asked(request.args)
    return _form(kind, criteria)


@bp.post("")
def subscribe():
    kind, criteria = _asked(request.form)
    email = request.form.get("email", "").strip()[:300]
    frequency = request.form.get("frequency", "")
    if not current_app.extensions["kb.mail"].enabled:
        return _form(kind, criteria, status=503)
    session = get_session()
    keys = [ratelimit.address_key(request.remote_addr),
            "alert:" + alerts.normalise_email(email)[:150]]
    window = timedelta(minutes=float(current_app.config["LOGIN_WINDOW_MINUTES"]))
    wait = ratelimit.too_many(session, keys, limit=SUBSCRIBE_LIMIT, window=window)
    if wait:
        body, status = _form(kind, criteria, {"form": "wait"}, 429, email=email,
                             frequency=frequency, wait_minutes=ratelimit.minutes(wait))
        response = Response(body, status=status, mimetype="text/html")
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        alerts.subscribe(session, email, kind, criteria, frequency,
                         current_app.config["SECRET_KEY"])
    except alerts.AlertError as error:
        session.rollback()
        return _form(kind, criteria, error.errors, 400, email=email, frequency=frequency)
    ratelimit.record_failure(session, keys)  # every request counts, not only failures
    session.commit()
    return render_template("alerts/check_mail.html")


@bp.route("/bevestigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    session = get_session()
    found = alerts.by_token(session, AlertSubscription.confirm_hash, token)
    if found is None:
        return render_template("alerts/problem.html", problem="unknown"), 404
    if request.method == "GET":
        return render_template("alerts/confirm.html", subscription=found)
    alerts.confirm(session, token)
    session.commit()
    return render_template("alerts/confirmed.html", subscription=found)


@bp.get("/afmelden/<token>")
def unsubscribe_page(token: str):
    found = alerts.by_token(get_session(), AlertSubscription.unsubscribe_hash, token)
    if found is None:
        return render_template("alerts/problem.html", problem="gone"), 404
    return render_template("alerts/unsubscribe.html", subscription=found, token=token)


@bp.post("/afmelden/<token>", endpoint="one_click")
def one_click(token: str):
    """RFC 8058 one-click unsubscribe, and the button on the page above; exempt from CSRF."""
    session = get_session()
    ended = alerts.unsubscribe(session, token)
    session.commit()
    return render_template("alerts/unsubscribed.html", ended=ended)


def _subscriber_or_404(token: str) -> AlertSubscriber | None:
    return alerts.by_token(get_session(), AlertSubscriber.manage_hash, token)


@bp.get("/beheren/<token>")
def manage(token: str):
    subscriber = _subscriber_or_404(token)
    if subscriber is None:
        return render_template("alerts/problem.html", problem="gone"), 404
    return render_template("alerts/manage.html", subscriber=subscriber, token=token,
                           subscriptions=alerts.subscriptions_of(get_session(), subscriber))


@bp.post("/beheren/<token>/<int:subscription_id>/stoppen")
def stop_one(token: str, subscription_id: int):
    session = get_session()
    subscriber = _subscriber_or_404(token)
    found = session.get(AlertSubscription, subscription_id)
    if subscriber is None or found is None or found.subscriber_id != subscriber.id:
        return render_template("alerts/problem.html", problem="gone"), 404
    alerts.end(session, found)
    session.commit()
    if session.get(AlertSubscriber, subscriber.id) is None:
        return render_template("alerts/unsubscribed.html", ended=True, all=True)
    return redirect(url_for(".manage", token=token), code=303)


@bp.post("/beheren/<token>/alles-stoppen")
def stop_all(token: str):
    session = get_session()
    subscriber = _subscriber_or_404(token)
    if subscriber is None:
        return render_template("alerts/problem.html", problem="gone"), 404
    alerts.end_all(session, subscriber)
    session.commit()
    return render_template("alerts/unsubscribed.html", ended=True, all=True)
