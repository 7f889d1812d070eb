"""Dutch text analysis for the index and for queries, shared so both sides always agree.

One function, :func:`index_term`, turns a raw token into the term the index holds; the Whoosh
analyzer, the query parser, the snippet highlighter and the typo code all go through it.

Choices, and why:

* **Stemmer.** Snowball 3's default Dutch stemmer (Kraaij–Pohlmann) over-merges words this
  domain must keep apart: *begeleiding* lands on the stem of *beleid*, *gezin* on *zin*,
  *gemeente* on *meen*, *gesloten* on *sloot*. We use the older Porter-style Snowball Dutch
  stemmer that Whoosh ships (``whoosh.lang.snowball.dutch``), which is milder
  (*begeleiding* → ``begeleid``, *beleid* → ``beleid``), plus two repairs: a trailing double
  consonant is undoubled (*gezinnen* → ``gezinn`` → ``gezin``), and :data:`STEM_EXCEPTIONS`
  pins the few words it still merges wrongly. :data:`MUST_STAY_APART` lists the pairs the tests
  prove distinct.
* **No stop words.** The usual Dutch lists drop *uit*, *niet*, *geen*, *zonder* and *tegen*;
  without them "uit huis geplaatst" and every negation break. Nothing is dropped.
* **Diacritics are folded before stemming**, on both sides, so *clienten* meets *cliënten*.
* **One term for 18-/18+.** ``18-/18+``, ``18+``, ``18-``, ``18min``, ``18plus``, ``18`` and
  ``achttien`` index as ``achttien``; so do ``18e``, ``18ste`` and ``achttiende``, and every other
  number likewise (:mod:`search_index.numbers`: ``15jarigen`` = ``vijftien`` + ``jarig``);
  abbreviations such as ``JZ+``, ``OTS`` and ``pgb`` survive
  the tokenizer and are never stemmed.

Everything Whoosh sees is importable at module level: the schema, analyzers included, is pickled
into the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.lang.snowball.dutch import DutchStemmer

from search_index.numbers import GLUED_TAILS, WORDS_PATTERN, number_term

#: ``18-/18+`` whole; ``12-min`` and ``18-plus`` whole; a number glued to ``jarig``,
#: ``plusser`` or ``minner`` apart from it (``15jarigen``, ``vijftienjarigen``,
#: ``twaalfplussers``: the number, then the word); ``18+`` or ``18-`` not followed by a letter
#: (``18-jarige`` is two words); words with inner apostrophes (``foto's``) and a trailing ``+``
#: (``JZ+``). Hyphens split words, so ``jeugd-GGZ`` is ``jeugd`` + ``ggz`` and a query for
#: ``GGZ`` finds it.
TOKEN_PATTERN = (r"\d+\s?-\s?/\s?\d+\s?\+"
                 r"|\d+\s?-\s?(?:min|plus)(?![^\W_])"
                 rf"|(?i:\d+|{WORDS_PATTERN})(?=(?i:{GLUED_TAILS}))"
                 r"|\d+[+\-](?![^\W_])"
                 r"|[^\W_]+(?:['’][^\W_]+)*\+?")
TOKEN_RE = re.compile(TOKEN_PATTERN)

#: Longer tokens are no Dutch word (the longest real ones are ~35 letters): dropped, so a
#: 10,000-character string cannot bloat the index or a query.
MAX_TOKEN_CHARS = 48

#: Written forms of "turning 18" that are one term.
EIGHTEEN = "achttien"
_EIGHTEEN_FORMS = frozenset({"18-/18+", "18+", "18-", "18", "18min", "18plus", "achttien",
                             "achttiende", "achttienplus", "achttienmin"})

#: Abbreviations and official short forms: never stemmed (``ots`` must not lose its ``s``).
ABBREVIATIONS = frozenset({"ots", "gi", "ggz", "pgb", "jz+", "jzplus", "wmo", "amhk", "rvdk",
                           "vng", "mbo", "hbo", "vo", "po", "ivb", "lvb", "adhd", "ass",
                           "wlz", "zvw", "cjg", "sgl", "jgz"})

#: Words the stemmer would merge with another word of different meaning; pinned to a term.
STEM_EXCEPTIONS = {
    "mens": "mens", "mensen": "mens",            # not "men" (one)
    "naam": "naam", "namen": "naam",             # not "nam" (took)
    "heen": "heen",                              # not "hen" (them)
    "heet": "heet",                              # not "het"
    "opeens": "opeens",                          # not "open"
    "beleid": "beleid", "beleidsmakers": "beleidsmaker", "beleidsmaker": "beleidsmaker",
    "weten": "weten", "weet": "weten", "wist": "weten",  # not "wet" (a law)
    "gelden": "gelden", "geldt": "gelden",       # not "geld" (money)
    "plaats": "plaats",                          # not "plat" (flat); = "plaatsen"
    "raden": "raden",                            # not "rad" (= raad, a council)
}

#: Pairs that must never share a term; the analysis tests assert each of them.
MUST_STAY_APART = (
    ("begeleiding", "beleid"), ("begeleider", "beleid"), ("gezin", "zin"),
    ("gemeente", "meen"), ("gesloten", "sloot"), ("mensen", "men"), ("namen", "nam"),
    ("jongeren", "jong"), ("woning", "wonen"), ("weten", "wet"), ("gelden", "geld"),
    ("plaats", "plat"), ("raden", "raad"),
)

#: Separable verbs: ``uitleggen`` is written "leg het uit", ``afhaken`` "haken af".
PARTICLES = ("terug", "samen", "door", "over", "voor", "mee", "uit", "aan", "af", "op", "toe",
             "in", "na")

_STEMMER = DutchStemmer()
_APOSTROPHES = str.maketrans("", "", "'’")
_VOWELS = frozenset("aeiouy")


def fold(text: str) -> str:
    """Remove diacritics: ``geïnformeerd`` → ``geinformeerd``."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def normalize_word(token: str) -> str:
    """Lowercase, fold diacritics, drop apostrophes (``foto's`` → ``foto``): how words compare."""
    word = fold(token.lower())
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return word.translate(_APOSTROPHES)


