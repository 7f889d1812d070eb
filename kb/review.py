"""Reading an advice's progress: the editors' word to the writer, the version to compare a
submission with, and the review queue. Read-only: every change goes through :mod:`kb.workflow`.
"""

from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from kb import advice_writers, privacy
from kb.models import Advice, AdviceStatus, Revision

S = AdviceStatus


def status_change(advice: Advice) -> Revision | None:
    """The revision that brought the advice into its current status.

    Later revisions in the same status (a saved draft, an editor's edit, a rename) do not
    change it; so the note shown with a status is always the one given with that very change,
    never an older one from before (a stale withdrawal reason after a restore).
    """
    found = None
    for revision in reversed(advice.revisions):
        if revision.status != advice.status:
            break
        found = revision
    return found


def status_note(advice: Advice) -> Revision | None:
    """The latest change of status, when whoever made it gave a note (editor or writer)."""
    change = status_change(advice)
    return change if change is not None and change.note else None


def feedback(advice: Advice) -> Revision | None:
    """The editors' word to the writer with the current status: a request for changes or a
    withdrawal reason; None when the writer made the latest change of status themselves."""
    note = status_note(advice)
    if (note is None or note.status not in (S.CHANGES_REQUESTED, S.WITHDRAWN)
            or advice_writers.is_writer(advice, note.author_id)):
        return None
    return note


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
    """Submitted advice, the longest waiting first, with their revisions (the queue compares
    each with the version the editors saw: one query for all, not one per advice)."""
    return list(session.exec(
        select(Advice).where(Advice.status == S.SUBMITTED)
        .order_by(Advice.updated_at, Advice.id)
        .options(selectinload(Advice.revisions))
    ).all())


def earlier_privacy_hints(advice: Advice, strict: bool = False) -> list[tuple[int, list[str]]]:
    """Privacy hints that only earlier versions still hold: ``[(version, [kind, …]), …]``.

    A detail taken out of the text stays in the history, where restoring an old version brings
    it back; the editor's review says so, so that it can be wiped (:mod:`kb.redaction`).
    Details the current text still has are left to the current privacy check.  ``strict``
    for a writer younger than 16 (kb.consent.under_16): every place name counts.
    """
    revisions = list(advice.revisions)
    if len(revisions) < 2:
        return []
    current = " ".join(str(revisions[-1].content.get(f) or "")
                       for f in ("title", "summary", "body")).lower()
    found = []
    for revision in revisions[:-1]:
        kinds: list[str] = []
        for name in ("title", "summary", "body"):
            for hint in privacy.check(str(revision.content.get(name) or ""), strict=strict):
                if hint.text.lower() not in current and hint.kind not in kinds:
                    kinds.append(hint.kind)
        if kinds:
            found.append((revision.number, kinds))
    return found
