"""The audit log: every workflow and account action, who did it and when."""

from __future__ import annotations

from sqlmodel import Session

from kb.models import AuditEntry, User


def record(session: Session, actor: User | None, action: str, advice_id: int | None = None,
           **detail) -> AuditEntry:
    """Add an audit row in the caller's transaction, so it exists exactly when the action does."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, advice_id=advice_id,
                       detail=detail)
    session.add(entry)
    return entry
