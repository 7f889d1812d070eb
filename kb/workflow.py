"""The editorial workflow: every step a writer or an editor takes, as one guarded function.

A step checks the actor (the writer who owns the advice, or an editor) and the advice's status
against :data:`STEPS`, the one table of allowed transitions; writes the change through
:func:`kb.advice.save_advice`, so it becomes a revision (and, when public, an index change); and
adds an audit row. All of it happens in the caller's transaction: the view commits and then calls
``search.catch_up`` so a publish is searchable at once. Nothing here commits.

The errors a step can raise, and the status a view answers with::

    WorkflowError                any refused step
    ├── NotAllowed        403    not your advice, or not your role
    ├── StateError        409    the advice is no longer where this step starts (a double
    │   │                        click, or someone else acted first)
    │   └── Conflict      409    the text changed since the form was loaded; carries both
    │                            versions so that nothing is lost
    └── InvalidInput      400    carries an error code per field
        └── TooLarge      413    the body is over 100 KB

A writer who asks to withdraw their own published advice withdraws it at once (one click, a
reason optional): it is their story, and waiting for an editor would keep it public against
their wish. The audit log and the editors' list of withdrawn advice show that the writer did it.

That withdrawal is consent taken back, so it holds: only the writer can undo it
(``restore_own``, from "Mijn adviezen"); editors are refused (:func:`consent_blocks`). An
editor's own withdrawal is an editorial decision: editors undo it, the writer cannot.

A co-written advice (:mod:`kb.advice_writers`) has several writers; each may take the writers'
steps (save, send, withdraw). A withdrawal by one of them is that writer's alone to undo: not
the editors', and not the other writers' either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import count

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from kb import advice_writers, audit, localtime, notifications, versions, vocabulary
from kb.advice import AdviceContent, content_of, save_advice
from kb.auth import has_role
from kb.consent import needs_consent
from kb.forms import AdviceForm, clean_note, name_choices
from kb.groups import group_names
from kb.models import (
    Advice,
    AdviceStatus,
    AuditEntry,
    OldSlug,
    Revision,
    Role,
    Theme,
    User,
    utcnow,
)
from kb.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify

S = AdviceStatus
OWNER, EDITOR = "owner", "editor"
#: How long a "create" form's one-time id is remembered against a second submit.
FORM_ID_MEMORY = timedelta(days=1)


@dataclass(frozen=True)
class Step:
    """Where a step may start, where it leaves the advice (None: as it was), and who may take it."""

    sources: frozenset[str]
    target: str | None
    by: str


def _step(sources: set[str], target: str | None, by: str) -> Step:
    return Step(frozenset(sources), target, by)


#: Every status transition of the knowledge base, in one place. Drafts are the writer's own:
#: editors first see an advice when it is submitted. While changes are requested the writer
#: holds the pen, so editors wait; published advice is changed by editors only.
STEPS: dict[str, Step] = {
    "save": _step({S.DRAFT, S.CHANGES_REQUESTED}, None, OWNER),
    "submit": _step({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED, OWNER),
    "request_withdrawal": _step({S.PUBLISHED}, S.WITHDRAWN, OWNER),
    "request_changes": _step({S.SUBMITTED}, S.CHANGES_REQUESTED, EDITOR),
    "publish": _step({S.SUBMITTED}, S.PUBLISHED, EDITOR),
    "edit": _step({S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN}, None, EDITOR),
    "withdraw": _step({S.PUBLISHED}, S.WITHDRAWN, EDITOR),
    "restore": _step({S.WITHDRAWN}, S.PUBLISHED, EDITOR),
    "restore_own": _step({S.WITHDRAWN}, S.PUBLISHED, OWNER),
    "rename_slug": _step({S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.WITHDRAWN}, None,
                         EDITOR),
    "restore_revision": _step({S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN}, None, EDITOR),
    # Not a change of the advice itself, so no revision: only what its 410 page points to.
    "set_replacement": _step({S.WITHDRAWN}, None, EDITOR),
}

#: The statuses an editor can see; drafts stay private to their writer.
EDITOR_VISIBLE = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.WITHDRAWN})


# --------------------------------------------------------------------------- errors


class WorkflowError(Exception):
    """A step that was refused; ``status_code`` is what the view answers."""

    status_code = 400


class NotAllowed(WorkflowError):
    """403. ``reason`` names why, when a page should explain more than "no access":
    ``"writer_withdrew"`` (only the writer may undo their withdrawal) or ``"editor_withdrew"``
    (the editors withdrew it, so only they may put it back)."""

    status_code = 403

    def __init__(self, action: str = "", reason: str = "") -> None:
        super().__init__(action)
        self.action = action
        self.reason = reason


class StateError(WorkflowError):
    """The advice is not (or no longer) in a state where this step can be taken.

    ``reason`` is ``"status"`` (the step was already done, or another one came first),
    ``"changed"`` (the advice changed since the page was loaded) or ``"done"`` (this very form
    was already sent).
    """

    status_code = 409

    def __init__(self, advice: Advice, reason: str = "status") -> None:
        super().__init__(f"advice {advice.id} is {advice.status}: {reason}")
        self.advice_id = advice.id
        self.status = advice.status
        self.reason = reason


class Conflict(StateError):
    """Someone saved the advice after this form was loaded: both versions, so none is lost."""

    def __init__(self, advice: Advice, mine: AdviceContent, theirs: AdviceContent,
                 theirs_by: int | None) -> None:
        super().__init__(advice, "changed")
        self.revision = advice.revision
        self.mine = mine
        self.theirs = theirs
        self.theirs_by = theirs_by


class InvalidInput(WorkflowError):
    """The form has errors: ``errors`` maps each field to an error code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class TooLarge(InvalidInput):
    status_code = 413


