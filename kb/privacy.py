"""Privacy hints: mark details in an advice piece that could identify the writer or others.

ExpEx are young people with youth-care experience; one name, school or village too many can
make a story traceable to them, their family or their social worker.  This module marks such
details as *hints* for writer and editor; it never blocks, because only a person can judge
whether "Sanne" is a pseudonym or "Nijkerk" matters.  It aims for precision: a hint that is
usually wrong teaches people to ignore all hints.

:func:`check` works on the raw Markdown, so offsets match what the writer typed; link targets
and bare web addresses are ignored (profile links on social media are hints).  Each hint has a
machine ``kind`` (see ``KINDS``); the Dutch explanation per kind lives in the templates.  Word
lists and rule vocabulary live in ``kb/data`` and are read once, at import.  The rules per
kind are documented on the detector functions below.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["HELPLINES", "KINDS", "PrivacyHint", "check"]

KINDS = (
    "person_name", "school", "institution", "place", "date", "age", "phone", "email",
    "address", "postcode", "id_number", "iban", "social_handle", "license_plate",
)  # fmt: skip
# When hints overlap, the most specific kind (highest number) wins, then the longest span.
_PRIORITY = {
    "email": 14, "social_handle": 13, "iban": 12, "phone": 11, "id_number": 10,
    "license_plate": 9, "postcode": 8, "address": 7, "date": 6, "age": 5, "school": 4,
    "institution": 3, "person_name": 2, "place": 1,
}  # fmt: skip
# National helplines (digits only): naming them is advice, not a privacy risk.
HELPLINES = frozenset({"08000432", "08002000", "08000113", "09000113", "09008844"})


@dataclass(frozen=True)
class PrivacyHint:
    """One detail worth a second look; ``text == source[start:end]``, ``line`` is 1-based."""

    kind: str
    text: str
    start: int
    end: int
    line: int


_Found = tuple[str, int, int]  # (kind, start, end)
_DATA = Path(__file__).with_name("data")


# ------------------------------------------------------------------- word lists


@dataclass(frozen=True)
class _Words:
    """A word list: ``plain`` entries always count, ``ambiguous`` ones ("~" lines) need context."""

    plain: frozenset[str]
    ambiguous: frozenset[str]

    def __contains__(self, word: object) -> bool:
        return word in self.plain or word in self.ambiguous


@cache
def _words(name: str, lower: bool = False) -> _Words:
    """Load ``kb/data/<name>.txt`` once: one entry a line, ``#`` comments, ``~`` ambiguous."""
    plain: set[str] = set()
    ambiguous: set[str] = set()
    for raw in (_DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        entry = raw.strip()
        if entry and not entry.startswith("#"):
            target = ambiguous if entry.startswith("~") else plain
            entry = entry.lstrip("~").strip()
            target.add(entry.lower() if lower else entry)
    return _Words(frozenset(plain), frozenset(ambiguous))


@cache
def _terms() -> dict[str, tuple[str, ...]]:
    """Sections of ``kb/data/privacy_terms.txt``: the vocabulary of the rules below."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in (_DATA / "privacy_terms.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line and not line.startswith("#"):
            current.extend(entry.replace("_", " ") for entry in line.split())
    return {name: tuple(entries) for name, entries in sections.items()}


@cache
def _set(section: str) -> frozenset[str]:
    """A terms section as a set, for look-ups of single lower-case words."""
    return frozenset(_terms()[section])


def _alt(section: str) -> str:
    """A terms section as a regex alternation, longest first, spaces as any white space."""
    entries = sorted(_terms()[section], key=len, reverse=True)
    return "(?:" + "|".join(re.escape(e).replace(r"\ ", r"\s+") for e in entries) + ")"


def _common(word: str) -> bool:
    """True for capitalised words that are no name or place ("Ik", "Januari", "Plus-groep")."""
    common = _words("capitalised_common", True)
    word = word.lower().rstrip(".")
    return word in common or word.split("-")[0] in common


def _is_public_place(name: str) -> bool:
    """Big cities, provinces, countries, and compass districts of those ("Amsterdam-Noord")."""
    public = _words("public_places", True)
    parts = re.split(r"[\s-]+", name.lower())
    return name.lower() in public or all(part in public for part in parts)


@cache
def _multiword_re(name: str) -> re.Pattern[str]:
    """One regex for the multi-word entries of a list ("Ter Apel", "De Bascule").

    Apostrophe names count too: they are no capitalised word for ``_CAP``.
    """
    words = _words(name)
    multi = sorted((w for w in words.plain | words.ambiguous if " " in w or w.startswith("'")),
                   key=len, reverse=True)  # "'s-Hertogenbosch" is no capitalised word
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, multi)) + r")\b" if multi else "(?!)")


# ---------------------------------------------------------------------- helpers

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"  # a capitalised word
_LEAD_RE = re.compile(r"\s*(?:(?:[-+*>]|\d{1,3}[.)]|#{1,6})\s+)*")
_OPENERS = " \t\r*_[(\"'“‘„«”’»)"
_ENDERS = ".!?:…|"
_SENTENCE_END_RE = re.compile(r"[.!?\n]")
_NEXT_WORD_RE = re.compile(r"\s+(\S*)")


def _sentence_start(text: str, pos: int) -> bool:
    """True if ``pos`` begins a sentence, list item or heading (ignoring Markdown markup)."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    marker = _LEAD_RE.match(before)
    rest = before[marker.end() if marker else 0 :].rstrip(_OPENERS)
    if rest:
        return rest[-1] in _ENDERS
    if (marker and marker.group().strip()) or line_start == 0:
        return True
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].rstrip(_OPENERS)
    return not previous.strip() or previous[-1] in _ENDERS


