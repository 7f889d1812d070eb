"""Accounts: what a valid login, password and display name is, and who may change what.

Functions here check input and change rows; they never commit (the caller does, so an action and
its audit row land together) and never word a message: a problem is a short code such as
``"taken"`` that the templates put into plain Dutch.

Only display names are ever public. A login name and an e-mail address are for logging in and
for the person themselves; they never appear on a public page, in the API or in the search index.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, select

from kb import audit, groups, login_sessions
from kb.auth import SCRYPT_N, hash_password, verify_password
from kb.models import Role, User

#: Always available as a display name, never removable.
ANONYMOUS = "anoniem"
#: How "anoniem" is written as an author of advice (the same as kb.forms.ANONYMOUS_AUTHOR).
ANONYMOUS_AUTHOR = "Anoniem"
LOGIN_PATTERN = re.compile(r"[a-z0-9._-]{3,40}")
DELETED_PREFIX = "verwijderd-"
MIN_PASSWORD = 10
MAX_PASSWORD = 500
MAX_DISPLAY_NAME = 80
MAX_DISPLAY_NAMES = 10
MAX_EMAIL = 200
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: A password hash no password matches: what a deleted account keeps.
UNUSABLE_PASSWORD = "!unusable"


class AccountError(ValueError):
    """What was wrong with a form, as ``{field: code}``; nothing was changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# ------------------------------------------------------------------ checks

def normalise_login(value: str) -> str:
    """Login names are compared in lower case, without surrounding spaces."""
    return (value or "").strip().lower()


def login_problem(login: str) -> str | None:
    """Why this (normalised) login name cannot be used, or None."""
    if not login:
        return "missing"
    if not LOGIN_PATTERN.fullmatch(login):
        return "format"
    if login.startswith(DELETED_PREFIX):
        return "reserved"
    return None


def password_problem(password: str, repeat: str | None = None, login: str = "") -> str | None:
    """Why this new password cannot be used, or None; ``repeat`` is the second entry."""
    if not password:
        return "missing"
    if len(password) < MIN_PASSWORD:
        return "short"
    if len(password) > MAX_PASSWORD:
        return "long"
    if login and password.strip().lower() == login:
        return "same_as_login"
    if repeat is not None and password != repeat:
        return "mismatch"
    return None


def clean_display_name(value: str) -> str:
    """Spaces trimmed and runs of white space made single."""
    return " ".join((value or "").split())


def display_name_problem(name: str, login: str = "") -> str | None:
    """Why this (cleaned) display name cannot be used, or None.

    It is public, so it may not be an e-mail address or the login name: either would make the
    account easier to find or to guess.
    """
    if not name:
        return "missing"
    if len(name) > MAX_DISPLAY_NAME:
        return "long"
    if any(not ch.isprintable() for ch in name):
        return "format"
    if "@" in name:
        return "email"
    if login and name.lower() == login:
        return "login"
    return None


def email_problem(email: str) -> str | None:
    """Why this (optional, trimmed) e-mail address cannot be used, or None."""
    if not email:
        return None
    if len(email) > MAX_EMAIL:
        return "long"
    if not EMAIL_PATTERN.fullmatch(email):
        return "format"
    return None


def with_anonymous(names: Iterable[str]) -> list[str]:
    """The names in order without duplicates, "anoniem" always last."""
    result: list[str] = []
    for name in names:
        if name and name != ANONYMOUS and name not in result:
            result.append(name)
    return [*result, ANONYMOUS]


# ------------------------------------------------------------------ creating and logging in

def login_taken(session: Session, login: str) -> bool:
    return session.exec(select(User.id).where(User.login == login)).first() is not None


