"""Who writes an advice: its writers, their invitations, and the names the public sees.

An advice can have several writers (:class:`kb.models.AdviceWriter`). The first is the account
that started it (``Advice.owner_id``); others join when invited by a writer and only after they
said yes (:mod:`kb.cowriting`). Each writer chooses how they are shown (a display name, the
name of a group they are in, or "Anoniem") and may take their name off at any time.

``Advice.authors`` stays the one list every public surface reads (page, JSON, feed, citations,
structured data), so those cost no extra query; :func:`public_authors` makes it from the rows
on every change (:func:`kb.workflow._write`), so a name that was taken off can never come back
through an editor's edit or an old revision brought back. Advice without rows (imported ones)
keep the names they were given.
"""

from __future__ import annotations

from sqlalchemy.orm import object_session
from sqlmodel import Session, func, or_, select

from kb.forms import ANONYMOUS, ANONYMOUS_AUTHOR
from kb.models import Advice, AdviceWriter, User

INVITED, WRITER = "invited", "writer"


def rows(session: Session, advice_id: int | None) -> list[AdviceWriter]:
    """Every writer and invitation of this advice, in the order the names are listed."""
    if advice_id is None:
        return []
    return list(session.exec(select(AdviceWriter).where(AdviceWriter.advice_id == advice_id)
                             .order_by(AdviceWriter.position, AdviceWriter.invited_at)).all())


def row_of(session: Session, advice_id: int | None, user_id: int | None) -> AdviceWriter | None:
    if advice_id is None or user_id is None:
        return None
    return session.get(AdviceWriter, (advice_id, user_id))


def is_writer(advice: Advice, user_id: int | None) -> bool:
    """Whether this account writes this advice (started it, or accepted an invitation)."""
    if user_id is None:
        return False
    if advice.owner_id is not None and advice.owner_id == user_id:
        return True
    session = object_session(advice)
    row = row_of(session, advice.id, user_id) if session is not None else None
    return row is not None and row.status == WRITER


def writer_ids(session: Session, advice: Advice) -> list[int]:
    """The accounts that write this advice (the owner first): who hears what happens to it."""
    ids = [advice.owner_id] if advice.owner_id is not None else []
    for row in rows(session, advice.id):
        if row.status == WRITER and row.user_id not in ids:
            ids.append(row.user_id)
    return ids


def compose(writers: list[AdviceWriter], chosen: dict[int, list[str]] | None = None
            ) -> tuple[str, ...]:
    """The public names: those of writers who said yes and kept their name on, in order.

    "Anoniem" is a choice not to be named, not a name: it is listed only when nobody is named.
    Two writers who chose the same group's name make it appear once. ``chosen`` replaces the
    names of some writers (user id → names): what a preview would show.
    """
    names: list[str] = []
    for row in writers:
        if row.status != WRITER or row.name_off_at is not None:
            continue
        for name in (chosen or {}).get(row.user_id, row.names):
            if name.lower() != ANONYMOUS and name not in names:
                names.append(name)
    return tuple(names) or (ANONYMOUS_AUTHOR,)


def public_authors(session: Session, advice: Advice, fallback: tuple[str, ...]
                   ) -> tuple[str, ...]:
    """The names the advice is shown under now; ``fallback`` for advice without writers."""
    found = rows(session, advice.id)
    return compose(found) if found else fallback


def ensure_owner(session: Session, advice: Advice) -> AdviceWriter | None:
    """The row of the writer who started the advice, made from its current names if missing
    (advice made before co-writing, or by code that only sets ``owner_id``)."""
    if advice.owner_id is None:
        return None
    row = row_of(session, advice.id, advice.owner_id)
    if row is None:
        row = AdviceWriter(advice_id=advice.id, user_id=advice.owner_id, status=WRITER,
                           names=list(advice.authors), position=0, invited_at=advice.created_at,
                           accepted_at=advice.created_at)
        session.add(row)
        session.flush()
    return row


def choose_names(session: Session, advice: Advice, actor: User, names: tuple[str, ...]
                 ) -> None:
    """Record the name a person chose in the advice form (before the change is written).

    A writer sets their own. An editor sets the name only of an advice with one writer who
    has not taken their name off (as before co-writing: an editor may anonymise on request);
    on a co-written advice every writer's choice is their own, so an editor's is ignored.
    """
    own = _chooser(rows(session, advice.id), actor)
    if own is not None and list(own.names) != list(names):
        own.names = list(names)
        session.add(own)


def preview_authors(session: Session, advice: Advice, actor: User, names: tuple[str, ...]
                    ) -> tuple[str, ...]:
    """The public names if this person's form choice were saved (nothing is stored)."""
    found = rows(session, advice.id)
    if not found:
        return names
    own = _chooser(found, actor)
    return compose(found, {own.user_id: list(names)} if own is not None else None)


def _chooser(found: list[AdviceWriter], actor: User) -> AdviceWriter | None:
    """Whose name a form's choice sets: the actor's own row; for an editor, the one writer of
    an advice with one writer who kept their name on; else nobody's."""
    own = next((r for r in found if r.user_id == actor.id and r.status == WRITER), None)
    writers = [r for r in found if r.status == WRITER]
    if own is None and len(writers) == 1 and writers[0].name_off_at is None:
        own = writers[0]
    return own


def own_choice(row: AdviceWriter | None, fallback: tuple[str, ...]) -> str:
    """The advice form's "name" value for this writer's current choice."""
    names = tuple(row.names) if row is not None else tuple(fallback)
    if len(names) == 1 and names[0].lower() == ANONYMOUS:
        return ANONYMOUS
    return ", ".join(names)


def invitations(session: Session, user: User) -> list[tuple[AdviceWriter, Advice]]:
    """The invitations this person has not answered yet, newest first."""
    return list(session.exec(
        select(AdviceWriter, Advice).join(Advice, Advice.id == AdviceWriter.advice_id)
        .where(AdviceWriter.user_id == user.id, AdviceWriter.status == INVITED)
        .order_by(AdviceWriter.invited_at.desc())).all())


def advice_of(session: Session, user: User) -> list[Advice]:
    """Every advice this person writes (started, or joined), last changed first."""
    joined = select(AdviceWriter.advice_id).where(AdviceWriter.user_id == user.id,
                                                  AdviceWriter.status == WRITER)
    return list(session.exec(
        select(Advice).where(or_(Advice.owner_id == user.id, Advice.id.in_(joined)))
        .order_by(Advice.updated_at.desc(), Advice.id.desc())).all())


def next_position(session: Session, advice_id: int) -> int:
    top = session.exec(select(func.max(AdviceWriter.position))
                       .where(AdviceWriter.advice_id == advice_id)).one()
    return (top or 0) + 1


def forget(session: Session, user: User) -> list[int]:
    """A deleted account: its open invitations go, its writer rows say "Anoniem".

    Returns the ids of the advice it co-wrote without having started them (their names
    must be made again; the advice it started are handled by :mod:`kb.account_data`).
    """
    joined = []
    for row in session.exec(select(AdviceWriter).where(AdviceWriter.user_id == user.id)).all():
        if row.status == INVITED:
            session.delete(row)
            continue
        row.names = [ANONYMOUS_AUTHOR]
        session.add(row)
        advice = session.get(Advice, row.advice_id)
        if advice is not None and advice.owner_id != user.id:
            joined.append(advice.id)
    session.flush()
    return joined

