"""The 410 page of a withdrawn advice: a tombstone, not a blank.

Someone who follows an old link learns what was there and why it went: the title, the date it
was withdrawn, the writer's public reason (if they gave one) and, when an editor chose one, the
advice to read instead. Nothing else of the text: it was withdrawn for a reason.
"""

from __future__ import annotations

from flask import url_for
from sqlmodel import Session
from werkzeug.exceptions import Gone

from kb.models import Advice, AdviceStatus


class Withdrawn(Gone):
    """410 carrying what the tombstone shows; the error handler renders it (or its JSON)."""

    def __init__(self, tombstone: dict) -> None:
        super().__init__()
        self.tombstone = tombstone


def tombstone_context(session: Session, advice: Advice) -> dict:
    """What the 410 page (and its JSON) shows of a withdrawn advice."""
    instead = session.get(Advice, advice.replaced_by_id) if advice.replaced_by_id else None
    if instead is not None and instead.status != AdviceStatus.PUBLISHED:
        instead = None  # withdrawn in its turn: a link to another tombstone helps nobody
    return {
        "id": advice.id,
        "title": advice.title,
        "language": advice.language or "nl",
        "withdrawn": advice.withdrawn_at.date().isoformat() if advice.withdrawn_at else None,
        "reason": advice.withdrawal_reason or None,
        "instead": {"id": instead.id, "title": instead.title,
                    "language": instead.language or "nl",
                    "url": url_for("reader.advice", advice_id=instead.id, slug=instead.slug)}
        if instead is not None else None,
    }
