"""Audiences and regions: the controlled lists beside the themes.

Like the themes they are data that editors change without touching code:
``themes/audiences/<slug>.yaml`` (one file per audience: name, English name, description,
synonyms) and ``themes/regions/regions.yaml`` (landelijk, the provinces, the jeugdregio's, with
other spellings as ``aliases``). ``kb themes`` syncs them into the database; a first start loads
them. An advice refers to them by slug, so that a facet value can never split by spelling
("Noord Brabant", "noord-brabant", "Brabant" are one region).

Free text from before the lists (an import file, an old revision) is mapped by
:func:`match_region`; what matches nothing is reported, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlmodel import Session, select

from kb.models import Advice, Audience, Region, UnmappedValue
from kb.themes import SyncReport, read_yaml

AUDIENCES_FOLDER = "audiences"
REGIONS_FILE = Path("regions") / "regions.yaml"
REGION_KINDS = ("landelijk", "provincie", "jeugdregio")


class VocabularyFileError(ValueError):
    """An audience or region file that cannot be used; the message names the file."""


# --------------------------------------------------------------------------- reading the files


def load_audience_files(folder: Path) -> list[dict]:
    """Read and check every ``audiences/*.yaml`` under the themes folder, all before any write."""
    found, problems = [], []
    for path in sorted((Path(folder) / AUDIENCES_FOLDER).glob("*.yaml")):
        data, problem = read_yaml(path)
        if problem:
            problems.append(problem)
            continue
        missing = [name for name in ("slug", "name", "description") if not data.get(name)]
        if missing:
            problems.append(f"{path}: missing {', '.join(missing)}")
        elif data["slug"] != path.stem:
            problems.append(f"{path}: slug {data['slug']!r} differs from the file name")
        else:
            found.append({"slug": str(data["slug"]), "name": str(data["name"]),
                          "name_en": str(data.get("name_en") or ""),
                          "description": " ".join(str(data["description"]).split()),
                          "synonyms": [str(s) for s in data.get("synonyms") or []]})
    if problems:
        raise VocabularyFileError("\n".join(problems))
    return found


def load_region_file(folder: Path) -> list[dict]:
    """Read and check the region list: known kinds, unique slugs, a jeugdregio's province."""
    path = Path(folder) / REGIONS_FILE
    if not path.exists():
        return []
    data, problem = read_yaml(path)
    entries = data.get("regions") if not problem else None
    if problem or not isinstance(entries, list):
        raise VocabularyFileError(problem or f"{path}: expected 'regions:' with a list")
    found, problems, slugs = [], [], set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
            problems.append(f"{path}: region {number} needs a slug and a name")
            continue
        slug, kind = str(entry["slug"]), str(entry.get("kind") or "")
        if slug in slugs:
            problems.append(f"{path}: region {slug!r} is listed twice")
        if kind not in REGION_KINDS:
            problems.append(f"{path}: region {slug!r} has kind {kind!r} "
                            f"(allowed: {', '.join(REGION_KINDS)})")
        slugs.add(slug)
        found.append({"slug": slug, "name": str(entry["name"]), "kind": kind,
                      "province": str(entry["province"]) if entry.get("province") else None,
                      "aliases": [str(a) for a in entry.get("aliases") or []],
                      "position": number})
    provinces = {r["slug"] for r in found if r["kind"] == "provincie"}
    problems += [f"{path}: region {r['slug']!r} names unknown province {r['province']!r}"
                 for r in found if r["province"] and r["province"] not in provinces]
    if problems:
        raise VocabularyFileError("\n".join(problems))
    return found


# --------------------------------------------------------------------------- syncing


def sync_audiences(session: Session, folder: Path) -> SyncReport:
    """Make the audiences match the files; one still named by an advice is never deleted."""
    return _sync(session, Audience, load_audience_files(folder), lambda: _audiences_in_use(session))


def sync_regions(session: Session, folder: Path) -> SyncReport:
    """Make the regions match the list; one still used by an advice is never deleted."""

    def used() -> set[str]:
        return set(session.exec(select(Advice.region).where(Advice.region.is_not(None))
                                .distinct()).all())
    return _sync(session, Region, load_region_file(folder), used)


def _audiences_in_use(session: Session) -> set[str]:
    """Audience slugs any advice names (read only when a sync would delete one)."""
    found: set[str] = set()
    for values in session.exec(select(Advice.audience).execution_options(yield_per=1000)):
        found.update(values or ())
    return found


def _sync(session: Session, model, wanted_rows: list[dict],
          in_use: Callable[[], set[str]]) -> SyncReport:
    report = SyncReport()
    wanted = {row["slug"]: row for row in wanted_rows}
    existing = {row.slug: row for row in session.exec(select(model)).all()}
    for slug, data in wanted.items():
        row = existing.get(slug)
        if row is None:
            session.add(model(**data))
            report.added.append(slug)
        elif any(getattr(row, key) != value for key, value in data.items()):
            for key, value in data.items():
                setattr(row, key, value)
            report.updated.append(slug)
        else:
            report.unchanged.append(slug)
    gone = [slug for slug in existing if slug not in wanted]
    if gone:
        used = in_use()
        for slug in gone:
            if slug in used:
                report.kept_in_use.append(slug)
            else:
                session.delete(existing[slug])
                report.deleted.append(slug)
    session.flush()
    return report


# --------------------------------------------------------------------------- reading the lists


def audience_map(session: Session) -> dict[str, Audience]:
    """Every audience by slug, in name order."""
    return {a.slug: a for a in session.exec(select(Audience).order_by(Audience.name)).all()}


def region_map(session: Session) -> dict[str, Region]:
    """Every region by slug, in the list's order (landelijk, provinces, jeugdregio's)."""
    return {r.slug: r for r in session.exec(select(Region).order_by(Region.position)).all()}


def region_groups(regions: Iterable[Region]) -> list[tuple[str, list[Region]]]:
    """The regions grouped by kind, for a select with option groups."""
    regions = list(regions)
    return [(kind, [r for r in regions if r.kind == kind]) for kind in REGION_KINDS
            if any(r.kind == kind for r in regions)]


def normalize(text: str) -> str:
    """A spelling-tolerant key: no accents, case, hyphens, slashes or extra spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for mark in "-/_.,'’":
        text = text.replace(mark, " ")
    words = text.split()
    if words[:1] == ["provincie"] and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def region_lookup(regions: Iterable[Region | dict]) -> dict[str, str]:
    """Normalized slug, name and every alias → region slug."""
    lookup: dict[str, str] = {}
    for region in regions:
        get = region.get if isinstance(region, dict) else lambda k, r=region: getattr(r, k)
        for spelling in (get("slug"), get("name"), *(get("aliases") or ())):
            lookup.setdefault(normalize(spelling), get("slug"))
    return lookup


def match_region(text: str | None, lookup: dict[str, str]) -> str | None:
    """The region slug a free-text region means, or None when it matches no entry."""
    if not text or not text.strip():
        return None
    return lookup.get(normalize(text))


# --------------------------------------------------------------------------- what was not mapped


def unmapped(session: Session, advice_id: int | None = None
             ) -> list[tuple[UnmappedValue, Advice]]:
    """Old values that matched no entry and are still unresolved (of one advice, or of all),
    oldest advice first."""
    query = (select(UnmappedValue, Advice).join(Advice, Advice.id == UnmappedValue.advice_id)
             .order_by(UnmappedValue.advice_id, UnmappedValue.id))
    if advice_id is not None:
        query = query.where(UnmappedValue.advice_id == advice_id)
    return list(session.exec(query).all())


def resolve_unmapped(session: Session, advice: Advice, region: bool = True,
                     audience: bool = True) -> None:
    """Forget an advice's unmapped old values once someone chose its region (or audiences)
    from the lists."""
    fields = [name for name, chosen in (("region", region), ("audience", audience)) if chosen]
    for row in session.exec(select(UnmappedValue).where(
            UnmappedValue.advice_id == advice.id, UnmappedValue.field.in_(fields))).all():
        session.delete(row)
