"""Login sessions on the server: a login lives as a row, so ending it works on every copy.

The session cookie is signed, but a signature only proves that we issued it: a copy of the
cookie (a shared computer, a stolen backup of a browser profile) stayed valid after logout
until it expired. Now a login is a row in ``login_session`` and the cookie carries a random
token whose SHA-256 is that row's ``token_hash``; a request counts as logged in only while the
row has not ended. Logging out ends this row; a password change, switching the account off, a
role change and deleting the account end all of the account's rows.

Only the hash is stored, like invite tokens: a copy of the database (or a backup) holds no
usable login. Nothing here writes on an ordinary page view (no "last seen"), so a GET never
waits for SQLite's write lock. Functions never commit: the caller commits the change with
whatever caused it (a login with its rate-limit bookkeeping, a password with its audit row).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from kb.models import LoginSession, User, utcnow

#: Ended rows are kept this long (they say when a login ended), then removed at a login.
KEEP_ENDED = timedelta(days=30)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, so the table holds no usable login."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User) -> str:
    """Record a new login of ``user`` and return its token, for the cookie only.

    Also removes the account's rows that ended long ago, so the table does not grow for ever
    (a login is a write anyway).
    """
    session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        LoginSession.ended_at < utcnow() - KEEP_ENDED))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=token_hash(token)))
    return token


def user_for(session: Session, token: object, user_id: object) -> User | None:
    """The account this token is a running login of, or None (also for an ended login).

    ``user_id`` is the account the cookie names: a token must belong to it. Read-only.
    """
    if not isinstance(token, str) or not token or not isinstance(user_id, int):
        return None
    return session.exec(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == token_hash(token),
               LoginSession.ended_at.is_(None), User.id == user_id)
    ).first()


def end(session: Session, token: object) -> None:
    """End one login (logging out); an unknown or ended token is no error."""
    if isinstance(token, str) and token:
        session.execute(update(LoginSession)
                        .where(LoginSession.token_hash == token_hash(token),
                               LoginSession.ended_at.is_(None))
                        .values(ended_at=utcnow()))


def end_all(session: Session, user: User) -> None:
    """End every running login of this account, wherever its cookies are."""
    session.execute(update(LoginSession)
                    .where(LoginSession.user_id == user.id,
                           LoginSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))


def erase_all(session: Session, user: User) -> None:
    """Remove every login of this account: a deleted account keeps no trace of when its
    person logged in (and without a row, no cookie of theirs works)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def history(session: Session, user: User) -> list[LoginSession]:
    """The account's logins, oldest first: part of the person's own data download."""
    return list(session.exec(select(LoginSession).where(LoginSession.user_id == user.id)
                             .order_by(LoginSession.created_at, LoginSession.id)).all())
