"""Tests for kb.privacy: hints for details that could identify a writer, on real Dutch sentences.

The positive sentences are the kind of thing a young person with youth-care experience writes
in a first draft; every hint is listed exactly, so a new false positive or a lost hint fails.
The negative sentences are generic advice text that must stay free of hints.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from work_count import calls_to

from kb.privacy import HELPLINES, KINDS, PrivacyHint, check

DEMO = Path(__file__).resolve().parents[1] / "content" / "demo"


def found(text: str) -> list[tuple[str, str]]:
    return [(hint.kind, hint.text) for hint in check(text)]


# ------------------------------------------------------------------ real sentences

POSITIVE = [
    ("Toen ik 14 was werd ik door mijn gezinsvoogd Marieke naar een leefgroep in Nijkerk "
     "gebracht.", [("age", "14"), ("person_name", "Marieke"), ("place", "Nijkerk")]),
    ("Op 3 maart 2019 kwam de politie aan de Kerkstraat 12.",
     [("date", "3 maart 2019"), ("address", "Kerkstraat 12")]),
    ("Mijn mentor op het Da Vinci College belde mijn moeder op 06-12345678.",
     [("school", "Da Vinci College"), ("phone", "06-12345678")]),
    ("Ik was 15 en woonde toen bij mijn tante in Staphorst.",
     [("age", "15"), ("place", "Staphorst")]),
    ("Mijn zusje van 9 mocht wel thuis blijven, ik niet.", [("age", "9")]),
    ("Op mijn 12e ging ik voor het eerst naar een pleeggezin in Epe.",
     [("age", "12e"), ("place", "Epe")]),
    ("Mijn jeugdbeschermer Youssef zei dat ik mocht kiezen.", [("person_name", "Youssef")]),
    ("Meneer De Vries van de voogdij kwam elke maand langs.", [("person_name", "De Vries")]),
    ("Juf Anja van groep 7 merkte als eerste dat het thuis niet goed ging.",
     [("person_name", "Anja")]),
    ("Ik zat op basisschool De Regenboog en daarna op het vmbo.",
     [("school", "basisschool De Regenboog")]),
    ("Na de zomer begon ik aan het ROC Midden Nederland.", [("school", "ROC Midden Nederland")]),
    ("In leefgroep De Waterlelie woonden acht jongeren.",
     [("institution", "leefgroep De Waterlelie")]),
    ("Ik woonde twee jaar bij Horizon Jeugdzorg.", [("institution", "Horizon Jeugdzorg")]),
    ("Veilig Thuis Flevoland heeft toen een onderzoek gedaan.",
     [("institution", "Veilig Thuis Flevoland")]),
    ("Mijn moeder woont nog steeds op de Van Goghlaan 3a in Ermelo.",
     [("address", "Van Goghlaan 3a"), ("place", "Ermelo")]),
    ("Onze oude postcode was 3851 AB, dat weet ik nog precies.", [("postcode", "3851 AB")]),
    ("Je kunt me mailen op sanne.jansen2004@hotmail.com als je vragen hebt.",
     [("email", "sanne.jansen2004@hotmail.com")]),
    ("Volg mijn verhaal op Insta via @sanne.schrijft.", [("social_handle", "@sanne.schrijft")]),
    ("Mijn BSN is 123456789, dat stond gewoon op de brief.", [("id_number", "123456789")]),
    ("In de brief stond mijn dossiernummer: 2019-04-1187.", [("id_number", "2019-04-1187")]),
    ("Mijn vader belde steeds vanaf 0031 6 98765432.", [("phone", "0031 6 98765432")]),
    ("Het nummer van de groep was 0341-123456.", [("phone", "0341-123456")]),
    ("Op vrijdag 12 april kwam de rechter tot een besluit over mijn OTS.",
     [("date", "vrijdag 12 april")]),
    ("Ik ben geboren op 04-11-2005 in het ziekenhuis.", [("date", "04-11-2005")]),
    ("Sinds 15/09/2021 woon ik op mezelf.", [("date", "15/09/2021")]),
    ("Toen ik zestien jaar was moest ik verhuizen naar een kamertrainingscentrum.",
     [("age", "zestien jaar")]),
    ("Er woonde ook een meisje van 13 op de groep.", [("age", "13")]),
    ("De 15-jarige jongen naast mij huilde elke nacht.", [("age", "15-jarige")]),
    ("Mijn broertje is nu 11 en woont nog bij mijn oma.", [("age", "11")]),
    ("Fatima Yilmaz was mijn eerste begeleider en ze was echt top.",
     [("person_name", "Fatima Yilmaz")]),
    ("Ik sprak vaak met Mohamed, mijn vriend van de groep.", [("person_name", "Mohamed")]),
    ("Mijn pleegmoeder Ingrid zei dat ik er altijd mocht blijven.",
     [("person_name", "Ingrid")]),
    ("Daarna ging ik naar de kliniek van Accare.", [("institution", "kliniek van Accare")]),
    ("Ik ben geboren in Urk en opgegroeid in Zwolle.", [("place", "Urk")]),
    ("We verhuisden van Amsterdam naar Ootmarsum toen ik acht was.",
     [("place", "Ootmarsum"), ("age", "acht")]),
    ("Ik haalde mijn diploma aan het Erasmuscollege.", [("school", "Erasmuscollege")]),
    ("Na mijn 18e moest ik weg uit de leefgroep in Harderwijk.", [("place", "Harderwijk")]),
    ("Ze vonden me uiteindelijk bij een vriendin in Lelystad, op de Dorpsweg 14-2.",
     [("address", "Dorpsweg 14-2")]),
    ("Mijn vriend Jayden zit nu in de JJI in Hoenderloo.",
     [("person_name", "Jayden"), ("place", "Hoenderloo")]),
    ("Stichting De Opstap hielp me met mijn schulden.",
     [("institution", "Stichting De Opstap")]),
    ("Mijn mentor Sanne de Boer belde me elke week, ook in de vakantie.",
     [("person_name", "Sanne de Boer")]),
    ("Ze reden me in een busje met kenteken VK-123-B naar de opvang.",
     [("license_plate", "VK-123-B")]),
    ("Mijn adres was Dorpsstraat 4 in Nieuwleusen.",
     [("address", "Dorpsstraat 4"), ("place", "Nieuwleusen")]),
    ("Mijn zus Noor is veertien jaar oud en heel slim.",
     [("person_name", "Noor"), ("age", "veertien jaar oud")]),
    ("Wij woonden in de wijk Kanaleneiland, vlakbij het winkelcentrum.",
     [("place", "Kanaleneiland")]),
    ("Toen ik 13 was ging ik naar de Regenboogschool.",
     [("age", "13"), ("school", "Regenboogschool")]),
    ("Mijn leefgroep had een eigen nummer: +31 6 12345678.", [("phone", "+31 6 12345678")]),
    ("Bel me gerust, 06 1234 5678, maar niet na tienen.", [("phone", "06 1234 5678")]),
    ("Mijn rekening is NL91 ABNA 0417 1643 00, stort het daar maar.",
     [("iban", "NL91 ABNA 0417 1643 00")]),
    ("Ik kwam bij Pluryn terecht en later bij Lindenhout.",
     [("institution", "Pluryn"), ("institution", "Lindenhout")]),
    ("Sanne was twaalf toen haar ouders uit elkaar gingen.",
     [("person_name", "Sanne"), ("age", "twaalf")]),
    ("Het was maandag 4 februari, de dag dat ik werd opgehaald.",
     [("date", "maandag 4 februari")]),
    ("Het adres van de crisisopvang was kerkstraat 12, 3861ab.",
     [("address", "kerkstraat 12"), ("postcode", "3861ab")]),
    ("Mijn profiel is instagram.com/sanne.dv als je wilt kijken.",
     [("social_handle", "instagram.com/sanne.dv")]),
    ("Anne-Marie van het wijkteam kwam langs.", [("person_name", "Anne-Marie")]),
    ("Ik zag Ben pas weer na drie jaar.", [("person_name", "Ben")]),
    ("Roos de Jong was de enige die het snapte.", [("person_name", "Roos de Jong")]),
]


@pytest.mark.parametrize(("sentence", "expected"), POSITIVE, ids=[s[:40] for s, _ in POSITIVE])
def test_real_sentences_get_exactly_these_hints(
    sentence: str, expected: list[tuple[str, str]]
) -> None:
    assert found(sentence) == expected


NEGATIVE = [
    "In 2019 veranderde de wet.",
    "Als je 18 wordt, stopt de jeugdhulp vaak.",
    "Bel de Kindertelefoon via 0800-0432.",
    "Bel bij direct gevaar altijd 112, en bij gedachten aan zelfdoding 113 of 0800-0113.",
    "Veilig Thuis is bereikbaar via 0800-2000.",
    "Maak vanaf 16 jaar een woonplan met de jongere.",
    "Jongeren van 16 tot 27 jaar hebben recht op een eigen stem.",
    "In maart beginnen we met een nieuwe groep.",
    "Sinds 1 januari 2015 zijn gemeenten verantwoordelijk voor de jeugdhulp, zo staat in de "
    "Jeugdwet.",
    "Een kind van tien kan dat vaak prima vertellen.",
    "Ik was 3 jaar in een pleeggezin voordat ik terug naar huis mocht.",
    "Ik was twee weken weg en niemand vroeg waar ik was.",
    "Dan ga je naar huis en weet je niet wat er gaat gebeuren.",
    "Ben je 17? Begin dan op tijd met plannen.",
    "Hoop doet leven, maar een plan helpt meer.",
    "Veel 18-jarigen staan er dan ineens alleen voor.",
    "In Amsterdam, Rotterdam en Den Haag zijn de wachtlijsten het langst.",
    "Jongeren uit Marokko, Turkije en Syrië hebben soms extra hulp nodig met taal.",
    "In de Tweede Kamer werd in 2022 gesproken over jeugdzorg.",
    "Er kwam een melding bij Veilig Thuis en daarna een onderzoek.",
    "Het College van Burgemeester en Wethouders besluit over het budget.",
    "Stichting Het Vergeten Kind vraagt al jaren aandacht voor dit probleem.",
    "Je hebt recht op een advocaat, ook bij de Raad voor de Kinderbescherming.",
    "Geef jongeren 3.5 uur per week begeleiding, of liever meer.",
    "Ongeveer 40.000 jongeren krijgen jeugdhulp met verblijf.",
    "Schrijf je in voor een woning zodra je 16 bent.",
    "Een jongere in Jeugdzorg Plus mag soms maanden niet naar buiten.",
    "Kijk voor meer informatie op https://www.kindertelefoon.nl/ouders/2019-03-12.",
    "Er zaten 12 jongeren op de groep en er waren 3 begeleiders.",
    "Ik heb 9 keer een nieuwe jeugdbeschermer gehad in 5 jaar.",
    "Op mijn 18e verjaardag stond ik op straat.",
    "We spraken Nederlandse en Engelse woorden door elkaar.",
    "De wet zegt dat je vanaf je 12e mag meepraten.",
    "Ik gebruikte WhatsApp en Instagram om contact te houden.",
    "Elke dinsdag had ik om 15.00 uur een gesprek.",
    "Er is een wachtlijst van 6 tot 8 maanden voor jeugd-ggz.",
    "De groep bestond uit 8 jongeren tussen 14 en 17 jaar.",
    "Lieve hulpverleners, luister alsjeblieft beter naar ons.",
    "Storm of geen storm, de begeleider kwam altijd.",
    "Vroeger dacht ik dat het aan mij lag. Gisteren las ik mijn dossier terug.",
    "Ik zat in Groep 8 toen het misging, en later in Havo 3.",
    "In Coronatijd zat ik maanden alleen op mijn kamer.",
    "Daarna ging ik naar Jeugdzorg Plus en later naar Pleegzorg.",
    "Ik verhuisde naar Zuid-Holland en later naar Zuidoost-Brabant.",
    "Mijn ouders kwamen uit Suriname en Curaçao.",
    "Tip: lees ook het advies over de [Kindertelefoon](/advies/kindertelefoon-bellen-2019).",
    "Met de Jeugdwet van 2015 ging alles naar de gemeenten.",
    "Sommige jongeren wonen in een AZC of bij het COA.",
    "Toen ik dat las, schrok ik. Ik was 20 procent van mijn tijd kwijt.",
    "Hij is 2 keer verhuisd in één jaar.",
    "De gemeente Amsterdam en de gemeente Utrecht doen het goed.",
    "Ik woonde in Amsterdam-Noord en daarna in Amsterdam Zuidoost.",
    "Ik weet nog dat het 2015 EU-beleid was.",
]


@pytest.mark.parametrize("sentence", NEGATIVE, ids=[s[:40] for s in NEGATIVE])
def test_generic_sentences_get_no_hints(sentence: str) -> None:
    assert found(sentence) == []


# ------------------------------------------------------------------------ the rules


def test_helplines_are_not_hints_but_other_service_numbers_are() -> None:
    assert found("Bel 0800-0432 of 0800 2000 of 0900-8844.") == []
    assert found("Bel de afdeling op 0900-1234.") == [("phone", "0900-1234")]
    assert "08000432" in HELPLINES


def test_phone_formats() -> None:
    for number in ("06-12345678", "06 1234 5678", "0612345678", "+31 6 12345678",
                   "+31 (0)6 12345678", "+31612345678", "0031 6 12345678", "020-1234567",
                   "020 123 45 67", "(020) 123 4567", "0341-123456"):
        assert found(f"Bel {number} als het kan.") == [("phone", number)], number


def test_numbers_that_are_not_phones() -> None:
    assert found("Het kostte 1234567890 euro.") == []  # no leading 0
    assert found("Het was 01-01-2019 12 uur.") == [("date", "01-01-2019")]
    assert found("Onderzoek 2019-2023 met 06 deelnemers.") == []


def test_nine_digit_numbers() -> None:
    assert found("Klantnummer 1234.56.789 en nummer 987654321.") == [
        ("id_number", "1234.56.789"), ("id_number", "987654321")]
    assert found("Er zijn 123.456.789 euro en 1234567890 mensen.") == []


def test_dates_need_a_day_and_a_month() -> None:
    assert found("In maart 2019 ging ik weg.") == []
    assert found("Op 3 januari ging ik weg.") == [("date", "3 januari")]
    assert found("Op 3 jan. '19 ging ik weg.") == [("date", "3 jan. '19")]
    assert found("Dat was op 2019-03-12.") == [("date", "2019-03-12")]
    assert found("Versie 1.2.3 van het plan.") == []


def test_age_rules() -> None:
    assert found("Ik was pas 13 toen het gebeurde.") == [("age", "13")]
    assert found("Ik ben 16.") == [("age", "16")]
    assert found("Op haar veertiende ging ze het huis uit.") == [("age", "veertiende")]
    assert found("Op haar achttiende moest ze weg.") == []  # 18 is everyone's age
    assert found("Ik was 3 dagen weg.") == []
    assert found("Jongeren van 12-18 jaar.") == []


def test_pseudonyms_are_never_hints() -> None:
    text = "Sanne (pseudoniem) woonde bij haar vader. Later ging Sanne naar een leefgroep."
    assert found(text) == []
    assert found("Tim (niet zijn echte naam) belde.") == []
    assert found("Tim (naam is veranderd) belde Sanne.") == [("person_name", "Sanne")]


def test_ambiguous_names_only_mid_sentence_or_with_a_surname() -> None:
    assert found("Dan ga je. Ben je er?") == []
    assert found("Toen kwam Dan binnen.") == [("person_name", "Dan")]
    assert found("Roos hielp mij.") == []
    assert found("Roos Jansen hielp mij.") == [("person_name", "Roos Jansen")]


def test_royal_names_are_not_hints() -> None:
    assert found("Koning Willem-Alexander sprak over jeugdzorg.") == []


def test_overlaps_keep_the_most_specific_hint() -> None:
    # "Emma" is a first name, but here it is part of a hospital name.
    assert found("Ik lag in het Emma Kinderziekenhuis.") == [
        ("institution", "Emma Kinderziekenhuis")]
    # "Nijkerk" is a place, but "Veilig Thuis Nijkerk" is one institution.
    assert found("Veilig Thuis Nijkerk belde.") == [("institution", "Veilig Thuis Nijkerk")]
    # an email address contains an @handle-like part; only the email is a hint.
    assert found("Mail tim@jeugd.nl.") == [("email", "tim@jeugd.nl")]


def test_offsets_and_lines_point_into_the_markdown() -> None:
    text = "## Mijn verhaal\n\nIk woonde in **Urk**.\n\n- Juf *Anja* was lief.\n- Bel 06-12345678\n"
    hints = check(text)
    assert [(h.kind, h.text, h.line) for h in hints] == [
        ("place", "Urk", 3), ("person_name", "Anja", 5), ("phone", "06-12345678", 6)]
    for hint in hints:
        assert text[hint.start : hint.end] == hint.text
    assert [h.start for h in hints] == sorted(h.start for h in hints)


def test_link_targets_are_ignored_but_link_texts_are_not() -> None:
    text = "Lees [het verhaal van Sanne](https://example.org/marieke/06-12345678/urk)."
    assert found(text) == [("person_name", "Sanne")]
    assert found("Mail [mij](mailto:sanne@voorbeeld.nl).") == [("email", "sanne@voorbeeld.nl")]


def test_headings_and_list_items_start_sentences() -> None:
    assert found("## Hoop\n\n- Roos\n- Storm\n\nDan.") == []
    assert found("Ik zag\nRoos gisteren.") == [("person_name", "Roos")]  # soft line break


def test_empty_text() -> None:
    assert check("") == []
    assert check(None) == []  # type: ignore[arg-type]


def test_hints_are_frozen_and_kinds_are_known() -> None:
    text = " ".join(sentence for sentence, _ in POSITIVE)
    hints = check(text)
    assert hints and all(isinstance(h, PrivacyHint) for h in hints)
    assert {h.kind for h in hints} <= set(KINDS)
    assert set(KINDS) == {h.kind for h in hints}  # the examples cover every kind
    with pytest.raises(dataclasses.FrozenInstanceError):
        hints[0].kind = "email"  # type: ignore[misc]


# ----------------------------------------------------------------- demo and speed

# The demo advice is anonymous, except for two short case stories that use first names and
# ages ("Milan was zeventien", "Sanne was twaalf").  In a real submission an editor would want
# exactly these hints ("is this a pseudonym?"), so they are expected; anything else is a
# false positive.
JUSTIFIED_DEMO_HINTS = {
    ("person_name", "Milan"), ("age", "zeventien"), ("person_name", "Sanne"), ("age", "twaalf"),
}


def demo_bodies() -> dict[str, str]:
    """The Markdown body (after the front matter) of every demo advice."""
    return {path.name: path.read_text(encoding="utf-8").split("---", 2)[2]
            for path in sorted(DEMO.glob("*.md"))}


def test_demo_content_has_only_justified_hints() -> None:
    bodies = demo_bodies()
    assert len(bodies) >= 20
    all_hints = []
    for name, body in bodies.items():
        hints = found(body)
        assert set(hints) <= JUSTIFIED_DEMO_HINTS, (name, hints)
        all_hints.extend(hints)
    assert len(all_hints) <= 10


def test_check_on_100_kb_takes_linear_work() -> None:
    """Four times the text may cost at most five times the calls (counted, not timed)."""
    sample = " ".join(sentence for sentence, _ in POSITIVE) + "\n\n" + "\n".join(NEGATIVE)
    text = (sample * (100_000 // len(sample) + 1))[:100_000]
    check(text[:1000])  # load the word lists first
    quarter, _ = calls_to(check, text[:25_000])
    whole, hints = calls_to(check, text)
    assert whole <= 5 * quarter, f"{whole} calls for 100 kB against {quarter} for 25 kB"
    assert len(hints) > 500


def test_every_hint_kind_has_a_dutch_explanation_in_the_templates():
    from pathlib import Path

    from kb.privacy import KINDS

    template = (Path(__file__).resolve().parent.parent / "kb" / "templates" / "_work.html"
                ).read_text(encoding="utf-8")
    missing = [kind for kind in KINDS if f"'{kind}':" not in template]
    assert missing == []
