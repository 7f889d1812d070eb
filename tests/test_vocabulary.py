"""Audiences and regions as controlled lists: the data files, the sync, the writers' and
editors' forms (choose from the lists, with validation) and the import (any known spelling
becomes the region's slug; an unknown region or audience is a problem, not a new value).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from kb import vocabulary
from kb.content import import_paths
from kb.db import session_scope
from kb.models import Advice, Audience, Region
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, hidden

THEMES = Path(__file__).resolve().parent.parent / "themes"

ADVICE_FILE = """---
title: "Een woning voor je achttiende"
themes: [wonen]
summary: "Regel een woonplek voordat de hulp stopt."
region: {region}
audience: [{audience}]
---
## Wat we zien

Jongeren staan op hun achttiende zonder woonplek.
"""


# --------------------------------------------------------------------------- the data files


def test_the_lists_hold_every_province_42_jeugdregios_and_landelijk():
    regions = vocabulary.load_region_file(THEMES)
    kinds = [r["kind"] for r in regions]
    assert kinds.count("landelijk") == 1
    assert kinds.count("provincie") == 12
    assert kinds.count("jeugdregio") == 42
    provinces = {r["slug"] for r in regions if r["kind"] == "provincie"}
    assert all(r["province"] in provinces for r in regions if r["kind"] == "jeugdregio")
    # No spelling may point at two regions: a facet value must never split.
    lookup: dict[str, str] = {}
    for region in regions:
        for spelling in (region["slug"], region["name"], *region["aliases"]):
            key = vocabulary.normalize(spelling)
            assert lookup.setdefault(key, region["slug"]) == region["slug"], spelling


def test_each_audience_file_has_a_name_an_english_name_a_description_and_synonyms():
    audiences = vocabulary.load_audience_files(THEMES)
    assert {a["slug"] for a in audiences} == {
        "gemeenten", "rijksoverheid", "jeugdhulpaanbieders", "hulpverleners", "jeugdbescherming",
        "rechtspraak", "onderwijs", "jongeren", "ouders"}
    for audience in audiences:
        assert audience["name"] and audience["name_en"] and audience["description"]
        assert audience["synonyms"], audience["slug"]


@pytest.mark.parametrize(("typed", "slug"), [
    ("Noord Brabant", "noord-brabant"), ("noord-brabant", "noord-brabant"),
    ("FRIESLAND", "fryslan"), ("Fryslan", "fryslan"), ("provincie Zeeland", "zeeland"),
    ("Heel Nederland", "landelijk"), ("Gooi- en Vechtstreek", "gooi-en-vechtstreek"),
    ("Midden-IJssel / Oost-Veluwe", "midden-ijssel-oost-veluwe"), ("Atlantis", None), ("", None),
])
def test_a_free_text_region_maps_to_one_slug(typed, slug):
    lookup = vocabulary.region_lookup(vocabulary.load_region_file(THEMES))
    assert vocabulary.match_region(typed, lookup) == slug


def test_a_broken_list_stops_the_sync_before_it_writes(tmp_path):
    folder = tmp_path / "themes"
    shutil.copytree(THEMES, folder)
    path = folder / "regions" / "regions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: provincie", "kind: land", 1),
                    encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyFileError, match="kind 'land'"):
        vocabulary.load_region_file(folder)


def test_kb_themes_syncs_the_lists_and_keeps_an_audience_still_in_use(app, tmp_path,
                                                                      make_advice):
    make_advice(audience=("ouders",))
    folder = tmp_path / "themes"
    shutil.copytree(THEMES, folder)
    (folder / "audiences" / "ouders.yaml").unlink()
    (folder / "audiences" / "rechtspraak.yaml").unlink()
    gemeenten = folder / "audiences" / "gemeenten.yaml"
    gemeenten.write_text(gemeenten.read_text(encoding="utf-8").replace(
        "name_en: Municipalities", "name_en: Local authorities"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["kb", "themes", "--folder", str(folder)])
    assert "Audiences: 0 added, 1 updated, 6 unchanged, 1 deleted." in result.output
    assert result.exit_code == 1 and "ouders" in result.output  # kept, and said so
    with app.app_context(), session_scope() as session:
        audiences = {a.slug: a for a in session.exec(select(Audience)).all()}
        assert "ouders" in audiences and "rechtspraak" not in audiences
        assert audiences["gemeenten"].name_en == "Local authorities"
        assert session.exec(select(Region)).all()


# --------------------------------------------------------------------------- the forms


def test_the_write_form_offers_the_lists(client, people, log_in):
    log_in(people.writer)
    html = client.get("/schrijven").get_data(as_text=True)
    assert '<select id="veld-region" name="region"' in html
    assert '<optgroup label="Provincies">' in html and '<optgroup label="Jeugdregio’s">' in html
    assert '<option value="achterhoek">Achterhoek</option>' in html
    assert '<label for="veld-audience-jeugdhulpaanbieders">Jeugdhulpaanbieders</label>' in html


def test_a_region_outside_the_list_is_refused_with_the_text_kept(app, client, people, log_in):
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    data = {**FORM, "region": "Ergens in het oosten", "form_id": hidden(page, "form_id"),
            "action": "save"}
    answer = client.post("/schrijven", data={**data, "csrf_token": hidden(page, "csrf_token")})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Kies een regio uit de lijst." in html and FORM["summary"] in html
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Advice)).all() == []


@pytest.mark.parametrize(("sent", "stored"), [("gelderland", "gelderland"),
                                              ("Noord Brabant", "noord-brabant"), ("", None)])
def test_a_chosen_region_is_stored_as_its_slug(app, client, people, log_in, sent, stored):
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    data = {**FORM, "region": sent, "form_id": hidden(page, "form_id"), "action": "save",
            "csrf_token": hidden(page, "csrf_token")}
    assert client.post("/schrijven", data=data).status_code in (302, 303)
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Advice.region)).one() == stored


def test_an_editor_picks_the_region_from_the_same_list(app, client, post, people, log_in,
                                                       advice_by):
    from tests.workflow_fixtures import S

    advice = advice_by(S.PUBLISHED, region="drenthe")
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice.id}/bewerken").get_data(as_text=True)
    assert '<option value="drenthe" selected>Drenthe</option>' in page
    data = {**FORM, "region": "twente", "action": "save", "revision": str(advice.revision)}
    answer = post(f"/redactie/advies/{advice.id}/bewerken", data)
    assert answer.status_code in (302, 303)
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).region == "twente"
        revision = session.get(Advice, advice.id).revision
    refused = post(f"/redactie/advies/{advice.id}/bewerken",
                   {**data, "region": "Atlantis", "revision": str(revision)})
    assert refused.status_code == 400
    assert "Kies een regio uit de lijst." in refused.get_data(as_text=True)


# --------------------------------------------------------------------------- the import


def test_an_import_stores_any_known_spelling_as_the_slug(app, write_file):
    path = write_file("a.md", ADVICE_FILE.format(region="Noord Brabant", audience="gemeenten"))
    with app.app_context(), session_scope() as session:
        report = import_paths(session, [path])
        assert report.problems == []
        assert session.exec(select(Advice.region)).one() == "noord-brabant"


@pytest.mark.parametrize(("region", "audience", "message"), [
    ("Atlantis", "gemeenten", "unknown region 'Atlantis'"),
    ("Drenthe", "wethouders", "unknown audience 'wethouders'"),
])
def test_an_import_refuses_what_is_not_on_the_lists(app, write_file, region, audience,
                                                    message):
    path = write_file("a.md", ADVICE_FILE.format(region=region, audience=audience))
    with app.app_context(), session_scope() as session:
        report = import_paths(session, [path])
        assert [p.message for p in report.problems if message in p.message]
