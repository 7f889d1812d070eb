"""What changed between two versions of an advice, as data a template can show safely.

Pure and without HTML: the template escapes every piece of text and only adds ``<ins>`` and
``<del>`` around it, so a diff of hostile text is as harmless as the text itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

#: The fields compared, in the order an editor reads them; the body comes last.
FIELDS = ("title", "summary", "themes", "authors", "region", "audience", "slug", "published",
          "body")
CONTEXT = 2
#: A changed paragraph is shown word by word when at least this share of it stayed the same;
#: below that, as the old paragraph removed and the new one added (easier to read).
WORD_DIFF_MIN_SAME = 0.4
#: The units of a word diff: a word or another character, with the white space after it (so
#: that a shared space never splits one change in two).
_TOKENS = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")
#: A piece of a word diff: ``("same" | "add" | "del", text)``.
Part = tuple[str, str]


@dataclass(frozen=True)
class Line:
    """One line of a body diff: ``same``, ``add``, ``del``, ``gap`` (lines left out), or
    ``change`` (a paragraph changed in places: ``parts`` says which words went and came)."""

    kind: str
    text: str
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    """One field that differs; ``lines`` is set for the body only."""

    field: str
    old: str
    new: str
    lines: tuple[Line, ...] = ()
    #: For a short text field changed in places: the word diff (else empty).
    parts: tuple[Part, ...] = ()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def content_changes(old: Mapping | None, new: Mapping) -> list[FieldChange]:
    """The fields that differ between two revision contents (``old`` None: all are new)."""
    old = old or {}
    changes = []
    for name in FIELDS:
        before, after = _text(old.get(name)), _text(new.get(name))
        if before == after:
            continue
        lines = line_diff(before, after) if name == "body" else ()
        parts = (word_diff(before, after) or ()) if name in ("title", "summary") else ()
        changes.append(FieldChange(name, before, after, lines, parts))
    return changes


def word_diff(old: str, new: str) -> tuple[Part, ...] | None:
    """The words removed and added within one paragraph; None when too little stayed the same
    for a word diff to help (then show the old and the new paragraph whole)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < WORD_DIFF_MIN_SAME:
        return None
    parts: list[Part] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if tag in ("replace", "delete"):
            parts.append(("del", "".join(a[i1:i2])))
        if tag in ("replace", "insert"):
            parts.append(("add", "".join(b[j1:j2])))
    return tuple(parts)


def line_diff(old: str, new: str, context: int = CONTEXT) -> tuple[Line, ...]:
    """Lines removed and added, with ``context`` unchanged lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[Line] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(Line("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(Line("same", text) for text in a[i1:i2])
                continue
            if tag == "replace":
                lines.extend(_changed(a[i1:i2], b[j1:j2]))
                continue
            if tag == "delete":
                lines.extend(Line("del", text) for text in a[i1:i2])
            if tag == "insert":
                lines.extend(Line("add", text) for text in b[j1:j2])
    return tuple(lines)


def _changed(old: list[str], new: list[str]) -> list[Line]:
    """Replaced lines: paired one by one and shown word by word where they are alike."""
    lines: list[Line] = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        parts = word_diff(before, after) if before and after else None
        if parts is not None:
            lines.append(Line("change", after, parts))
            continue
        if before is not None:
            lines.append(Line("del", before))
        if after is not None:
            lines.append(Line("add", after))
    return lines


def summary(changes: list[FieldChange]) -> dict[str, int]:
    """How many body lines were added and removed, for a one-line overview."""
    added = sum(1 for c in changes for line in c.lines if line.kind in ("add", "change"))
    removed = sum(1 for c in changes for line in c.lines if line.kind in ("del", "change"))
    return {"fields": len(changes), "added": added, "removed": removed}
