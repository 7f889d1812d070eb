"""Public versions of an advice: what a reader can cite, each at its own stable URL.

A revision is written for every change (a draft saved, a slug renamed, a withdrawal), but a
reader only cares when the *text* they read changed. So a published revision whose title,
summary or body differs from the last version's makes the next version (1, 2, …), stored on
the revision (``Revision.version``) when it is written: the numbers never move, whatever
happens later. A slug-only rename, a withdrawal and a put-back are no new version; neither is a
change of names or themes (an account deletion that makes its names "Anoniem" must not read
as an update of the advice).

A version shows its own title, summary and text, with the advice's *current* names: names
that were removed (a deleted account) stay removed on every older version too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, select

from kb.localtime import local_date
from kb.models import Advice, Revision

#: The fields whose change makes a new version (see the module docstring).
TEXT_FIELDS = ("title", "summary", "body")
#: The longest public change note: one line.
MAX_CHANGE_NOTE = 200


@dataclass(frozen=True)
class Version:
    """One public version, without its text (lists of versions need no bodies)."""

    number: int
    revision: int
    date: date
    created_at: datetime
    change_note: str


def text_of(content: Mapping) -> tuple[str, ...]:
    """The part of a revision's content whose change makes a new version."""
    return tuple(content.get(name) or "" for name in TEXT_FIELDS)


def next_version(session: Session, advice_id: int, content: Mapping,
                 is_new: bool = False) -> int | None:
    """The version number a published revision with this content makes, or None if the text
    is that of the last version. ``is_new`` (an advice just created) spares the query."""
    if is_new:
        return 1
    last = session.exec(
        select(Revision.version, Revision.content)
        .where(Revision.advice_id == advice_id, Revision.version.is_not(None))
        .order_by(Revision.version.desc()).limit(1)
    ).first()
    if last is None:
        return 1
    return None if text_of(last[1]) == text_of(content) else last[0] + 1


def versions(session: Session, advice: Advice) -> list[Version]:
    """Every public version of an advice, oldest first."""
    rows = session.exec(
        select(Revision.version, Revision.number, Revision.created_at, Revision.change_note)
        .where(Revision.advice_id == advice.id, Revision.version.is_not(None))
        .order_by(Revision.version)
    ).all()
    return [Version(number=v, revision=n, date=version_date(advice, v, created),
                    created_at=created, change_note=note or "")
            for v, n, created, note in rows]


def version_date(advice: Advice, number: int, created_at: datetime) -> date:
    """The date a version appeared (see :func:`version_time`), as an Amsterdam calendar day like
    every date the site shows."""
    return local_date(version_time(advice.published, number, created_at))


def version_time(published: date | None, number: int, created_at: datetime) -> datetime:
    """When a version appeared: version 1 at the advice's publication date (an imported advice
    was published before it was imported: its import time is not when the text was written),
    every later one when it was written."""
    if number == 1 and published is not None and published < created_at.date():
        return datetime.combine(published, time())
    return created_at


def find_version(session: Session, advice_id: int, number: int) -> Revision | None:
    """The revision that made version ``number`` of this advice."""
    return session.exec(
        select(Revision).where(Revision.advice_id == advice_id, Revision.version == number)
    ).first()


def latest_changes(session: Session, advice_ids: list[int]) -> dict[int, datetime]:
    """When the text of each of these advice last changed (its newest version), in one query."""
    if not advice_ids:
        return {}
    rows = session.exec(
        select(Revision.advice_id, func.max(Revision.created_at))
        .where(Revision.advice_id.in_(advice_ids), Revision.version.is_not(None))
        .group_by(Revision.advice_id)
    ).all()
    return dict(rows)
