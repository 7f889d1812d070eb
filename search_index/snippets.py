"""Highlighted snippets: the best passage of a text, matched words in ``<mark>``.

Snippets are a classic XSS hole, because advice text ends up in HTML unescaped-by-design. Here
the HTML is built from two things only: ``html.escape`` of the text, and the literal tags
``<mark>`` and ``</mark>``. Nothing of the text is ever trusted.

A word matches when its index term is one the query looked for (so ``pleeggezinnen`` is marked
for a query ``pleeggezin``), or when one of its compound parts is (``jeugdhulpverlener`` for
``hulpverlener``). A phrase is marked only where its words stand together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import escape

from search_index.analysis import EIGHTEEN, STEM_EXCEPTIONS, TOKEN_RE, index_term, normalize_word
from search_index.numbers import digits_of

#: Characters of context before the first match in a snippet.
LEAD_CHARS = 50
ELLIPSIS = "…"

Splitter = Callable[[str], tuple[str, ...]]
Key = str | tuple[str, ...]
Match = tuple[int, int, Key]


def highlight(text: str, terms: Mapping[Key, int], split: Splitter | None = None,
              max_chars: int = 240) -> str | None:
    """The best passage of ``text`` (at most ~``max_chars``) as safe HTML, or None if no match.

    ``terms`` maps what to mark (an index term, or a tuple of them for a phrase) to a weight:
    the passage with the most weight of distinct keys wins.
    """
    if not text or not terms:
        return None
    matches = _matches(text, terms, split)
    if not matches:
        return None
    start, end = _best_window(matches, terms, max_chars)
    start = _word_start(text, max(0, start - LEAD_CHARS)) if start > LEAD_CHARS else 0
    end = _word_end(text, min(len(text), start + max_chars))
    parts = [ELLIPSIS + " "] if start > 0 else []
    cursor = start
    for m_start, m_end, _ in matches:
        if m_start < cursor or m_end > end:
            continue
        parts.append(escape(text[cursor:m_start]))
        parts.append("<mark>" + escape(text[m_start:m_end]) + "</mark>")
        cursor = m_end
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append(" " + ELLIPSIS)
    return "".join(parts).strip()


def _matches(text: str, terms: Mapping[Key, int], split: Splitter | None) -> list[Match]:
    """Marked spans in text order: single terms, compound parts, and whole phrases.

    Analyzing every word of a long text costs more than the search itself, so a regex of the
    terms' first letters (see :func:`_finder`) picks the few words worth analyzing.
    """
    singles = frozenset(k for k in terms if isinstance(k, str))
    phrases = [k for k in terms if isinstance(k, tuple)]
    firsts = frozenset(p[0] for p in phrases)
    finder = _finder(singles | firsts)
    if finder is None:
        return []
    found: list[Match] = []
    seen: set[int] = set()
    for hit in finder.finditer(text):
        start = _token_start(text, hit.start())
        if start in seen:
            continue
        seen.add(start)
        token_match = TOKEN_RE.match(text, start)
        if token_match is None:
            continue
        token, end = token_match.group(), token_match.end()
        term = index_term(token)
        if term is None:
            continue
        if term in firsts:
            for phrase in phrases:
                if phrase[0] == term:
                    phrase_end = _phrase_end(text, end, phrase[1:])
                    if phrase_end:
                        found.append((start, phrase_end, phrase))
        if term in singles:
            found.append((start, end, term))
        elif split is not None and len(token) >= 8:
            for part in split(normalize_word(token)):
                if index_term(part) in singles:
                    found.append((start, end, index_term(part)))
                    break
    found.sort(key=lambda m: (m[0], -m[1]))
    return found


def _phrase_end(text: str, pos: int, rest: tuple[str, ...]) -> int | None:
    """Where the phrase ends if the words right after ``pos`` are ``rest``, else None."""
    for wanted in rest:
        nxt = TOKEN_RE.search(text, pos)
        if nxt is None or index_term(nxt.group()) != wanted:
            return None
        pos = nxt.end()
    return pos


def _token_start(text: str, pos: int) -> int:
    while pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "'’"):
        pos -= 1
    return pos


_VOWELS = {"a": "aáàäâ", "e": "eéèëê", "i": "iíìïîy", "o": "oóòöô", "u": "uúùüû"}
#: Written forms whose index term does not start like the word itself.
_OTHER_FORMS: dict[str, tuple[str, ...]] = {EIGHTEEN: ("18",)}
for _word, _term in STEM_EXCEPTIONS.items():
    _OTHER_FORMS.setdefault(_term, ())
    _OTHER_FORMS[_term] += (_word,)


@lru_cache(maxsize=1024)
def _finder(terms: frozenset[str]) -> re.Pattern | None:
    """A regex finding where a word that may analyze to one of ``terms`` (or contain one, for
    compounds) is written: each term's first four letters, vowels possibly doubled or accented
    (the stemmer undoubles: ``jaren`` → ``jar``, and folds: ``cliënt`` → ``client``)."""
    patterns = set()
    for term in terms:
        digits = digits_of(term)
        for form in (term, *_OTHER_FORMS.get(term, ()), *((digits,) if digits else ())):
            patterns.add("".join(
                f"[{_VOWELS[c]}]{{1,2}}" if c in _VOWELS else re.escape(c) for c in form[:4]))
    if not patterns:
        return None
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)


def _best_window(matches: list[Match], terms: Mapping[Key, int], width: int) -> tuple[int, int]:
    """The window of ``width`` chars, starting at a match, with the most weight of keys."""
    best, best_score = (matches[0][0], matches[0][1]), -1
    right = 0
    for left, (w_start, _, _) in enumerate(matches):
        right = max(right, left)
        while right + 1 < len(matches) and matches[right + 1][1] - w_start <= width - LEAD_CHARS:
            right += 1
        window = matches[left:right + 1]
        score = sum(terms[key] for key in {key for _, _, key in window}) * 100 + len(window)
        if score > best_score:
            best, best_score = (w_start, window[-1][1]), score
    return best


def _word_start(text: str, pos: int) -> int:
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 20 else pos


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", pos - 20, pos)
    return space if space > 0 else pos
