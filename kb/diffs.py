"""What changed between two versions of an advice, as data a template can show safely.

Pure and without HTML: the template escapes every piece of text and only adds ``<ins>`` and
``<del>`` around it, so a diff of hostile text is as harmless as the text itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

#: The fields compared, in the order an editor reads them; the body comes last.
FIELDS = ("title", "summary", "themes", "authors", "region", "audience", "slug", "published",
          "body")
CONTEXT = 2


@dataclass(frozen=True)
class Line:
    """One line of a body diff: ``same``, ``add``, ``del`` or ``gap`` (lines left out)."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    """One field that differs; ``lines`` is set for the body only."""

    field: str
    old: str
    new: str
    lines: tuple[Line, ...] = ()


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
        changes.append(FieldChange(name, before, after, lines))
    return changes


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
            if tag in ("replace", "delete"):
                lines.extend(Line("del", text) for text in a[i1:i2])
            if tag in ("replace", "insert"):
                lines.extend(Line("add", text) for text in b[j1:j2])
    return tuple(lines)


def summary(changes: list[FieldChange]) -> dict[str, int]:
    """How many body lines were added and removed, for a one-line overview."""
    added = sum(1 for c in changes for line in c.lines if line.kind == "add")
    removed = sum(1 for c in changes for line in c.lines if line.kind == "del")
    return {"fields": len(changes), "added": added, "removed": removed}