def _sentence_of(text: str, start: int, end: int, reach: int = 300) -> str:
    """The sentence around ``text[start:end]`` (at most ``reach`` characters either side)."""
    window_start = max(0, start - reach)
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text, window_start, start)]
    right = _SENTENCE_END_RE.search(text, end, end + reach)
    return text[ends[-1] if ends else window_start : right.start() if right else end + reach]


def _next_word(text: str, pos: int) -> str:
    """The lower-cased word after white space at ``pos``; "" when punctuation follows."""
    match = _NEXT_WORD_RE.match(text, pos)
    return match.group(1).lower().strip(".,;:!?\"'”’)") if match else ""


_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>()\]]+")
_LINK_TARGET_RE = re.compile(r"\]\((?!mailto:|tel:)([^)\s]*)")
_SOCIAL_URL_RE = re.compile(
    r"(?i:\b(?:instagram|facebook|tiktok|twitter|x|snapchat|linkedin)\.com/(?:in/)?@?)[\w.]*\w"
)


def _mask_urls(text: str) -> str:
    """Blank out link targets and web addresses (same length, so offsets stay valid)."""
    text = _LINK_TARGET_RE.sub(lambda m: "](" + " " * len(m.group(1)), text)
    return _URL_RE.sub(lambda m: " " * len(m.group()), text)


