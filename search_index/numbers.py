"""Numbers and ordinals as people write them: ``18e``, ``18ste``, ``achttiende``, ``15-jarigen``,
``vijftienjarigen``, ``12-plussers``, ``twintigste``: one index term per number.

Advice and queries write ages and ordinals in digits or words, glued to a word or not. The index
holds one term per number, the Dutch cardinal word (``vijftien``), so that any written form meets
any other. From twelve up (ages, the "18e verjaardag" of this field) an ordinal is the same term
as its cardinal: ``18e`` = ``achttiende`` = ``18`` = ``achttien``. Below twelve an ordinal stays an
ordinal (``tweede kans`` is no ``twee``) and only its digit form joins it (``2e`` = ``tweede``).
``1`` is never ``een``: that is also the article.
"""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = ("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
_TEENS = ("tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
          "achttien", "negentien")
_TENS = ("twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig")
_SMALL_ORDINALS = ("eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende",
                   "achtste", "negende", "tiende", "elfde")

#: From this number up an ordinal is the same term as its cardinal.
MERGED_FROM = 12


def _cardinals() -> dict[str, int]:
    words = {w: n for n, w in enumerate(_UNITS, start=1) if n > 1}
    words.update({w: n for n, w in enumerate(_TEENS, start=10)})
    for t, tens in enumerate(_TENS, start=2):
        words[tens] = 10 * t
        for u, unit in enumerate(_UNITS, start=1):
            # Folded: "tweeëntwintig" is "tweeentwintig" by the time it is looked up.
            words[f"{unit}en{tens}"] = 10 * t + u
    words["honderd"] = 100
    return words


#: Cardinal words (folded) to their number, 2 to 100.
CARDINALS: dict[str, int] = _cardinals()
#: The cardinal word of each number.
WORD_OF: dict[int, str] = {n: w for w, n in CARDINALS.items()}
#: Ordinal words (folded) to their number, 1 to 100.
ORDINALS: dict[str, int] = {w: n for n, w in enumerate(_SMALL_ORDINALS, start=1)}
ORDINALS.update({w + ("de" if n < 20 else "ste"): n for w, n in CARDINALS.items() if n >= 12})

#: A number glued to a suffix that says "N years or more/less" (``18plus``, ``12-min``,
#: ``18+``): the number alone.
_SIGN = r"(?:\s?-\s?(?:min|plus)|min|plus|\+|-)"
_DIGIT_ORDINAL = re.compile(r"(\d{1,3})(?:e|ste|de|ste)")
_DIGITS_SIGNED = re.compile(rf"(\d{{1,3}}){_SIGN}?")
_WORD_SIGNED = re.compile(rf"([a-z]+?){_SIGN}")

def trie_pattern(words) -> str:
    """A regex matching any of ``words``, as a trie (``t(?:w(?:ee|...)...)``): the tokenizer
    tries it at every word, and a plain alternation of a hundred words made indexing 5x
    slower, while a trie rejects a non-number at its first letter or two."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        optional = "" in node
        if len(branches) == 1 and not optional:
            return branches[0]
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if optional else group

    return build(trie)


#: Every number word, as a trie, for the tokenizer.
WORDS_PATTERN = trie_pattern({*CARDINALS, "een"})
#: What may follow a number glued into one word and is a word of its own:
#: ``15jarigen`` = ``15`` + ``jarigen``, ``twaalfplussers`` = ``twaalf`` + ``plussers``.
GLUED_TAILS = r"jarig|plusser|minner"


@lru_cache(maxsize=4096)
def number_term(word: str, stem) -> str | None:
    """The index term of a folded, lowercase number form, or None when it is none.

    ``stem`` stems a small ordinal's word (``tweede``), so that its digit form (``2e``) gets
    the very term the word gets.
    """
    match = _DIGIT_ORDINAL.fullmatch(word)
    if match:
        return _term(int(match.group(1)), ordinal=True, stem=stem)
    match = _DIGITS_SIGNED.fullmatch(word)
    if match:
        number = int(match.group(1))
        return _term(number, ordinal=False, stem=stem) if number != 1 else None
    if word in CARDINALS:
        return WORD_OF[CARDINALS[word]]
    if word in ORDINALS:
        return _term(ORDINALS[word], ordinal=True, stem=stem)
    match = _WORD_SIGNED.fullmatch(word)
    if match and match.group(1) in CARDINALS:
        return WORD_OF[CARDINALS[match.group(1)]]
    return None


def _term(number: int, ordinal: bool, stem) -> str | None:
    if number >= MERGED_FROM or not ordinal:
        return WORD_OF.get(number)
    if 1 <= number < len(_SMALL_ORDINALS) + 1:
        return stem(_SMALL_ORDINALS[number - 1])
    return None


def digits_of(term: str) -> str | None:
    """How a number term is written in digits (``vijftien`` → ``15``), for highlighting."""
    number = CARDINALS.get(term)
    return str(number) if number is not None else None
