"""Our own tolerant query parser: user text becomes Whoosh query objects, never Whoosh syntax.

Understood: words, ``"exact phrases"``, ``-word`` to exclude, and ``OR`` between two parts.
Everything else is plain text; unbalanced quotes, stray operators and punctuation are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as q

from search_index.analysis import analyze

SEARCH_FIELDS = ("title", "summary", "body")
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 24

_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    terms: tuple[str, ...]
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[tuple[Clause, ...], ...]  # OR-ed groups of AND-ed clauses
    excluded: tuple[Clause, ...]

    @property
    def empty(self) -> bool:
        return not any(self.groups)

    def words(self) -> list[str]:
        """The positive terms, for suggestions and highlighting."""
        return [t for group in self.groups for clause in group for t in clause.terms]


def parse(text: str) -> ParsedQuery:
    """Split user text into clauses; any string parses."""
    text = (text or "")[:MAX_QUERY_CHARS]
    groups: list[list[Clause]] = [[]]
    excluded: list[Clause] = []
    count = 0
    for match in _PART.finditer(text):
        if count >= MAX_CLAUSES:
            break
        negated, phrase_text, word = match.group(1) == "-", match.group(2), match.group(3)
        if word == "OR":
            if groups[-1]:
                groups.append([])
            continue
        if phrase_text is not None:
            terms = tuple(analyze(phrase_text))
            clause = Clause(terms, phrase=len(terms) > 1, negated=negated)
        else:
            negated = word.startswith("-") and len(word) > 1
            terms = tuple(analyze(word[1:] if negated else word))
            clause = Clause(terms, phrase=len(terms) > 1, negated=negated)
        if not clause.terms:
            continue
        count += 1
        (excluded if clause.negated else groups[-1]).append(clause)
    return ParsedQuery(tuple(tuple(g) for g in groups if g), tuple(excluded))


def clause_query(clause: Clause) -> q.Query:
    """One word or phrase, matched in any searchable field."""
    if clause.phrase:
        return q.Or([q.Phrase(field, list(clause.terms)) for field in SEARCH_FIELDS])
    return q.Or([q.Term(field, clause.terms[0]) for field in SEARCH_FIELDS])


def to_whoosh(parsed: ParsedQuery) -> q.Query:
    """The Whoosh query for a parsed user query."""
    groups = [q.And([clause_query(c) for c in group]) for group in parsed.groups]
    positive: q.Query = groups[0] if len(groups) == 1 else q.Or(groups)
    if parsed.excluded:
        return q.AndNot(positive, q.Or([clause_query(c) for c in parsed.excluded]))
    return positive