# ------------------------------------------------------------ contact and numbers

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_HANDLE_RE = re.compile(r"(?<![\w.@/])@(?=[\w.]*[A-Za-z])\w(?:[\w.]{0,28}\w)?")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[\s-]?(?:\(0\)[\s-]?)?|\(?0)(?:\d[\s)-]{0,2}){8}\d(?!\d)"
)
_SERVICE_RE = re.compile(r"(?<![\w+])0[89]0\d[\s-]?\d{3,4}(?![\d-])")
_ID_RE = re.compile(r"(?<![\d.,/-])(?:\d{9}|\d{4}\.\d{2}\.\d{3})(?!\d|[.,/-]\d)")
_KEYED_ID_RE = re.compile(
    r"(?i:\b(?:bsn|burgerservicenummer|dossiernummer|cli[eë]ntnummer|klantnummer|zaaknummer|"
    r"kenmerk|registratienummer|leerlingnummer|studentnummer|polisnummer)\b)[\s:]*(?:is\s+)?"
    r"([A-Za-z]{0,4}[-\s]?\d[\d./-]*\d)"
)
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
_POSTCODE_RE = re.compile(r"(?<![\w-])[1-9]\d{3}(?:\s?[A-Z]{2}|[a-z]{2})(?!\w)")
_POSTCODE_NOT = frozenset("SA SD SS EU NL VS UK OK TV CV MB GB KB KM KG CM MM ML".split())
_PLATE_RE = re.compile(r"(?<![\w-])(?:[A-Z]{1,3}|\d{1,3})(?:-(?:[A-Z]{1,3}|\d{1,3})){2}(?![\w-])")


def _is_phone(number: str) -> bool:
    """Ten digits nationally; a local form must start with a real area code ("06", "020").

    The area-code check keeps "01-01-2019 12" (a date and a time) from looking like a number.
    """
    if number.startswith(("+", "00")):
        digits = re.sub(r"\D", "", number.replace("(0)", ""))
        return len(digits) == (11 if digits.startswith("31") else 13)
    groups = re.findall(r"\d+", number)
    first = groups[0]
    area_ok = first == "06" or 3 <= len(first) <= 4 or len(first) >= 10
    return sum(map(len, groups)) == 10 and area_ok and first[1] != "0"


def _is_iban(candidate: str) -> bool:
    """The ISO 13616 check (mod 97), so random letter-digit runs are not bank accounts."""
    compact = candidate.replace(" ", "")
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return 15 <= len(compact) <= 34 and int(digits) % 97 == 1


def _contact(text: str) -> Iterator[_Found]:
    """Email, @handles, phone numbers, ID-like numbers, IBANs, postcodes, licence plates.

    Phones are Dutch numbers of ten digits (06, landlines, +31/0031) in any common grouping,
    and 0800/0900 service numbers unless they are national helplines (``HELPLINES``); short
    numbers such as 112 and 113 never match.  Any 9-digit number is an ``id_number`` (BSN,
    client or file number), as is a number after "BSN", "dossiernummer", "kenmerk"...
    Postcodes are "1234 AB"/"1234AB" (not "2019 EU"); plates use Dutch sidecodes ("AB-12-CD").
    """
    for pattern, kind in ((_EMAIL_RE, "email"), (_HANDLE_RE, "social_handle"),
                          (_ID_RE, "id_number")):
        for m in pattern.finditer(text):
            yield kind, m.start(), m.end()
    for m in _PHONE_RE.finditer(text):
        if _is_phone(m.group()):
            yield "phone", m.start(), m.end()
    for m in _SERVICE_RE.finditer(text):
        if re.sub(r"\D", "", m.group()) not in HELPLINES:
            yield "phone", m.start(), m.end()
    for m in _KEYED_ID_RE.finditer(text):
        if sum(c.isdigit() for c in m.group(1)) >= 4:
            yield "id_number", m.start(1), m.end(1)
    for m in _IBAN_RE.finditer(text):
        if _is_iban(m.group()):
            yield "iban", m.start(), m.end()
    for m in _POSTCODE_RE.finditer(text):
        if m.group()[-2:].upper() not in _POSTCODE_NOT:
            yield "postcode", m.start(), m.end()
    for m in _PLATE_RE.finditer(text):
        groups = m.group().split("-")
        digits = [group.isdigit() for group in groups]
        if sum(map(len, groups)) == 6 and digits[0] != digits[1] != digits[2]:
            yield "license_plate", m.start(), m.end()


# -------------------------------------------------------------- address and date

