"""Tests for kb.readability: Dutch syllables, sentences, Flesch–Douma and the hardest sentences."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from work_count import calls_to

from kb.readability import (
    LEVELS,
    MAX_HARDEST,
    ReadabilityReport,
    SentenceScore,
    analyse,
    count_syllables,
    douma,
    is_long_word,
    level_for,
    split_sentences,
)

# ------------------------------------------------------------------------ syllables

KNOWN_SYLLABLES = {
    # diaeresis starts a new syllable
    "geïnformeerd": 4,  # ge-ïn-for-meerd
    "cliënten": 3,  # cli-ën-ten
    "reünie": 3,  # re-ü-nie
    "naïef": 2,  # na-ief
    "zeeën": 2,  # zee-ën
    "België": 3,  # Bel-gi-ë
    "ruïne": 3,  # ru-ï-ne
    "coördinator": 5,  # co-ör-di-na-tor
    # digraphs and triphthongs are one syllable
    "huis": 1,
    "mijn": 1,
    "ijs": 1,
    "jeugdzorg": 2,
    "ouders": 2,
    "uitleggen": 3,
    "mooie": 2,  # mooi-e
    "koeien": 2,  # koei-en
    "nieuwe": 2,  # nieu-we
    "leeuw": 1,
    "haai": 1,
    "toezicht": 2,
    "beleid": 2,
    # vowels that do not form a digraph are separate syllables
    "ideaal": 3,  # i-de-aal
    "theater": 3,  # the-a-ter
    "radio": 3,  # ra-di-o
    "situatie": 4,  # si-tu-a-tie
    "eventueel": 4,  # e-ven-tu-eel
    "januari": 4,  # ja-nu-a-ri
    # final e counts in Dutch
    "gemeente": 3,  # ge-meen-te
    "familie": 3,  # fa-mi-lie
    "politie": 3,  # po-li-tie
    # longer words
    "kinderen": 3,
    "jongeren": 3,
    "bijvoorbeeld": 3,
    "volwassenen": 4,
    "informatie": 4,
    "hulpverleners": 4,
    "ondertoezichtstelling": 6,  # on-der-toe-zicht-stel-ling
    "verantwoordelijkheid": 6,  # ver-ant-woor-de-lijk-heid
    # accents other than the diaeresis do not split
    "één": 1,
    "vóór": 1,
    "café": 2,
    # loanwords from the exception list
    "team": 1,
    "coach": 1,
    "website": 2,
}


@pytest.mark.parametrize(("word", "syllables"), sorted(KNOWN_SYLLABLES.items()))
def test_known_syllable_counts(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_syllables_of_odd_tokens() -> None:
    assert count_syllables("GGZ") == 1  # no vowels: still one syllable
    assert count_syllables("jeugd-ggz") == 2  # parts are counted separately
    assert count_syllables("GEÏNFORMEERD") == 4  # case does not matter
    assert count_syllables("2019") == 0  # no letters
    assert count_syllables("") == 0


def test_long_words() -> None:
    assert is_long_word("informatie")  # 4 syllables
    assert is_long_word("jeugdbescherming")  # 4 syllables and 16 letters
    assert is_long_word("kinderbijslag")  # 13 letters, only 3 syllables
    assert not is_long_word("bijvoorbeeld")  # 12 letters, 3 syllables
    assert not is_long_word("jongeren")


# ------------------------------------------------------------------------ sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = (
        "Zij helpt o.a. met geld, bijv. met de huur. Dat kost ca. 20 euro, d.w.z. per week. "
        "Dhr. Jansen en mevr. Bakker kwamen m.b.v. een tolk. Kamer nr. 12 is vrij."
    )
    assert sentences(text) == [
        "Zij helpt o.a. met geld, bijv. met de huur.",
        "Dat kost ca. 20 euro, d.w.z. per week.",
        "Dhr. Jansen en mevr. Bakker kwamen m.b.v. een tolk.",
        "Kamer nr. 12 is vrij.",
    ]


def test_enz_and_etc_end_a_sentence_only_before_a_capital() -> None:
    text = "We praten over geld, wonen enz. Daarna gaan we eten. Pen, papier etc. zijn er."
    assert sentences(text) == [
        "We praten over geld, wonen enz.",
        "Daarna gaan we eten.",
        "Pen, papier etc. zijn er.",
    ]


def test_numbers_initials_and_unknown_abbreviations() -> None:
    text = "Het gemiddelde is 3.5 uur. J. de Vries belde. Het ging o.l.v. de mentor goed."
    assert sentences(text) == [
        "Het gemiddelde is 3.5 uur.",
        "J. de Vries belde.",
        "Het ging o.l.v. de mentor goed.",
    ]


def test_question_and_exclamation_marks_and_quotes() -> None:
    text = 'Weet je het niet? Zeg dat dan! Hij zei: "Het is niet veilig." Toen ging hij. ik ook.'
    assert sentences(text) == [
        "Weet je het niet?",
        "Zeg dat dan!",
        'Hij zei: "Het is niet veilig."',
        "Toen ging hij.",
        "ik ook.",
    ]


def test_ellipsis_splits_only_before_a_capital() -> None:
    assert sentences("Ik dacht... misschien niet. Ik wachtte… Toen kwam ze.") == [
        "Ik dacht... misschien niet.",
        "Ik wachtte…",
        "Toen kwam ze.",
    ]


def test_headings_and_list_items_are_sentences_of_their_own() -> None:
    report = analyse(
        "## Wat we zien\n\n- eerst een plan\n- dan een huis\n\n1. Bel ons\n2. Kom langs"
    )
    found = [report.plain[start:end] for start, end in split_sentences(report.plain)]
    assert found == ["Wat we zien", "eerst een plan", "dan een huis", "Bel ons", "Kom langs"]
    assert report.sentences == 5


def test_spans_point_into_the_text() -> None:
    text = "  Eerste zin.   Tweede zin!\nDerde"
    assert split_sentences(text) == ((2, 13), (16, 27), (28, 33))


# --------------------------------------------------------------------------- scores


def test_exact_score_of_a_tiny_text() -> None:
    report = analyse("Ik ga naar huis. Het regent.")
    # 2 sentences, 6 words; syllables: ik 1, ga 1, naar 1, huis 1, het 1, re-gent 2 = 7
    # 206.835 - 0.93 * (6 / 2) - 77 * (7 / 6) = 206.835 - 2.79 - 89.8333... = 114.2117
    assert (report.sentences, report.words, report.syllables) == (2, 6, 7)
    assert report.words_per_sentence == 3.0
    assert report.score == pytest.approx(114.2117, abs=1e-4)
    assert report.level == "easy"
    assert report.long_words == () and report.long_word_count == 0


def test_exact_score_with_a_long_word() -> None:
    report = analyse("Jeugdbescherming is belangrijk.")
    # 1 sentence, 3 words; jeugd-be-scher-ming 4 + is 1 + be-lang-rijk 3 = 8 syllables
    # 206.835 - 0.93 * 3 - 77 * (8 / 3) = 206.835 - 2.79 - 205.3333... = -1.2883
    assert report.score == pytest.approx(-1.2883, abs=1e-4)
    assert report.level == "very_hard"
    assert report.long_words == ("Jeugdbescherming",)


def test_douma_formula() -> None:
    assert douma(words=100, sentences=10, syllables=150) == pytest.approx(
        206.835 - 9.3 - 115.5
    )


SIMPLE_B1_TEXT = """\
## Mijn kamer

