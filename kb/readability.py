"""Plain-language aid: how easy is an advice piece to read, and which sentences are hardest?

ExpEx write for policymakers, but the knowledge base promises text at language level B1, so
that the young people it is about can read it too.  This module measures a Markdown body and
returns numbers plus *machine keys* (``level``); the templates own every Dutch word shown to
the writer, so wording can change without touching this logic.

The score is Flesch–Douma (Douma 1960), the Dutch adaptation of Flesch Reading Ease::

    206.835 - 0.93 * (words / sentences) - 77 * (syllables / words)

Higher is easier.  Bands (``LEVELS``): ``easy`` ≥ 70, ``fair`` 60–70 (about B1),
``hard`` 50–60, ``very_hard`` < 50.

A *long word* has at least ``LONG_WORD_SYLLABLES`` (4) syllables or ``LONG_WORD_LETTERS`` (13)
letters: plain-language guides for B1 advise words of at most three syllables, and the letter
bound catches Dutch compounds such as "jeugdbescherming" that stay hard to scan even with few
syllables.

Everything is pure and deterministic; offsets refer to ``ReadabilityReport.plain``, the plain
text from :func:`kb.render.plain_text`, so the UI can mark sentences in that text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.render import plain_text

__all__ = [
    "LEVELS",
    "LONG_WORD_LETTERS",
    "LONG_WORD_SYLLABLES",
    "ReadabilityReport",
    "SentenceScore",
    "analyse",
    "count_syllables",
    "douma",
    "is_long_word",
    "level_for",
    "split_sentences",
]

LEVELS = ("easy", "fair", "hard", "very_hard")
LONG_WORD_SYLLABLES = 4
LONG_WORD_LETTERS = 13
HARD_SENTENCE_WORDS = 20  # more words than this: always worth a second look
HARD_SENTENCE_SCORE = 40.0  # a sentence scoring below this is hard ...
MIN_WORDS_FOR_SCORE = 5  # ... but only if it is long enough for the score to mean anything
MAX_HARDEST = 5


@dataclass(frozen=True)
class SentenceScore:
    """One sentence that the writer may want to simplify; ``plain[start:end] == text``."""

    text: str
    words: int
    long_words: tuple[str, ...]
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class ReadabilityReport:
    """Numbers for the preview; ``score``/``level`` are None when there are no words."""

    plain: str  # the text all offsets refer to
    sentences: int
    words: int
    syllables: int
    words_per_sentence: float
    long_words: tuple[str, ...]  # distinct, in order of first use
    long_word_count: int  # every occurrence
    score: float | None
    level: str | None  # one of LEVELS
    hardest: tuple[SentenceScore, ...]  # hardest first, at most MAX_HARDEST


# ------------------------------------------------------------------------ syllables

# Vowel clusters that form one syllable nucleus, longest first.  Greedy matching of these
# inside a run of vowels splits e.g. "koeien" into "oei" + "e" (koei-en) and "ideaal" into
# "e" + "aa" (i-de-aal).
_NUCLEI = (
    "aai", "ooi", "oei", "eeu", "ieu",
    "aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui", "ei", "ij", "ou", "au",
    "ai", "oi", "ay", "ey", "oy", "uy",
)  # fmt: skip
_VOWELS = frozenset("aeiouy")
_BREAK = "|"  # marks a syllable break before a letter that carried a diaeresis
_DIAERESIS = "\u0308"
# Loanwords the rules get wrong and that occur in texts about youth care.
_EXCEPTIONS = {
    "team": 1, "teams": 1, "coach": 1, "coaches": 2, "coachen": 2, "online": 2,
    "website": 2, "websites": 2, "social": 2, "museum": 3, "timeout": 2, "time": 1,
    "chat": 1, "chatten": 2, "email": 2, "mail": 1, "mails": 1, "mailen": 2, "update": 2,
    "updates": 2, "care": 1, "leave": 1, "life": 1, "skills": 1, "date": 1,
}  # fmt: skip
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


def _prepare(word: str) -> str:
    """Lowercase, drop accents, and put a break before every letter with a diaeresis."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char == _DIAERESIS and out:
            out.insert(len(out) - 1, _BREAK)
        elif not unicodedata.combining(char):
            out.append(char)
    return "".join(out)