_SUFFIXES = _set("street_suffixes")
_STRONG_SUFFIXES = tuple(_terms()["strong_street_suffixes"])
_TUSSEN = r"(?i:van|de|der|den|het|ten|ter|te|'t|el|al|ben|da|dos|du|la|le)"
_TUSSEN_WORDS = frozenset("van de der den het ten ter te 't el al ben da dos du la le".split())
_NUMBERED_RE = re.compile(  # any word followed by a house number; the suffix is checked after
    r"\b(?P<street>[A-Za-z][\w'’-]*)[ \t]+\d{1,4}(?:[ \t]?[a-zA-Z](?!\w)|-\d{1,3}(?!\d)|"
    r"[ \t]?(?:hs|bis)\b)?(?![\w,.]\d|\w)"
)
_STREET_PREFIX_RE = re.compile(rf"(?:(?:{_CAP}|{_TUSSEN})[ \t]+){{1,3}}$")
_BARE_STREET_RE = re.compile(rf"\b{_CAP}{_alt('strong_street_suffixes')}\b")
_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_TEXT_DATE_RE = re.compile(
    r"(?i)\b(?:(?:maan|dins|woens|donder|vrij|zater|zon)dag\s+)?(?:[12]\d|3[01]|0?[1-9])"
    rf"(?:e|ste|de)?\s+(?:(?:{_MONTHS})\b|(?:jan|feb|mrt|apr|jun|jul|aug|sept?|okt|nov|dec)"
    r"\b\.?)(?:\s+(?:\d{4}\b|'\d{2}\b))?"
)
_NUM_DATE_RE = re.compile(
    r"(?<![\d.,/-])(?:(?:[12]\d|3[01]|0?[1-9])([-/.])(?:1[0-2]|0?[1-9])\1(?:\d{4}|\d{2})"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?!\d|[.,/-]\d)"
)
_LAW_CUE_RE = re.compile(rf"(?i)\b(?:\w*wet(?:ten|s)?|{_alt('law_cues')})\b")


def _address_and_dates(text: str) -> Iterator[_Found]:
    """Street + house number, bare street names, and exact dates.

    An address is a street word ending in a street suffix ("Kerkstraat", "Van Goghlaan",
    "Oude Gracht") plus a house number ("12", "3a", "14-2"), but not "… 3 keer/uur/jaar".
    A capitalised street name without a number is a hint for the clearest suffixes (straat,
    laan, gracht…).  A date needs a day and a month ("12 maart 2019", "op 3 januari",
    "12-03-2019", "12/3/19"); a bare year or month is fine, and so is a date in a sentence
    about laws and policy ("Sinds 1 januari 2015 geldt de Jeugdwet").
    """
    units = _set("units")
    for m in _NUMBERED_RE.finditer(text):
        street = m.group("street")
        if not street.lower().endswith(tuple(_SUFFIXES)) or _next_word(text, m.end()) in units:
            continue
        if street[0].islower() and (not street.endswith(_STRONG_SUFFIXES) or street in _SUFFIXES):
            continue  # lower case only for clear compounds: "kerkstraat 12", not "weg 3"
        start = m.start()
        prefix = _STREET_PREFIX_RE.search(text, max(0, start - 80), start)
        for word in reversed(list(re.finditer(r"\S+", prefix.group()) if prefix else ())):
            lower = word.group().lower()
            if word.group()[0].islower() or (_common(lower) and lower not in _TUSSEN_WORDS):
                break  # drop "aan de", "Op"; keep "Van Goghlaan", "Oude Gracht"
            start = prefix.start() + word.start()
        if start == m.start() and street.lower() in _SUFFIXES:
            continue  # "Kamp 2", "Dam 3": a bare suffix needs a name before it
        yield "address", start, m.end()
    for m in _BARE_STREET_RE.finditer(text):
        if m.group() != "Sesamstraat":
            yield "address", m.start(), m.end()
    for pattern in (_TEXT_DATE_RE, _NUM_DATE_RE):
        for m in pattern.finditer(text):
            if not _LAW_CUE_RE.search(_sentence_of(text, m.start(), m.end())):
                yield "date", m.start(), m.end()


