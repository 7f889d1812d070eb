"""Our own tolerant query parser: user text becomes a :class:`ParsedQuery`, never Whoosh syntax.

Understood:

* words: every word must match (AND), in any of its inflections (``pleeggezinnen``);
* ``"exact phrase"``: these words in this order, not expanded to synonyms;
* ``-word`` or ``NOT word``: leave out advice with this word;
* ``a OR b``: either; ``OR`` binds tighter than the implicit AND, as in web search engines, so
  ``pleegzorg OR gezinshuis school`` is (pleegzorg or gezinshuis) and school;
* ``word*``: words starting with ``word`` (at least 3 letters; expansions are bounded).

Everything else is plain text: ``AND`` is the default and is skipped, unbalanced quotes close at
the end, and punctuation (``title:x``, ``~``, ``?``, ``^``) only separates words. Any string
parses; at most :data:`MAX_QUERY_CHARS` characters and :data:`MAX_CLAUSES` clauses are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search_index.analysis import index_term, iter_tokens, normalize_word

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 24
MIN_PREFIX_CHARS = 3

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One word, hyphenated word or quoted phrase of the query."""

    terms: tuple[str, ...]
    words: tuple[str, ...] = ()  # normalized surface words, for typos and suggestions
    raw: str = ""                # as typed, to rewrite the query into a suggestion
    quoted: bool = False
    prefix: bool = False
    negated: bool = False

    @property
    def plain_word(self) -> bool:
        """A single unquoted word: the kind that may be expanded or corrected."""
        return len(self.terms) == 1 and not self.quoted and not self.prefix


@dataclass(frozen=True)
class ParsedQuery:
    """``required`` items all must match; each item is a tuple of alternatives (``OR``)."""

    required: tuple[tuple[Clause, ...], ...]
    excluded: tuple[Clause, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.required

    def key(self) -> str:
        """A normalized form, for caching: equal for queries that search the same thing."""
        def show(c: Clause) -> str:
            if c.prefix:
                return c.words[0] + "*"
            text = " ".join(c.terms)
            return f'"{text}"' if c.quoted else text
        items = [" OR ".join(show(c) for c in item) for item in self.required]
        return " ".join(items + ["-" + show(c) for c in self.excluded])


def parse(text: str) -> ParsedQuery:
    """Split user text into clauses; any string parses."""
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
    required: list[list[Clause]] = []
    excluded: list[Clause] = []
    pending_or = pending_not = False
    count = 0
    for match in _CHUNK.finditer(text):
        if count >= MAX_CLAUSES:
            break
        minus, quoted, chunk = match.group(1) == "-", match.group(2), match.group(3)
        if chunk in ("OR", "|", "||"):
            pending_or = bool(required)
            continue
        if chunk in ("AND", "&", "&&", "+"):
            continue
        if chunk == "NOT":
            pending_not = True
            continue
        if quoted is not None:
            clauses = _quoted(quoted, minus or pending_not, match.group())
        else:
            negated = chunk.startswith("-") or pending_not
            clauses = _unquoted(chunk.lstrip("-"), negated)
        pending_not = False
        for clause in clauses:
            count += 1
            if clause.negated:
                excluded.append(clause)
            elif pending_or and required:
                required[-1].append(clause)
            else:
                required.append([clause])
            pending_or = False
    return ParsedQuery(tuple(tuple(item) for item in required), tuple(excluded))


def _quoted(text: str, negated: bool, raw: str) -> list[Clause]:
    tokens = [t for t, _, _ in iter_tokens(text)]
    terms = tuple(t for t in (index_term(tok) for tok in tokens) if t)
    if not terms:
        return []
    return [Clause(terms, tuple(normalize_word(t) for t in tokens), raw, quoted=True,
                   negated=negated)]


def _unquoted(chunk: str, negated: bool) -> list[Clause]:
    """Runs of tokens joined by hyphens are one clause (``jeugd-GGZ``); other punctuation
    separates clauses (``ouders/verzorgers``, ``title:x``)."""
    runs: list[list[tuple[str, int, int]]] = []
    for token, start, end in iter_tokens(chunk):
        if runs and chunk[runs[-1][-1][2]:start] == "-":
            runs[-1].append((token, start, end))
        else:
            runs.append([(token, start, end)])
    clauses = []
    for run in runs:
        terms = tuple(t for t in (index_term(tok) for tok, _, _ in run) if t)
        if not terms:
            continue
        raw = chunk[run[0][1]:run[-1][2]]
        after = chunk[run[-1][2]:run[-1][2] + 1]
        words = tuple(normalize_word(tok) for tok, _, _ in run)
        prefix = (after == "*" and len(words) == 1 and len(words[0]) >= MIN_PREFIX_CHARS
                  and words[0].isalpha())
        clauses.append(Clause(terms, words, raw, prefix=prefix, negated=negated))
    return clauses