def _count_run(run: str) -> int:
    """Syllable nuclei in one run of vowels (greedy, longest cluster first)."""
    count, index = 0, 0
    while index < len(run):
        for nucleus in _NUCLEI:
            if run.startswith(nucleus, index):
                index += len(nucleus)
                break
        else:
            index += 1
        count += 1
    return count


def _count_part(part: str) -> int:
    """Syllables in a letters-only string that may contain break marks."""
    count, run = 0, []
    for char in part + _BREAK:
        if char in _VOWELS or (char == "j" and run and run[-1] == "i"):
            run.append(char)
        else:
            if run:
                count += _count_run("".join(run))
                run = []
    return count


def count_syllables(word: str) -> int:
    """Count Dutch syllables by vowel groups; every word with letters has at least one.

    Dutch digraphs (aa, ie, ui, ij …) and triphthongs (aai, ooi, oei, eeu, ieu) are one
    syllable; a diaeresis starts a new one ("geïnformeerd" 4, "cliënten" 3); a final "e"
    counts.  Hyphenated words are counted part by part; words without letters count 0.
    """
    total = 0
    for part in _LETTER_RUN_RE.findall(word):
        key = part.lower()
        if key in _EXCEPTIONS:
            total += _EXCEPTIONS[key]
        else:
            total += max(1, _count_part(_prepare(part)))
    return total


def is_long_word(word: str) -> bool:
    """True for words worth replacing at B1: many syllables or many letters."""
    letters = sum(1 for char in word if char.isalpha())
    return letters >= LONG_WORD_LETTERS or count_syllables(word) >= LONG_WORD_SYLLABLES


# ------------------------------------------------------------------------ sentences

# Abbreviations that (almost) never end a sentence: a period after them is no boundary.
_ABBREVIATIONS = frozenset(
    """bijv b.v bv o.a d.w.z m.b.v nr dhr mevr mw ca i.p.v t.o.v m.b.t i.v.m n.a.v d.m.v
    t.a.v m.u.v o.b.v incl excl evt vgl zgn z.g resp blz pag jl a.s mr dr drs ir ing prof
    st bijz afd tel art vs""".split()
)
# Abbreviations that often do end a sentence: a boundary only if a capital follows.
_FINAL_ABBREVIATIONS = frozenset("enz etc e.d e.a z.s.m".split())
_TERMINATOR_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_NEXT_CHAR_RE = re.compile(r"\s*(\S)")
_WORD_BEFORE_RE = re.compile(r"([\w.]+)\.$")
_DOTTED_RE = re.compile(r"^(?:\w\.)+\w$")


def _is_boundary(line: str, term_start: int, term_end: int) -> bool:
    """Decide whether the punctuation at ``line[term_start:term_end]`` ends a sentence."""
    following = _NEXT_CHAR_RE.match(line, term_end)
    if not following:
        return True
    next_char = following.group(1)
    punctuation = line[term_start:term_end]
    next_is_upper = next_char.isupper() or not next_char.isalpha()
    if "?" in punctuation or "!" in punctuation:
        return True
    if "…" in punctuation or punctuation.startswith(".."):
        return next_is_upper
    match = _WORD_BEFORE_RE.search(line[max(0, term_start - 40) : term_start + 1])
    if not match:
        return True
    word = match.group(1).lower()
    if word in _FINAL_ABBREVIATIONS:
        return next_is_upper
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if _DOTTED_RE.match(word):  # unknown dotted abbreviation such as "o.l.v."
        return next_is_upper and not next_char.isdigit()
    return True


