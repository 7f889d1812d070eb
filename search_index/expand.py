"""From a :class:`ParsedQuery` to a Whoosh query: the literal words first, expansions below.

For every query word the literal match is searched in title, summary and body (title weighs most,
BM25F-style per-field boosts) and, a lot lighter, in the compound ``parts`` field. Then, each
ranked below the literal words:

* equivalents, English terms and theme matches from the
  :class:`~search_index.synonyms.Thesaurus`;
* a compound's parts, wherever the advice writes them (``gezinshuisbegeleider`` finds "de
  begeleider in het gezinshuis", ``crisisplaatsing`` finds "plaatsing in een crisis");
* a hyphenated word also as one word and as its parts (``crisis-opvang`` finds ``crisisopvang``);
* for a word of 5+ letters that no advice contains and the vocabulary does not know: the corpus
  words one typo away, and failing those, its compound parts.

Function words (:mod:`search_index.function_words`) are left out of a query that has other
words. Quoted phrases and excluded words are taken literally. Prefix (``pleeg*``) expansions are
capped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.reading import IndexReader

from search_index.analysis import PARTICLES, index_term
from search_index.compounds import Decompounder
from search_index.function_words import is_function_word
from search_index.query import Clause, ParsedQuery
from search_index.scoring import ThemeBonus
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
#: A compound's parts are searched apart only when the whole word is in fewer advice than
#: this: otherwise the advice with the whole word fill the first pages anyway (parts rank
#: below them), and the parts of a common compound (``jeugd`` + ``zorg``) are in nearly every
#: advice, which made a new query at 10,000 advice several times slower.
RARE_WHOLE = 20
#: Particles of separable verbs, never highlighted on their own.
PARTICLE_TERMS = frozenset(index_term(p) for p in PARTICLES)


@dataclass
class Built:
    """The Whoosh query plus what the rest of the search needs to know about it."""

    query: q.Query
    #: The same words without any expansion: advice it matches is ranked first.
    strict: q.Query | None = None
    #: One query per required content word (or multi-word term): the partial-match fallback
    #: counts how many of them an advice holds.
    items: list[q.Query] = field(default_factory=list)
    #: Whether a theme (tag or name) may stand in for a word somewhere in the query.
    themes: bool = False
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
        content = any(not _function_item(item) for item in parsed.required)
        items = self._items(parsed, built, content)
        strict = [self._strict(item) for item in parsed.required
                  if not (content and _function_item(item))]
        positive = _and(items)
        built.strict = _and(strict)
        if parsed.excluded:
            unwanted = Or([self.literal(c.terms, c.quoted) for c in parsed.excluded])
            positive = q.AndNot(positive, unwanted)
            built.strict = q.AndNot(built.strict, unwanted)
            items = [q.AndNot(item, unwanted) for item in items]
        built.query, built.items = positive, items
        return built

    def _strict(self, item: tuple[Clause, ...]) -> q.Query:
        """The user's own words only: whole words (any inflection), no expansion, no parts
        (a hyphenated word also written as one: ``crisis-opvang`` = ``crisisopvang``)."""
        alternatives = []
        for clause in item:
            if clause.prefix:
                alternatives.append(self._prefix(clause, Built(q.NullQuery)))
                continue
            alternatives.append(self.literal(clause.terms, quoted=True))
            joined = _joined(clause)
            if joined:
                alternatives.append(self.literal((joined,), quoted=True))
        return alternatives[0] if len(alternatives) == 1 else Or(alternatives)

    def _items(self, parsed: ParsedQuery, built: Built, content: bool) -> list[q.Query]:
        # Runs of single unquoted clauses may together form a key ("verlengde jeugdhulp",
        # "Raad voor de Kinderbescherming", "care leavers"); function words outside such a
        # key are left out when there are other words.
        items: list[q.Query] = []
        required = parsed.required
        i = 0
        while i < len(required):
            span = self._key_span(required, i)
            if span and span[0] == i + 1:
                items.append(self.clause(required[i][0], built))
                i += 1
                continue
            if span:
                end, expansion = span
                words = [self.clause(item[0], built, expand=False) for item in required[i:end]]
                literal = words[0] if len(words) == 1 else q.And(words)
                items.append(self._with_expansion(literal, expansion, built))
                i = end
                continue
            if content and _function_item(required[i]):
                i += 1
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
        if not _function_clause(clause):
            built.mark(clause.terms, OWN_WORDS)
        literal = self.literal(clause.terms, clause.quoted)
        if clause.quoted or not expand:
            return literal
        expansion = self.thesaurus.get(clause.terms)
        if len(clause.terms) > 1:
            literal = self._hyphenated(clause, literal, built)
            joined = _joined(clause)
            expansion = expansion or (self.thesaurus.get((joined,)) if joined else None)
        if clause.plain_word and not expansion and not self._known(clause.terms[0]):
            return self._unknown_word(clause, literal, built)
        if clause.plain_word:
            literal = self._with_parts(clause, literal, built)
        return self._with_expansion(literal, expansion, built) if expansion else literal

    def _hyphenated(self, clause: Clause, phrase: q.Query, built: Built) -> q.Query:
        """``crisis-opvang``: the phrase, the word written as one (``crisisopvang``), and
        (below them) each part anywhere in the advice, each with its own expansions
        (``pgb-budget``: ``pgb`` or ``persoonsgebonden budget``, and ``budget``)."""
        alternatives = [phrase]
        joined = _joined(clause)
        if joined:
            built.mark((joined,), OWN_WORDS)
            alternatives.append(self.literal((joined,)))
        parts = []
        if joined and self._frequency(joined) >= RARE_WHOLE:
            return Or(alternatives)
        for word, term in zip(clause.words, clause.terms, strict=False):
            part = Clause((term,), (word,), word)
            if not _function_clause(part):
                parts.append(self.clause(part, built))
        if parts:
            alternatives.append(_boosted(_and(parts), SPLIT_BOOST))
        return Or(alternatives)

    def _with_parts(self, clause: Clause, literal: q.Query, built: Built) -> q.Query:
        """A compound (``gezinshuisbegeleider``) also matches advice that has its parts apart
        ("begeleider in het gezinshuis"), ranked below the whole word."""
        if not clause.words or self._frequency(clause.terms[0]) >= RARE_WHOLE:
            return literal
        terms = self._split(clause.words[0])
        if not terms:
            return literal
        built.mark(tuple(t for t in terms if t not in PARTICLE_TERMS), phrase=False)
        parts = q.And([self.literal((t,)) for t in terms])
        return Or([literal, _boosted(parts, SPLIT_BOOST)])

    def _split(self, word: str) -> tuple[str, ...]:
        """The terms of a compound's two known parts, or of a separable verb (``uitleggen``:
        ``uit`` + ``leggen``, as in "leg het uit"); ``()`` when it is neither."""
        splits = self.decompounder.splits(word) if self.decompounder is not None else ()
        if splits:
            terms = tuple(t for t in (index_term(part) for part in splits[0]) if t)
            return terms if len(terms) == 2 else ()
        for particle in PARTICLES:
            rest = word[len(particle):]
            if word.startswith(particle) and len(rest) >= 4 and rest.isalpha():
                term = index_term(rest)
                if term and self._known(term):
                    return (index_term(particle), term)
        return ()

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
        """The literal words or their equivalents; the theme (its name, its tag) only adds to
        the score of those, and finds advice on its own only when nothing else does
        (:class:`~search_index.scoring.ThemeBonus`): advice *about* ``thuisloos`` before
        advice that merely carries the theme wonen."""
        alternatives = [literal]
        for terms in expansion.equivalents:
            built.mark(terms)
            alternatives.append(_boosted(self.literal(terms), EQUIVALENT_BOOST))
        theme: list[q.Query] = []
        for terms in expansion.theme_names:
            # All the name's content words, not the phrase: "Inspraak en participatie" is
            # about inspraak and participatie; a phrase check of "en" costs more than it adds.
            words = tuple(t for t in terms if t not in NAME_FILLERS) or terms
            built.mark(words, phrase=False)
            theme.append(_boosted(_and([self.literal((t,)) for t in words]), THEME_NAME_BOOST))
        if expansion.themes:
            tags = [q.Term("themes", slug) for slug in expansion.themes]
            theme.append(q.ConstantScoreQuery(Or(tags), score=THEME_TAG_SCORE))
        text = alternatives[0] if len(alternatives) == 1 else Or(alternatives)
        if not theme:
            return text
        built.themes = True
        return ThemeBonus([text, Or(theme)])

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
        if len(alternatives) == 1:
            terms = self._split(word)
            if terms:
                built.mark(tuple(t for t in terms if t not in PARTICLE_TERMS), OWN_WORDS,
                           phrase=False)
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

    def _frequency(self, term: str) -> int:
        """About how many advice hold ``term`` (the most of any full-text field)."""
        return max(self.reader.doc_frequency(f, term) for f in FIELD_BOOSTS)

    def _known(self, term: str) -> bool:
        reader = self.reader
        return any(reader.doc_frequency(f, term) for f in (*FIELD_BOOSTS, "parts"))


class Or(q.Or):
    """``Or`` that always merges its sub-matchers as a tree.

    Whoosh's default picks, for indexes under 5,000 documents, a matcher that zeroes a
    2,048-slot array in Python for every block read: most of the query time here.
    """

    matcher_type = q.Or.DEFAULT_MATCHER


def _function_clause(clause: Clause) -> bool:
    return clause.plain_word and len(clause.words) == 1 and is_function_word(clause.words[0])


def _function_item(item: tuple[Clause, ...]) -> bool:
    return all(_function_clause(clause) for clause in item)


def _joined(clause: Clause) -> str | None:
    """A hyphenated word written as one word (``Wmo-loket`` → ``wmoloket``), or None."""
    if len(clause.words) < 2 or clause.quoted or not all(w.isalpha() for w in clause.words):
        return None
    return index_term("".join(clause.words))


def _and(items: list[q.Query]) -> q.Query:
    return items[0] if len(items) == 1 else q.And(items)


def _boosted(query: q.Query, boost: float) -> q.Query:
    query.boost = query.boost * boost
    return query
