"""Writing an advice together: invite, say yes or no, take your own name off and put it back.

Consent first. A writer of an advice invites a member of one of their groups (or of the group
the advice is written under); the invited writer is told (a notice in "Meldingen", a mail if
they want it) and is named nowhere and cannot edit until they say yes, choosing how they are
shown (a display name, a group's name, or "Anoniem"). Saying no leaves no trace on the advice.

Each writer may take their own name off at any time, in any status: a new revision whose
names no longer hold theirs, so the public page, feeds and citations follow. Only that writer
can put it back: not the other writers, not the editors (:class:`kb.workflow.NotAllowed` with
``reason="name_withdrawn"``). Why only group members: writers find each other through a group
editors made, so an invitation never goes to a stranger, and no one can probe login names.
"""

from __future__ import annotations

from sqlmodel import Session, select

from kb import advice_writers, audit, notifications, workflow
from kb.advice_writers import INVITED, WRITER
from kb.consent import needs_consent
from kb.forms import name_choices
from kb.groups import group_names
from kb.models import (
    Advice,
    AdviceStatus,
    AdviceWriter,
    GroupMember,
    User,
    WriterGroup,
    utcnow,
)
from kb.workflow import InvalidInput, NotAllowed, StateError

S = AdviceStatus
#: Statuses in which an invited writer under 16 without a guardian's consent may join: only
#: drafts, as for their own advice (kb.consent).
DRAFT_STATUSES = (S.DRAFT, S.CHANGES_REQUESTED)


def candidates(session: Session, actor: User, advice: Advice) -> list[tuple[User, str]]:
    """Who this writer may invite, with the group they share: the members of the writer's
    groups and of the groups whose name the advice carries, not yet writing or invited."""
    mine = select(GroupMember.group_id).where(GroupMember.user_id == actor.id)
    named = select(WriterGroup.id).where(WriterGroup.name.in_(list(advice.authors) or [""]))
    taken = {row.user_id for row in advice_writers.rows(session, advice.id)}
    taken |= {actor.id, advice.owner_id}
    found: dict[int, tuple[User, str]] = {}
    for user, group in session.exec(
            select(User, WriterGroup.name).join(GroupMember, GroupMember.user_id == User.id)
            .join(WriterGroup, WriterGroup.id == GroupMember.group_id)
            .where(GroupMember.group_id.in_(mine) | GroupMember.group_id.in_(named),
                   User.active)
            .order_by(WriterGroup.name, User.id)).all():
        if user.id not in taken and user.id not in found:
            found[user.id] = (user, group)
    return list(found.values())


def invite(session: Session, actor: User, advice: Advice, user_id: int | None) -> AdviceWriter:
    """A writer of the advice invites a member of their group to write it with them."""
    if not advice_writers.is_writer(advice, actor.id):
        raise NotAllowed("invite")
    if advice.status == S.WITHDRAWN:
        raise StateError(advice, "status")
    if user_id is None:
        raise InvalidInput({"writer": "required"})
    chosen = next((user for user, _ in candidates(session, actor, advice)
                   if user.id == user_id), None)
    if chosen is None:
        already = advice_writers.row_of(session, advice.id, user_id)
        raise InvalidInput({"writer": "already" if already is not None else "unknown"})
    advice_writers.ensure_owner(session, advice)
    row = AdviceWriter(advice_id=advice.id, user_id=chosen.id, status=INVITED, names=[],
                       position=advice_writers.next_position(session, advice.id),
                       invited_by_id=actor.id, invited_at=utcnow())
    session.add(row)
    audit.record(session, actor, "cowriter.invite", advice.id, target_id=chosen.id)
    notifications.tell(session, chosen, "cowrite_invite", advice)
    session.flush()
    return row


def invitation(session: Session, user: User, advice: Advice) -> AdviceWriter | None:
    """This person's open invitation for this advice, if any."""
    row = advice_writers.row_of(session, advice.id, user.id)
    return row if row is not None and row.status == INVITED else None


