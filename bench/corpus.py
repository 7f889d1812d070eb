"""A synthetic, deterministic corpus of Dutch youth-care advice for the search benchmark.

Advice ``i`` depends only on ``(seed, i)``, so the 1,000-advice corpus is the first 1,000 of the
10,000 one and a corpus can be streamed to disk without holding it in memory. Words are drawn from
small pools with Zipf weights (``1 / rank``), which gives term frequencies shaped like real text:
a few words everywhere, a long tail of rare ones. The text is not meant to make sense.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from kb.advice import AdviceContent
from kb.content import dump_advice
from kb.slugs import slugify

THEMES = ("18-18plus", "gesloten-jeugdzorg", "hulpverleners", "jeugdbescherming",
          "kindermishandeling", "mentale-gezondheid", "onderwijs", "participatie", "pleegzorg",
          "scheiding", "toegang", "uithuisplaatsing", "verslaving", "wonen")
#: The audience slugs of ``themes/audiences/`` (fixed here, so the corpus never changes).
AUDIENCES = ("gemeenten", "rijksoverheid", "jeugdhulpaanbieders", "hulpverleners",
             "jeugdbescherming", "rechtspraak", "onderwijs", "jongeren", "ouders")
REGIONS = ("Groningen", "Friesland", "Drenthe", "Overijssel", "Flevoland", "Gelderland",
           "Utrecht", "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
           "Landelijk")
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2026, 10, 31)

# Each pool is ordered from common to rare: the Zipf weight follows the position.
NOUNS = """jongeren jeugdhulp gemeente hulpverlener begeleiding ouders school gezin hulp
pleegzorg gezinsvoogd wijkteam zorg jongere kinderen jeugdhulpverlener leefgroep afspraken
plan gesprek pleegouders uithuisplaatsing ondertoezichtstelling rechter mentor vertrouwen
wachtlijst jeugdbescherming instelling cliënten behandeling geld woning kamer toekomst
veiligheid regie beslissing verhaal familie vrienden broers zussen voogd dossier
jeugdzorgwerker gezinshuis zorgaanbieder beleid inspraak cliëntenraad netwerk stage opleiding
werk uitkering schulden verslaving therapie psycholoog huisarts crisis overdracht evaluatie
toegang indicatie budget wethouder ambtenaren inspectie klacht vertrouwenspersoon
ervaringsdeskundigen coördinator perspectief zelfstandigheid huisvesting kamertraining
separatie jeugdzorgplus rechtbank advocaat scheiding omgangsregeling mishandeling signalen
melding veiligthuis ideeën""".split()
GENERAL_NOUNS = """tijd dag week jaar moment keer vraag antwoord manier reden probleem oplossing
stap doel wens zorgen angst boosheid verdriet rust ruimte taal brief formulier telefoon afspraak
huis straat buurt stad dorp sport hobby muziek telefoonnummer bus fiets eten vakantie verjaardag
feest kleding geldzaken rekening toeslag verzekering paspoort contract huur baan sollicitatie
diploma examen rooster klas leraar docent leerling pauze huiswerk bijbaan collega baas team
vergadering verslag rapport onderzoek cijfers regels wet rechten plichten keuze kans risico
fout excuses uitleg informatie taak rol grens contact bezoek weekend nacht ochtend avond""".split()
#: Dutch compounds make the long tail of the vocabulary: PREFIX + HEAD, in a fixed shuffle.
PREFIXES = """jeugd zorg hulp gezins pleeg wijk school groeps crisis woon geld werk
leer ouder kind jongeren buurt vertrouwens behandel opvang""".split()
HEADS = """plan team traject werker gesprek overleg aanbod budget regeling plek besluit
vraag dossier coach contract moment beleid verslag netwerk vorm""".split()
COMPOUNDS = sorted({p + h for p in PREFIXES for h in HEADS} - set(NOUNS))
random.Random(0).shuffle(COMPOUNDS)
TAIL_LEFT = PREFIXES + GENERAL_NOUNS[:60]
TAIL_RIGHT = HEADS + GENERAL_NOUNS
VERBS = """is heeft wil moet kan krijgt maakt zoekt vraagt hoort begrijpt vertelt helpt
steunt regelt bespreekt neemt verliest houdt kiest luistert wacht voelt ziet weet betrekt
verandert begeleidt organiseert stopt start mist verdient beslist plant vertrouwt bouwt deelt
schrijft belt zegt leert probeert ervaart bepaalt biedt zorgt denkt""".split()
ADJECTIVES = """vaste goede eigen nieuwe duidelijke veilige lange korte warme eerlijke
belangrijke kleine grote moeilijke open persoonlijke echte gewone lokale landelijke
professionele financiële gesloten tijdelijke passende geïnformeerde stabiele""".split()
#: Particles between verb and object ("... heeft ook de ...").
PARTICLES = "niet ook nog wel al zo er dan toch weer geen meer echt".split()
ADVERBS = """vaak soms altijd nooit samen meteen later eerst opnieuw echt eigenlijk
gewoon graag snel langzaam zelf""".split()
PREPOSITIONS = "met bij voor over naar zonder tijdens na door binnen".split()
DETERMINERS = "de de de het een elke onze hun".split()
SUBJECTS = ("jongeren", "wij", "ouders", "de gezinsvoogd", "de gemeente", "het wijkteam",
            "de hulpverlener", "pleegouders", "de mentor", "de jeugdhulpverlener", "de rechter",
            "een jongere", "de pleegzorgbegeleider", "de leerplichtambtenaar")
#: Fixed word pairs, so that quoted phrases in the benchmark queries find something.
COLLOCATIONS = ("vaste begeleider", "warme overdracht", "eigen kracht", "gesloten jeugdzorg",
                "zorg op maat", "één vast gezicht", "perspectiefplan van de jongere",
                "nieuwe woonplek", "eigen regie", "stem van jongeren", "veilige plek",
                "hulp na achttien", "lange wachtlijst", "goede voorbereiding")
HEADINGS = ("Wat we zien", "Wat we adviseren", "Wat jongeren zeggen", "Waarom dit belangrijk is",
            "Wat gemeenten kunnen doen", "Wat hulpverleners kunnen doen", "Ervaringen")
OPENERS = ("Zorg dat", "Laat", "Geef", "Maak", "Betrek", "Regel", "Stop", "Vraag", "Luister als")


def _zipf(words: list[str] | tuple[str, ...]) -> tuple[list, list[float]]:
    return list(words), list(accumulate(1.0 / rank for rank in range(1, len(words) + 1)))


POOLS = {name: _zipf(words) for name, words in {
    "noun": NOUNS + GENERAL_NOUNS + COMPOUNDS, "verb": VERBS, "adj": ADJECTIVES,
    "fn": PARTICLES, "adv": ADVERBS, "prep": PREPOSITIONS, "det": DETERMINERS,
    "subj": SUBJECTS, "coll": COLLOCATIONS,
}.items()}


class _Writer:
    """Draws words and sentences for one advice from its own random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        #: What this advice is about: its own nouns come back often, as in real text.
        self.topic = [self.word("noun") for _ in range(6)]

    def word(self, pool: str) -> str:
        words, cum = POOLS[pool]
        return self.rng.choices(words, cum_weights=cum)[0]

    def noun_phrase(self) -> str:
        if self.rng.random() < 0.12:
            return self.word("coll")
        adj = f"{self.word('adj')} " if self.rng.random() < 0.4 else ""
        roll = self.rng.random()
        noun = self.rng.choice(self.topic) if roll < 0.3 else self.rare_noun(roll) or self.word(
            "noun")
        return f"{self.word('det')} {adj}{noun}"

    def rare_noun(self, roll: float) -> str | None:
        """Now and then a fresh compound: the long tail that makes the vocabulary grow."""
        if roll > 0.35:
            return None
        parts = [self.rng.choice(TAIL_LEFT), self.rng.choice(TAIL_RIGHT)]
        if roll < 0.31:
            parts.insert(1, self.rng.choice(TAIL_LEFT))
        return "".join(parts)

    def sentence(self) -> str:
        rng = self.rng
        parts = [self.word("subj"), self.word("verb")]
        if rng.random() < 0.5:
            parts.append(self.word("adv"))
        if rng.random() < 0.4:
            parts.append(self.word("fn"))
        parts.append(self.noun_phrase())
        if rng.random() < 0.6:
            parts += [self.word("prep"), self.noun_phrase()]
        if rng.random() < 0.3:
            parts += [rng.choice(("omdat", "als", "zodat", "terwijl")), self.word("subj"),
                      self.noun_phrase(), self.word("verb")]
        text = " ".join(parts)
        return text[0].upper() + text[1:] + rng.choice(".....?!")

    def words_up_to(self, count: int, max_chars: int) -> str:
        text = ""
        while len(text.split()) < count:
            candidate = f"{text} {self.sentence()}".strip()
            if len(candidate) > max_chars:
                break
            text = candidate
        return text or self.sentence()[:max_chars]

    def title(self) -> str:
        words = [self.rng.choice(OPENERS), self.noun_phrase(), self.word("adv"),
                 self.word("verb"), self.word("prep"), self.noun_phrase()]
        return " ".join(words)[:150]

    def body(self, words: int = 500) -> str:
        rng = self.rng
        headings = rng.sample(HEADINGS, rng.randint(1, 2))
        paragraphs, count, split_at = [f"## {headings[0]}"], 0, words // 2
        while count < words:
            if len(headings) == 2 and count >= split_at:
                paragraphs.append(f"## {headings.pop()}")
            paragraph = " ".join(self.sentence() for _ in range(rng.randint(3, 6)))
            paragraphs.append(paragraph)
            count += len(paragraph.split())
        return "\n\n".join(paragraphs)