# --------------------------------------------------------------------------- guards


def may(actor: User | None, action: str, advice: Advice, check_status: bool = True) -> bool:
    """Whether this account may take this step on this advice (now, with ``check_status``)."""
    step = STEPS[action]
    if actor is None:
        return False
    if step.by == OWNER:
        allowed = (advice_writers.is_writer(advice, actor.id)
                   and has_role(actor, Role.CONTRIBUTOR))
    else:
        allowed = has_role(actor, Role.EDITOR)
    if allowed and consent_blocks(actor, action, advice):
        allowed = False
    if allowed and action == "submit" and waits_for_guardian(actor, advice):
        allowed = False
    return allowed and (not check_status or advice.status in step.sources)


def withdrawal(advice: Advice) -> Revision | None:
    """The revision that took the advice offline, while it is withdrawn (else None).

    Later revisions of a withdrawn advice (an editor's edit, a rename) keep the status, so this
    is the first revision of the last unbroken run of withdrawn ones, not simply the last one.
    """
    if advice.status != S.WITHDRAWN:
        return None
    found = None
    for revision in reversed(advice.revisions):
        if revision.status != S.WITHDRAWN:
            break
        found = revision
    return found


def withdrawer(advice: Advice) -> int | None:
    """The writer who took the advice offline (their consent withdrawn), else None: it is
    online, or the editors withdrew it. With co-writers, it is the one who pressed it."""
    taken = withdrawal(advice)
    if taken is None or not advice_writers.is_writer(advice, taken.author_id):
        return None
    return taken.author_id


def withdrawn_by_writer(advice: Advice) -> bool:
    """Whether the advice is offline because a writer of it took it off."""
    return withdrawer(advice) is not None


def consent_blocks(actor: User, action: str, advice: Advice) -> str:
    """Why this restore is not this person's to do ("" when it is; see the module docstring).

    A writer's withdrawal can be undone by that writer only, also when they are an editor, and
    not by a co-writer (``"cowriter_withdrew"``); an editor's withdrawal by editors only.
    """
    if advice.status != S.WITHDRAWN or action not in ("restore", "restore_own"):
        return ""
    by = withdrawer(advice)
    if action == "restore" and by is not None and actor.id != by:
        return "writer_withdrew"
    if action == "restore_own" and advice_writers.is_writer(advice, actor.id):
        if by is None:
            return "editor_withdrew"
        if by != actor.id:
            return "cowriter_withdrew"
    return ""


