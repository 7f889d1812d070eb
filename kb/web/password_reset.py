"""A forgotten password: ``/wachtwoord-vergeten`` (a link by mail), ``/wachtwoord-nieuw/<token>``
(choose the new one) and ``/beheer/wachtwoordlink`` (an editor's link for an account without
e-mail). The rules are :mod:`kb.password_reset`'s; this module reads forms and words nothing.

All three are personal (a token in the URL, or an editor's one-time link): ``Cache-Control:
private, no-store``, never indexed, and the token page sends no ``Referer`` onwards.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlmodel import select

from kb import password_reset, ratelimit
from kb.accounts import AccountError, normalise_login
from kb.auth import current_user, login_user, require_role
from kb.db import get_session
from kb.models import Role, User
from kb.web.account import start_url

bp = Blueprint("password_reset", __name__)

#: The status of each reason a link cannot be used.
LINK_STATUS = {"unknown": 404, "used": 409, "expired": 410}


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    return int(config["LOGIN_LIMIT"]), timedelta(minutes=float(config["LOGIN_WINDOW_MINUTES"]))


def _wait(keys: list[str]) -> int | None:
    limit, window = _limits()
    return ratelimit.too_many(get_session(), keys, limit=limit, window=window)


def _waiting(template: str, seconds: int, **context):
    response = Response(render_template(template, wait_minutes=ratelimit.minutes(seconds),
                                        **context), status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot():
    mail_on = current_app.extensions["kb.mail"].enabled
    if request.method == "GET" or not mail_on:
        return render_template("account/forgot.html", mail_on=mail_on, value="", errors={})
    value = request.form.get("name", "").strip()[:254]
    if not value:
        return render_template("account/forgot.html", mail_on=True, value="",
                               errors={"name": "missing"}), 400
    # Every request counts, not only failures: the page cannot tell them apart on purpose.
    keys = [ratelimit.address_key(request.remote_addr), "reset:" + value.lower()[:150]]
    session = get_session()
    wait = _wait(keys)
    if wait:
        return _waiting("account/forgot.html", wait, mail_on=True, value=value,
                        errors={"form": "wait"})
    password_reset.request_by_mail(session, value, current_app.config["SECRET_KEY"])
    ratelimit.record_failure(session, keys)
    session.commit()
    return render_template("account/forgot_sent.html")


@bp.route("/wachtwoord-nieuw/<token>", methods=["GET", "POST"])
def choose(token: str):
    session = get_session()
    address = [ratelimit.address_key(request.remote_addr)]
    wait = _wait(address)
    if wait:
        return _waiting("account/reset_problem.html", wait, problem="wait")
    found = password_reset.find(session, token)
    if found is None:
        ratelimit.record_failure(session, address)
        session.commit()
        return _problem("unknown")
    state = password_reset.state(found)
    if state != password_reset.ResetState.OPEN:
        return _problem(state.value)
    if request.method == "GET":
        return render_template("account/reset.html", errors={})
    try:
        user = password_reset.redeem(session, found, request.form.get("new_password", ""),
                                     request.form.get("new_password_repeat", ""))
    except AccountError as error:
        session.rollback()
        if error.errors.get("link"):
            return _problem("used")
        return render_template("account/reset.html", errors=error.errors), 400
    login_user(user)  # every other login of the account ended; this browser gets a new one
    session.commit()
    return redirect(start_url(), code=303)


def _problem(problem: str):
    return render_template("account/reset_problem.html", problem=problem), LINK_STATUS[problem]


@bp.route("/beheer/wachtwoordlink", methods=["GET", "POST"])
@require_role(Role.EDITOR)
def make_link():
    if request.method == "GET":
        return render_template("admin/reset_link.html", value="", errors={})
    value = request.form.get("login", "").strip()[:200]
    session = get_session()
    user = session.exec(select(User).where(User.login == normalise_login(value))).first() \
        if value else None
    if user is None:
        return render_template("admin/reset_link.html", value=value,
                               errors={"login": "missing" if not value else "unknown"}), 400
    if not password_reset.may_make_link(current_user(), user):
        abort(403)
    token = password_reset.make_link(session, current_user(), user)
    session.commit()
    link = url_for("password_reset.choose", token=token, _external=True)
    # Shown this once: only its hash is stored.
    return render_template("admin/reset_link_made.html", user=user, link=link,
                           hours=int(password_reset.EDITOR_LINK_VALID.total_seconds() // 3600)
                           ), 201