def split_sentences(plain: str) -> tuple[tuple[int, int], ...]:
    """Split plain text into ``(start, end)`` spans of sentences.

    Every line is its own unit first: :func:`kb.render.plain_text` puts each heading, list
    item, paragraph and table row on its own line(s), so a heading or list item without a
    full stop still counts as one sentence.  Inside a line, ``.``, ``!``, ``?`` and ``…``
    followed by white space end a sentence, except after known abbreviations ("bijv.",
    "o.a.", "nr."), single initials and unknown dotted abbreviations followed by lower case.
    "3.5" never splits because no space follows the point.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in plain.split("\n"):
        start = 0
        for match in _TERMINATOR_RE.finditer(line):
            if _is_boundary(line, match.start(), match.end()):
                _add_span(spans, line, offset, start, match.end())
                start = match.end()
        _add_span(spans, line, offset, start, len(line))
        offset += len(line) + 1
    return tuple(spans)


def _add_span(spans: list[tuple[int, int]], line: str, offset: int, start: int, end: int) -> None:
    """Append the stripped span ``line[start:end]`` if it contains a word character."""
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped or not any(char.isalnum() for char in stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((offset + start + lead, offset + start + lead + len(stripped)))


# --------------------------------------------------------------------------- scores

_WORD_RE = re.compile(r"\w+(?:['’\-.,/]\w+)*")


def _words(sentence: str) -> list[str]:
    """Words of a sentence; numbers such as "3.5" or "17,5" are one word."""
    return _WORD_RE.findall(sentence)


def douma(words: int, sentences: int, syllables: int) -> float:
    """Flesch–Douma reading ease (Douma 1960); callers guarantee words and sentences > 0."""
    return 206.835 - 0.93 * (words / sentences) - 77 * (syllables / words)


def level_for(score: float) -> str:
    """Map a Flesch–Douma score to a key of ``LEVELS``."""
    if score >= 70:
        return "easy"
    if score >= 60:
        return "fair"
    if score >= 50:
        return "hard"
    return "very_hard"


def _word_syllables(word: str) -> int:
    """Syllables of a word; a token without letters (a number) counts as one."""
    return count_syllables(word) or 1


def _is_hard(sentence: SentenceScore) -> bool:
    """Hard: very long, or long enough to judge and scoring low."""
    if sentence.words > HARD_SENTENCE_WORDS:
        return True
    return sentence.words >= MIN_WORDS_FOR_SCORE and sentence.score < HARD_SENTENCE_SCORE


def analyse(text: str) -> ReadabilityReport:
    """Measure a Markdown body: totals, long words, Flesch–Douma, level, hardest sentences."""
    plain = plain_text(text)
    scored: list[SentenceScore] = []
    total_words = total_syllables = long_count = 0
    long_seen: dict[str, str] = {}
    for start, end in split_sentences(plain):
        sentence = plain[start:end]
        words = _words(sentence)
        if not words:
            continue
        syllables = sum(_word_syllables(word) for word in words)
        long_words = tuple(word for word in words if is_long_word(word))
        total_words += len(words)
        total_syllables += syllables
        long_count += len(long_words)
        for word in long_words:
            long_seen.setdefault(word.lower(), word)
        scored.append(
            SentenceScore(sentence, len(words), long_words, douma(len(words), 1, syllables),
                          start, end)
        )
    if not total_words:
        return ReadabilityReport(plain, 0, 0, 0, 0.0, (), 0, None, None, ())
    score = douma(total_words, len(scored), total_syllables)
    hardest = sorted((s for s in scored if _is_hard(s)), key=lambda s: (s.score, -s.words))
    return ReadabilityReport(
        plain=plain,
        sentences=len(scored),
        words=total_words,
        syllables=total_syllables,
        words_per_sentence=total_words / len(scored),
        long_words=tuple(long_seen.values()),
        long_word_count=long_count,
        score=score,
        level=level_for(score),
        hardest=tuple(hardest[:MAX_HARDEST]),
    )