def waits_for_guardian(actor: User, advice: Advice) -> bool:
    """A writer under 16 without a recorded guardian's consent (kb.consent): drafts only.
    With co-writers, sending waits while any of them needs that consent."""
    session = object_session(advice) or object_session(actor)
    if session is None:
        return False
    if needs_consent(session, actor):
        return True
    return any(needs_consent(session, session.get(User, uid))
               for uid in advice_writers.writer_ids(session, advice) if uid != actor.id)


def _guard(action: str, actor: User, advice: Advice, expected_revision: int | None = None) -> None:
    if not may(actor, action, advice, check_status=False):
        reason = consent_blocks(actor, action, advice) or (
            ("guardian_consent" if needs_consent(object_session(advice), actor)
             else "cowriter_guardian_consent")
            if action == "submit" and waits_for_guardian(actor, advice) else "")
        raise NotAllowed(action, reason)
    if advice.status not in STEPS[action].sources:
        raise StateError(advice, "status")
    if expected_revision is not None and expected_revision != advice.revision:
        raise StateError(advice, "changed")


def _check_fresh(advice: Advice, content: AdviceContent, expected_revision: int | None) -> None:
    """Optimistic locking: refuse to overwrite a version the person has not seen."""
    if expected_revision is None or expected_revision == advice.revision:
        return
    current = content_of(advice)
    if content == current:
        return  # the same text sent twice (a double click): nothing can be lost
    raise Conflict(advice, mine=content, theirs=current, theirs_by=_last_author(advice))


# --------------------------------------------------------------------------- steps


def create_draft(session: Session, actor: User, form: AdviceForm, *, form_id: str = "",
                 submit: bool = False) -> Advice:
    """Start a new advice owned by ``actor``: a draft, or at once submitted with ``submit``.

    ``form_id`` is the one-time id of the "write" form: the same form sent twice (a double
    click, or the back button) creates nothing new but raises ``StateError(reason="done")``.
    """
    if not has_role(actor, Role.CONTRIBUTOR):
        raise NotAllowed("create")
    if submit and needs_consent(session, actor):
        raise NotAllowed("submit", "guardian_consent")
    if form_id:
        earlier = created_with(session, actor, form_id)
        if earlier is not None:
            raise StateError(earlier, "done")
    names = name_choices(actor.display_names, groups=group_names(session, actor))
    _validate(session, form, names, complete=submit)
    content = form.content(names, slug=free_slug(session, form.title))
    status = S.SUBMITTED if submit else S.DRAFT
    advice, revision = save_advice(session, None, content, status=status, author_id=actor.id,
                                   owner_id=actor.id)
    advice_writers.ensure_owner(session, advice)
    audit.record(session, actor, "create", advice.id, form=form_id, to_status=status,
                 revision=revision.number)
    if submit:
        audit.record(session, actor, "submit", advice.id, from_status=S.DRAFT,
                     to_status=S.SUBMITTED, revision=revision.number)
        notifications.after_step(session, actor, advice, "submit")
    return advice


def save_draft(session: Session, actor: User, advice: Advice, form: AdviceForm,
               expected_revision: int | None) -> Advice:
    """The writer saves their own draft (or the version they are revising)."""
    _guard("save", actor, advice)
    return _save_form(session, actor, advice, "save", form, expected_revision, complete=False)


def submit(session: Session, actor: User, advice: Advice, expected_revision: int | None,
           form: AdviceForm | None = None) -> Advice:
    """The writer sends their advice to the editors, with the form's changes if given."""
    _guard("submit", actor, advice)
    if form is None:  # the stored text, with this writer's own choice of name
        form = AdviceForm.from_content(content_of(advice))
        row = advice_writers.row_of(session, advice.id, actor.id)
        if row is not None:
            form.display_name = advice_writers.own_choice(row, tuple(advice.authors))
    return _save_form(session, actor, advice, "submit", form, expected_revision, complete=True)


