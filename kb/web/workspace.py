"""What the writers' and the editors' pages share: running a workflow step, the preview with its
reading and privacy aids, and how people are named.

These pages are personal (drafts, feedback), so they are never cached and never indexed by
search engines. People are only ever shown by a display name, never by login or e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from kb import localtime, privacy, readability, search, versions, vocabulary
from kb.advice import AdviceContent
from kb.citation import Citation
from kb.db import get_session
from kb.forms import ANONYMOUS, AdviceForm
from kb.models import Advice, User
from kb.render import render_markdown
from kb.themes import theme_map
from kb.web import caching
from kb.web.citing import citation_block, download_urls
from kb.web.context import advice_url, audience_refs, region_fields, theme_ref
from kb.workflow import NotAllowed, StateError

MAX_LONG_WORDS_SHOWN = 15


def init_app(app: Flask) -> None:
    """Nothing to set up any more: local time is :mod:`kb.web.filters`' ``tijd`` filter."""


def setup_blueprint(bp: Blueprint) -> None:
    """Private pages: no caching, and one way of answering a refused step."""
    caching.private_blueprint(bp)

    @bp.after_request
    def private(response):
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    @bp.context_processor
    def who_is_here():
        from kb.auth import current_user

        return {"me": current_user(), "today": localtime.today().isoformat()}

    @bp.errorhandler(StateError)
    def state_error(error: StateError):
        return render_state_error(error)

    @bp.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        if error.reason:  # a refusal that deserves its own explanation (e.g. consent)
            return render_template("refused.html", reason=error.reason), 403
        return render_template("error.html", status=403), 403


def render_state_error(error: StateError, link: str | None = None):
    """The friendly 409: "this was already done" or "this changed meanwhile"."""
    return render_template("state_error.html", error=error, link=link), 409


def run(step: Callable, *args: Any, **kwargs: Any):
    """Take one workflow step in one transaction, commit it, and bring the index up to date.

    Two people saving the same advice at the same moment collide on the revision number; the
    loser's transaction is rolled back and the step tried once more, which then sees the other
    save and answers with a proper conflict instead of an error.
    """
    session = get_session()
    for attempt in range(2):
        try:
            result = step(session, *args, **kwargs)
            session.commit()
        except IntegrityError:
            session.rollback()
            if attempt:
                raise
            continue
        except BaseException:
            session.rollback()
            raise
        search.catch_up(session)
        return result
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- the form


def theme_choices(session: Session) -> list[dict]:
    """Every theme with its first sentence, to help a writer choose."""
    return [{"slug": t.slug, "name": t.name, "hint": first_sentence(t.description)}
            for t in theme_map(session).values()]


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text or "")
    return match.group(1) if match else (text or "")


def form_context(session: Session, form: AdviceForm, names: dict, **extra) -> dict:
    """What the advice form needs besides the form: themes, audiences, name choices."""
    return {"form": form, "themes": theme_choices(session),
            "audiences": list(vocabulary.audience_map(session).values()),
            "lists": _lists(session, extra.get("advice")),
            "names": list(names), "anonymous": ANONYMOUS, **extra}


def _lists(session: Session, advice: Advice | None) -> dict:
    """The region list in groups, and the advice's old values that fit no list (so that the
    editor sees what was there before choosing)."""
    unmapped = ([{"field": row.field, "value": row.value}
                 for row, _ in vocabulary.unmapped(session, advice.id)]
                if advice is not None and advice.id is not None else [])
    return {"region_groups": vocabulary.region_groups(vocabulary.region_map(session).values()),
            "unmapped": unmapped}


# --------------------------------------------------------------------------- the preview