def make_advice(seed: int, i: int) -> AdviceContent:
    """Advice number ``i`` of the corpus for ``seed``: always the same content."""
    rng = random.Random(seed * 1_000_003 + i)
    writer = _Writer(rng)
    title = writer.title()
    region = rng.choice(REGIONS)
    published = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    return AdviceContent(
        title=title,
        summary=writer.words_up_to(30, 290),
        body=writer.body(),
        themes=tuple(rng.sample(THEMES, rng.randint(1, 3))),
        slug=f"{slugify(title, 60)}-{i}",
        authors=(f"ExpEx {region}",),
        region=region,
        audience=tuple(rng.sample(AUDIENCES, rng.randint(1, 3))),
        published=published,
    )


def iter_corpus(count: int, seed: int) -> Iterator[AdviceContent]:
    """The first ``count`` advice of the corpus, one at a time."""
    for i in range(count):
        yield make_advice(seed, i)


def write_corpus(folder: Path, count: int, seed: int) -> int:
    """Write the corpus as interchange files (front matter + Markdown); returns bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i, advice in enumerate(iter_corpus(count, seed)):
        text = dump_advice(advice)
        (folder / f"{i:06d}.md").write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


# ------------------------------------------------------------------------------ the query mix

@dataclass(frozen=True)
class Query:
    """One benchmark query, as a reader types it and as the FTS5 reference says it."""

    kind: str
    text: str
    fts: str  # the FTS5 MATCH expression of the same query
    filters: dict = field(default_factory=dict)
    page: int = 1
    sort: str = "relevance"


#: Kinds of query and their share of a 100-query mix.
MIX = {"word": 24, "two words": 14, "three words": 10, "phrase": 8, "exclusion": 8, "or": 8,
       "typo": 6, "no diacritics": 6, "theme filter": 6, "date sort": 5, "page 2": 5}
WITH_DIACRITICS = ("cliënten", "financiële", "geïnformeerde", "coördinator", "ideeën",
                   "cliëntenraad", "één vast gezicht")


def _q(words: list[str]) -> str:
    return " ".join(f'"{w}"' for w in words)


def make_queries(count: int = 100, seed: int = 42) -> list[Query]:
    """A fixed mix of ``count`` queries; the first ones already cover every kind."""
    rng = random.Random(f"queries-{seed}")
    nouns = NOUNS + GENERAL_NOUNS[:40] + COMPOUNDS[:40]

    def words(n: int) -> list[str]:
        return rng.sample(nouns, n)

    def typo(word: str) -> str:
        cut = rng.randrange(2, len(word) - 1)
        return word[:cut] + word[cut + 1:]

    def make(kind: str) -> Query:
        if kind in ("word", "two words", "three words"):
            chosen = words({"word": 1, "two words": 2, "three words": 3}[kind])
            return Query(kind, " ".join(chosen), _q(chosen))
        if kind == "phrase":
            phrase = rng.choice(COLLOCATIONS)
            return Query(kind, f'"{phrase}"', f'"{phrase}"')
        if kind == "exclusion":
            a, b = words(2)
            return Query(kind, f"{a} -{b}", f'"{a}" NOT "{b}"')
        if kind == "or":
            a, b = words(2)
            return Query(kind, f"{a} OR {b}", f'"{a}" OR "{b}"')
        if kind == "typo":
            word = typo(rng.choice([w for w in NOUNS if len(w) >= 7]))
            return Query(kind, word, _q([word]))
        if kind == "no diacritics":
            plain = unicodedata.normalize("NFKD", rng.choice(WITH_DIACRITICS))
            plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
            return Query(kind, plain, _q(plain.split()))
        (word,) = words(1)
        if kind == "theme filter":
            return Query(kind, word, _q([word]), filters={"theme": rng.choice(THEMES)})
        if kind == "date sort":
            return Query(kind, word, _q([word]), sort="date")
        return Query(kind, word, _q([word]), page=2)

    queues = {kind: [make(kind) for _ in range(-(-share * count // 100))]
              for kind, share in MIX.items()}
    mixed: list[Query] = []
    while len(mixed) < count:
        for queue in queues.values():
            if queue and len(mixed) < count:
                mixed.append(queue.pop(0))
    return mixed
