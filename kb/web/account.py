"""Logging in and out, joining through an invite, and a person's own account.

Views read the form, call :mod:`kb.accounts`, :mod:`kb.invites` or :mod:`kb.account_data`, and
show the form again with error *codes* (the templates word them in Dutch) and whatever was typed,
except passwords. Every change and its audit row are committed together or not at all.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError

from kb import accounts, consent, invites, ratelimit, search
from kb.account_data import delete_account, export_data
from kb.accounts import AccountError
from kb.auth import (
    current_user,
    forget_login,
    has_role,
    login_user,
    logout_user,
    require_role,
)
from kb.db import get_session
from kb.models import Role
from kb.web import kept_text

bp = Blueprint("account", __name__)

#: The longest ``next`` path followed after logging in; our own paths are far shorter.
MAX_NEXT = 500
#: How often a ``next`` path is percent-decoded while looking for a hidden ``//`` or tab.
MAX_DECODE_ROUNDS = 4

#: Where a status code comes from when an invite link cannot be used.
INVITE_STATUS = {"unknown": 404, "used": 409, "expired": 410, "revoked": 410}


@bp.after_request
def no_store(response: Response) -> Response:
    # Account pages may hold personal data: never keep them in a (shared) browser's cache, and
    # "private" tells any cache in between that they are one person's (issue 14).
    response.headers["Cache-Control"] = "private, no-store"
    return response


def start_url(user=None) -> str:
    """Where a person starts after logging in: editors and admins at the review queue (their
    work), writers at their advice, else their account."""
    user = user or current_user()
    if has_role(user, Role.EDITOR) and "editorial.queue" in current_app.view_functions:
        return url_for("editorial.queue")
    if "contribute.my_advice" in current_app.view_functions:
        return url_for("contribute.my_advice")
    return url_for("account.home")


def safe_next(value: str | None) -> str | None:
    """A path on this site to return to after logging in, or None (the start page then).

    Browsers are lenient with a ``Location``: they drop tabs and line breaks anywhere, read a
    backslash as a slash and ``//host`` as another site, so ``/<tab>/evil.example`` leads to
    evil.example. Only a plain relative path is followed: no scheme or host, no backslash, no
    control character or white space, and a path that does not start with two slashes, also
    once its percent-escapes are decoded (``/%2F/evil.example``, ``/%09/…``, ``/%252F/…``).
    """
    if (not value or len(value) > MAX_NEXT or not value.startswith("/")
            or value.startswith("//") or _unsafe(value)):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    for _ in range(MAX_DECODE_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    else:
        return None  # still encoded after several rounds: nothing of ours looks like that
    if path.startswith("//") or _unsafe(path):
        return None
    return value.rstrip("?") or None


def _unsafe(text: str) -> bool:
    return any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in text)


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    return int(config["LOGIN_LIMIT"]), timedelta(minutes=float(config["LOGIN_WINDOW_MINUTES"]))


def _too_many(keys: list[str]) -> int | None:
    limit, window = _limits()
    return ratelimit.too_many(get_session(), keys, limit=limit, window=window)


def _with_retry_after(body: str, status: int, seconds: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    return response


# ------------------------------------------------------------------ logging in and out

@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(next_url or start_url())
        return render_template("account/login.html", login="", next=next_url, errors={})

    login_name = request.form.get("login", "").strip()
    password = request.form.get("password", "")

    def form(errors: dict, status: int, **extra):
        return render_template("account/login.html", login=login_name[:200], next=next_url,
                               errors=errors, **extra), status

    errors = {}
    if not login_name:
        errors["login"] = "missing"
    if not password:
        errors["password"] = "missing"
    if errors:
        return form(errors, 400)

    session = get_session()
    keys = [ratelimit.account_key(login_name), ratelimit.address_key(request.remote_addr)]
    wait = _too_many(keys)
    if wait:
        body, status = form({"form": "wait"}, 429, wait_minutes=ratelimit.minutes(wait))
        return _with_retry_after(body, status, wait)
    user = accounts.authenticate(session, login_name, password[:accounts.MAX_PASSWORD + 1])
    if user is None:
        ratelimit.record_failure(session, keys)
        session.commit()
        return form({"form": "wrong"}, 400)
    if not user.active:
        # Only said after the right password, so it tells a stranger nothing.
        return form({"form": "inactive"}, 403)
    ratelimit.clear(session, keys[0])
    login_user(user)
    back = kept_text.keep_after_login(session, user)  # a form carried through this login
    session.commit()
    return redirect(back or next_url or start_url(user), code=303)


@bp.post("/uitloggen")
def logout():
    # Ends the login on the server too, so a copy of the cookie stops working as well.
    logout_user()
    get_session().commit()
    return redirect(url_for("reader.home"), code=303)


# ------------------------------------------------------------------ joining through an invite

@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invite(token: str):
    session = get_session()
    address = [ratelimit.address_key(request.remote_addr)]
    wait = _too_many(address)
    if wait:
        body = render_template("account/invite_problem.html", problem="wait",
                               wait_minutes=ratelimit.minutes(wait))
        return _with_retry_after(body, 429, wait)
    found = invites.find(session, token)
    if found is None:
        ratelimit.record_failure(session, address)
        session.commit()
        return _invite_problem("unknown")
    state = invites.state(found)
    if state != invites.InviteState.OPEN:
        return _invite_problem(state.value)

    values = {"login": "", "display_name": "", "name_choice": "own", "email": "", "under_16": ""}
    if request.method == "GET":
        return render_template("account/invite.html", invite=found, values=values, errors={})

    values = {key: request.form.get(key, "").strip() for key in values}
    anonymous = values["name_choice"] == accounts.ANONYMOUS
    try:
        user = accounts.create_account(
            session,
            login=values["login"],
            password=request.form.get("password", ""),
            repeat=request.form.get("password_repeat", ""),
            display_name=accounts.ANONYMOUS if anonymous else values["display_name"],
            email=values["email"],
            role=found.role,
            self_service=True,
            invite_id=found.id,
        )
    except AccountError as error:
        session.rollback()
        return _invite_form(found, values, error.errors)
    if not invites.claim(session, found, user):
        session.rollback()
        return _invite_problem("used")
    if found.role == Role.CONTRIBUTOR and request.form.get("under_16"):
        consent.mark_under_16(session, user)  # only the age band is kept
    login_user(user)
    try:
        session.commit()
    except IntegrityError:
        # Someone chose the same login name a moment earlier.
        session.rollback()
        forget_login()  # its login row went with the rollback
        return _invite_form(found, values, {"login": "taken"})
    return redirect(start_url(user), code=303)


def _invite_form(found, values: dict, errors: dict):
    status = 409 if errors == {"login": "taken"} else 400
    return render_template("account/invite.html", invite=found, values=values,
                           errors=errors), status


def _invite_problem(problem: str):
    return render_template("account/invite_problem.html", problem=problem), INVITE_STATUS[problem]


# ------------------------------------------------------------------ my account

def _home(errors: dict | None = None, status: int = 200, **values):
    user = current_user()
    return render_template("account/home.html", user=user, errors=errors or {},
                           values=values, done=request.args.get("klaar")), status


@bp.get("/account")
@require_role(Role.CONTRIBUTOR)
def home():
    return _home()


def _change(action, field_values: dict, done: str, *args):
    """Apply one change of the account page; on an error show the page again, values kept."""
    session = get_session()
    try:
        action(session, current_user(), *args)
    except AccountError as error:
        session.rollback()
        return _home(error.errors, 400, **field_values)
    session.commit()
    return redirect(url_for("account.home", klaar=done), code=303)


@bp.post("/account/namen")
@require_role(Role.CONTRIBUTOR)
def add_name():
    name = request.form.get("display_name", "")
    return _change(accounts.add_display_name, {"display_name": name[:200]}, "namen", name)


@bp.post("/account/namen/weg")
@require_role(Role.CONTRIBUTOR)
def remove_name():
    return _change(accounts.remove_display_name, {}, "namen", request.form.get("name", ""))


@bp.post("/account/wachtwoord")
@require_role(Role.CONTRIBUTOR)
def change_password():
    user = current_user()
    key = ratelimit.account_key(user.login)
    wait = _too_many([key])
    if wait:
        body, status = _home({"old_password": "wait"}, 429, wait_minutes=ratelimit.minutes(wait))
        return _with_retry_after(body, status, wait)
    session = get_session()
    try:
        accounts.change_password(session, user, request.form.get("old_password", ""),
                                 request.form.get("new_password", ""),
                                 request.form.get("new_password_repeat", ""))
    except AccountError as error:
        session.rollback()
        if error.errors.get("old_password") == "wrong":
            ratelimit.record_failure(session, [key])
            session.commit()
        return _home(error.errors, 400)
    login_user(user)  # the change ended every login: this browser gets a new one
    session.commit()
    return redirect(url_for("account.home", klaar="wachtwoord"), code=303)


@bp.post("/account/email")
@require_role(Role.CONTRIBUTOR)
def change_email():
    email = request.form.get("email", "")
    return _change(accounts.change_email, {"email": email[:300]}, "emailadres", email)


@bp.get("/account/gegevens")
@require_role(Role.CONTRIBUTOR)
def download():
    data = export_data(get_session(), current_user())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        'attachment; filename="mijn-gegevens-expex-kennisbank.json"')
    return response


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@require_role(Role.CONTRIBUTOR)
def delete():
    user = current_user()
    session = get_session()
    last_admin = user.role == Role.ADMIN and accounts.active_admins(session) <= 1
    if request.method == "GET":
        return render_template("account/delete.html", errors={}, last_admin=last_admin)
    if last_admin:
        return render_template("account/delete.html", errors={"form": "last_admin"},
                               last_admin=True), 409
    key = ratelimit.account_key(user.login)
    wait = _too_many([key])
    if wait:
        body = render_template("account/delete.html", errors={"password": "wait"},
                               wait_minutes=ratelimit.minutes(wait), last_admin=False)
        return _with_retry_after(body, 429, wait)
    password = request.form.get("password", "")
    if accounts.authenticate(session, user.login, password) is None:
        ratelimit.record_failure(session, [key])
        session.commit()
        code = "wrong" if password else "missing"
        return render_template("account/delete.html", errors={"password": code},
                               last_admin=False), 400
    deletion = delete_account(session, user)  # also removes every login of the account
    forget_login()
    session.commit()
    search.catch_up(session)
    return render_template("account/deleted.html", deletion=deletion)
