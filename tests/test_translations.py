"""The English interface: a complete catalog, the switch, and one URL with two renderings."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from english_pages import dutch_left

from kb.cli_i18n import TRANSLATIONS, extract_catalog
from kb.web.i18n import COOKIE

PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def source_catalog(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    extract_catalog(pot)
    return _read(pot)


def test_every_marked_string_has_an_english_translation(source_catalog):
    english = _read(PO)
    missing, fuzzy, empty = [], [], []
    for message in source_catalog:
        if not message.id:
            continue
        translated = english.get(message.id)
        if translated is None:
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
        elif not all(translated.string) if isinstance(translated.string, tuple) \
                else not translated.string:
            empty.append(message.id)
    assert not missing, f"not in the English catalog (run `kb i18n extract`): {missing[:20]}"
    assert not fuzzy, f"fuzzy in the English catalog (check and translate): {fuzzy[:20]}"
    assert not empty, f"untranslated in the English catalog: {empty[:20]}"


def test_the_catalog_holds_no_obsolete_or_broken_entries(source_catalog):
    english = _read(PO)
    wanted = {message.id for message in source_catalog if message.id}
    stale = [message.id for message in english if message.id and message.id not in wanted]
    assert not stale, f"no longer in the code (run `kb i18n extract`): {stale[:20]}"
    problems = [(message.id, errors) for message, errors in english.check()]
    assert not problems, f"placeholders differ between Dutch and English: {problems[:10]}"


def test_the_compiled_catalog_is_the_translated_one():
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    english = _read(PO)
    def entries(catalog, skip_fuzzy):
        return {(m.id if isinstance(m.id, str) else m.id[0]):
                (m.string if isinstance(m.string, str) else tuple(m.string))
                for m in catalog if m.id and m.string and not (skip_fuzzy and m.fuzzy)}
    expected, got = entries(english, True), entries(compiled, False)
    assert got == expected, "run `flask --app app kb i18n compile` after changing messages.po"


def test_dutch_is_the_default(client):
    response = client.get("/")
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.get_data(as_text=True)


def test_the_browser_language_chooses_english(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Accept-Language" in response.headers["Vary"]


def test_the_switch_remembers_the_choice_and_returns_to_the_page(client):
    response = client.get("/taal/en?next=/zoeken%3Fq%3Djeugdzorg")
    assert response.status_code == 303
    assert response.headers["Location"] == "/zoeken?q=jeugdzorg"
    assert f"{COOKIE}=en" in response.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "nl"})
    assert page.headers["Content-Language"] == "en"  # the cookie wins over the browser
    back = client.get("/taal/nl?next=/")
    assert f"{COOKIE}=nl" in back.headers["Set-Cookie"]
    assert client.get("/").headers["Content-Language"] == "nl"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", ""])
def test_the_switch_never_leaves_the_site(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/taal/xx?next=/")
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers


def test_every_page_offers_the_other_language(client):
    dutch = client.get("/").get_data(as_text=True)
    assert 'hreflang="en"' in dutch and ">English<" in dutch
    client.set_cookie(COOKIE, "en", domain="kennisbank.test")
    english = client.get("/").get_data(as_text=True)
    assert 'hreflang="nl"' in english and ">Nederlands<" in english


def test_kept_pages_keep_each_language_apart(client):
    """A page kept in Dutch is never handed to an English reader, or the reverse."""
    dutch = client.get("/themas")
    assert dutch.headers["Content-Language"] == "nl"
    english = client.get("/themas", headers={"Accept-Language": "en"})
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert dutch.headers["ETag"] != english.headers["ETag"]
    again = client.get("/themas")
    assert '<html lang="nl">' in again.get_data(as_text=True)


def test_the_dutch_leftover_check_finds_dutch_and_skips_content():
    page = ('<html lang="en"><body><nav>Search <a>Zoeken</a></nav>'
            '<article lang="nl"><p>Het advies van de jongeren</p></article>'
            '<nav class="language-switch"><a lang="nl">Nederlands</a></nav>'
            '<input placeholder="Zoek in de adviezen"></body></html>')
    assert dutch_left(page) == ["Zoek", "Zoeken", "adviezen"]


def test_a_304_is_never_given_for_the_other_language(client):
    """The 304 layer answers before Flask: it must pick the language as the page would.

    A reader who switches language sends the ETag of the page they have, in the old language;
    they must get the page in the new one, not a 304 that keeps the old one on their screen.
    """
    english = client.get("/themas", headers={"Accept-Language": "en"})
    etag = english.headers["ETag"]
    again = client.get("/themas", headers={"Accept-Language": "en", "If-None-Match": etag})
    assert again.status_code == 304
    client.set_cookie(COOKIE, "nl", domain="kennisbank.test")
    switched = client.get("/themas", headers={"Accept-Language": "en", "If-None-Match": etag})
    assert switched.status_code == 200
    assert '<html lang="nl">' in switched.get_data(as_text=True)
