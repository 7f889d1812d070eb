"""Writers younger than 16: drafts yes, sending to the editors only with a guardian's consent.

Under the AVG (art. 8) and the UAVG (art. 5) a child under 16 needs a parent's or guardian's
consent for this processing. At invite redemption a writer says whether they are younger than
16; only that band is stored (:class:`kb.models.GuardianConsent`, no birth date). Until an
editor records the consent the writer can write and keep drafts, but :func:`needs_consent`
makes :mod:`kb.workflow` refuse to send them.  For their advice the privacy check is stricter
(:func:`under_16`, ``kb.privacy.check(strict=True)``: every place name is a hint), also after
the consent: the consent is for the processing, not for a traceable story.
"""

from __future__ import annotations

from sqlmodel import Session, select

from kb import advice_writers, audit
from kb.auth import has_role
from kb.models import Advice, GuardianConsent, Role, User, utcnow


def mark_under_16(session: Session, user: User) -> None:
    """The writer said they are younger than 16 (at invite redemption)."""
    if session.get(GuardianConsent, user.id) is None:
        session.add(GuardianConsent(user_id=user.id))


def under_16(session: Session, user_id: int | None) -> bool:
    """Whether this account said it is younger than 16 (with or without a recorded consent)."""
    return user_id is not None and session.get(GuardianConsent, user_id) is not None


def writes_under_16(session: Session, advice: Advice) -> bool:
    """Whether any writer of this advice (co-writers too, kb.advice_writers) is under 16."""
    return any(under_16(session, uid) for uid in advice_writers.writer_ids(session, advice))


def needs_consent(session: Session, user: User | None) -> bool:
    """Whether this writer is under 16 and no guardian's consent was recorded yet."""
    if user is None or user.id is None:
        return False
    row = session.get(GuardianConsent, user.id)
    return row is not None and row.given_at is None


def waiting(session: Session) -> list[User]:
    """Writers under 16 still waiting for a recorded consent, oldest account first."""
    return list(session.exec(
        select(User).join(GuardianConsent, GuardianConsent.user_id == User.id)
        .where(GuardianConsent.given_at.is_(None), User.active)
        .order_by(User.created_at, User.id)).all())


def record(session: Session, editor: User, user: User) -> bool:
    """An editor records that a parent or guardian consented; False if none was needed."""
    if not has_role(editor, Role.EDITOR):
        raise PermissionError("consent is recorded by editors")
    row = session.get(GuardianConsent, user.id)
    if row is None or row.given_at is not None:
        return False
    row.given_at = utcnow()
    row.recorded_by_id = editor.id
    session.add(row)
    audit.record(session, editor, "consent.record", target_id=user.id)
    return True