# --------------------------------------------------------------------------- ages

_NUMBER_WORDS = """twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien
    vijftien zestien zeventien achttien negentien twintig eenentwintig tweeëntwintig
    drieëntwintig vierentwintig vijfentwintig zesentwintig zevenentwintig""".split()
_ORDINALS = ["derde" if w == "drie" else w + ("ste" if w.endswith(("tig", "acht")) else "de")
             for w in _NUMBER_WORDS]
_N = r"(?:[1-9]\d|[2-9]|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_ORD = r"(?:[1-9]\d|[2-9])(?:e|ste|de)|" + "|".join(sorted(_ORDINALS, key=len, reverse=True))
_AGE = rf"(?P<age>{_N}\b(?:\s+jaar(?:\s+oud)?)?)"
_POSSESSIVE = r"(?:mijn|m'n|haar|zijn|d'r|ons|onze|het|dat|die|dit|een)"
_RELATIVE = rf"{_POSSESSIVE}\s+(?:\w+\s+)?{_alt('relatives')}"
_SUBJECT = (rf"(?:ik|hij|zij|ze|{_RELATIVE}|(?-i:(?P<name>{_CAP})))"
            r"(?:\s*\([^()\n]{1,40}\))?")  # "Sanne (pseudoniem) was twaalf"
_AGE_RES = (
    re.compile(rf"(?i)\b{_SUBJECT}\s+(?:was|ben|is|werd|word)\s+"
               rf"(?:(?:toen|nu|pas|net|nog|bijna|al|maar|ongeveer|rond)\s+)*{_AGE}"),
    re.compile(rf"(?i)\b(?:toen|als|sinds|nadat|voordat|omdat|dat|tot|waar)\s+{_SUBJECT}\s+"
               rf"(?:(?:pas|net|nog|ongeveer)\s+)?{_AGE}\s+(?:was|werd|ben|is|word)\b"),
    re.compile(rf"(?i)\b(?!een\s+{_alt('generic_relatives')}\b){_RELATIVE}\s+van\s+{_AGE}"),
    re.compile(rf"(?i)\b(?:op|vanaf|sinds|tot|na|voor|vóór|rond)\s+(?:mijn|m'n|haar|zijn|d'r)"
               rf"\s+(?P<age>{_ORD})(?!\w)"),
    re.compile(rf"(?i)\b(?P<age>{_N}\s+jaar\s+oud)\b"),
    re.compile(rf"(?i)\b(?P<age>{_N}(?:-|\s)?jarige)(?!\w)"),
)


_AGE_NEEDS = ("", "", " van ", "", "oud", "jarige")  # a literal each pattern cannot match without


def _age_value(age: str) -> int | None:
    """The number in an age phrase ("14 jaar" → 14, "zestiende" → 16)."""
    digits = re.match(r"\d+", age)
    if digits:
        return int(digits.group())
    word = age.lower().split()[0].split("-")[0].removesuffix("jarige")
    for value, (number, ordinal) in enumerate(zip(_NUMBER_WORDS, _ORDINALS, strict=True), 2):
        if word in (number, ordinal):
            return value
    return None


