"""Writer groups: a name ("ExpEx Gelderland") that only its members may write under.

Before groups, a group's name was free text: anyone could take "ExpEx Landelijk" as a display
name and publish as if the group spoke. Now editors create a group and its members; a member
finds the group's name among the names they can publish under (:func:`group_names`), and no
account may take a group's name as a display name (:func:`claims_group_name`), whatever its
capitals or spaces.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from kb import audit
from kb.auth import has_role
from kb.models import GroupMember, Role, User, WriterGroup

MAX_GROUP_NAME = 80


class GroupError(ValueError):
    """A group step that cannot be taken; ``code``: ``missing``, ``long``, ``taken``,
    ``unknown_login``, ``member`` (already one) or ``not_member``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def find_by_name(session: Session, name: str) -> WriterGroup | None:
    """The group with this name, whatever its capitals or spaces."""
    key = _key(name)
    if not key:
        return None
    for group in session.exec(select(WriterGroup).where(
            func.lower(WriterGroup.name) == key.lower())).all():
        return group
    # A name with other white space than stored: compare the cleaned forms (few groups).
    return next((g for g in session.exec(select(WriterGroup)).all() if _key(g.name) == key),
                None)


def claims_group_name(session: Session, name: str) -> bool:
    """Whether a display name would pass for a group's name."""
    return find_by_name(session, name) is not None


def group_names(session: Session, user: User | None) -> list[str]:
    """The names of the groups this account is a member of, to publish under."""
    if user is None or user.id is None:
        return []
    return list(session.exec(
        select(WriterGroup.name).join(GroupMember, GroupMember.group_id == WriterGroup.id)
        .where(GroupMember.user_id == user.id).order_by(WriterGroup.name)).all())


def all_groups(session: Session) -> list[tuple[WriterGroup, list[User]]]:
    """Every group with its members, by name."""
    groups = session.exec(select(WriterGroup).order_by(WriterGroup.name)).all()
    rows = session.exec(select(GroupMember.group_id, User)
                        .join(User, User.id == GroupMember.user_id)
                        .order_by(User.login)).all()
    members: dict[int, list[User]] = {}
    for group_id, user in rows:
        members.setdefault(group_id, []).append(user)
    return [(group, members.get(group.id, [])) for group in groups]


def create_group(session: Session, actor: User, name: str) -> WriterGroup:
    """An editor makes a group; its name may not be a group's already."""
    _editor(actor)
    name = " ".join((name or "").split())
    if not name:
        raise GroupError("missing")
    if len(name) > MAX_GROUP_NAME:
        raise GroupError("long")
    if claims_group_name(session, name):
        raise GroupError("taken")
    group = WriterGroup(name=name, created_by_id=actor.id)
    session.add(group)
    session.flush()
    audit.record(session, actor, "group.create", group_id=group.id)
    return group


def add_member(session: Session, actor: User, group: WriterGroup, login: str) -> User:
    """An editor adds an account (by login name) to a group."""
    _editor(actor)
    user = session.exec(select(User).where(
        func.lower(User.login) == (login or "").strip().lower())).first()
    if user is None or not user.active:
        raise GroupError("unknown_login")
    if session.get(GroupMember, (group.id, user.id)) is not None:
        raise GroupError("member")
    session.add(GroupMember(group_id=group.id, user_id=user.id))
    audit.record(session, actor, "group.add_member", group_id=group.id, target_id=user.id)
    return user


def remove_member(session: Session, actor: User, group: WriterGroup, user_id: int) -> None:
    """An editor takes an account out of a group (its advice keep the name they have)."""
    _editor(actor)
    member = session.get(GroupMember, (group.id, user_id))
    if member is None:
        raise GroupError("not_member")
    session.delete(member)
    audit.record(session, actor, "group.remove_member", group_id=group.id, target_id=user_id)


def _editor(actor: User) -> None:
    if not has_role(actor, Role.EDITOR):
        raise PermissionError("groups are made by editors")
