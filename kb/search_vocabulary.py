"""The editors' search vocabulary: ``themes/vocabulary/*.yaml`` read into a
:class:`search_index.Vocabulary`.

Abbreviations, domain synonyms and English terms are data beside the themes, so editors extend
them without a developer (like GOV.UK's synonyms list). Each file may hold ``equal:`` (groups
of words that mean the same, used both ways) and ``english:`` (an English word or phrase and
the Dutch words it stands for). They only steer query expansion, so a change needs no index
rebuild: each process reads the files when the app starts.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from search_index import Vocabulary

#: The folder, inside the themes folder, of the vocabulary files.
FOLDER = "vocabulary"


class VocabularyFileError(ValueError):
    """A vocabulary file that cannot be used; the message names the file and the entry."""


def load_vocabulary(themes_dir: Path) -> Vocabulary:
    """Read every ``*.yaml`` in ``themes_dir/vocabulary``; no folder means no vocabulary."""
    equal: list[tuple[str, ...]] = []
    english: list[tuple[str, tuple[str, ...]]] = []
    problems: list[str] = []
    for path in sorted((Path(themes_dir) / FOLDER).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: not valid YAML ({exc.__class__.__name__})")
            continue
        if not isinstance(data, dict) or set(data) - {"equal", "english"}:
            problems.append(f"{path}: expected 'equal:' and/or 'english:' and nothing else")
            continue
        for n, group in enumerate(data.get("equal") or [], start=1):
            if not isinstance(group, list) or len(group) < 2 or not all(
                    isinstance(word, str) and word.strip() for word in group):
                problems.append(f"{path}: equal, group {n}: expected a list of two or more words")
                continue
            equal.append(tuple(word.strip() for word in group))
        terms = data.get("english") or {}
        if not isinstance(terms, dict):
            problems.append(f"{path}: english: expected 'English term: [Dutch words]' lines")
            continue
        for term, dutch in terms.items():
            if not isinstance(term, str) or not isinstance(dutch, list) or not dutch or not all(
                    isinstance(word, str) and word.strip() for word in dutch):
                problems.append(f"{path}: english, {term!r}: expected a list of Dutch words")
                continue
            english.append((term.strip(), tuple(word.strip() for word in dutch)))
    if problems:
        raise VocabularyFileError("\n".join(problems))
    known = {term.lower() for term, _ in english}
    english += [(term, dutch) for term, dutch in audience_names(Path(themes_dir))
                if term.lower() not in known]
    return Vocabulary(equal=tuple(equal), english=tuple(english))


def audience_names(themes_dir: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Each audience's English name and its Dutch name (``Youth care providers`` →
    ``Jeugdhulpaanbieders``), from ``themes/audiences/*.yaml``, so that English queries find
    the Dutch advice for them, as the themes' English names do. A broken audience file is
    reported by the audiences' own sync (:mod:`kb.vocabulary`), not here."""
    found = []
    for path in sorted((themes_dir / "audiences").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        name, name_en = data.get("name"), data.get("name_en")
        if isinstance(name, str) and isinstance(name_en, str) and name.strip() and name_en.strip():
            found.append((name_en.strip(), (name.strip(),)))
    return found