def _ages(text: str) -> Iterator[_Found]:
    """Specific ages of the writer or of someone they write about; the number is marked.

    Flagged: "ik was 14", "toen ik 15 jaar was", "Sanne was twaalf", "mijn zusje van 9",
    "een meisje van 12", "op mijn 14e", "zestien jaar oud", "14-jarige" (digits or number
    words).  Not flagged: generic "je" ("als je 18 wordt") and "een kind/jongere van 10"
    ("Een kind van tien kan dat vertellen"), plurals ("16-jarigen"), ranges, durations
    ("ik was 3 jaar in een pleeggezin", "ik was 2 weken weg"), and the age 18 itself:
    everyone in youth care passes it, so it says nothing about who you are.
    """
    units, after_jaar, names = _set("units"), _set("after_jaar"), _words("dutch_first_names")
    lowered = text.lower()
    for pattern, needed in zip(_AGE_RES, _AGE_NEEDS, strict=True):
        if needed not in lowered:
            continue  # cheap: most texts have no "jarige" at all
        for m in pattern.finditer(text):
            age, name = m.group("age"), m.groupdict().get("name")
            if _age_value(age) in (None, 18) or (name and name not in names):
                continue
            following = _next_word(text, m.end())
            if following in units or (pattern is _AGE_RES[0] and age.endswith("jaar")
                                       and following and following not in after_jaar):
                continue  # "ik was 2 weken weg", "ik was 3 jaar in een pleeggezin": durations
            yield "age", m.start("age"), m.end("age")


# ------------------------------------------------------------------ people & names

_SURNAME = rf"(?:[ \t]+(?:{_TUSSEN}[ \t]+)*{_CAP})"
_TITLE_RE = re.compile(
    rf"(?i:\b{_alt('titles')})[ \t]+(?P<name>(?:{_TUSSEN}[ \t]+)*{_CAP}{_SURNAME}?)(?!\w)"
)
_NAME_TOKEN_RE = re.compile(rf"(?<![\w@#/.])(?P<name>{_CAP})(?P<surname>{_SURNAME})?")
_PSEUDONYM_RE = re.compile(rf"(?P<name>{_CAP})\s*\((?i:{_alt('pseudonym_markers')})\)")
_ROYAL_RE = re.compile(r"(?i)(?:koning|koningin|prins|prinses|sint|st\.)\s+$")


def _surname_ok(surname: str | None) -> bool:
    """A following capitalised word is a surname unless it is a common word or a first name."""
    last = surname.split()[-1] if surname and surname.strip() else ""
    return bool(last) and not _common(last) and last not in _words("dutch_first_names")


def _people(text: str) -> Iterator[_Found]:
    """First names from ``kb/data/dutch_first_names.txt`` and names after a title; name marked.

    A listed name written with a capital is a hint, with a following surname included
    ("Fatima Yilmaz", "Marieke de Vries").  Names that are also words ("Ben", "Roos", "Dan")
    count only mid-sentence or with a surname.  After a title or role ("juf", "meneer",
    "mijn voogd") any capitalised word is a name ("meneer De Vries").  Names marked as
    pseudonym anywhere in the text ("Sanne (pseudoniem)") are never hints.
    """
    names = _words("dutch_first_names")
    pseudonyms = {m.group("name") for m in _PSEUDONYM_RE.finditer(text)}
    for m in _TITLE_RE.finditer(text):
        start, whole = m.start("name"), m.group("name")
        words = re.finditer(r"\S+", whole)
        main = next((w for w in words if w.group().lower() not in _TUSSEN_WORDS), None)
        if main is None or _common(main.group()) or main.group() in pseudonyms:
            continue
        with_surname = _surname_ok(whole[main.end() :])
        yield "person_name", start, m.end() if with_surname else start + main.end()
    for m in _NAME_TOKEN_RE.finditer(text):
        base = re.sub(r"['’]s$", "", m.group("name"))
        first, _, second = base.partition("-")  # "Anne-Marie"
        base = first if second[:1].isupper() and first in names.plain else base
        if base not in names or base in pseudonyms or \
                _ROYAL_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        with_surname = _surname_ok(m.group("surname"))
        if base in names.ambiguous and not with_surname and _sentence_start(text, m.start()):
            continue
        yield "person_name", m.start(), m.end() if with_surname else m.end("name")


# --------------------------------------------------- schools, institutions, places

