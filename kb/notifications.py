"""Telling people what happened to their work: "Meldingen" in the app and, for accounts with an
e-mail address, a mail.

Each workflow step calls :func:`after_step` once, in its own transaction, so a notice (and its
mail, through :mod:`kb.outbox`) exists exactly when the step does. Who hears what:

========================  ==========================================  =========================
kind                      when                                        who
========================  ==========================================  =========================
``submitted``             a writer sends an advice in                  editors and admins
``writer_withdrew``       a writer withdraws their own advice          editors and admins
``changes_requested``     an editor asks for changes (with the note)   the writer
``published``             an editor publishes (with the link)          the writer
``withdrawn``             an editor withdraws (with the reason)        the writer
``restored``              an editor puts it back online                the writer
``cowrite_invite``        a writer invites someone to co-write         the invited writer
``cowriter_withdrew``     a co-writer withdraws the advice             its other writers
========================  ==========================================  =========================

"The writer" is every writer of a co-written advice (:mod:`kb.advice_writers`).

Nobody is told about their own step. Every notice appears in the app, for every account; a mail
goes only to an active account with an e-mail address that has not switched that kind off
(:class:`kb.models.NotificationOptOut`; all kinds are on by default). Words live in the
templates (``templates/notifications``, ``templates/mail/notify_*.txt``); this module deals in
kinds.
"""

from __future__ import annotations

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from kb import advice_writers, outbox
from kb.models import (
    Advice,
    Notification,
    NotificationOptOut,
    Role,
    User,
    utcnow,
)

WRITER_KINDS = ("changes_requested", "published", "withdrawn", "restored", "cowrite_invite",
                "cowriter_withdrew")
EDITOR_KINDS = ("submitted", "writer_withdrew")
KINDS = WRITER_KINDS + EDITOR_KINDS

#: Which step tells whom what: ``(kind, "owner" | "editors")``.
STEP_NOTICES: dict[str, tuple[str, str]] = {
    "submit": ("submitted", "editors"),
    "request_withdrawal": ("writer_withdrew", "editors"),
    "request_changes": ("changes_requested", "owner"),
    "publish": ("published", "owner"),
    "withdraw": ("withdrawn", "owner"),
    "restore": ("restored", "owner"),
}
#: A second notice some steps cause: a withdrawal by one writer concerns the others too.
#: (Without the note: a writer's reason for withdrawing is written for the editors.)
ALSO_NOTICES: dict[str, tuple[str, str]] = {
    "request_withdrawal": ("cowriter_withdrew", "owner"),
}
PAGE_SIZE = 50


def after_step(session: Session, actor: User | None, advice: Advice, action: str,
               note: str = "") -> list[Notification]:
    """Record the notices (and queue the mails) that this workflow step causes, if any."""
    notices = []
    if action in STEP_NOTICES:
        notices += _notify(session, actor, advice, *STEP_NOTICES[action], note)
    if action in ALSO_NOTICES:
        notices += _notify(session, actor, advice, *ALSO_NOTICES[action], "")
    return notices


def _notify(session: Session, actor: User | None, advice: Advice, kind: str, audience: str,
            note: str) -> list[Notification]:
    if audience == "owner":
        recipients = [session.get(User, uid) for uid in advice_writers.writer_ids(session, advice)]
    else:
        recipients = list(session.exec(select(User).where(
            User.role.in_((Role.EDITOR, Role.ADMIN)), User.active)).all())
    return [tell(session, person, kind, advice, note) for person in recipients
            if actor is None or person.id != actor.id]


def tell(session: Session, person: User, kind: str, advice: Advice,
         note: str = "") -> Notification:
    """One notice to one person (and its mail, if they want that kind by mail)."""
    notice = Notification(user_id=person.id, kind=kind, advice_id=advice.id,
                          title=advice.title[:160], note=(note or "")[:500])
    session.add(notice)
    if person.active and person.email and wants_mail(session, person, kind):
        outbox.enqueue(session, f"notify_{kind}", person.email, {
            "title": advice.title, "note": note or "", "advice_id": advice.id,
            "slug": advice.slug})
    return notice


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds this person can receive, for the choices on their account page."""
    return KINDS if user.role in (Role.EDITOR, Role.ADMIN) else WRITER_KINDS


def wants_mail(session: Session, user: User, kind: str) -> bool:
    return session.get(NotificationOptOut, (user.id, kind)) is None


def mail_choices(session: Session, user: User) -> dict[str, bool]:
    """``{kind: on}`` for the kinds this person can receive."""
    off = set(session.exec(select(NotificationOptOut.kind)
                           .where(NotificationOptOut.user_id == user.id)).all())
    return {kind: kind not in off for kind in kinds_for(user)}


def set_mail_choices(session: Session, user: User, on: set[str]) -> None:
    """Switch mail on for the kinds in ``on`` and off for the others; the caller commits."""
    session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
    for kind in kinds_for(user):
        if kind not in on:
            session.add(NotificationOptOut(user_id=user.id, kind=kind))


def unread_count(session: Session, user: User) -> int:
    """One aggregate query, for the navigation of every page the person sees."""
    return session.exec(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).one()


def page_of(session: Session, user: User, page: int = 1,
            size: int = PAGE_SIZE) -> list[Notification]:
    """One page of the person's notices, newest first (one more than ``size``: is there more)."""
    return list(session.exec(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * size).limit(size + 1)).all())


def mark_read(session: Session, user: User, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of this person as read; the caller commits."""
    statement = update(Notification).where(Notification.user_id == user.id,
                                           Notification.read_at.is_(None))
    if notice_id is not None:
        statement = statement.where(Notification.id == notice_id)
    return session.execute(statement.values(read_at=utcnow())
                           .execution_options(synchronize_session=False)).rowcount


def export(session: Session, user: User) -> dict:
    """The person's notices and mail choices, for their own data download."""
    rows = session.exec(select(Notification).where(Notification.user_id == user.id)
                        .order_by(Notification.id)).all()
    return {"mail_off": sorted(k for k, on in mail_choices(session, user).items() if not on),
            "notices": [{"created_at": n.created_at.isoformat(), "kind": n.kind,
                         "advice_id": n.advice_id, "title": n.title, "note": n.note,
                         "read_at": n.read_at.isoformat() if n.read_at else None}
                        for n in rows]}


def erase_all(session: Session, user: User) -> None:
    """A deleted account keeps no notices and no choices."""
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
