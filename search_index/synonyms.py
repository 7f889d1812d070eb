"""Query expansion: the words policymakers use, mapped to the words ExpEx wrote.

Three sources, deliberately kept apart:

* **Equivalents** (:data:`EQUIVALENTS`, curated here): abbreviations and official terms that mean
  exactly the same thing (``OTS`` = ``ondertoezichtstelling``). A query for one also matches the
  others, weighted a little below the literal words.
* **The editors' vocabulary** (given by the app as
  :class:`~search_index.documents.Vocabulary`, from ``themes/vocabulary/*.yaml``): more
  equivalents, and English terms with the Dutch words they stand for (one way).
* **Themes** (given by the app as :class:`ThemeTerms`, with their English names): a theme's
  synonyms are *related*, not equal (``gezinshuis`` is no ``crisisplaatsing``), so a query
  word that is a theme's name or synonym is not expanded to the other synonyms. It also matches
  advice *tagged* with the theme, and the theme's name, both well below literal matches.

Keys and expansions are analyzed terms, so ``JeugdzorgPlus``, ``jeugdzorgplus`` and
``JEUGDZORGPLUS`` are one key, and ``18+`` is the key ``achttien``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from search_index.analysis import analyze
from search_index.documents import ThemeTerms

#: Groups of terms that mean the same, known to the library itself (the app adds the editors'
#: longer list, ``themes/vocabulary/``). Keep it small and certain: a wrong entry here costs
#: precision on every query that uses it.
EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("OTS", "ondertoezichtstelling", "onder toezicht stelling", "onder toezicht gesteld"),
    ("GI", "gecertificeerde instelling"),
    ("JZ+", "JZplus", "JeugdzorgPlus", "jeugdzorg plus", "gesloten jeugdzorg",
     "gesloten jeugdhulp"),
    ("GGZ", "geestelijke gezondheidszorg"),
    ("jeugd-GGZ", "jeugdggz"),
    ("pgb", "persoonsgebonden budget"),
    ("jeugdbeschermer", "gezinsvoogd"),
    ("uithuisplaatsing", "uit huis geplaatst", "uit huis plaatsen"),
    ("Veilig Thuis", "AMHK"),
    ("Raad voor de Kinderbescherming", "RvdK"),
    ("Wmo", "Wet maatschappelijke ondersteuning"),
    ("jeugdzorg", "jeugdhulp"),
    ("vechtscheiding", "complexe scheiding", "conflictscheiding"),
    ("separeren", "separatie", "afzonderen"),
    ("verlengde jeugdhulp", "verlengde jeugdzorg", "jeugdhulp na achttien"),
    ("thuiszitter", "thuiszitten"),
)

#: Keys longer than this many terms are not looked for.
MAX_KEY_TERMS = 6

Terms = tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """What a key also matches, beside its own words."""

    equivalents: tuple[Terms, ...] = ()
    themes: tuple[str, ...] = ()
    theme_names: tuple[Terms, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.equivalents or self.themes or self.theme_names)


@dataclass
class Thesaurus:
    """Keys (analyzed term tuples) to their :class:`Expansion`, built from equivalents + themes."""

    keys: dict[Terms, Expansion] = field(default_factory=dict)

    @classmethod
    def build(cls, themes: Iterable[ThemeTerms] = (),
              equivalents: Iterable[Sequence[str]] = EQUIVALENTS,
              english: Iterable[tuple[str, Sequence[str]]] = ()) -> Thesaurus:
        """Analyze every name, slug, synonym, equivalent and English term once.

        Equivalents work both ways; an English term only expands to its Dutch words (a Dutch
        search is never expanded to English words no advice uses).
        """
        same: dict[Terms, set[Terms]] = defaultdict(set)
        for group in equivalents:
            analyzed = {_key(text) for text in group} - {()}
            for key in analyzed:
                same[key] |= analyzed - {key}
        for text, dutch in english:
            key = _key(text)
            if key:
                same[key] |= {_key(word) for word in dutch} - {(), key}
        tagged: dict[Terms, set[str]] = defaultdict(set)
        names: dict[str, Terms] = {}
        for theme in themes:
            names[theme.slug] = _key(theme.name)
            for text in (theme.name, theme.slug.replace("-", " "), theme.name_en,
                         *theme.synonyms):
                key = _key(text)
                if key:
                    tagged[key].add(theme.slug)
        keys: dict[Terms, Expansion] = {}
        for key in set(same) | set(tagged):
            # An equivalent of a theme synonym belongs to that theme too (OTS → jeugdbescherming).
            slugs = set(tagged.get(key, ()))
            for other in same.get(key, ()):
                slugs |= tagged.get(other, set())
            keys[key] = Expansion(
                equivalents=tuple(sorted(same.get(key, ()))),
                themes=tuple(sorted(slugs)),
                theme_names=tuple(sorted({names[s] for s in slugs if names.get(s)} - {key})),
            )
        return cls(keys)

    def get(self, terms: Terms) -> Expansion | None:
        """The expansion of exactly these terms, if they are a key."""
        return self.keys.get(tuple(terms))

    def longest(self, runs: Sequence[Terms], start: int) -> tuple[int, Expansion] | None:
        """The longest key made of whole ``runs[start:end]``: ``(end, expansion)`` or None."""
        best = None
        terms: Terms = ()
        for end in range(start + 1, len(runs) + 1):
            terms += runs[end - 1]
            if len(terms) > MAX_KEY_TERMS:
                break
            found = self.keys.get(terms)
            if found:
                best = (end, found)
        return best


def _key(text: str) -> Terms:
    return tuple(analyze(text))
