"""A forgotten password: a single-use link to choose a new one, instead of a new account.

Two ways to get a link:

- **By mail** (``/wachtwoord-vergeten``), for an account with an e-mail address. The link is
  valid for :data:`MAIL_LINK_VALID` (one hour). The row stores a salt and the hash of the token;
  the token is derived from the salt and the secret key when the mail is sent
  (:mod:`kb.tokens`), so neither the database nor the outbox holds a usable link. Whether an
  account exists or not, the person sees the same answer, and the requests are rate-limited
  per address and per name asked for.
- **From an editor**, for an account without e-mail: a random link shown once (like an invite,
  :mod:`kb.invites`), valid for :data:`EDITOR_LINK_VALID`. Editors make them for writers;
  admins for anyone.

Using a link sets the password, ends every login of the account (whoever knew the old password
is out) and makes every other open link of the account unusable. One conditional UPDATE claims
the link, so two tabs (or a double click) cannot both use it.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from kb import audit, login_sessions, outbox, tokens
from kb.accounts import SCRYPT_N, AccountError, is_deleted, normalise_login, password_problem
from kb.auth import has_role, hash_password
from kb.models import PasswordReset, Role, User, utcnow

MAIL_LINK_VALID = timedelta(hours=1)
EDITOR_LINK_VALID = timedelta(hours=24)
#: At most this many accounts are mailed for one address (people may share one).
MAX_ACCOUNTS_PER_ADDRESS = 5
PURPOSE = "reset"


class ResetState(enum.StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"


def accounts_for(session: Session, name_or_email: str) -> list[User]:
    """The active accounts with an e-mail that this login name or e-mail address names."""
    value = (name_or_email or "").strip()
    if not value or len(value) > 254:
        return []
    if "@" in value:
        condition = func.lower(User.email) == value.lower()
    else:
        condition = User.login == normalise_login(value)
    found = session.exec(select(User).where(condition, User.active, User.email.is_not(None))
                         .order_by(User.id).limit(MAX_ACCOUNTS_PER_ADDRESS)).all()
    return [user for user in found if user.email and not is_deleted(user)]


def request_by_mail(session: Session, name_or_email: str, secret: str) -> int:
    """Queue a reset mail for each account this names; returns how many (never shown: the
    person sees the same answer either way). The caller commits."""
    users = accounts_for(session, name_or_email)
    for user in users:
        salt = tokens.new_salt()
        session.add(PasswordReset(user_id=user.id, salt=salt,
                                  token_hash=tokens.derived_hash(secret, PURPOSE, salt),
                                  expires_at=utcnow() + MAIL_LINK_VALID))
        outbox.enqueue(session, "password_reset", user.email, {"salt": salt, "login": user.login},
                       ttl=MAIL_LINK_VALID)
        audit.record(session, None, "account.reset_request", target_id=user.id)
    return len(users)


def may_make_link(actor: User | None, user: User) -> bool:
    """Editors make links for writers; admins for anyone. Never for a deleted account."""
    if is_deleted(user) or actor is None:
        return False
    if user.role == Role.CONTRIBUTOR:
        return has_role(actor, Role.EDITOR)
    return has_role(actor, Role.ADMIN)


def make_link(session: Session, actor: User, user: User) -> str:
    """A reset link's token for ``user``, to show once; only its hash is stored."""
    if not may_make_link(actor, user):
        raise AccountError({"login": "not_allowed"})
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=tokens.hash_token(token),
                              created_by_id=actor.id,
                              expires_at=utcnow() + EDITOR_LINK_VALID))
    audit.record(session, actor, "account.reset_link", target_id=user.id)
    return token


def find(session: Session, token: str) -> PasswordReset | None:
    if not tokens.well_formed(token):
        return None
    return session.exec(select(PasswordReset)
                        .where(PasswordReset.token_hash == tokens.hash_token(token))).first()


def state(reset: PasswordReset, now: datetime | None = None) -> ResetState:
    if reset.used_at is not None:
        return ResetState.USED
    if reset.expires_at <= (now or utcnow()):
        return ResetState.EXPIRED
    return ResetState.OPEN


def redeem(session: Session, reset: PasswordReset, new: str, repeat: str,
           cost: int = SCRYPT_N) -> User:
    """Set the new password through this link, once; AccountError says what is wrong.

    ``{"link": "used"}`` when another request used the link first (or it expired meanwhile).
    """
    user = session.get(User, reset.user_id)
    if user is None or not user.active or is_deleted(user):
        raise AccountError({"link": "used"})
    problem = password_problem(new, repeat, user.login)
    if problem:
        raise AccountError({"new_password": problem})
    now = utcnow()
    claimed = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise AccountError({"link": "used"})
    # Every other open link of this account stops working too.
    session.execute(update(PasswordReset)
                    .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now).execution_options(synchronize_session=False))
    user.password_hash = hash_password(new, n=cost)
    login_sessions.end_all(session, user)
    audit.record(session, user, "account.password_reset", target_id=user.id)
    return user


def erase_all(session: Session, user: User) -> None:
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
