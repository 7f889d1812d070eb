"""Accounts: password hashing, who is logged in, and role checks for views.

Passwords are hashed with scrypt (memory-hard, in the standard library). The signed session
cookie holds the account id and the token of a login recorded on the server
(:mod:`kb.login_sessions`): a request is logged in only while that login has not ended, so
logging out, a password change, switching the account off, a role change or deleting the
account also end every copy of the cookie. A cookie without a token (from before) is logged out.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable

from flask import abort, g, redirect, request, session, url_for

from kb import db, login_sessions
from kb.models import Role, User, utcnow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024

#: Which roles may do what an editor may do, and so on up.
ROLE_RANK = {Role.CONTRIBUTOR: 1, Role.EDITOR: 2, Role.ADMIN: 3}


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """A self-describing scrypt hash, so the cost can be raised later without breaking logins."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=_MAXMEM, dklen=32)
    return "$".join(["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Check a password in constant time; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                                   r=int(r), p=int(p), maxmem=_MAXMEM, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def login_user(user: User) -> None:
    """Start a fresh login for this account in this browser; the caller commits.

    A new cookie and a new token each time defeat session fixation. After a password change the
    view calls this too: the change ended every login, and this browser gets a new one.
    """
    session.clear()
    session["uid"] = user.id
    session["token"] = login_sessions.start(db.get_session(), user)
    session.permanent = True
    user.last_login_at = utcnow()


def logout_user() -> None:
    """End this browser's login on the server and forget it here; the caller commits."""
    login_sessions.end(db.get_session(), session.get("token"))
    forget_login()


def forget_login() -> None:
    """Forget the login in this browser only (for a login whose row was never committed)."""
    session.clear()
    g.pop("current_user", None)  # the rest of this request is anonymous too


def current_user() -> User | None:
    """The logged-in, active account of this request, or None. Reads only, never writes."""
    if "current_user" not in g:
        user = login_sessions.user_for(db.get_session(), session.get("token"), session.get("uid"))
        g.current_user = user if user is not None and user.active else None
    return g.current_user


def has_role(user: User | None, role: str) -> bool:
    """Whether the account has at least this role (an admin may do what an editor may)."""
    return user is not None and ROLE_RANK.get(user.role, 0) >= ROLE_RANK[Role(role)]


def require_role(role: str) -> Callable:
    """View decorator: log in first (GET redirects to the login page), then at least ``role``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("account.login", next=request.full_path))
                abort(403)
            if not has_role(user, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
