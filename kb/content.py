"""The content interchange format: Markdown with YAML front matter, one advice per file.

Import validates a whole run before it writes anything: one bad file means nothing is imported,
and every problem is reported as ``path:line: message`` so an editor can fix them all in one go.
Export writes the same format, so export → import → export gives identical files.

Export also writes each advice's identity: its ``id`` and its ``old_slugs``. An import into an
empty knowledge base keeps them, so ``/advies/<id>/…`` links shared before the move keep working
and a retired slug is never handed to another advice. An ``id`` that already belongs to another
advice is a problem like any other (ids are never reused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlmodel import Session, select

from kb import localtime, vocabulary
from kb.advice import AdviceContent, content_of, published_advice, save_advice
from kb.models import MAX_ID, Advice, AdviceStatus, OldSlug, Theme
from kb.slugs import is_valid_slug, slugify

MAX_FILE_BYTES = 1_000_000
MAX_TITLE = 160
MAX_SUMMARY = 300
MAX_NAME = 80
FIELDS = ("id", "title", "themes", "summary", "authors", "region", "audience", "published",
          "slug", "old_slugs", "language")
DEFAULT_AUTHORS = ("ExpEx",)
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The earliest published date an advice may have: ExpEx's advice starts well after it, so an
#: earlier date is a typing error.
EARLIEST_PUBLISHED = date(1990, 1, 1)
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")


# libyaml's parser when PyYAML has it: the pure-Python one was a quarter of a large import.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is our message, not a crash."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Identity:
    """What names an advice beyond its content: its slug and, from an export, its id and the
    slugs it had before (with the lines they are on, for problems found later)."""

    slug: str
    advice_id: int | None = None
    old_slugs: tuple[str, ...] = ()
    id_line: int = 1
    old_slugs_line: int = 1


@dataclass
class ParsedFile:
    path: Path
    content: AdviceContent | None
    published_given: bool = True
    problems: list[Problem] = field(default_factory=list)
    identity: Identity | None = None


@dataclass
class ImportReport:
    """What an import did, as slugs (not ORM objects: a big import must not keep them all)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


#: Files parsed and written per round in the second pass of an import.
IMPORT_CHUNK = 200


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their ``*.md`` files, recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        found.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return found


@dataclass(frozen=True)
class Known:
    """What an import checks names against: theme slugs, audience slugs, and the region list
    (every spelling → slug, :func:`kb.vocabulary.region_lookup`)."""

    themes: frozenset[str]
    audiences: frozenset[str]
    regions: dict[str, str]

    @classmethod
    def read(cls, session: Session) -> Known:
        return cls(themes=frozenset(session.exec(select(Theme.slug)).all()),
                   audiences=frozenset(vocabulary.audience_map(session)),
                   regions=vocabulary.region_lookup(vocabulary.region_map(session).values()))


