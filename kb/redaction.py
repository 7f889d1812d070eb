"""History that can forget: a passage wiped from an advice and from every revision that holds it.

Revisions are otherwise never changed: they are how nothing gets lost. But a phone number or a
name a young writer took out before publication must not stay in the history, where anyone who
restores an old version brings it back. So a redaction ("Wis uit de geschiedenis") replaces the
passage by :data:`REDACTED` everywhere the database keeps text of this advice:

- the current advice, through :func:`kb.advice.save_advice` (a new revision, and, when public,
  an index change in the same transaction, so the search index, the feed and every cache
  follow: they are built from the database);
- every revision's content and note, and the notes in this advice's audit rows;
- the URL: a slug that spells the passage is renamed, and old slugs that spell it are dropped;
- forms kept at login for this advice (:class:`kb.models.KeptText`);
- the "Meldingen" about this advice (:class:`kb.models.Notification`) and the mail in the
  outbox, sent or not (:class:`kb.models.OutboxMail`: notifications and digests quote titles
  and notes).

The audit row records that a redaction happened, by whom, and how many revisions it touched;
never the removed text. Backups and exports read the database, so those made afterwards do not
contain it (earlier backups do: see docs/operations.md).

Matching ignores case and treats any run of spaces or line breaks as one, so a name split over
two lines is found too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from kb import advice_writers, audit
from kb.advice import AdviceContent, content_of, save_advice
from kb.auth import has_role
from kb.models import (
    Advice,
    AuditEntry,
    IndexChange,
    KeptText,
    Notification,
    OldSlug,
    OutboxMail,
    Revision,
    Role,
    User,
    utcnow,
)
from kb.slugs import slugify
from kb.workflow import EDITOR_VISIBLE, free_slug, slug_taken

#: What a wiped passage becomes.
REDACTED = "[verwijderd]"
#: Shorter passages would wipe ordinary words everywhere; longer ones are not a passage.
MIN_PASSAGE, MAX_PASSAGE = 3, 500
#: Text fields of a revision's content; the author names are a list of texts.
TEXT_FIELDS = ("title", "summary", "body", "region")


class RedactionError(ValueError):
    """The passage cannot be wiped: ``code`` is ``"too_short"``, ``"too_long"`` or
    ``"not_found"`` (it is in no version of this advice)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Redaction:
    """What a redaction found (or, with ``dry_run``, would change): revision numbers."""

    revisions: list[int] = field(default_factory=list)
    current: bool = False
    renamed: bool = False

    @property
    def found(self) -> bool:
        return bool(self.revisions or self.current)


def may_redact(actor: User | None, advice: Advice) -> bool:
    """The writer of the advice, at any status; editors for any advice they can see."""
    if actor is None:
        return False
    if advice_writers.is_writer(advice, actor.id):  # any of its writers (kb.advice_writers)
        return True
    return has_role(actor, Role.EDITOR) and advice.status in EDITOR_VISIBLE


def pattern_for(passage: str) -> re.Pattern[str]:
    """The passage as a case-insensitive pattern in which any whitespace run matches any other."""
    words = (passage or "").split()
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def clean_passage(passage: str) -> str:
    """The passage as it will be matched; raises :class:`RedactionError` when unusable."""
    passage = " ".join((passage or "").split())
    if len(passage) < MIN_PASSAGE:
        raise RedactionError("too_short")
    if len(passage) > MAX_PASSAGE:
        raise RedactionError("too_long")
    return passage


