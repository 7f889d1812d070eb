"""Keeping every node's search index in step with the database, through the change log.

Every change of what is public appends an :class:`~kb.models.IndexChange` row in the same
transaction. Whoever holds an index's write lock applies the rows after the index's mark, in
order; the worker that committed tries at once without waiting for the lock, and any worker that
finds its index behind (one cheap query per search) catches up. This serves several gunicorn
workers on one node, several nodes with their own index on one PostgreSQL, and a restart after a
crash alike.

PostgreSQL hands out ids before commit, so a later id can commit first and leave a gap that a
slower transaction fills. The mark therefore only moves over gaps older than
:data:`GAP_GRACE`; changes above a young gap are applied now and again later, which is harmless
because applying is idempotent (replace or delete by id, from the advice's current state).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from kb.models import Advice, AdviceStatus, IndexChange, utcnow
from search_index import Applied, SearchIndex

log = logging.getLogger(__name__)

GAP_GRACE = timedelta(seconds=60)
BATCH = 500


def is_behind(session: Session, index: SearchIndex) -> bool:
    """Whether the database holds changes the index has not seen: one small query."""
    applied = index.applied()
    count, highest = session.exec(
        select(func.count(IndexChange.id), func.max(IndexChange.id))
        .where(IndexChange.id > applied.mark)
    ).one()
    return (count, highest) != (applied.pending_count, applied.pending_max)


def latest_theme_change(session: Session) -> int | None:
    """The id of the newest theme change in the log, or None."""
    return session.exec(
        select(func.max(IndexChange.id)).where(IndexChange.advice_id.is_(None))
    ).one()


def catch_up(session: Session, index: SearchIndex, to_document: Callable,
             wait: bool = False, on_themes: Callable[[], None] | None = None) -> int:
    """Apply the changes after the index's mark; returns how many advice were written.

    Without ``wait`` it gives up at once when another process holds the lock: that process is
    applying the same log.
    """
    written = 0
    with index.write_lock(blocking=wait) as acquired:
        if not acquired:
            return 0
        while True:
            applied = index.applied()
            rows = session.exec(
                select(IndexChange).where(IndexChange.id > applied.mark)
                .order_by(IndexChange.id).limit(BATCH)
            ).all()
            if not rows:
                return written
            new_applied = advance(applied, rows)
            if new_applied == applied:
                return written
            ids = {row.advice_id for row in rows if row.advice_id is not None}
            if on_themes and any(row.advice_id is None for row in rows):
                on_themes()
            upserts, deletes = _documents(session, ids, to_document)
            index.apply(upserts, deletes, new_applied)
            written += len(ids)
            if len(rows) < BATCH:
                return written


def advance(applied: Applied, rows: Sequence[IndexChange]) -> Applied:
    """The new mark after applying ``rows`` (ordered by id, all above the old mark)."""
    mark, now = applied.mark, utcnow()
    pending: list[int] = []
    for row in rows:
        if not pending and (row.id == mark + 1 or now - row.created_at > GAP_GRACE):
            mark = row.id
        else:
            pending.append(row.id)
    return Applied(mark=mark, pending_count=len(pending),
                   pending_max=max(pending) if pending else None)


def _documents(session: Session, ids: set[int], to_document: Callable):
    found = {a.id: a for a in session.exec(select(Advice).where(Advice.id.in_(ids))).all()}
    upserts = [to_document(found[i]) for i in sorted(ids) if i in found and found[i].is_public]
    deletes = [i for i in sorted(ids) if i not in found or not found[i].is_public]
    return upserts, deletes


def rebuild_mark(session: Session) -> Applied:
    """The change-log position a full rebuild may claim, read before the advice themselves.

    Every change visible now is in the rebuilt index, so none needs applying again; a change
    that commits during the rebuild (or late, behind a gap) is above this position.
    """
    cutoff = utcnow() - GAP_GRACE
    base = session.exec(
        select(func.max(IndexChange.id)).where(IndexChange.created_at <= cutoff)
    ).one() or 0
    recent = session.exec(
        select(IndexChange).where(IndexChange.id > base).order_by(IndexChange.id)
    ).all()
    return advance(Applied(mark=base), recent)


@dataclass
class CheckReport:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check(session: Session, index: SearchIndex) -> CheckReport:
    """Compare the index with the published advice: missing, stale and extra documents."""
    expected = dict(session.exec(select(Advice.id, Advice.revision)
                                 .where(Advice.status == AdviceStatus.PUBLISHED)).all())
    present = index.stored_revisions()
    return CheckReport(
        missing=sorted(set(expected) - set(present)),
        stale=sorted(i for i in expected if i in present and present[i] != expected[i]),
        extra=sorted(set(present) - set(expected)),
    )


def fix(session: Session, index: SearchIndex, report: CheckReport,
        to_document: Callable) -> None:
    """Repair what :func:`check` found, without touching anything else."""
    ids = set(report.missing) | set(report.stale) | set(report.extra)
    upserts, deletes = _documents(session, ids, to_document)
    with index.write_lock(blocking=True):
        index.apply(upserts, deletes, index.applied())