def edit(session: Session, editor: User, advice: Advice, form: AdviceForm,
         expected_revision: int | None, note: str = "", change_note: str = "") -> Advice:
    """An editor changes the text of a submitted, published or withdrawn advice.

    ``change_note`` is the public line for readers ("Cijfers over wachttijden bijgewerkt"),
    shown under "Wijzigingen" when the change makes a new version.
    """
    _guard("edit", editor, advice)
    note, problem = clean_note(note)
    if problem:
        raise InvalidInput({"note": problem})
    change_note, problem = clean_change_note(change_note)
    if problem:
        raise InvalidInput({"change_note": problem})
    return _save_form(session, editor, advice, "edit", form, expected_revision, complete=True,
                      note=note, change_note=change_note)


def request_changes(session: Session, editor: User, advice: Advice, note: str,
                    expected_revision: int | None = None) -> Advice:
    """Send a submitted advice back to its writer with a note of what to change."""
    _guard("request_changes", editor, advice, expected_revision)
    note, problem = clean_note(note)
    if problem or not note:
        raise InvalidInput({"note": problem or "required"})
    return _write(session, editor, advice, "request_changes", content_of(advice), note=note)


def publish(session: Session, editor: User, advice: Advice,
            expected_revision: int | None = None) -> Advice:
    """Make a submitted advice public; the first time it gets today's date and a fitting slug."""
    _guard("publish", editor, advice, expected_revision)
    content = content_of(advice)
    if advice.published is None:
        content = replace(content, published=localtime.today(),
                          slug=_publication_slug(session, advice))
    return _write(session, editor, advice, "publish", content)


def withdraw(session: Session, editor: User, advice: Advice, reason: str = "",
             expected_revision: int | None = None) -> Advice:
    """Take a published advice offline: its URL answers 410, it leaves search and the feed."""
    _guard("withdraw", editor, advice, expected_revision)
    return _withdraw(session, editor, advice, "withdraw", reason)


def request_withdrawal(session: Session, writer: User, advice: Advice, reason: str = "",
                       expected_revision: int | None = None, public_reason: str = "") -> Advice:
    """The writer withdraws their own published advice, at once (see the module docstring).

    ``reason`` is for the editors; ``public_reason`` the writer's own words on the page that
    remains at the advice's URL. Only the writer gives one: it is their story to explain.
    """
    _guard("request_withdrawal", writer, advice, expected_revision)
    public_reason, problem = clean_note(public_reason)
    if problem:
        raise InvalidInput({"public_reason": problem})
    _withdraw(session, writer, advice, "request_withdrawal", reason)
    advice.withdrawal_reason = public_reason
    return advice


def restore(session: Session, editor: User, advice: Advice,
            expected_revision: int | None = None) -> Advice:
    """Put a withdrawn advice back online, under the same URL."""
    _guard("restore", editor, advice, expected_revision)
    advice = _write(session, editor, advice, "restore", content_of(advice))
    _clear_tombstone(advice)
    return advice


def set_replacement(session: Session, editor: User, advice: Advice,
                    replacement_id: int | None) -> Advice:
    """Point a withdrawn advice's 410 page to another, published advice to read instead (or,
    with None, to none). An advice cannot point to itself."""
    _guard("set_replacement", editor, advice)
    if replacement_id is not None:
        target = session.get(Advice, replacement_id)
        if target is None or target.id == advice.id or target.status != S.PUBLISHED:
            raise InvalidInput({"replaced_by": "unknown"})
    if advice.replaced_by_id == replacement_id:
        return advice
    advice.replaced_by_id = replacement_id
    audit.record(session, editor, "set_replacement", advice.id, replaced_by=replacement_id)
    session.flush()
    return advice


def _clear_tombstone(advice: Advice) -> None:
    """Back online: what the 410 page said of the withdrawal no longer applies."""
    advice.withdrawn_at, advice.withdrawal_reason, advice.replaced_by_id = None, "", None


def restore_own(session: Session, writer: User, advice: Advice,
                expected_revision: int | None = None) -> Advice:
    """The writer puts the advice they withdrew themselves back online, under the same URL."""
    _guard("restore_own", writer, advice, expected_revision)
    advice = _write(session, writer, advice, "restore_own", content_of(advice))
    _clear_tombstone(advice)
    return advice