@lru_cache(maxsize=50_000)
def index_term(token: str) -> str | None:
    """The index term of one raw token, or None when the token is not indexed."""
    word = normalize_word(token)
    if not word or len(word) > MAX_TOKEN_CHARS:
        return None
    compact = word.replace(" ", "")
    if compact in _EIGHTEEN_FORMS:
        return EIGHTEEN
    number = number_term(compact, stem)
    if number:
        return number
    if word in ABBREVIATIONS or not word.isalpha():
        return word  # numbers, JZ+, codes: kept as typed
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    return stem(word)


def stem(word: str) -> str:
    """The Porter-style Snowball Dutch stem, with a trailing double consonant undoubled and
    the ``s`` of an inflected ``z`` restored (``gezinshuizen`` → ``gezinshuis``, ``thuisloze``
    → ``thuislos``, as ``thuisloos`` → ``thuislos``)."""
    result = _STEMMER.stem(word)
    if len(result) > 3 and result[-1] == result[-2] and result[-1] not in _VOWELS:
        result = result[:-1]
    if result.endswith("z") and word.endswith(("ze", "zen")) and len(result) > 3:
        result = result[:-1] + "s"
    return result


def iter_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Raw tokens with their character offsets: ``(token, start, end)``."""
    for match in TOKEN_RE.finditer(text):
        yield match.group(), match.start(), match.end()


def analyze(text: str) -> list[str]:
    """The index terms of a piece of text, in order."""
    return [term for term in map(index_term, TOKEN_RE.findall(text or "")) if term]


def words(text: str, min_chars: int = 2) -> set[str]:
    """The distinct normalized words of at least ``min_chars`` letters (no digits), e.g. the
    candidates for compound splitting. Much faster than full tokenizing of a big text."""
    found = set()
    for token in set(_letters(min_chars).findall((text or "").lower())):
        if len(token) <= MAX_TOKEN_CHARS:
            found.add(normalize_word(token))
    return found


@lru_cache(maxsize=8)
def _letters(min_chars: int) -> re.Pattern:
    return re.compile(rf"[^\W\d_]{{{min_chars},}}")


def terms(text: str) -> set[str]:
    """The distinct index terms of a text (faster than :func:`analyze` for big texts)."""
    found = {index_term(token) for token in set(TOKEN_RE.findall((text or "").lower()))}
    found.discard(None)
    return found


class DutchTermFilter(Filter):
    """Turns each token into its index term (see :func:`index_term`); drops untermable ones."""

    def __call__(self, tokens):
        for token in tokens:
            term = index_term(token.text)
            if term:
                token.text = term
                yield token


def dutch_analyzer():
    """The analyzer of every full-text field and of every query word."""
    return RegexTokenizer(TOKEN_PATTERN) | DutchTermFilter()

