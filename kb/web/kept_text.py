"""Text is never lost: a writing form refused for its login or its form token comes back with
everything typed in it.

Writers are young people writing about hard things; a long text lost to an expired cookie may
never be written again. So the views that take long text are marked with :func:`keeps_text`:

- **Stale or missing form token, still logged in** (logged out and in again in another tab):
  the CSRF check (:mod:`kb.web.csrf`) does not answer its generic 400 but marks the request
  refused (:func:`form_refused`); the view then shows the form again with the text and a Dutch
  explanation (400), and takes no step. The new page carries a valid token, so pressing the
  button again works.
- **No login any more** (the cookie expired, or they logged out): the login page (401) carries
  the typed fields as hidden fields. After the new login they are kept on the server for that
  account for a day (:class:`kb.models.KeptText`) and the browser goes back to the form, which
  shows them again (``?bewaard=<id>``). Nothing is saved until the writer presses a button.

A refused request never reaches a workflow step: text is shown, never stored. Passwords and the
old token are never carried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app, g, render_template, request
from sqlalchemy import delete
from sqlmodel import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from kb.auth import current_user
from kb.db import get_session
from kb.models import Advice, KeptText, User, utcnow

#: How long a carried form waits on the server for the writer to come back.
KEPT_FOR = timedelta(days=1)
#: The login page's hidden fields: the carried form's fields under this prefix, and its address.
PREFIX = "bewaard:"
URL_FIELD = "bewaard_url"
#: The query parameter with which the form page finds the kept text after the login.
QUERY = "bewaard"
#: Fields that are never carried: the old form token and anything that looks like a password.
NEVER_CARRIED = ("csrf_token", "password")


def init_app(app: Flask) -> None:
    # After kb.web.csrf's check, which marks instead of refusing for these views.
    app.before_request(carry_through_login)
    app.add_template_global(carried_fields)


def keeps_text(view: Callable) -> Callable:
    """Mark a view whose form holds long text: refused requests come back to it (see above).

    The view must call :func:`form_refused` before it takes any step.
    """
    view.keeps_text = True
    return view


def is_text_form() -> bool:
    """Whether this request is a POST to a view marked with :func:`keeps_text`."""
    if request.method != "POST" or request.routing_exception is not None:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "keeps_text", False))


def refuse(reason: str) -> None:
    """Mark this request as refused (``"csrf"``): the view shows the form, takes no step."""
    g.form_refused = reason


def form_refused() -> str:
    """Why this request's form may not be acted on ("" when it may)."""
    return g.get("form_refused", "")


def carry_through_login():
    """A text form sent without a login: the login page, carrying what was typed (401)."""
    if not is_text_form() or current_user() is not None:
        return None
    return render_template("account/login.html", login="", next=None, errors={}), 401


def carried_fields() -> tuple[str, list[tuple[str, str]]]:
    """For the login page: the address of the carried form and its fields (none: empty).

    On the first refusal they are the text form's own fields; when the login itself fails
    (a typo in the password) they come back from the login page's hidden fields.
    """
    if request.method != "POST":
        return "", []
    if is_text_form():
        return request.path, _without_secrets(request.form.items(multi=True))
    url = request.form.get(URL_FIELD, "")
    fields = [(name[len(PREFIX):], value) for name, value in request.form.items(multi=True)
              if name.startswith(PREFIX)]
    return (url, _without_secrets(fields)) if url and fields else ("", [])


def keep_after_login(session: Session, user: User) -> str | None:
    """After a login that carried a form: keep it for this account, and where to go back to.

    Only an address of a text form on this site is accepted, so the hidden field can never
    send anyone elsewhere. Old kept forms are deleted on the way.
    """
    url, fields = carried_fields()
    if not fields or not _is_text_form_url(url):
        return None
    session.execute(delete(KeptText).where(KeptText.created_at < utcnow() - KEPT_FOR))
    kept = KeptText(user_id=user.id, url=url, fields=[list(pair) for pair in fields])
    session.add(kept)
    session.flush()
    return f"{url}?{QUERY}={kept.id}"


def taken(user: User) -> MultiDict | None:
    """On the form page after a new login: the fields kept for this account and page, if any."""
    try:
        kept_id = int(request.args.get(QUERY, ""))
    except ValueError:
        return None
    kept = get_session().get(KeptText, kept_id)
    if (kept is None or kept.user_id != user.id or kept.url != request.path
            or kept.created_at < utcnow() - KEPT_FOR):
        return None
    return MultiDict([tuple(pair) for pair in kept.fields])


def revision_of(fields: MultiDict, advice: Advice) -> int:
    """The revision a refused or kept form was loaded with, so that the next send is checked
    against it (a change made meanwhile then shows the conflict page, losing nothing)."""
    try:
        return int(fields.get("revision", ""))
    except ValueError:
        return advice.revision


def _without_secrets(fields) -> list[tuple[str, str]]:
    return [(name, value) for name, value in fields
            if not any(word in name.lower() for word in NEVER_CARRIED)]


def _is_text_form_url(url: str) -> bool:
    if not url.startswith("/") or url.startswith("//") or "?" in url or len(url) > 300:
        return False
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(url, method="POST")
    except HTTPException:
        return False
    return bool(getattr(current_app.view_functions.get(endpoint), "keeps_text", False))