def rename_slug(session: Session, editor: User, advice: Advice, new_slug: str,
                expected_revision: int | None = None) -> Advice:
    """Give the advice a new URL slug; the old one keeps redirecting (301)."""
    _guard("rename_slug", editor, advice, expected_revision)
    new_slug = (new_slug or "").strip().lower()
    if not is_valid_slug(new_slug):
        raise InvalidInput({"slug": "invalid"})
    if new_slug == advice.slug:
        return advice
    if slug_taken(session, new_slug, advice.id):
        raise InvalidInput({"slug": "taken"})
    old = advice.slug
    return _write(session, editor, advice, "rename_slug",
                  replace(content_of(advice), slug=new_slug),
                  note=f"Webadres gewijzigd: {old} → {new_slug}", old_slug=old,
                  new_slug=new_slug)


def restore_revision(session: Session, editor: User, advice: Advice, number: int,
                     expected_revision: int | None = None) -> Advice:
    """Bring back the text of an earlier revision, as a new revision (history stays intact).

    The URL, the publication date and the status stay as they are now.
    """
    _guard("restore_revision", editor, advice, expected_revision)
    revision = session.exec(
        select(Revision).where(Revision.advice_id == advice.id, Revision.number == number)
    ).first()
    if revision is None:
        raise InvalidInput({"revision": "unknown"})
    data = revision.content
    content = AdviceContent(
        title=data.get("title", ""),
        summary=data.get("summary", ""),
        body=data.get("body", ""),
        themes=tuple(data.get("themes") or ()),
        slug=advice.slug,
        authors=tuple(data.get("authors") or ()),
        # An old revision may hold free text from before the controlled lists.
        region=vocabulary.match_region(data.get("region"),
                                       vocabulary.region_lookup(vocabulary.region_map(session)
                                                                .values())),
        audience=tuple(a for a in data.get("audience") or () if a in known_audiences(session)),
        published=advice.published,
        language=data.get("language") or advice.language,
    )
    if set(content.themes) - known_themes(session):
        raise InvalidInput({"themes": "unknown"})
    return _write(session, editor, advice, "restore_revision", content,
                  note=f"Versie {number} teruggezet", restored=number)


# --------------------------------------------------------------------------- helpers


def check_form(session: Session, form: AdviceForm, names: dict, complete: bool
               ) -> dict[str, str]:
    """The form's errors against the known themes, audiences and regions.

    A region may be sent by slug (the form's list) or by any spelling of the list (a name, an
    alias): it is kept as the slug, so that one region never becomes two facet values.
    """
    regions = vocabulary.region_map(session)
    if form.region and form.region not in regions:
        lookup = vocabulary.region_lookup(regions.values())
        form.region = vocabulary.match_region(form.region, lookup) or form.region
    return form.validate(known_themes(session), names, complete,
                         audiences=known_audiences(session), regions=regions)


def _validate(session: Session, form: AdviceForm, names: dict, complete: bool) -> None:
    errors = check_form(session, form, names, complete)
    if errors:
        raise (TooLarge if errors.get("body") == "too_large" else InvalidInput)(errors)


def _save_form(session: Session, actor: User, advice: Advice, action: str, form: AdviceForm,
               expected_revision: int | None, complete: bool, note: str = "",
               change_note: str = "") -> Advice:
    names = names_for(session, advice, actor)
    _validate(session, form, names, complete)
    content = form.content(names, slug=advice.slug, published=advice.published,
                           language=advice.language)
    advice_writers.choose_names(session, advice, actor, content.authors)
    content = replace(content, authors=advice_writers.public_authors(session, advice,
                                                                     content.authors))
    _check_fresh(advice, content, expected_revision)
    saved = _write(session, actor, advice, action, content, note=note, change_note=change_note)
    if form.region or form.audience:
        # Someone chose from the lists: old values that fitted none of them are settled.
        vocabulary.resolve_unmapped(session, saved, region=bool(form.region),
                                    audience=bool(form.audience))
    return saved


def _withdraw(session: Session, actor: User, advice: Advice, action: str, reason: str) -> Advice:
    reason, problem = clean_note(reason)
    if problem:
        raise InvalidInput({"reason": problem})
    advice = _write(session, actor, advice, action, content_of(advice), note=reason)
    advice.withdrawn_at = utcnow()
    return advice


