"""Typo tolerance and "Bedoelde je …?": corrections from the index's own vocabulary.

A correction is a word one edit away: a letter missing, extra or wrong, or two neighbours
swapped (``jeugbescherming``, ``pleeggezni``). Candidates are generated from the typed word
(about 55 per letter) and looked up in the set of index terms, so a lookup costs about a
millisecond whatever the size of the corpus, and no query can make it slow.

The index holds stems, so the edit is tried on the word itself (``wachtlijts`` → ``wachtlijst``)
and on its stem (``jeugbescherm`` → ``jeugdbescherm``); then the word shown to the reader is the
typed word with the same edit (``jeugdbescherming``), checked to analyze to the corrected term.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Container, Iterable

from search_index.analysis import index_term

#: Words shorter than this are never corrected: too many short words are one edit apart.
MIN_TYPO_CHARS = 5
#: Longer words are not corrected (a bound on the work per word).
MAX_TYPO_CHARS = 40
_LETTERS = string.ascii_lowercase


def edits1(word: str) -> set[str]:
    """Every string one edit (delete, transpose, replace, insert) away from ``word``."""
    return set().union(*_edit_kinds(word)) - {word}


def _edit_kinds(word: str) -> tuple[set[str], set[str], set[str], set[str]]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    deletes = {a + b[1:] for a, b in splits if b}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return transposes, replaces, deletes, inserts


class Lexicon:
    """The terms of several index segments, looked up without merging them into one set.

    A segment's terms never change (a deletion only hides documents), so each segment's set is
    read once and kept across index generations; after an edit only the new segment is read.
    """

    def __init__(self, parts: Iterable[frozenset[str]]) -> None:
        self._parts = tuple(parts)

    def __contains__(self, term: object) -> bool:
        return any(term in part for part in self._parts)


class Speller:
    """Corrections against a set of index terms, ranked by how many advice use them."""

    def __init__(self, terms: Container[str], frequency: Callable[[str], int]) -> None:
        self.terms = terms
        self.frequency = frequency

    def _known(self, candidates: Iterable[str]) -> list[str]:
        terms = self.terms
        return sorted(c for c in candidates if c in terms)

    def corrections(self, word: str, limit: int = 3) -> list[tuple[str, str]]:
        """``(term, written)`` pairs for a folded, lowercase ``word``, most used first.

        ``written`` is how to show the correction; it is empty when it cannot be derived.
        """
        if not (MIN_TYPO_CHARS <= len(word) <= MAX_TYPO_CHARS) or not word.isalpha():
            return []
        stem = index_term(word) or word
        found: dict[str, str] = {}
        for candidate in self._known(edits1(word)):
            # The edited word is itself a term (``wachtlijts`` → ``wachtlijst``).
            found.setdefault(candidate, _checked(candidate, candidate))
        for candidate in self._known(edits1(stem)):
            # The edit is in the stem (``jeugbescherm`` → ``jeugdbescherm``).
            found.setdefault(candidate, _checked(_written(word, stem, candidate), candidate))
        if not found:
            # A typo in the ending the stemmer removes (``begeleidign``): stem those edits,
            # the likeliest kind of typo first (a swap before a wrong, missing or extra letter).
            for kind in _edit_kinds(word[-4:]):
                for candidate in sorted(kind):
                    written = word[:-4] + candidate
                    term = index_term(written)
                    if term and term != stem and term in self.terms:
                        found.setdefault(term, written)
        # A typo in the first letter is rare, and "correcting" it mostly turns a word the
        # collection lacks into another word (``makers`` → ``vakers``): only a swap of the
        # first two letters is taken.
        found = {term: written for term, written in found.items()
                 if term[:1] == word[:1] or term[:2] == word[1::-1]}
        ranked = sorted(found.items(), key=lambda item: (-self.frequency(item[0]), item[0]))
        return ranked[:limit]


def _checked(written: str, term: str) -> str:
    return written if written and index_term(written) == term else ""


def _written(word: str, stem: str, candidate: str) -> str:
    """How to show a correction found by editing the stem. An edit at the stem's very end is
    often a typo across the ending the stemmer removed (``begeleidnig`` has the stem
    ``begeleidn``, one letter from ``begeleid``): then the ending's edits are tried first, a swap
    before a wrong, missing or extra letter, so the reader sees ``begeleiding``."""
    if len(os.path.commonprefix((stem, candidate))) >= len(stem) - 1:
        for kind in _edit_kinds(word[-4:]):
            for edited in sorted(kind):
                if index_term(word[:-4] + edited) == candidate:
                    return word[:-4] + edited
    return _same_edit(word, stem, candidate)


def _same_edit(word: str, stem: str, candidate: str) -> str:
    """``word`` with the edit that turns ``stem`` into ``candidate``, when that edit lies in
    the part the word and its stem share; else ``""``."""
    shared = len(os.path.commonprefix((word, stem)))
    i = len(os.path.commonprefix((stem, candidate)))
    if i >= shared:
        return ""
    if len(candidate) == len(stem) + 1:
        return word[:i] + candidate[i] + word[i:]
    if len(candidate) == len(stem) - 1:
        return word[:i] + word[i + 1:]
    if candidate[i + 1:] == stem[i + 1:]:
        return word[:i] + candidate[i] + word[i + 1:]
    if i + 1 < shared:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return ""
