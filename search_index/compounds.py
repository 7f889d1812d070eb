"""Dutch compounds: find the known words inside a long word, so ``hulpverlener`` finds
``jeugdhulpverlener`` and ``pleegzorg`` finds ``pleegzorgaanbieder``.

Dutch writes compounds as one word, so a reader's word is often only part of the advice's word.
Each indexed compound's parts go into a low-weighted ``parts`` field: a whole-word match always
ranks first. A split is only accepted when *both* sides are known words (from the themes, their
synonyms and the corpus), which keeps out nonsense such as ``ont|staan``; function words and
suffix-like words (``over``, ``rijk`` as in ``belang|rijk``) are never parts.
"""

from __future__ import annotations

from collections.abc import Iterable

from search_index.analysis import index_term

#: Parts shorter than this are too ambiguous (``zorg``, ``hulp``, ``huis`` are the shortest kept).
MIN_PART = 4
#: Words shorter than this are not tried: two parts of MIN_PART letters.
MIN_COMPOUND = 2 * MIN_PART

#: Never a part: prepositions and particles (``voor|komen``, ``over|dracht``), pronouns and
#: other function words, words that also work as suffixes (``belang|rijk``) and numbers
#: (``acht|tien``).
NOT_A_PART = frozenset("""
    aan achter alle alles ander andere beide boven daar dan deze die dit door echter eens even
    hier hoog hun iets jouw juist maar mede meer mijn naar naast niet niets niks noch onder ons
    onze ooit over rond samen sinds soms tegen terug toch tussen uw veel voor vooral waar want
    weer wel welk welke zelf zich zijn zoals zonder zou zouden heel erg
    rijk loos lijk heid baar schap zaam matig waardig achtig vrij waard
    rijke loze lozen lijke bare zame matige waardige achtige
    twee drie vier vijf zeven acht negen tien twaalf twintig dertig veertig vijftig honderd
    duizend
""".split())

#: Parts common in this domain, known even before any advice uses them on their own (``jeugd``
#: mostly appears inside compounds: ``jeugd|hulp``, ``jeugd|zorg``, ``jeugd|bescherming``).
SEED_PARTS = tuple("""
    jeugd kinder kind pleeg gezin zorg hulp school thuis huis wijk crisis jongeren ouder
    netwerk werk woon geld leef groep raad team plan verlener begeleider hulpverlener
""".split())

#: Linking sounds between parts that are not part of the first word: ``gezin|s|huis``.
LINKS = ("s",)


class Decompounder:
    """Splits folded, lowercase words into known parts; results are cached per word.

    The vocabulary is a set of index terms, so a part is known in any inflection
    (``aanbieder`` is known from ``aanbieders``) and the live index's own lexicon can serve.
    """

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms: set[str] = set(terms) | {index_term(p) for p in SEED_PARTS}
        self._cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self._parts: dict[str, tuple[str, ...]] = {}

    def add(self, terms: Iterable[str]) -> None:
        """Learn more terms (a newly indexed advice's); forgets cached splits when any is new."""
        new = set(terms) - self.terms
        if new:
            self.terms |= new
            self._cache.clear()
            self._parts.clear()

    def parts(self, word: str) -> tuple[str, ...]:
        """The known parts of ``word`` (of every valid split), or ``()`` for no compound."""
        found = self._parts.get(word)
        if found is None:
            found = tuple(dict.fromkeys(part for split in self.splits(word) for part in split))
            self._parts[word] = found
        return found

    def splits(self, word: str) -> tuple[tuple[str, str], ...]:
        """Every ``(head, tail)`` split of ``word`` with both sides known, longest tail first."""
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return ()
        found = self._cache.get(word)
        if found is None:
            found = self._cache[word] = tuple(self._find(word))
        return found

    def text_parts(self, words: Iterable[str]) -> str:
        """The parts of every compound among ``words``, as text for the ``parts`` field."""
        parts: dict[str, None] = {}
        for word in words:
            for part in self.parts(word):
                parts[part] = None
        return " ".join(parts)

    def _find(self, word: str):
        whole = index_term(word)
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            if index_term(word[:i]) == whole:
                continue  # the word's own stem plus a suffix: over|brugg|ing is no compound
            head, tail = self._head(word[:i]), word[i:]
            if head and tail not in NOT_A_PART and index_term(tail) in self.terms:
                yield head, tail

    def _head(self, head: str) -> str | None:
        if head in NOT_A_PART:
            return None
        for link in LINKS:
            bare = head[: -len(link)]
            if head.endswith(link) and len(bare) >= MIN_PART and bare not in NOT_A_PART \
                    and index_term(bare) in self.terms:
                return bare
        return head if index_term(head) in self.terms else None