_SCHOOL_NAME_RE = re.compile(
    rf"\b(?:{_CAP}[ \t]+(?:(?:van|de|der|den|het|voor|aan)[ \t]+)?){{0,4}}(?:[A-Z][\w'’-]*?)?"
    r"(?:[Cc]ollege|[Ll]yceum|[Gg]ymnasium|[Aa]theneum)\b"
)
_COMPOUND_SCHOOL_RE = re.compile(r"\w(?:[Cc]ollege|[Ll]yceum|[Gg]ymnasium|[Aa]theneum)|[ \t]")
_KEYWORD_NAME = (
    rf"[ \t]+(?:(?:De|Het|'t|Den|Op|Aan|In|van|de)[ \t]+)*(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})"
)
_KEYWORD_RE = re.compile(  # a keyword and a proper name: "leefgroep De Waterlelie"
    rf"(?:(?P<school>(?i:\b{_alt('school_keywords')}))|(?i:\b{_alt('institution_keywords')})|"
    rf"\bStichting|(?i:\b{_alt('service_keywords')}(?:[ \t]+regio)?))" + _KEYWORD_NAME
)
_SCHOOL_WORD_RE = re.compile(rf"\b{_CAP}school\b")
_ORG_SUFFIX_RE = re.compile(rf"(?:{_CAP}[ \t]+){{1,3}}{_CAP}(?:zorg|groep|huis|hulp|kliniek)\b")
_PLACE_RE = re.compile(
    rf"(?i:\b{_alt('place_prepositions')})\s+"
    rf"(?P<place>{_CAP}(?:[ \t](?:aan|op|bij)[ \t](?:de[ \t]|den[ \t]|het[ \t])?{_CAP})?)"
)
_LOWER_WORD_RE = re.compile(r"\b[a-zß-ÿ][\w'’-]*")


def _named_phrase(text: str, start: int, end: int) -> int | None:
    """Start of a proper name after dropping leading sentence words ("Op", "Het"), if any."""
    for word in re.finditer(r"\S+", text[start:end]):
        if not _common(word.group()):
            return start + word.start()
    return None


def _public_org(phrase: str) -> bool:
    """True for national organisations that are fine to name ("Stichting Het Vergeten Kind")."""
    orgs = _words("public_organisations", True)
    return phrase.lower() in orgs or phrase.lower().removeprefix("stichting ") in orgs


def _organisations(text: str) -> Iterator[_Found]:
    """Schools, youth-care institutions and local services with their proper names.

    Schools: "Da Vinci College", "Erasmuscollege", "basisschool De Regenboog", "ROC Midden
    Nederland", "Hogeschool Windesheim", "de Regenboogschool".  Institutions: a known
    regional provider ("Pluryn"), "leefgroep De Waterlelie", "Stichting X", "Horizon
    Jeugdzorg", and local branches of national services ("Veilig Thuis Nijkerk") — but not the
    national service alone ("Veilig Thuis") or national organisations (``public_organisations``).
    The whole phrase is marked, keyword included, because that is the name people recognise.
    """
    for m in _SCHOOL_NAME_RE.finditer(text):
        start = _named_phrase(text, m.start(), m.end())
        if start is not None and _COMPOUND_SCHOOL_RE.search(text, start, m.end()):
            yield "school", start, m.end()
    for m in _KEYWORD_RE.finditer(text):
        if not _common(m.group("name").split()[0]) and not _public_org(m.group()):
            yield "school" if m.group("school") else "institution", m.start(), m.end()
    generic = _set("generic_school_prefixes")
    for m in _SCHOOL_WORD_RE.finditer(text):
        if m.group()[:-6].lower() not in generic:
            yield "school", m.start(), m.end()
    for m in _ORG_SUFFIX_RE.finditer(text):
        start = _named_phrase(text, m.start(), m.end())
        if start is not None and " " in text[start : m.end()] and \
                not _public_org(text[start : m.end()]):
            yield "institution", start, m.end()
    yield from _listed(text, "youth_care_organisations", "institution")


