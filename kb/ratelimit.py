"""Slowing down password guessing: failed attempts counted per key, in the database.

A key names what is being guessed at: ``login:<login name>`` for one account, ``addr:<address>``
for everything sent from one network address. The rows live in the database (not in the memory
of one worker), so every gunicorn worker and every node counts the same attempts.

Two requests that arrive at the very same moment may both pass a check that either alone would
pass; the limit is a brake on guessing, not an exact quota, and that is enough.

Behind a reverse proxy every request seems to come from the proxy: set ``KB_PROXY_FIX`` to the
number of proxies in front of the app so that ``request.remote_addr`` is the visitor's address.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from kb.models import LoginAttempt, utcnow

LIMIT = 5
WINDOW = timedelta(minutes=15)
#: Rows older than this are removed whenever a failure is recorded: the table stays small.
KEEP = timedelta(days=1)


def account_key(login: str) -> str:
    """The key of one account, by the login name as typed (case does not matter)."""
    return "login:" + login.strip().lower()[:150]


def address_key(address: str | None) -> str:
    """The key of one network address."""
    return "addr:" + (address or "unknown")[:150]


def too_many(session: Session, keys: Iterable[str], limit: int = LIMIT,
             window: timedelta = WINDOW) -> int | None:
    """Seconds to wait before the next attempt if any key has ``limit`` recent failures."""
    now = utcnow()
    longest = 0.0
    for key in keys:
        recent = session.exec(
            select(LoginAttempt.created_at)
            .where(LoginAttempt.key == key, LoginAttempt.created_at > now - window)
            .order_by(LoginAttempt.created_at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # Free again when the limit-th most recent failure leaves the window.
            longest = max(longest, (recent[-1] + window - now).total_seconds())
    return max(1, math.ceil(longest)) if longest > 0 else None


def record_failure(session: Session, keys: Iterable[str]) -> None:
    """Count one failed attempt against each key (the caller commits)."""
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP))
    for key in keys:
        session.add(LoginAttempt(key=key, created_at=now))
    session.flush()


def clear(session: Session, key: str) -> None:
    """Forget the failures of a key after a success (the caller commits)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person, never 0."""
    return max(1, math.ceil(seconds / 60))