def redact(session: Session, actor: User, advice: Advice, passage: str,
           dry_run: bool = False) -> Redaction:
    """Wipe ``passage`` from this advice and all its history, in the caller's transaction.

    With ``dry_run`` nothing changes: the result says where the passage is (for the
    confirmation page). Raises PermissionError for someone who may not, and
    :class:`RedactionError` for an unusable passage or one that is nowhere.
    """
    if not may_redact(actor, advice):
        raise PermissionError("redact")
    pattern = pattern_for(clean_passage(passage))
    slug_part = slugify(passage)
    result = Redaction()

    current = content_of(advice)
    wiped = _wipe_content(current.as_json(), pattern, slug_part)
    result.current = wiped != current.as_json()
    revisions = list(session.exec(select(Revision).where(Revision.advice_id == advice.id)
                                  .order_by(Revision.number)).all())
    for revision in revisions:
        if (_wipe_content(revision.content, pattern, slug_part) != revision.content
                or pattern.search(revision.note or "")):
            result.revisions.append(revision.number)
    if not result.found:
        raise RedactionError("not_found")
    if dry_run:
        return result

    for revision in revisions:
        new = _wipe_content(revision.content, pattern, slug_part)
        if new != revision.content:
            revision.content = new  # a new dict: JSON columns notice only a new value
        revision.note = _wipe(revision.note or "", pattern)
        session.add(revision)
    for entry in session.exec(select(AuditEntry).where(AuditEntry.advice_id == advice.id)).all():
        detail = {key: _wipe(value, pattern) if isinstance(value, str) else value
                  for key, value in entry.detail.items()}
        if detail != entry.detail:
            entry.detail = detail
            session.add(entry)
    for row in advice_writers.rows(session, advice.id):  # the names writers chose, too
        names = [_wipe(name, pattern) for name in row.names]
        if names != row.names:
            row.names = names
            session.add(row)
    session.flush()

    if result.current:
        new_content = _content_from(wiped, current)
        result.renamed = new_content.slug != current.slug
        if result.renamed and slug_taken(session, new_content.slug, advice.id):
            new_content = replace(new_content,
                                  slug=free_slug(session, new_content.slug, advice.id))
        save_advice(session, advice, new_content, status=advice.status,
                    note="Tekst gewist uit de geschiedenis", author_id=actor.id)
        session.expire(advice, ["revisions"])
    # Every node's index forgets the old text too: a purge merges away the replaced document.
    # (Also when only the history held it: an earlier public version may have been indexed.)
    session.add(IndexChange(advice_id=advice.id, created_at=utcnow(), purge=True))
    if slug_part:
        for old in session.exec(select(OldSlug).where(OldSlug.advice_id == advice.id)).all():
            if _spells(old.slug, slug_part):
                session.delete(old)  # an old link that spells the passage no longer redirects
    for kept in session.exec(select(KeptText).where(KeptText.url.in_(
            [f"/mijn-adviezen/{advice.id}", f"/redactie/advies/{advice.id}/bewerken"]))).all():
        kept.fields = [[name, _wipe(value, pattern)] for name, value in kept.fields]
        session.add(kept)
    for notice in session.exec(select(Notification).where(
            Notification.advice_id == advice.id)).all():
        notice.title, notice.note = _wipe(notice.title, pattern), _wipe(notice.note, pattern)
        session.add(notice)
    # Read in batches, changed after the reading is done (no flush inside an open cursor).
    changed = []
    with session.no_autoflush:
        for mail in session.exec(select(OutboxMail)).yield_per(500):
            subject, params = _wipe(mail.subject, pattern), _wipe_json(mail.params, pattern)
            if (subject, params) != (mail.subject, mail.params):
                changed.append((mail, subject, params))
    for mail, subject, params in changed:
        mail.subject, mail.params = subject, params
        session.add(mail)
    audit.record(session, actor, "redact", advice.id, revisions=len(result.revisions),
                 current=result.current)
    session.flush()
    return result


def _wipe_json(value, pattern: re.Pattern[str]):
    """Every string inside a JSON value wiped (a new value, so JSON columns notice)."""
    if isinstance(value, str):
        return _wipe(value, pattern)
    if isinstance(value, dict):
        return {key: _wipe_json(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_wipe_json(item, pattern) for item in value]
    return value


def _wipe(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(REDACTED, text)


def _wipe_content(content: dict, pattern: re.Pattern[str], slug_part: str) -> dict:
    """A revision's content with the passage wiped from its texts, names and slug."""
    new = dict(content)
    for name in TEXT_FIELDS:
        if isinstance(new.get(name), str):
            new[name] = _wipe(new[name], pattern)
    new["authors"] = [_wipe(a, pattern) for a in new.get("authors") or []]
    slug = new.get("slug") or ""
    if _spells(slug, slug_part):
        new["slug"] = f"-{slug}-".replace(f"-{slug_part}-", "-verwijderd-").strip("-")
    return new


def _spells(slug: str, part: str) -> bool:
    """Whether the slug holds the passage as whole words ("sam" is not in "samen-sterk")."""
    return bool(part) and f"-{part}-" in f"-{slug}-"


def _content_from(data: dict, current: AdviceContent) -> AdviceContent:
    return replace(current, title=data["title"], summary=data["summary"], body=data["body"],
                   region=data.get("region"), authors=tuple(data.get("authors") or ()),
                   slug=data.get("slug") or current.slug)
