""""Bedoelde je …?": a corrected query made only of words the collection uses, and only when it
finds at least as many advice as the query did.

The typo code works on stems, and a stem with an edited ending can be shown as a non-word
(``vechtscheidng`` was answered with "vechtscheidig", ``beleid makers`` with "beleid vakers").
So every proposed word is checked against how the advice themselves write the corrected term:
the typed form is kept when an advice uses it, otherwise the form the advice use most. Two
typed words that the collection writes as one (``pleeg zorg``) are proposed as that word. A
suggestion is dropped when it would find fewer advice than the query.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from search_index.analysis import TOKEN_RE, fold, index_term, normalize_word
from search_index.spelling import Speller

#: How many advice are read to learn how the collection writes a term.
SAMPLE_DOCS = 5
_WORD = re.compile(r"[^\W\d_]+")


def suggestion(text: str, corrections: dict[str, str], total: int, speller: Speller,
               forms: Callable[[str], Counter], count: Callable[[str], int]) -> str | None:
    """The suggested query, or None.

    ``corrections`` maps typed words to corrected words (from the query's typo alternatives);
    ``forms(term)`` counts how the collection writes an index term; ``count(text)`` is how
    many advice a query finds.
    """
    corrections = dict(corrections)
    if total == 0:
        for word in re.findall(r"[^\W\d_]{5,}", text):
            term = index_term(word)
            if word in corrections or not term or speller.frequency(term) > 1:
                continue
            options = speller.corrections(normalize_word(word), 1)
            if options and speller.frequency(options[0][0]) >= 3:
                corrections[word] = options[0][1]
    checked = {}
    for typed, written in corrections.items():
        word = in_collection(written, forms)
        if word:
            checked[typed] = word
    suggested = _replace(text, checked)
    suggested = _joined_pairs(suggested, speller, forms)
    if not suggested or suggested == " ".join(text.split()):
        return None
    return suggested if count(suggested) >= total else None


def in_collection(written: str, forms: Callable[[str], Counter]) -> str | None:
    """``written`` if the advice use that very word, else the advice's most used form of its
    index term, else None."""
    term = index_term(written) if written else None
    if not term:
        return None
    found = forms(term)
    if not found:
        return None
    if written.lower() in found:
        return written
    return found.most_common(1)[0][0]


def surface_forms(texts: list[str], term: str) -> Counter:
    """How ``texts`` write the words whose index term is ``term`` (lowercase), counted."""
    found: Counter = Counter()
    # Only the words starting like the term are analyzed (a stem keeps the word's first
    # letters; diacritics are folded by index_term).
    start = re.compile(rf"(?<![^\W_]){re.escape(term[:2])}", re.IGNORECASE)
    for text in texts:
        for hit in start.finditer(fold(text)):
            token = TOKEN_RE.match(text, hit.start())
            if token and index_term(token.group()) == term:
                found[token.group().lower()] += 1
    return found


def _replace(text: str, corrections: dict[str, str]) -> str:
    for typed, corrected in corrections.items():
        text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", lambda _m, c=corrected: c, text)
    return " ".join(text.split())


def _joined_pairs(text: str, speller: Speller, forms: Callable[[str], Counter]) -> str:
    """Two neighbouring words the collection writes as one word: ``pleeg zorg`` →
    ``pleegzorg``, ``beleid makers`` → ``beleidsmakers`` (with a linking ``s``)."""
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and _WORD.fullmatch(words[i]) and _WORD.fullmatch(words[i + 1]) \
                and index_term(words[i + 1]) not in speller.terms:
            joined = _join(words[i], words[i + 1], speller, forms)
            if joined:
                out.append(joined)
                i += 2
                continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def _join(first: str, second: str, speller: Speller, forms) -> str | None:
    for link in ("", "s"):
        candidate = f"{first}{link}{second}".lower()
        term = index_term(candidate)
        if term and term in speller.terms and candidate in forms(term):
            return candidate
    return None