def preview_context(session: Session, content: AdviceContent, advice: Advice | None) -> dict:
    """The advice as its public page will show it: the same keys as ``advice_context``.

    An advice that was never published shows today's date, as it would get on publication.
    """
    themes = theme_map(session)
    today = localtime.today().isoformat()
    published = content.published.isoformat() if content.published else today
    if advice is not None and advice.id is not None:
        url, permalink = advice_url(advice), url_for("reader.advice", advice_id=advice.id,
                                                     slug=content.slug, _external=True)
    else:
        url = "#voorbeeld"
        permalink = url_for("reader.home", _external=True) + f"advies/…/{content.slug}"
    rendered = render_markdown(content.body)
    return {
        "id": advice.id if advice else None,
        "slug": content.slug,
        "title": content.title,
        "summary": content.summary,
        "url": url,
        "themes": [theme_ref(themes[slug]) for slug in content.themes if slug in themes],
        "authors": list(content.authors),
        **region_fields(content.region),
        "published": published,
        "permalink": permalink,
        "updated": _updated(session, content, advice, today),
        "audience": list(content.audience),
        "audiences": audience_refs(content.audience),
        "language": content.language,
        "toc": [{"level": h.level, "id": h.id, "text": h.text} for h in rendered.toc],
        "body_html": rendered.html,
        # How the page will cite it; the download links work once it is published.
        "citation": citation_block(Citation(
            advice_id=advice.id if advice and advice.id else 0, version=1,
            title=content.title, summary=content.summary, authors=tuple(content.authors),
            date=date.fromisoformat(published), url=permalink,
            site_name=current_app.config["SITE_NAME"], language=content.language),
            download_urls(advice, None) if advice is not None and advice.id else None),
    }


def _updated(session: Session, content: AdviceContent, advice: Advice | None,
              today: str) -> str | None:
    """"Bijgewerkt op" as the public page will say it: today when this changes the text of a
    published advice, else the date of its current version if that was a change."""
    if advice is None or not advice.is_public:
        return None
    if versions.text_of(content.as_json()) != (advice.title, advice.summary, advice.body):
        return today
    found = versions.versions(session, advice)
    return found[-1].date.isoformat() if found and found[-1].number > 1 else None


def readability_context(body: str) -> dict:
    """The plain-language aid: Flesch–Douma, sentence length, long words, hardest sentences."""
    report = readability.analyse(body)
    if not report.words:
        return {"empty": True}
    return {
        "empty": False,
        "score": round(report.score),
        "level": report.level,
        "words": report.words,
        "sentences": report.sentences,
        "words_per_sentence": round(report.words_per_sentence, 1),
        "long_word_count": report.long_word_count,
        "long_words": list(report.long_words[:MAX_LONG_WORDS_SHOWN]),
        "more_long_words": max(0, len(report.long_words) - MAX_LONG_WORDS_SHOWN),
        "hardest": [{"parts": mark_words(s.text, s.long_words), "words": s.words}
                    for s in report.hardest],
    }


def mark_words(text: str, words: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Split a sentence into ``(text, is_long_word)`` parts, so a template can mark long words."""
    if not words:
        return [(text, False)]
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in
                                                sorted(set(words), key=len, reverse=True))
                         + r")(?!\w)")
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append((text[last:match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def privacy_context(title: str, summary: str, body: str, strict: bool = False) -> list[dict]:
    """Hints (never blocks) about details that could identify the writer or someone else.

    ``strict`` for a writer younger than 16 (kb.consent.under_16): every place name is a hint.
    """
    hints = []
    for place, text in (("title", title), ("summary", summary), ("body", body)):
        for hint in privacy.check(text or "", strict=strict):
            hints.append({"place": place, "kind": hint.kind, "text": hint.text,
                          "line": hint.line})
    return hints


def aids_context(content: AdviceContent, strict: bool = False) -> dict:
    """Readability and privacy for one version of an advice (``strict``: writer under 16)."""
    return {"reading": readability_context(content.body),
            "privacy": privacy_context(content.title, content.summary, content.body, strict),
            "strict": strict}


# --------------------------------------------------------------------------- people


def person_name(session: Session, user_id: int | None) -> str | None:
    """How the pages name an account: its first display name; never its login or e-mail."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    names = [n for n in (user.display_names if user else []) if n.lower() != ANONYMOUS]
    return names[0] if names else None


def expected_revision() -> int:
    """The revision a form was loaded with (optimistic locking); a form without one is bad."""
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        abort(400)
