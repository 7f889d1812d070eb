"""A person's own data: everything we hold about them as JSON, and deleting their account.

Deleting keeps what the person wrote (nothing anyone wrote is silently thrown away) but cuts
the link to them: the account row stays, so that foreign keys in revisions and the audit log
remain valid, but it keeps no login name, password, e-mail or display name. Their advice gets a
new revision in which their display names are replaced by "Anoniem"; published advice stays
public, and advice that was not yet published is withdrawn so that no one publishes it later.
Earlier revisions are immutable and are kept as they are; they are never public.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from kb import (
    advice_writers,
    audit,
    login_sessions,
    notifications,
    password_reset,
    ratelimit,
)
from kb.accounts import ANONYMOUS, ANONYMOUS_AUTHOR, DELETED_PREFIX, UNUSABLE_PASSWORD
from kb.advice import content_of, save_advice
from kb.models import (
    Advice,
    AdviceStatus,
    AdviceWriter,
    AuditEntry,
    GuardianConsent,
    Invite,
    KeptText,
    LoginAttempt,
    User,
    utcnow,
)

DELETION_NOTE = "Account verwijderd"
#: Statuses that stay as they are when the account is deleted; all others become withdrawn.
KEPT_STATUSES = (AdviceStatus.PUBLISHED, AdviceStatus.WITHDRAWN)


def export_data(session: Session, user: User) -> dict:
    """Everything stored about this account and by it, except the password hash."""
    entries = session.exec(select(AuditEntry).where(AuditEntry.actor_id == user.id)
                           .order_by(AuditEntry.created_at, AuditEntry.id)).all()
    return {
        "exported_at": _iso(utcnow()),
        "account": {
            "login": user.login,
            "role": user.role,
            "display_names": list(user.display_names),
            "email": user.email,
            "active": user.active,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        # What they started and what they joined (co-writing), and each invitation and choice.
        "advice": [_advice_data(advice, user) for advice in
                   sorted(advice_writers.advice_of(session, user), key=lambda a: a.id)],
        "co_writing": [
            {"advice_id": row.advice_id, "status": row.status, "names": list(row.names),
             "invited_at": _iso(row.invited_at), "accepted_at": _iso(row.accepted_at),
             "name_off_at": _iso(row.name_off_at)}
            for row in session.exec(select(AdviceWriter).where(AdviceWriter.user_id == user.id)
                                    .order_by(AdviceWriter.advice_id)).all()],
        "audit": [
            {"created_at": _iso(e.created_at), "action": e.action, "advice_id": e.advice_id,
             "detail": dict(e.detail)}
            for e in entries
        ],
        # When they logged in and out; the token's hash is of no use to them and stays out.
        "logins": [{"started_at": _iso(row.created_at), "ended_at": _iso(row.ended_at)}
                   for row in login_sessions.history(session, user)],
        # What they were told ("Meldingen") and which mails they switched off.
        "notifications": notifications.export(session, user),
    }


def owned_advice(session: Session, user: User) -> list[Advice]:
    return list(session.exec(select(Advice).where(Advice.owner_id == user.id)
                             .order_by(Advice.id)).all())


def _advice_data(advice: Advice, user: User) -> dict:
    return {
        "id": advice.id,
        "status": advice.status,
        "created_at": _iso(advice.created_at),
        "updated_at": _iso(advice.updated_at),
        "content": content_of(advice).as_json(),
        "revisions": [
            {"number": r.number, "created_at": _iso(r.created_at), "status": r.status,
             "note": r.note, "by_me": r.author_id == user.id, "content": dict(r.content)}
            for r in advice.revisions
        ],
    }


@dataclass
class Deletion:
    """What deleting an account did to the advice it owned (advice ids)."""

    anonymised: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)


def delete_account(session: Session, user: User) -> Deletion:
    """Erase the account's personal data and anonymise its advice, in the caller's transaction."""
    names = {name for name in user.display_names if name.lower() != ANONYMOUS}
    result = Deletion()
    co_written = advice_writers.forget(session, user)  # their rows now say "Anoniem"
    for advice in owned_advice(session, user):
        content = content_of(advice)
        old_status = advice.status
        authors = _anonymised(content.authors, names)
        status = advice.status if advice.status in KEPT_STATUSES else AdviceStatus.WITHDRAWN
        _, revision = save_advice(session, advice, replace(content, authors=authors),
                                  status=status, note=DELETION_NOTE, author_id=user.id)
        if revision is None:
            continue  # nothing of theirs to change in this one
        if authors != content.authors:
            result.anonymised.append(advice.id)
        if status != old_status:
            result.withdrawn.append(advice.id)
        audit.record(session, user, "advice.anonymise", advice_id=advice.id, status=status,
                     note=DELETION_NOTE)

    for advice_id in co_written:  # advice they joined: their name goes there too
        advice = session.get(Advice, advice_id)
        content = content_of(advice)
        authors = advice_writers.public_authors(session, advice, content.authors)
        _, revision = save_advice(session, advice, replace(content, authors=authors),
                                  status=advice.status, note=DELETION_NOTE, author_id=user.id)
        if revision is not None:
            result.anonymised.append(advice.id)
            audit.record(session, user, "advice.anonymise", advice_id=advice.id,
                         status=advice.status, note=DELETION_NOTE)

    # Notes on invites ("voor Sanne uit Arnhem") may name the person: they go too.
    for invite in session.exec(select(Invite).where(Invite.used_by_id == user.id)).all():
        invite.note = ""
    session.execute(delete(LoginAttempt).where(
        LoginAttempt.key == ratelimit.account_key(user.login)))
    login_sessions.erase_all(session, user)
    notifications.erase_all(session, user)
    password_reset.erase_all(session, user)
    session.execute(delete(KeptText).where(KeptText.user_id == user.id))  # forms kept at login
    session.execute(delete(GuardianConsent).where(GuardianConsent.user_id == user.id))

    user.login = DELETED_PREFIX + secrets.token_hex(8)
    user.password_hash = UNUSABLE_PASSWORD
    user.email = None
    user.display_names = [ANONYMOUS]
    user.active = False
    user.last_login_at = None
    audit.record(session, user, "account.delete", target_id=user.id,
                 anonymised=len(result.anonymised), withdrawn=len(result.withdrawn))
    session.flush()
    return result


def _anonymised(authors: tuple[str, ...], names: set[str]) -> tuple[str, ...]:
    """The authors with the person's names replaced by "Anoniem", without duplicates."""
    result: list[str] = []
    for author in authors:
        if author in names:
            author = ANONYMOUS_AUTHOR
        if author not in result:
            result.append(author)
    return tuple(result)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None
