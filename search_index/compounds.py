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
    twee drie vier vijf zeven acht negen tien twaalf twintig dertig veertig vijftig honderd
    duizend
""".split())

#: Linking sounds between parts that are not part of the first word: ``gezin|s|huis``.
LINKS = ("s",)


class Decompounder:
    """Splits folded, lowercase words into known parts; results are cached per word."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = {w for w in vocabulary if len(w) >= MIN_PART and w not in NOT_A_PART}
        self.terms = {index_term(w) for w in self.words} - {None}
        self._cache: dict[str, tuple[str, ...]] = {}

    def add(self, vocabulary: Iterable[str]) -> None:
        """Learn more words (a newly indexed advice's); clears cached splits."""
        new = {w for w in vocabulary if len(w) >= MIN_PART and w not in NOT_A_PART} - self.words
        if new:
            self.words |= new
            self.terms |= {index_term(w) for w in new} - {None}
            self._cache.clear()

    def parts(self, word: str) -> tuple[str, ...]:
        """The known parts of ``word`` (every valid split), or ``()`` when it is no compound."""
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return ()
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = tuple(dict.fromkeys(
                part for split in self.splits(word) for part in split))
        return cached

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Every ``(head, tail)`` split of ``word`` where both sides are known; longest tail first."""
        found = []
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = self._head(word[:i]), word[i:]
            if head and self._known_tail(tail):
                found.append((head, tail))
        return found

    def text_parts(self, words: Iterable[str]) -> str:
        """The parts of every compound among ``words``, as text for the ``parts`` field."""
        parts: dict[str, None] = {}
        for word in words:
            for part in self.parts(word):
                parts[part] = None
        return " ".join(parts)

    def _head(self, head: str) -> str | None:
        if head in self.words:
            return head
        for link in LINKS:
            if head.endswith(link) and head[: -len(link)] in self.words:
                return head[: -len(link)]
        return None

    def _known_tail(self, tail: str) -> bool:
        if tail in NOT_A_PART:
            return False
        return tail in self.words or index_term(tail) in self.terms