def create_account(session: Session, *, login: str, password: str, display_name: str,
                   role: str = Role.CONTRIBUTOR, email: str = "", repeat: str | None = None,
                   actor: User | None = None, self_service: bool = False, cost: int = SCRYPT_N,
                   **audit_detail) -> User:
    """Check everything, then add the account and its audit row; AccountError if anything is off.

    ``actor`` made the account (None: the command line); with ``self_service`` the new account
    made itself, through an invite. The unique index on ``login`` still guards the race of two
    people choosing the same name at once: the caller turns that IntegrityError into "taken".
    """
    login = normalise_login(login)
    display_name = clean_display_name(display_name)
    email = (email or "").strip()
    errors = {
        "login": login_problem(login),
        "password": password_problem(password, repeat, login),
        "display_name": display_name_problem(display_name, login)
        or ("group" if groups.claims_group_name(session, display_name) else None),
        "email": email_problem(email),
    }
    if role not in set(Role):
        errors["role"] = "unknown"
    errors = {field: code for field, code in errors.items() if code}
    if "login" not in errors and login_taken(session, login):
        errors["login"] = "taken"
    if errors:
        raise AccountError(errors)
    user = User(login=login, password_hash=hash_password(password, n=cost), role=role,
                display_names=with_anonymous([display_name]), email=email or None)
    session.add(user)
    session.flush()
    audit.record(session, user if self_service else actor, "account.create", target_id=user.id,
                 role=role, **audit_detail)
    return user


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The account with this login and password (active or not), or None.

    An unknown login costs as much time as a wrong password, so timing does not tell which
    login names exist.
    """
    user = session.exec(select(User).where(User.login == normalise_login(login))).first()
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    return user if verify_password(password, user.password_hash) else None


def is_deleted(user: User) -> bool:
    return user.login.startswith(DELETED_PREFIX)


def active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ).one()


# ------------------------------------------------------------------ changes by the person

def change_password(session: Session, user: User, old: str, new: str, repeat: str,
                    cost: int = SCRYPT_N) -> None:
    """Replace the password after checking the old one, and end every login of the account.

    Someone who changes a password may do so because another person knows it: that person's
    sessions must end too. The browser that made the change gets a new login from the view.
    """
    if not verify_password(old or "", user.password_hash):
        raise AccountError({"old_password": "wrong" if old else "missing"})
    problem = password_problem(new, repeat, user.login)
    if problem:
        raise AccountError({"new_password": problem})
    user.password_hash = hash_password(new, n=cost)
    login_sessions.end_all(session, user)
    audit.record(session, user, "account.password", target_id=user.id)


def add_display_name(session: Session, user: User, name: str) -> None:
    name = clean_display_name(name)
    problem = display_name_problem(name, user.login)
    if problem is None and groups.claims_group_name(session, name):
        problem = "group"  # only a group's members write under its name, and not as their own
    if problem is None and name in user.display_names:
        problem = "exists"
    if problem is None and len(user.display_names) > MAX_DISPLAY_NAMES:
        problem = "too_many"
    if problem:
        raise AccountError({"display_name": problem})
    user.display_names = with_anonymous([*user.display_names, name])
    audit.record(session, user, "account.display_name_add", target_id=user.id)


def remove_display_name(session: Session, user: User, name: str) -> None:
    """Stop offering a name for new advice; advice already published keeps it."""
    if name == ANONYMOUS or name not in user.display_names:
        raise AccountError({"display_name": "not_removable"})
    user.display_names = with_anonymous(n for n in user.display_names if n != name)
    audit.record(session, user, "account.display_name_remove", target_id=user.id)


def change_email(session: Session, user: User, email: str) -> None:
    """Set or (with an empty value) remove the optional e-mail address."""
    email = (email or "").strip()
    problem = email_problem(email)
    if problem:
        raise AccountError({"email": problem})
    user.email = email or None
    audit.record(session, user, "account.email", target_id=user.id)


# ------------------------------------------------------------------ changes by an admin

def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """Switch an account off (its sessions end at once) or on again; never one's own, and
    never the last active admin (nobody could manage accounts any more).

    ``actor`` None is the command line, the only place where the last admin could be switched
    off (on the web page an admin cannot switch off themselves, so another admin remains).
    """
    if actor is not None and user.id == actor.id:
        raise AccountError({"account": "self"})
    if active and is_deleted(user):
        raise AccountError({"account": "deleted"})
    if (not active and user.active and user.role == Role.ADMIN
            and active_admins(session) <= 1):
        raise AccountError({"account": "last_admin"})
    if not active:
        login_sessions.end_all(session, user)
    if user.active != active:
        user.active = active
        audit.record(session, actor, "account.activate" if active else "account.deactivate",
                     target_id=user.id)


def set_role(session: Session, actor: User, user: User, role: str) -> None:
    """Give an account another role; never one's own (so one admin always remains).

    The account's sessions end: it logs in again and starts with what the new role allows.
    """
    if user.id == actor.id:
        raise AccountError({"account": "self"})
    if role not in set(Role):
        raise AccountError({"role": "unknown"})
    if is_deleted(user):
        raise AccountError({"account": "deleted"})
    if user.role != role:
        audit.record(session, actor, "account.role", target_id=user.id, old=user.role, new=role)
        user.role = role
        login_sessions.end_all(session, user)
