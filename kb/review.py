"""Reading an advice's progress: the editors' word to the writer, the version to compare a
submission with, and the review queue. Read-only: every change goes through :mod:`kb.workflow`.
"""

from __future__ import annotations

from sqlmodel import Session, select

from kb.models import Advice, AdviceStatus, Revision

S = AdviceStatus


def feedback(advice: Advice) -> Revision | None:
    """The editors' latest word to the writer: a request for changes or a withdrawal reason."""
    for revision in reversed(advice.revisions):
        if revision.status == S.SUBMITTED:
            return None  # resubmitted after the feedback: the next word is the editors'
        if (revision.status in (S.CHANGES_REQUESTED, S.WITHDRAWN) and revision.note
                and revision.author_id != advice.owner_id):
            return revision
    return None


def compare_base(advice: Advice) -> Revision | None:
    """The revision to compare the current one with.

    For a submitted advice that is the last version the editors saw (when they asked for
    changes, or the published one), so a resubmission shows exactly what the writer changed;
    a first submission has nothing to compare with. Otherwise it is the previous revision.
    """
    revisions = list(advice.revisions)
    if advice.status == S.SUBMITTED:
        seen = [r for r in revisions[:-1]
                if r.status in (S.PUBLISHED, S.WITHDRAWN)
                or (r.status == S.CHANGES_REQUESTED and r.author_id != advice.owner_id)]
        return seen[-1] if seen else None
    return revisions[-2] if len(revisions) > 1 else None


def review_queue(session: Session) -> list[Advice]:
    """Submitted advice, the longest waiting first."""
    return list(session.exec(
        select(Advice).where(Advice.status == S.SUBMITTED)
        .order_by(Advice.updated_at, Advice.id)
    ).all())
