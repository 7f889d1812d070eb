"""Dutch text analysis for the index and for queries, shared so both sides agree.

The chain: a tokenizer that keeps domain tokens whole, lowercase, diacritics folded (before the
stemmer, so ``clienten`` and ``cliënten`` meet), then the classic Snowball Dutch stemmer. No stop
words are dropped: ``uit``, ``niet`` and ``geen`` carry meaning in this domain.

Everything here is importable at module level because Whoosh pickles the schema into the index.
"""

from __future__ import annotations

import unicodedata

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter

#: Words, with inner hyphens or apostrophes, plus a trailing ``+`` (``18+``, ``JZ+``).
TOKEN_PATTERN = r"\w+(?:[-'’]\w+)*\+?"


def fold(text: str) -> str:
    """Remove diacritics: ``geïnformeerd`` → ``geinformeerd``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class FoldDiacriticsFilter(Filter):
    """Fold diacritics on every token, so typing without them finds words written with them."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def dutch_analyzer():
    """The analyzer of every full-text field and of every query word."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FoldDiacriticsFilter()
        | StemFilter(lang="nl", cachesize=50_000)
    )


def analyze(text: str) -> list[str]:
    """The index terms of a piece of text, in order."""
    return [token.text for token in _ANALYZER(text)]


_ANALYZER = dutch_analyzer()
