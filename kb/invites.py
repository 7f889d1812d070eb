"""Invites: the only way in. An editor makes a single-use link; the invitee makes an account.

Only a SHA-256 hash of the token is stored, so a copy of the database cannot be used to join.
A link is valid for ``INVITE_DAYS`` days, once. Editors may invite contributors; only admins may
invite editors and admins.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from kb import audit
from kb.auth import has_role
from kb.models import Invite, Role, User, utcnow

MAX_NOTE = 200
DEFAULT_DAYS = 14


class InviteState(enum.StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_invite(actor: User | None, role: str) -> bool:
    """Editors invite contributors; admins invite anyone."""
    if role == Role.CONTRIBUTOR:
        return has_role(actor, Role.EDITOR)
    return role in set(Role) and has_role(actor, Role.ADMIN)


def create_invite(session: Session, actor: User | None, role: str, note: str = "",
                  days: int = DEFAULT_DAYS) -> tuple[Invite, str]:
    """A new invite and its token; the token is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    invite = Invite(token_hash=token_hash(token), role=role, note=note.strip()[:MAX_NOTE],
                    created_by_id=actor.id if actor else None,
                    expires_at=utcnow() + timedelta(days=days))
    session.add(invite)
    session.flush()
    audit.record(session, actor, "invite.create", invite_id=invite.id, role=role)
    return invite, token


def find(session: Session, token: str) -> Invite | None:
    """The invite this token belongs to, whatever its state."""
    if not token or len(token) > 100:
        return None
    return session.exec(select(Invite).where(Invite.token_hash == token_hash(token))).first()


def state(invite: Invite, now: datetime | None = None) -> InviteState:
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.used_at is not None:
        return InviteState.USED
    if invite.expires_at <= (now or utcnow()):
        return InviteState.EXPIRED
    return InviteState.OPEN


def claim(session: Session, invite: Invite, user: User) -> bool:
    """Mark the invite used by this new account; False if another request was first.

    One conditional UPDATE, so that two people (or one double click) cannot both use a link.
    """
    now = utcnow()
    result = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None),
               Invite.expires_at > now)
        .values(used_at=now, used_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(invite)
    audit.record(session, user, "invite.redeem", invite_id=invite.id, role=invite.role)
    return True


def revoke(session: Session, actor: User, invite: Invite) -> bool:
    """Make an open invite unusable; False if it was no longer open."""
    if state(invite) != InviteState.OPEN:
        return False
    invite.revoked_at = utcnow()
    audit.record(session, actor, "invite.revoke", invite_id=invite.id, role=invite.role)
    return True


def all_invites(session: Session) -> list[Invite]:
    """Every invite, newest first."""
    return list(session.exec(select(Invite).order_by(Invite.created_at.desc(),
                                                     Invite.id.desc())).all())