Ik woon nu in een kamer. Mijn kamer is klein, maar hij is van mij. Ik kook zelf.
Soms gaat dat mis. Dan bel ik mijn mentor. Zij helpt mij graag.

## Wat ik wil

- Vraag wat ik nodig heb.
- Luister goed naar mij.
- Kom op tijd en doe wat je zegt.
"""

DENSE_POLICY_TEXT = """\
De implementatie van de gedecentraliseerde verantwoordelijkheidsverdeling binnen het
jeugdstelsel vereist een integrale herziening van de bekostigingssystematiek, waarbij
gemeentelijke uitvoeringsorganisaties in samenwerking met gecertificeerde instellingen de
continuïteit van de hulpverlening waarborgen. Tevens dient de professionalisering van
jeugdprofessionals geïntensiveerd te worden, teneinde de effectiviteit van interventies
aantoonbaar te optimaliseren en de doorlooptijden van beschikkingsprocedures substantieel
te reduceren.
"""


def test_simple_b1_text_scores_high() -> None:
    report = analyse(SIMPLE_B1_TEXT)
    assert report.score is not None and report.score > 70
    assert report.level == "easy"
    assert report.hardest == ()


def test_dense_policy_text_scores_low() -> None:
    report = analyse(DENSE_POLICY_TEXT)
    assert report.score is not None and report.score < 40
    assert report.level == "very_hard"
    assert report.sentences == 2
    assert "implementatie" in report.long_words
    assert "verantwoordelijkheidsverdeling" in report.long_words
    assert len(report.hardest) == 2


DEMO = Path(__file__).resolve().parents[1] / "content" / "demo"


def demo_bodies() -> dict[str, str]:
    """The Markdown body (after the front matter) of every demo advice."""
    return {path.name: path.read_text(encoding="utf-8").split("---", 2)[2]
            for path in sorted(DEMO.glob("*.md"))}


def test_demo_content_is_written_at_b1_or_easier() -> None:
    bodies = demo_bodies()
    assert bodies
    for name, body in bodies.items():
        report = analyse(body)
        assert report.score is not None and report.score >= 60, name


@pytest.mark.parametrize(
    ("score", "level"),
    [(100, "easy"), (70, "easy"), (69.9, "fair"), (60, "fair"), (59.9, "hard"),
     (50, "hard"), (49.9, "very_hard"), (-20, "very_hard")],
)
def test_levels(score: float, level: str) -> None:
    assert level_for(score) == level
    assert level in LEVELS


def test_markdown_is_stripped_before_measuring() -> None:
    plain = analyse("Ik ga naar huis. Het regent.")
    marked = analyse("**Ik** ga naar [huis](https://example.org/heel/lang/adres). *Het* regent.")
    assert (marked.words, marked.syllables, marked.score) == (
        plain.words, plain.syllables, plain.score
    )
    assert "https" not in marked.plain


def test_long_words_are_distinct_and_counted_every_time() -> None:
    report = analyse("Informatie is fijn. Meer informatie is beter. Jeugdbescherming ook.")
    assert report.long_words == ("Informatie", "Jeugdbescherming")
    assert report.long_word_count == 3


def test_numbers_count_as_words() -> None:
    report = analyse("Ik was 17,5 jaar.")
    assert report.words == 4
    assert report.syllables == 4  # "17,5" counts as one syllable


def test_empty_text_has_no_score() -> None:
    for text in ("", "   \n\n", "---", "## \n\n* * *"):
        report = analyse(text)
        assert report.words == 0 and report.sentences == 0
        assert report.score is None and report.level is None
        assert report.hardest == ()


# ----------------------------------------------------------------- hardest sentences


def test_hardest_sentences_are_marked_in_the_plain_text() -> None:
    long_sentence = (
        "Als een jongere achttien wordt en er dan nog geen woning, geen inkomen en geen "
        "vaste begeleider is geregeld, dan staat die jongere er vaak ineens helemaal alleen voor."
    )
    dense = "De gemeentelijke verantwoordelijkheid vereist professionalisering."
    report = analyse(f"## Kop\n\nDit is kort. {long_sentence}\n\n- {dense}\n- Nog een punt.")
    hardest = report.hardest
    assert [s.text for s in hardest] == [dense, long_sentence]  # lowest score first
    for sentence in hardest:
        assert report.plain[sentence.start : sentence.end] == sentence.text
    assert hardest[0].words == 5
    assert hardest[0].long_words == ("gemeentelijke", "verantwoordelijkheid",
                                     "professionalisering")
    assert hardest[1].words == 29
    assert hardest[1].long_words == ("begeleider",)
    assert hardest[0].score < hardest[1].score


def test_short_sentences_are_never_hardest() -> None:
    # One long word in a very short sentence gives a silly score; it is not worth a mark.
    report = analyse("Ondertoezichtstelling. Jeugdbescherming uitgelegd.")
    assert report.score is not None and report.score < 0
    assert report.hardest == ()


def test_at_most_five_hardest_sentences() -> None:
    dense = "De gemeentelijke verantwoordelijkheid vereist professionalisering nummer {}."
    report = analyse(" ".join(dense.format(n) for n in range(1, 9)))
    assert len(report.hardest) == MAX_HARDEST


def test_report_is_frozen() -> None:
    report = analyse("Ik ga naar huis.")
    assert isinstance(report, ReadabilityReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.score = 1  # type: ignore[misc]
    sentence = SentenceScore("x", 1, (), 1.0, 0, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sentence.words = 2  # type: ignore[misc]


@pytest.mark.parametrize("separator", ["\n", " "])  # many blocks, or one huge paragraph
def test_analyse_takes_linear_work_on_a_long_text(separator: str) -> None:
    """Four times the text may cost at most five times the calls (counted, not timed)."""
    sample = (SIMPLE_B1_TEXT + "\n" + DENSE_POLICY_TEXT).replace("\n", separator)
    text = (sample + separator) * 120  # about 100 KB
    assert len(text) > 95_000
    quarter, _ = calls_to(analyse, (sample + separator) * 30)
    whole, report = calls_to(analyse, text)
    assert whole <= 5 * quarter, f"{whole} calls for 100 kB against {quarter} for 25 kB"
    assert report.sentences > 1000