def names_to_choose(session: Session, user: User) -> dict[str, tuple[str, ...]]:
    """How an invited writer may be shown: their display names, their groups, or anonymous."""
    return name_choices(user.display_names, groups=group_names(session, user))


def accept(session: Session, user: User, advice: Advice, choice: str) -> Advice:
    """Yes: from now on this person writes the advice, shown as they chose."""
    row = invitation(session, user, advice)
    if row is None:
        raise StateError(advice, "done")
    if needs_consent(session, user) and advice.status not in DRAFT_STATUSES:
        raise NotAllowed("accept", "guardian_consent_join")
    names = names_to_choose(session, user)
    if not choice:
        raise InvalidInput({"display_name": "required"})
    if choice not in names:
        raise InvalidInput({"display_name": "unknown"})
    row.status, row.names, row.accepted_at = WRITER, list(names[choice]), utcnow()
    row.position = advice_writers.next_position(session, advice.id)
    session.add(row)
    session.flush()
    return _names_changed(session, user, advice, "cowriter.accept")


def decline(session: Session, user: User, advice: Advice) -> None:
    """No: the invitation goes, and the advice stays as it was."""
    row = invitation(session, user, advice)
    if row is None:
        raise StateError(advice, "done")
    session.delete(row)
    audit.record(session, user, "cowriter.decline", advice.id)
    session.flush()


def cancel(session: Session, actor: User, advice: Advice, user_id: int | None) -> None:
    """A writer takes back an invitation that has no answer yet (a wrong person, a change of
    plan); the invited writer's notice stays, the invitation is gone."""
    if not advice_writers.is_writer(advice, actor.id):
        raise NotAllowed("cancel")
    row = advice_writers.row_of(session, advice.id, user_id)
    if row is None or row.status != INVITED:
        raise StateError(advice, "done")
    session.delete(row)
    audit.record(session, actor, "cowriter.cancel", advice.id, target_id=user_id)
    session.flush()


def take_name_off(session: Session, actor: User, advice: Advice, writer_id: int) -> Advice:
    """A writer takes their own name off the advice (in any status); nobody else can."""
    if actor.id != writer_id or not advice_writers.is_writer(advice, actor.id):
        raise NotAllowed("name_off", "not_your_name")
    row = advice_writers.ensure_owner(session, advice) if advice.owner_id == actor.id else None
    row = row or advice_writers.row_of(session, advice.id, actor.id)
    if row.name_off_at is not None:
        raise StateError(advice, "done")
    row.name_off_at = utcnow()
    session.add(row)
    session.flush()
    return _names_changed(session, actor, advice, "name_off")


def put_name_back(session: Session, actor: User, advice: Advice, writer_id: int) -> Advice:
    """Only the writer who took their name off can put it back (their consent, their call)."""
    row = advice_writers.row_of(session, advice.id, writer_id)
    if row is None or row.status != WRITER:
        raise NotAllowed("name_on")
    if actor.id != writer_id:
        raise NotAllowed("name_on", "name_withdrawn")
    if row.name_off_at is None:
        raise StateError(advice, "done")
    row.name_off_at = None
    session.add(row)
    session.flush()
    return _names_changed(session, actor, advice, "name_on")


def _names_changed(session: Session, actor: User, advice: Advice, action: str) -> Advice:
    """A new revision with the names made again; an audit row also when the public names
    stay the same (an anonymous writer joined or took their name off)."""
    before = advice.revision
    advice = workflow.write_names(session, actor, advice, action)
    if advice.revision == before:
        audit.record(session, actor, action, advice.id)
    return advice


def writers_view(session: Session, advice: Advice) -> list[dict]:
    """The writers and open invitations of an advice, for its writers' page."""
    found = advice_writers.rows(session, advice.id)
    people = {u.id: u for u in session.exec(select(User).where(
        User.id.in_([r.user_id for r in found] or [0]))).all()}
    return [{"row": row, "user": people.get(row.user_id)} for row in found]