def _listed(text: str, list_name: str, kind: str) -> Iterator[_Found]:
    """Capitalised entries of a word list; ambiguous ("~") entries only mid-sentence."""
    words = _words(list_name)
    for m in re.finditer(rf"(?<![\w@#/.-]){_CAP}", text):
        token = m.group()
        if token in words.plain or (
            token in words.ambiguous and not _sentence_start(text, m.start())
        ):
            yield kind, m.start(), m.end()
    for m in _multiword_re(list_name).finditer(text):
        yield kind, m.start(), m.end()


def _places(text: str, strict: bool = False) -> Iterator[_Found]:
    """Small towns and villages, and any unknown capitalised place after "in/uit/naar/te".

    Listed small places (``dutch_places_small``) are hints anywhere.  After "in", "uit",
    "naar", "te", "gemeente", "wijk"... a capitalised word is a place unless it is a big city,
    province, region or country (``public_places``), a common capitalised word, a first name,
    an organisation, an acronym, or a word the text also uses in lower case.

    ``strict`` (writers younger than 16, see :func:`check`): every Dutch municipality or town
    (``dutch_municipalities``) is a hint anywhere, big cities included, and a big Dutch city
    after "in/uit/naar" is no longer let through; provinces and countries still are.
    """
    yield from _listed(text, "dutch_places_small", "place")
    municipalities = _words("dutch_municipalities", True)
    if strict:
        yield from _listed(text, "dutch_municipalities", "place")
        for m in re.finditer(rf"(?<![\w@#/.-]){_CAP}", text):  # "Amsterdam-Noord"
            if "-" in m.group() and m.group().split("-")[0].lower() in municipalities.plain:
                yield "place", m.start(), m.end()
    names, orgs = _words("dutch_first_names"), _words("youth_care_organisations")
    lower_words = set(_LOWER_WORD_RE.findall(text))  # "uit Liefde" when "liefde" also occurs
    for m in _PLACE_RE.finditer(text):
        place = m.group("place")
        first = place.split()[0]
        public = _is_public_place(place) or _is_public_place(first)
        if strict and public and (place.lower() in municipalities
                                  or first.lower() in municipalities):
            public = False
        if (_common(first) or first.endswith("tijd") or public or first in names
                or first in orgs or first.isupper() or first.lower() in lower_words
                or any(c.isdigit() for c in place)):
            continue
        yield "place", m.start("place"), m.end("place")


# ------------------------------------------------------------------------ public

_DETECTORS = (_contact, _address_and_dates, _ages, _people, _organisations)


def check(text: str, strict: bool = False) -> list[PrivacyHint]:
    """Find details that could identify someone, as hints sorted by position.

    Overlapping hints are merged by keeping the most specific kind (see ``_PRIORITY``), and
    among equals the longest.  ``line`` is the 1-based line in ``text``.  ``strict`` is for
    writers younger than 16 (issue 12, :mod:`kb.consent`): every place name is a hint there,
    because a child's town narrows down who they are more than an adult's.
    """
    source = text or ""
    masked = _mask_urls(source)
    candidates = [("social_handle", m.start(), m.end()) for m in _SOCIAL_URL_RE.finditer(source)]
    for detector in _DETECTORS:
        candidates.extend(detector(masked))
    candidates.extend(_places(masked, strict))
    candidates.sort(key=lambda c: (-_PRIORITY[c[0]], c[1] - c[2], c[1]))
    starts: list[int] = []  # kept spans never overlap, so sorted starts imply sorted ends
    ends: list[int] = []
    kept: list[_Found] = []
    for kind, start, end in candidates:
        index = bisect.bisect_left(starts, start)
        if end <= start or (index and ends[index - 1] > start) or (
            index < len(starts) and starts[index] < end
        ):
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        kept.append((kind, start, end))
    newlines = [m.start() for m in re.finditer("\n", source)]
    return [
        PrivacyHint(kind, source[start:end], start, end, bisect.bisect_left(newlines, start) + 1)
        for kind, start, end in sorted(kept, key=lambda c: (c[1], c[2]))
    ]
