"""From a :class:`ParsedQuery` to a Whoosh query: the literal words first, expansions below.

For every query word the literal match is searched in title, summary and body (title weighs most,
BM25F-style per-field boosts) and, a lot lighter, in the compound ``parts`` field. Then, each
ranked below the literal words:

* equivalents and theme matches from the :class:`~search_index.synonyms.Thesaurus`;
* for a word of 5+ letters that no advice contains: the corpus words one typo away, and failing
  those, its compound parts (``pleegzorgbegeleider`` → ``pleegzorg`` + ``begeleider``).

Quoted phrases and excluded words are taken literally. Prefix (``pleeg*``) expansions are capped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.reading import IndexReader

from search_index.analysis import index_term
from search_index.compounds import Decompounder
from search_index.query import Clause, ParsedQuery
from search_index.spelling import MIN_TYPO_CHARS, Speller
from search_index.synonyms import Expansion, Terms, Thesaurus

FIELD_BOOSTS = {"title": 3.0, "summary": 2.0, "body": 1.0}
PARTS_BOOST = 0.3
EQUIVALENT_BOOST = 0.8
THEME_NAME_BOOST = 0.4
#: Score of a document that matches a word only through its theme tag.
THEME_TAG_SCORE = 0.5
TYPO_BOOST = 0.7
SPLIT_BOOST = 0.5
MAX_PREFIX_TERMS = 40
#: Words of a theme name that do not say what it is about.
NAME_FILLERS = frozenset({"de", "het", "een", "en", "van", "voor", "of", "in", "op", "naar"})
#: Highlight weight of the reader's own words; expansions weigh 1.
OWN_WORDS = 10
MAX_TYPO_CANDIDATES = 3


@dataclass
class Built:
    """The Whoosh query plus what the rest of the search needs to know about it."""

    query: q.Query
    #: The same words without any expansion: advice it matches is ranked first.
    strict: q.Query | None = None
    relaxed: q.Query | None = None  # any-word fallback for when no advice has every word
    #: What to highlight (a term, or a tuple of terms for a phrase) and how much it counts
    #: when choosing the passage: the user's own words much more than expansions.
    terms: dict[str | tuple[str, ...], int] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word → corpus word

    def mark(self, terms: Terms, weight: int = 1, phrase: bool = True) -> None:
        """Highlight these terms: as one phrase, or (``phrase=False``) each on its own."""
        keys = [terms[0] if len(terms) == 1 else tuple(terms)] if phrase else list(terms)
        for key in keys:
            self.terms[key] = max(weight, self.terms.get(key, 0))


@dataclass
class Expander:
    """Builds queries against one reader: it asks the reader which words exist."""

    reader: IndexReader
    thesaurus: Thesaurus
    speller: Callable[[], Speller]
    decompounder: Decompounder | None = None

    def build(self, parsed: ParsedQuery) -> Built:
        """The query for ``parsed``, which must not be empty."""
        built = Built(q.NullQuery)
        items = self._items(parsed, built)
        strict = [self._strict(item) for item in parsed.required]
        positive = _and(items)
        built.strict = _and(strict)
        relaxed = Or(items) if len(items) > 1 else None
        if parsed.excluded:
            unwanted = Or([self.literal(c.terms, c.quoted) for c in parsed.excluded])
            positive = q.AndNot(positive, unwanted)
            built.strict = q.AndNot(built.strict, unwanted)
            relaxed = q.AndNot(relaxed, unwanted) if relaxed is not None else None
        built.query, built.relaxed = positive, relaxed
        return built

    def _strict(self, item: tuple[Clause, ...]) -> q.Query:
        """The user's own words only: whole words (any inflection), no expansion, no parts."""
        alternatives = []
        for clause in item:
            if clause.prefix:
                alternatives.append(self._prefix(clause, Built(q.NullQuery)))
            else:
                alternatives.append(self.literal(clause.terms, quoted=True))
        return alternatives[0] if len(alternatives) == 1 else Or(alternatives)

    def _items(self, parsed: ParsedQuery, built: Built) -> list[q.Query]:
        # Runs of single unquoted clauses may together form a key ("verlengde jeugdhulp").
        items: list[q.Query] = []
        required = parsed.required
        i = 0
        while i < len(required):
            span = self._key_span(required, i)
            if span:
                end, expansion = span
                words = [self.clause(item[0], built, expand=False) for item in required[i:end]]
                literal = words[0] if len(words) == 1 else q.And(words)
                items.append(self._with_expansion(literal, expansion, built))
                i = end
                continue
            alternatives = [self.clause(c, built) for c in required[i]]
            items.append(alternatives[0] if len(alternatives) == 1 else Or(alternatives))
            i += 1
        return items

    def _key_span(self, required, start: int) -> tuple[int, Expansion] | None:
        runs: list[Terms] = []
        for item in required[start:]:
            if len(item) != 1 or item[0].quoted or item[0].prefix:
                break
            runs.append(item[0].terms)
        found = self.thesaurus.longest(runs, 0)
        return (start + found[0], found[1]) if found else None

    def clause(self, clause: Clause, built: Built, expand: bool = True) -> q.Query:
        """One clause: literal, plus (unless quoted) its expansions, typos and compound parts."""
        if clause.prefix:
            return self._prefix(clause, built)
        built.mark(clause.terms, OWN_WORDS)
        literal = self.literal(clause.terms, clause.quoted)
        if clause.quoted or not expand:
            return literal
        expansion = self.thesaurus.get(clause.terms)
        if clause.plain_word and not self._known(clause.terms[0]):
            return self._unknown_word(clause, literal, built)
        return self._with_expansion(literal, expansion, built) if expansion else literal

    def literal(self, terms: Terms, quoted: bool = False) -> q.Query:
        """These terms (a phrase when several) in title, summary, body and, unless ``quoted``,
        in the compound parts."""
        if len(terms) > 1:
            return Or([q.Phrase(f, list(terms), boost=b) for f, b in FIELD_BOOSTS.items()])
        subs = [q.Term(f, terms[0], boost=b) for f, b in FIELD_BOOSTS.items()]
        if not quoted:
            subs.append(q.Term("parts", terms[0], boost=PARTS_BOOST))
        return Or(subs)

    def _with_expansion(self, literal: q.Query, expansion: Expansion, built: Built) -> q.Query:
        alternatives = [literal]
        for terms in expansion.equivalents:
            built.mark(terms)
            alternatives.append(_boosted(self.literal(terms), EQUIVALENT_BOOST))
        for terms in expansion.theme_names:
            # All the name's content words, not the phrase: "Inspraak en participatie" is
            # about inspraak and participatie; a phrase check of "en" costs more than it adds.
            words = tuple(t for t in terms if t not in NAME_FILLERS) or terms
            built.mark(words, phrase=False)
            alternatives.append(_boosted(_and([self.literal((t,)) for t in words]),
                                         THEME_NAME_BOOST))
        if expansion.themes:
            tags = [q.Term("themes", slug) for slug in expansion.themes]
            alternatives.append(q.ConstantScoreQuery(Or(tags), score=THEME_TAG_SCORE))
        return Or(alternatives)

    def _unknown_word(self, clause: Clause, literal: q.Query, built: Built) -> q.Query:
        """A word no advice contains: try the corpus words one typo away, then its parts."""
        word = clause.words[0] if clause.words else ""
        alternatives = [literal]
        if len(word) >= MIN_TYPO_CHARS:
            for term, written in self.speller().corrections(word, MAX_TYPO_CANDIDATES):
                if written and clause.raw:
                    built.corrections.setdefault(clause.raw, written)
                built.mark((term,), OWN_WORDS)
                corrected = self.literal((term,))
                expansion = self.thesaurus.get((term,))
                if expansion:
                    corrected = self._with_expansion(corrected, expansion, built)
                alternatives.append(_boosted(corrected, TYPO_BOOST))
        if len(alternatives) == 1 and self.decompounder is not None:
            splits = self.decompounder.splits(word)
            if splits:
                head, tail = splits[0]
                terms = [t for t in (index_term(head), index_term(tail)) if t]
                built.mark(tuple(terms), OWN_WORDS, phrase=False)
                parts = q.And([self.literal((t,)) for t in terms])
                alternatives.append(_boosted(parts, SPLIT_BOOST))
        return alternatives[0] if len(alternatives) == 1 else Or(alternatives)

    def _prefix(self, clause: Clause, built: Built) -> q.Query:
        """``word*``: the index terms starting with the word, at most MAX_PREFIX_TERMS of them."""
        prefix = clause.words[0]
        found: dict[str, None] = {}
        for fieldname in FIELD_BOOSTS:
            for btext in self.reader.expand_prefix(fieldname, prefix):
                found[btext.decode("utf-8")] = None
                if len(found) >= MAX_PREFIX_TERMS:
                    break
            if len(found) >= MAX_PREFIX_TERMS:
                break
        if not found:
            return self.literal(clause.terms)
        built.mark(tuple(found), OWN_WORDS, phrase=False)
        return Or([self.literal((term,), quoted=True) for term in found])

    def _known(self, term: str) -> bool:
        reader = self.reader
        return any(reader.doc_frequency(f, term) for f in (*FIELD_BOOSTS, "parts"))


class Or(q.Or):
    """``Or`` that always merges its sub-matchers as a tree.

    Whoosh's default picks, for indexes under 5,000 documents, a matcher that zeroes a
    2,048-slot array in Python for every block read: most of the query time here.
    """

    matcher_type = q.Or.DEFAULT_MATCHER


def _and(items: list[q.Query]) -> q.Query:
    return items[0] if len(items) == 1 else q.And(items)


def _boosted(query: q.Query, boost: float) -> q.Query:
    query.boost = query.boost * boost
    return query
