"""Saving advice: every change of content goes through here and becomes a revision.

Nothing updates an advice in place without a new, immutable :class:`~kb.models.Revision`, and a
rename keeps the old slug so that earlier links redirect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from kb import versions
from kb.models import (
    Advice,
    AdviceStatus,
    AdviceTheme,
    IndexChange,
    OldSlug,
    Revision,
    Theme,
    utcnow,
)
from kb.render import render_markdown


@dataclass(frozen=True)
class AdviceContent:
    """Everything a writer decides about an advice, independent of where it came from."""

    title: str
    summary: str
    body: str
    themes: tuple[str, ...]
    slug: str
    authors: tuple[str, ...] = ("ExpEx",)
    region: str | None = None
    audience: tuple[str, ...] = field(default_factory=tuple)
    published: date | None = None
    language: str = "nl"

    def as_json(self) -> dict:
        """A JSON-ready dict, as stored in a revision."""
        data = asdict(self)
        data["themes"] = list(self.themes)
        data["authors"] = list(self.authors)
        data["audience"] = list(self.audience)
        data["published"] = self.published.isoformat() if self.published else None
        return data


def content_of(advice: Advice) -> AdviceContent:
    """The current content of a stored advice, for comparison and export."""
    return AdviceContent(
        title=advice.title,
        summary=advice.summary,
        body=advice.body,
        themes=tuple(advice.theme_slugs),
        slug=advice.slug,
        authors=tuple(advice.authors),
        region=advice.region,
        audience=tuple(advice.audience),
        published=advice.published,
        language=advice.language,
    )


def save_advice(
    session: Session,
    advice: Advice | None,
    content: AdviceContent,
    *,
    status: str,
    note: str = "",
    author_id: int | None = None,
    owner_id: int | None = None,
    themes: Mapping[str, Theme] | None = None,
    advice_id: int | None = None,
    change_note: str = "",
) -> tuple[Advice, Revision | None]:
    """Create or change an advice and write its revision; ``(advice, None)`` if unchanged.

    ``author_id`` is the account making this change (kept on the revision); ``owner_id`` the
    writer of a *new* advice. Neither is ever public. ``themes`` (slug → theme) spares a bulk
    import one theme query per advice. ``advice_id`` gives a *new* advice the id it had in the
    instance it was exported from (the caller has checked that it is free). ``change_note`` is
    the editor's public line about what changed, kept when the save makes a new public version
    (:mod:`kb.versions`).
    """
    if advice is not None and content_of(advice) == content and advice.status == status:
        return advice, None
    was_public = advice is not None and advice.is_public
    is_new = advice is None
    if advice is None:
        # Every field with a default factory is given: pydantic inspects a factory's signature
        # on each use, which was a seventh of a bulk import.
        now = utcnow()
        advice = Advice(id=advice_id, slug=content.slug, title=content.title,
                        summary=content.summary,
                        owner_id=owner_id, toc=[], authors=[], audience=[], created_at=now,
                        updated_at=now)
        session.add(advice)
    elif advice.slug != content.slug:
        _retire_slug(session, advice)

    rendered = render_markdown(content.body)
    advice.slug = content.slug
    advice.title = content.title
    advice.summary = content.summary
    advice.body = content.body
    advice.body_html = rendered.html
    advice.toc = [{"level": h.level, "id": h.id, "text": h.text} for h in rendered.toc]
    advice.authors = list(content.authors)
    advice.audience = list(content.audience)
    advice.region = content.region
    advice.language = content.language
    advice.published = content.published
    advice.status = status
    advice.revision += 1
    advice.updated_at = utcnow()
    session.flush()  # the new advice's id, for its links and revision
    _set_themes(session, advice, content.themes, themes, is_new)

    stored = content.as_json()
    version = (versions.next_version(session, advice.id, stored, is_new)
               if status == AdviceStatus.PUBLISHED else None)
    revision = Revision(
        advice_id=advice.id,
        number=advice.revision,
        note=note[:500],
        status=status,
        author_id=author_id,
        content=stored,
        created_at=advice.updated_at,
        version=version,
        change_note=change_note[:versions.MAX_CHANGE_NOTE] if version and version > 1 else "",
    )
    session.add(revision)
    if version is not None:
        advice.changed_at = versions.version_time(advice.published, version, revision.created_at)
    if was_public or advice.is_public:
        # Same transaction as the change: the search index can never miss it.
        session.add(IndexChange(advice_id=advice.id, created_at=utcnow()))
    session.flush()
    return advice, revision


def _set_themes(session: Session, advice: Advice, slugs: tuple[str, ...],
                themes: Mapping[str, Theme] | None = None, is_new: bool = False) -> None:
    """Replace the advice's theme links, keeping the writer's order.

    The links are written by the next flush (the caller's); only replacing old links needs a
    flush of its own, because a deleted link may come back with the same key.
    """
    found = themes if themes is not None else {
        t.slug: t for t in session.exec(select(Theme).where(Theme.slug.in_(slugs))).all()}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValueError(f"unknown themes: {', '.join(missing)}")
    if not is_new:
        links = session.exec(select(AdviceTheme).where(AdviceTheme.advice_id == advice.id)).all()
        for link in links:
            session.delete(link)
        if links:
            session.flush()
    for position, slug in enumerate(slugs):
        session.add(AdviceTheme(advice_id=advice.id, theme_id=found[slug].id, position=position))
    session.expire(advice, ["themes"])


def _retire_slug(session: Session, advice: Advice) -> None:
    exists = session.exec(
        select(OldSlug).where(OldSlug.advice_id == advice.id, OldSlug.slug == advice.slug)
    ).first()
    if exists is None:
        session.add(OldSlug(advice_id=advice.id, slug=advice.slug))


def find_by_slug(session: Session, slug: str) -> Advice | None:
    """The advice whose current slug this is."""
    return session.exec(select(Advice).where(Advice.slug == slug)).first()


def published_advice(session: Session, limit: int | None = None) -> list[Advice]:
    """Public advice, newest first: what readers, feeds and the index see. With a ``limit``
    only that many, with their themes loaded in one more query (no query per advice)."""
    statement = (select(Advice).where(Advice.status == AdviceStatus.PUBLISHED)
                 .order_by(Advice.published.desc(), Advice.id.desc()))
    if limit is not None:
        statement = statement.limit(limit).options(selectinload(Advice.themes))
    return list(session.exec(statement).all())
