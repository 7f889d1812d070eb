"""The advice form: what a writer or editor sent, checked, and kept for showing again.

Nothing here touches the database or Flask: a view reads the request into an
:class:`AdviceForm`, the workflow checks it against the known themes and the writer's names, and
any error comes back as a *code* per field (``{"title": "too_long"}``). The templates own every
Dutch word shown for a code, so the wording can change without touching this logic.

Whatever the person typed stays in the form object, also when it is wrong, so that an error never
costs them their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kb.advice import AdviceContent
from kb.content import MAX_NAME, MAX_SUMMARY, MAX_TITLE

#: The largest body we store (UTF-8 bytes); larger gets a 413 with the text kept in the form.
MAX_BODY_BYTES = 100 * 1024
MAX_REGION = MAX_NAME
#: Notes to the writer and reasons for a withdrawal (they are kept on the revision).
MAX_NOTE = 500
#: The form value for "don't show my name"; stored as the author ``ANONYMOUS_AUTHOR``.
ANONYMOUS = "anoniem"
ANONYMOUS_AUTHOR = "Anoniem"
#: A new body starts with the three sections the writing guide explains.
BODY_TEMPLATE = "## Wat we zien\n\n\n\n## Wat we adviseren\n\n\n\n## Waarom\n\n"

# Control characters never belong in text (PostgreSQL even refuses NUL); tab and newline stay.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_line(value: object) -> str:
    """One line of text: control characters dropped, runs of white space made one space."""
    return " ".join(_CONTROL_RE.sub(" ", str(value or "")).split())


def clean_text(value: object) -> str:
    """A multi-line text: Unix newlines, no control characters, no blank lines around it."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text).strip("\n").rstrip()
    return text + "\n" if text else ""


def body_size(body: str) -> int:
    """The size that counts against :data:`MAX_BODY_BYTES`."""
    return len(body.encode("utf-8", "surrogatepass"))


def has_writing(body: str) -> bool:
    """Whether the body holds more than the empty section headings of the template."""
    words = [line for line in body.split("\n") if line.strip() and not line.startswith("#")]
    return bool(words)


def name_choices(display_names: Iterable[str],
                 current_authors: Iterable[str] = (),
                 groups: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
    """The names an advice may be published under: form value → authors.

    The writer's own display names, the names of the groups they are a member of
    (:mod:`kb.groups`), the advice's current authors (so an editor can keep the names of
    imported advice as they are) and always "anoniem".
    """
    choices: dict[str, tuple[str, ...]] = {}
    for name in [*display_names, *groups]:
        if name and name.lower() != ANONYMOUS:
            choices.setdefault(name, (name,))
    current = tuple(current_authors)
    if current and not (len(current) == 1 and current[0].lower() == ANONYMOUS):
        choices.setdefault(", ".join(current), current)
    choices[ANONYMOUS] = (ANONYMOUS_AUTHOR,)
    return choices


@dataclass
class AdviceForm:
    """The fields of the advice form, as typed; ``errors`` maps a field to an error code."""

    title: str = ""
    summary: str = ""
    themes: list[str] = field(default_factory=list)
    region: str = ""
    audience: list[str] = field(default_factory=list)
    display_name: str = ""
    body: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, form: Mapping) -> AdviceForm:
        """Read a posted form (a MultiDict); nothing is checked yet."""
        getlist = form.getlist if hasattr(form, "getlist") else (lambda k: form.get(k) or [])
        return cls(
            title=clean_line(form.get("title")),
            summary=clean_line(form.get("summary")),
            # The "Hoofdthema" choice first, then the "Ook over" boxes (the writer's order).
            themes=_unique(clean_line(v) for v in [form.get("main_theme") or "",
                                                   *getlist("themes")] if clean_line(v)),
            region=clean_line(form.get("region")),
            audience=_unique(clean_line(v) for v in getlist("audience")),
            display_name=clean_line(form.get("display_name")),
            body=clean_text(form.get("body")),
        )

    @classmethod
    def from_content(cls, content: AdviceContent) -> AdviceForm:
        """The form as it looks for stored content."""
        authors = tuple(content.authors)
        if len(authors) == 1 and authors[0].lower() == ANONYMOUS:
            display_name = ANONYMOUS
        else:
            display_name = ", ".join(authors)
        return cls(title=content.title, summary=content.summary, themes=list(content.themes),
                   region=content.region or "", audience=list(content.audience),
                   display_name=display_name, body=content.body)

    def validate(self, known_themes: Iterable[str], names: Mapping[str, tuple[str, ...]],
                 complete: bool, audiences: Iterable[str] = (),
                 regions: Iterable[str] = ()) -> dict[str, str]:
        """Check every field and return (and keep) the errors; ``complete`` for submitting.

        Audiences and region must come from the controlled lists (their slugs are given).

        A draft only needs a title, so a writer can stop halfway; sending it to the editors
        needs a summary, a theme and some writing too.
        """
        errors: dict[str, str] = {}
        if body_size(self.body) > MAX_BODY_BYTES:
            errors["body"] = "too_large"
        elif complete and not has_writing(self.body):
            errors["body"] = "required"
        if not self.title:
            errors["title"] = "required"
        elif len(self.title) > MAX_TITLE:
            errors["title"] = "too_long"
        if len(self.summary) > MAX_SUMMARY:
            errors["summary"] = "too_long"
        elif complete and not self.summary:
            errors["summary"] = "required"
        known = set(known_themes)
        if any(slug not in known for slug in self.themes):
            errors["themes"] = "unknown"
        elif complete and not self.themes:
            errors["themes"] = "required"
        if len(self.region) > MAX_REGION:
            errors["region"] = "too_long"
        elif self.region and self.region not in set(regions):
            errors["region"] = "unknown"
        known_audiences = set(audiences)
        if any(value not in known_audiences for value in self.audience):
            errors["audience"] = "unknown"
        if not self.display_name:
            errors["display_name"] = "required"
        elif self.display_name not in names:
            errors["display_name"] = "unknown"
        self.errors = errors
        return errors

    def content(self, names: Mapping[str, tuple[str, ...]], **fixed) -> AdviceContent:
        """The content this (valid) form describes; ``fixed`` gives slug, published, language."""
        return AdviceContent(
            title=self.title,
            summary=self.summary,
            body=self.body,
            themes=tuple(self.themes),
            authors=names.get(self.display_name, (ANONYMOUS_AUTHOR,)),
            region=self.region or None,
            audience=tuple(self.audience),
            **fixed,
        )


def clean_note(value: object) -> tuple[str, str | None]:
    """A note or reason and its error code (``too_long``) if any."""
    note = clean_text(value).strip()
    return note, ("too_long" if len(note) > MAX_NOTE else None)


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen
