"""The theme taxonomy: YAML files in ``themes/`` synced into the database.

Slugs are public URLs; a theme that still has advice is never deleted by a sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlmodel import Session, select

from kb.models import AdviceTheme, Theme

REQUIRED_FIELDS = ("slug", "name", "description")


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file."""


@dataclass
class SyncReport:
    """What a sync of one list (themes, audiences, regions) did; the same for all three."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    #: Gone from the files but kept, because advice still use them.
    kept_in_use: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.kept_in_use

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def read_yaml(path: Path) -> tuple[dict, str | None]:
    """A data file's mapping, or a problem that names the file (never an exception)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, f"{path}: not valid YAML ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return {}, f"{path}: expected a mapping of fields"
    return data, None


def load_theme_files(folder: Path) -> list[dict]:
    """Read and check every ``*.yaml`` theme file, so a bad file stops the sync before it writes."""
    themes, problems = [], []
    for path in sorted(Path(folder).glob("*.yaml")):
        data, problem = read_yaml(path)
        if problem:
            problems.append(problem)
            continue
        missing = [name for name in REQUIRED_FIELDS if not data.get(name)]
        if missing:
            problems.append(f"{path}: missing {', '.join(missing)}")
            continue
        if data["slug"] != path.stem:
            problems.append(f"{path}: slug {data['slug']!r} differs from the file name")
            continue
        themes.append(
            {
                "slug": str(data["slug"]),
                "name": str(data["name"]),
                "name_en": str(data.get("name_en") or ""),
                "description": " ".join(str(data["description"]).split()),
                "synonyms": [str(s) for s in data.get("synonyms") or []],
                "related": [str(s) for s in data.get("related") or []],
            }
        )
    if problems:
        raise ThemeFileError("\n".join(problems))
    return themes


def sync_themes(session: Session, folder: Path) -> SyncReport:
    """Make the database's themes match the files: add, update, delete only when unused."""
    report = SyncReport()
    wanted = {theme["slug"]: theme for theme in load_theme_files(folder)}
    existing = {theme.slug: theme for theme in session.exec(select(Theme)).all()}
    for slug, data in wanted.items():
        theme = existing.get(slug)
        if theme is None:
            session.add(Theme(**data))
            report.added.append(slug)
        elif any(getattr(theme, key) != value for key, value in data.items()):
            for key, value in data.items():
                setattr(theme, key, value)
            report.updated.append(slug)
        else:
            report.unchanged.append(slug)
    for slug, theme in existing.items():
        if slug in wanted:
            continue
        in_use = session.exec(select(AdviceTheme).where(AdviceTheme.theme_id == theme.id)).first()
        if in_use:
            report.kept_in_use.append(slug)
        else:
            session.delete(theme)
            report.deleted.append(slug)
    session.flush()
    return report


def theme_map(session: Session) -> dict[str, Theme]:
    """All themes by slug, in name order."""
    return {t.slug: t for t in session.exec(select(Theme).order_by(Theme.name)).all()}