def parse_file(path: Path, known_themes: set[str] | Known, today: date) -> ParsedFile:
    """Read one advice file and check every field, collecting all problems rather than the first.

    Given only theme slugs (a set), audiences and region are taken as written; given
    :class:`Known`, they must be on the lists, and a region is stored as its slug.
    """
    result = ParsedFile(path=path, content=None)
    known = known_themes if isinstance(known_themes, Known) else None
    if known is not None:
        known_themes = known.themes

    def problem(line: int, message: str) -> ParsedFile:
        result.problems.append(Problem(path, line, message))
        return result

    try:
        size = path.stat().st_size
    except OSError as exc:
        return problem(1, f"cannot read file ({exc.strerror})")
    if size > MAX_FILE_BYTES:
        return problem(1, f"file is larger than 1 MB ({size} bytes)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return problem(raw.count(b"\n", 0, exc.start) + 1, "file is not valid UTF-8")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\x00" in text:
        # PostgreSQL cannot store a NUL in text. Reported at its line; the rest of the file is
        # still checked (without it), so every other problem shows in the same run.
        problem(text.count("\n", 0, text.index("\x00")) + 1, "the file contains a NUL "
                "character (a zero byte), which text may not hold; remove it")
        text = text.replace("\x00", "")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return problem(1, "file must start with front matter between '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return problem(1, "front matter is not closed with a '---' line")
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_FrontMatterLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "syntax error"
        return problem(line, f"malformed YAML front matter: {reason}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return problem(2, "front matter must be a set of 'field: value' lines")

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^{re.escape(key)}\s*:")
        return next((i + 1 for i in range(1, end) if pattern.match(lines[i])), 1)

    for key in meta:
        if key not in FIELDS:
            problem(line_of(str(key)), f"unknown field '{key}' (allowed: {', '.join(FIELDS)})")

    title = _text_field(meta, "title", MAX_TITLE, required=True, problem=problem, line_of=line_of)
    summary = _text_field(meta, "summary", MAX_SUMMARY, required=True, problem=problem,
                          line_of=line_of)
    region = _text_field(meta, "region", MAX_NAME, required=False, problem=problem,
                         line_of=line_of)
    themes = _list_field(meta, "themes", required=True, problem=problem, line_of=line_of)
    for slug in themes:
        if slug not in known_themes:
            problem(line_of("themes"), f"unknown theme '{slug}'")
    authors = _list_field(meta, "authors", required=False, problem=problem, line_of=line_of)
    for author in authors:
        if len(author) > MAX_NAME:
            problem(line_of("authors"), f"author name longer than {MAX_NAME} characters")
    audience = _list_field(meta, "audience", required=False, problem=problem, line_of=line_of)
    if known is not None:
        for value in audience:
            if value not in known.audiences:
                problem(line_of("audience"), f"unknown audience '{value}' (allowed: "
                        f"{', '.join(sorted(known.audiences))})")
        if region:
            slug = vocabulary.match_region(region, known.regions)
            if slug is None:
                problem(line_of("region"), f"unknown region '{region}' (landelijk, a province "
                        "or a jeugdregio of themes/regions/regions.yaml, by name or slug)")
            region = slug

    published, published_given = today, "published" in meta
    if published_given:
        value = str(meta["published"]).strip()
        try:
            if not DATE_PATTERN.match(value):
                raise ValueError
            published = date.fromisoformat(value)
        except ValueError:
            problem(line_of("published"), f"bad date '{value}' (use YYYY-MM-DD)")
        else:
            date_problem = published_problem(published, today or localtime.today())
            if date_problem:
                problem(line_of("published"), date_problem)

    slug = str(meta["slug"]).strip() if meta.get("slug") is not None else slugify(title or "")
    if "slug" in meta and not is_valid_slug(slug):
        problem(line_of("slug"), f"bad slug '{slug}' (lowercase letters, digits and hyphens)")
    elif not slug and title:
        problem(line_of("title"), "title gives no usable slug; add a 'slug' field")

    advice_id = meta.get("id")
    if advice_id is not None and (not isinstance(advice_id, int) or isinstance(advice_id, bool)
                                  or not 1 <= advice_id <= MAX_ID):
        problem(line_of("id"), f"bad id '{advice_id}' (a whole number from 1 to {MAX_ID})")
    old_slugs = _list_field(meta, "old_slugs", required=False, problem=problem, line_of=line_of)
    for old in old_slugs:
        if not is_valid_slug(old):
            problem(line_of("old_slugs"), f"bad old slug '{old}' (lowercase letters, digits and "
                    "hyphens)")
        elif old == slug:
            problem(line_of("old_slugs"), f"old slug '{old}' is the advice's own slug")

    language = str(meta.get("language") or "nl").strip()
    if not LANGUAGE_PATTERN.match(language):
        problem(line_of("language"), f"bad language code '{language}' (two letters, e.g. nl)")

    body = "\n".join(lines[end + 1:]).strip("\n").rstrip()
    if not body.strip():
        problem(end + 1, "the advice has no body text after the front matter")

    if not result.problems:
        result.content = AdviceContent(
            title=title, summary=summary, body=body, themes=tuple(themes), slug=slug,
            authors=tuple(authors) or DEFAULT_AUTHORS, region=region or None,
            audience=tuple(audience), published=published, language=language,
        )
        result.published_given = published_given
        result.identity = Identity(slug=slug, advice_id=advice_id, old_slugs=tuple(old_slugs),
                                   id_line=line_of("id"), old_slugs_line=line_of("old_slugs"))
    return result


def published_problem(published: date, today: date) -> str | None:
    """Why a published date cannot be right, or None.

    The feed and "newest first" sort on it, so a date far ahead (9999-12-31) would pin an advice
    to the top for ever. Tomorrow is allowed: it is already tomorrow somewhere, and an import
    run just before midnight should not fail a minute later.
    """
    if published > today + timedelta(days=1):
        return f"published date {published.isoformat()} is in the future (at most tomorrow)"
    if published < EARLIEST_PUBLISHED:
        return (f"published date {published.isoformat()} is before "
                f"{EARLIEST_PUBLISHED.year}; check the year")
    return None


def _text_field(meta, key, max_length, *, required, problem, line_of) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problem(line_of(key), f"missing required field '{key}'")
        return ""
    if not isinstance(value, str | int | float):
        problem(line_of(key), f"'{key}' must be text")
        return ""
    text = " ".join(str(value).split())
    if len(text) > max_length:
        problem(line_of(key), f"'{key}' is longer than {max_length} characters ({len(text)})")
    return text


def _list_field(meta, key, *, required, problem, line_of) -> list[str]:
    value = meta.get(key)
    if value is None or value == [] or value == "":
        if required:
            problem(line_of(key), f"missing required field '{key}' (one or more values)")
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problem(line_of(key), f"'{key}' must be a list of text values, e.g. [a, b]")
        return []
    items = [" ".join(v.split()) for v in value]
    if len(set(items)) != len(items):
        problem(line_of(key), f"'{key}' lists a value twice")
    return list(dict.fromkeys(items))


def import_paths(session: Session, paths: Iterable[Path], today: date | None = None
                 ) -> ImportReport:
    """Validate every file, then import all of them as published advice, or none at all.

    Two passes, so that memory stays flat whatever the number of files: the first parses and
    checks every file and keeps only its slug; the second parses the files again, a chunk at
    a time, and writes them. The caller commits, or rolls back when there are problems (also
    when a file changed between the passes and no longer passes).
    """
    today = today or localtime.today()
    report = ImportReport()
    known = Known.read(session)
    files = list(dict.fromkeys(collect_paths(paths)))  # a file named twice is read once
    if not files:
        report.problems.append(Problem(Path("."), 0, "no .md files found"))
        return report
    identities: dict[Path, Identity] = {}
    for path in files:
        item = parse_file(path, known, today)
        report.problems.extend(item.problems)
        if item.identity is not None:
            identities[path] = item.identity
    _check_slugs(session, {path: i.slug for path, i in identities.items()}, report.problems)
    _check_identities(session, identities, report.problems)
    if report.problems:
        return report
    themes = {t.slug: t for t in session.exec(select(Theme)).all()}
    for start in range(0, len(files), IMPORT_CHUNK):
        chunk = [parse_file(path, known, today) for path in files[start:start + IMPORT_CHUNK]]
        for item in chunk:
            if item.content is None or item.identity != identities.get(item.path):
                report.problems.extend(item.problems or [
                    Problem(item.path, 1, "the file changed during the import")])
        if report.problems:
            return report
        existing_by_slug = _advice_by_slug(session, {item.content.slug for item in chunk})
        for item in chunk:
            _import_one(session, item, existing_by_slug.get(item.content.slug), themes, report)
    if any(identity.advice_id for identity in identities.values()):
        _move_advice_sequence(session)
    return report


def _check_slugs(session: Session, slugs: dict[Path, str], problems: list[Problem]) -> None:
    """A slug may occur once per run, and may only update advice that is published."""
    seen: dict[str, Path] = {}
    for path, slug in slugs.items():
        if slug in seen:
            problems.append(Problem(path, 1, f"duplicate slug '{slug}' (also in {seen[slug]})"))
        seen.setdefault(slug, path)
    ordered = sorted(seen)
    for start in range(0, len(ordered), 500):  # well under every database's parameter limit
        rows = session.exec(select(Advice.slug, Advice.status)
                            .where(Advice.slug.in_(ordered[start:start + 500])))
        for slug, status in rows:
            if status != AdviceStatus.PUBLISHED:
                problems.append(Problem(
                    seen[slug], 1, f"slug '{slug}' belongs to an advice that is {status}; "
                    "import only updates published advice"))


def _check_identities(session: Session, identities: dict[Path, Identity],
                      problems: list[Problem]) -> None:
    """An id names one advice, and an old slug stays with the advice that had it: within the
    run and against the database."""
    by_id: dict[int, Path] = {}
    by_slug = {identity.slug: path for path, identity in identities.items()}
    by_old: dict[str, Path] = {}
    for path, identity in identities.items():
        number = identity.advice_id
        if number is not None:
            if number in by_id:
                problems.append(Problem(path, identity.id_line,
                                        f"duplicate id {number} (also in {by_id[number]})"))
            by_id.setdefault(number, path)
        for old in identity.old_slugs:
            other = by_old.get(old) or by_slug.get(old)
            if other is not None and other != path:
                problems.append(Problem(path, identity.old_slugs_line,
                                        f"old slug '{old}' is also used in {other}"))
            by_old.setdefault(old, path)
    stored = _stored_identities(session, set(by_id), set(by_slug) | set(by_old))
    for path, identity in identities.items():
        number = identity.advice_id
        owner = stored.slugs.get(identity.slug)  # the stored advice this file would update
        if number is not None and stored.ids.get(number, identity.slug) != identity.slug:
            problems.append(Problem(path, identity.id_line, f"id {number} already belongs to "
                                    f"another advice ('{stored.ids[number]}')"))
        elif number is not None and owner not in (None, number):
            problems.append(Problem(path, identity.id_line, f"slug '{identity.slug}' belongs "
                                    f"to advice {owner}, not {number}"))
        target = number or owner
        for old in identity.old_slugs:
            holders = stored.old.get(old, set()) | (
                {stored.slugs[old]} if old in stored.slugs else set())
            if holders - {target}:
                problems.append(Problem(path, identity.old_slugs_line,
                                        f"old slug '{old}' belongs to another advice"))


@dataclass
class _Stored:
    ids: dict[int, str] = field(default_factory=dict)  # id → current slug
    slugs: dict[str, int] = field(default_factory=dict)  # current slug → id
    old: dict[str, set[int]] = field(default_factory=dict)  # old slug → advice ids


def _stored_identities(session: Session, ids: set[int], slugs: set[str]) -> _Stored:
    """The stored advice with these ids or (current or old) slugs, in batches of 500 (well
    under every database's parameter limit)."""
    stored = _Stored()
    ordered_ids, ordered_slugs = sorted(ids), sorted(slugs)
    for start in range(0, len(ordered_ids), 500):
        for advice_id, slug in session.exec(select(Advice.id, Advice.slug).where(
                Advice.id.in_(ordered_ids[start:start + 500]))):
            stored.ids[advice_id] = slug
    for start in range(0, len(ordered_slugs), 500):
        batch = ordered_slugs[start:start + 500]
        for advice_id, slug in session.exec(select(Advice.id, Advice.slug)
                                            .where(Advice.slug.in_(batch))):
            stored.slugs[slug] = advice_id
        for advice_id, slug in session.exec(select(OldSlug.advice_id, OldSlug.slug)
                                            .where(OldSlug.slug.in_(batch))):
            stored.old.setdefault(slug, set()).add(advice_id)
    return stored


def _import_one(session: Session, item: ParsedFile, existing: Advice | None,
                themes: dict[str, Theme], report: ImportReport) -> None:
    content = item.content
    if existing is not None and not item.published_given:
        content = _with_published(content, existing.published)
    advice, revision = save_advice(session, existing, content, status=AdviceStatus.PUBLISHED,
                                   note=f"Geïmporteerd uit {item.path.name}", themes=themes,
                                   advice_id=item.identity.advice_id)
    _keep_old_slugs(session, advice, item.identity.old_slugs)
    if revision is None:
        report.unchanged.append(advice.slug)
    elif existing is None:
        report.created.append(advice.slug)
    else:
        report.updated.append(advice.slug)


def _keep_old_slugs(session: Session, advice: Advice, old_slugs: tuple[str, ...]) -> None:
    """Record the slugs the advice had before (in another instance) that are not recorded."""
    if not old_slugs:
        return
    known = set(session.exec(select(OldSlug.slug).where(OldSlug.advice_id == advice.id)))
    for old in old_slugs:
        if old not in known:
            session.add(OldSlug(advice_id=advice.id, slug=old))


def _move_advice_sequence(session: Session) -> None:
    """PostgreSQL: rows inserted with their own id leave the id sequence behind; move it past
    them (never back), so the next new advice does not collide. SQLite's AUTOINCREMENT follows
    by itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    sequence = session.execute(text("SELECT pg_get_serial_sequence('advice', 'id')")).scalar()
    session.execute(text(
        f"SELECT setval(CAST(:sequence AS regclass), GREATEST((SELECT max(id) FROM advice), "
        f"(SELECT last_value FROM {sequence})))"), {"sequence": sequence})


def _advice_by_slug(session: Session, slugs: set[str]) -> dict[str, Advice]:
    """The stored advice with these current slugs, in one query (a chunk is small)."""
    if not slugs:
        return {}
    return {a.slug: a for a in session.exec(select(Advice).where(Advice.slug.in_(slugs)))}


def _with_published(content: AdviceContent, published: date | None) -> AdviceContent:
    return AdviceContent(**{**content.__dict__, "published": published})


def dump_advice(content: AdviceContent, advice_id: int | None = None,
                old_slugs: Iterable[str] = ()) -> str:
    """Serialise one advice to the interchange format, deterministically; with its identity
    (id and old slugs) when given, as an export writes it."""
    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    def flow(values: Iterable[str]) -> str:
        return "[" + ", ".join(quoted(v) for v in values) + "]"

    lines = ["---"] + ([f"id: {advice_id}"] if advice_id is not None else [])
    lines += [f"title: {quoted(content.title)}", f"themes: {flow(content.themes)}",
             f"summary: {quoted(content.summary)}", f"authors: {flow(content.authors)}"]
    if content.region:
        lines.append(f"region: {quoted(content.region)}")
    if content.audience:
        lines.append(f"audience: {flow(content.audience)}")
    if content.published:
        lines.append(f"published: {content.published.isoformat()}")
    lines.append(f"slug: {content.slug}")
    old_slugs = list(old_slugs)
    if old_slugs:
        lines.append(f"old_slugs: {flow(old_slugs)}")
    lines += [f"language: {content.language}", "---", content.body, ""]
    return "\n".join(lines)


def export_all(session: Session, folder: Path) -> list[Path]:
    """Write every published advice to ``folder/<slug>.md``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    old_slugs: dict[int, list[str]] = {}
    for advice_id, slug in session.exec(select(OldSlug.advice_id, OldSlug.slug)
                                        .order_by(OldSlug.retired_at, OldSlug.id)):
        old_slugs.setdefault(advice_id, []).append(slug)
    written = []
    for advice in published_advice(session):
        path = folder / f"{advice.slug}.md"
        path.write_text(dump_advice(content_of(advice), advice.id, old_slugs.get(advice.id, ())),
                        encoding="utf-8")
        written.append(path)
    return written