def clean_change_note(value: object) -> tuple[str, str | None]:
    """A public change note: one line (line breaks become spaces) and its error code if any."""
    note = " ".join(clean_note(value)[0].split())
    return note, ("too_long" if len(note) > versions.MAX_CHANGE_NOTE else None)


def _write(session: Session, actor: User, advice: Advice, action: str, content: AdviceContent,
           note: str = "", change_note: str = "", **detail) -> Advice:
    """Save through a revision and audit it; a step that changes nothing writes nothing."""
    before = advice.status
    target = (STEPS[action].target if action in STEPS else None) or before
    # The names come from the writers' own choices (kb.advice_writers), whatever the step.
    content = replace(content, authors=advice_writers.public_authors(session, advice,
                                                                     content.authors))
    advice, revision = save_advice(session, advice, content, status=target, note=note,
                                   author_id=actor.id, change_note=change_note)
    if revision is not None:
        session.expire(advice, ["revisions"])  # save_advice adds the row, not to this list
        if note:
            detail.setdefault("note", note)
        audit.record(session, actor, action, advice.id, from_status=before, to_status=target,
                     revision=revision.number, **detail)
        notifications.after_step(session, actor, advice, action, note)
    return advice


def _last_author(advice: Advice) -> int | None:
    return advice.revisions[-1].author_id if advice.revisions else None


def _publication_slug(session: Session, advice: Advice) -> str:
    """At first publication the URL follows the final title (drafts often change title)."""
    base = slugify(advice.title)
    if not base or advice.slug == base or advice.slug.startswith(base + "-"):
        return advice.slug
    return free_slug(session, advice.title, advice.id)


def known_themes(session: Session) -> set[str]:
    return set(session.exec(select(Theme.slug)).all())


def known_audiences(session: Session) -> set[str]:
    return set(vocabulary.audience_map(session))


def names_for(session: Session, advice: Advice, actor: User | None = None
              ) -> dict[str, tuple[str, ...]]:
    """The names this advice may appear under: its writer's, its current ones, or anonymous.

    A co-writer chooses among their own names (and their current choice); anyone else sees
    the choices of the writer who started it.
    """
    row = advice_writers.row_of(session, advice.id, actor.id if actor else None)
    if row is not None and row.status == advice_writers.WRITER:
        return name_choices(actor.display_names, row.names, group_names(session, actor))
    owner = session.get(User, advice.owner_id) if advice.owner_id else None
    return name_choices(owner.display_names if owner else (), advice.authors,
                        group_names(session, owner))


def write_names(session: Session, actor: User, advice: Advice, action: str,
                **detail) -> Advice:
    """A change of who is named (:mod:`kb.cowriting`): a new revision, the status unchanged,
    the names made again from the writers' rows, and an audit row for ``action``."""
    return _write(session, actor, advice, action, content_of(advice), **detail)


def slug_taken(session: Session, slug: str, advice_id: int | None = None) -> bool:
    """Whether another advice uses this slug now or used it before (its old links redirect)."""
    current = session.exec(select(Advice.id).where(Advice.slug == slug)).first()
    if current is not None and current != advice_id:
        return True
    old = session.exec(select(OldSlug.advice_id).where(OldSlug.slug == slug)).all()
    return any(owner != advice_id for owner in old)


def free_slug(session: Session, title: str, advice_id: int | None = None) -> str:
    """A slug for this title that no other advice has or had: ``titel``, ``titel-2``, …"""
    base = slugify(title) or "advies"
    for n in count(1):
        suffix = f"-{n}" if n > 1 else ""
        candidate = base[:MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        if not slug_taken(session, candidate, advice_id):
            return candidate
    raise AssertionError("unreachable")


def created_with(session: Session, actor: User, form_id: str) -> Advice | None:
    """The advice this account already created with this one-time form id, if any."""
    since = utcnow() - FORM_ID_MEMORY
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.actor_id == actor.id, AuditEntry.action == "create",
                                 AuditEntry.created_at >= since)
    ).all()
    for entry in entries:
        if entry.detail.get("form") == form_id and entry.advice_id is not None:
            return session.get(Advice, entry.advice_id)
    return None
