"""Saving advice: revisions for every change, old slugs kept, ids never reused."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, OldSlug, Revision
from kb.slugs import fold_diacritics, is_valid_slug, slugify


def change(app, advice_id, note="", **fields):
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice_id)
        content = replace(content_of(advice), **fields)
        _, revision = save_advice(session, advice, content, status=advice.status, note=note)
        return revision


def test_every_change_creates_an_immutable_revision(app, make_advice):
    advice = make_advice(title="Eerste titel")
    change(app, advice.id, note="Titel verbeterd", title="Tweede titel")
    change(app, advice.id, body="Nieuwe tekst.")
    with app.app_context(), session_scope() as session:
        revisions = session.exec(select(Revision).where(Revision.advice_id == advice.id)
                                 .order_by(Revision.number)).all()
        assert [r.number for r in revisions] == [1, 2, 3]
        assert [r.content["title"] for r in revisions] == ["Eerste titel", "Tweede titel",
                                                           "Tweede titel"]
        assert revisions[1].note == "Titel verbeterd"
        assert revisions[2].content["body"] == "Nieuwe tekst."
        assert session.get(Advice, advice.id).revision == 3


def test_saving_unchanged_content_writes_no_revision(app, make_advice):
    advice = make_advice()
    assert change(app, advice.id) is None
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).revision == 1


def test_a_rename_keeps_the_old_slug(app, make_advice):
    advice = make_advice(slug="oude-naam")
    change(app, advice.id, slug="nieuwe-naam")
    change(app, advice.id, slug="nog-nieuwer")
    with app.app_context(), session_scope() as session:
        old = session.exec(select(OldSlug.slug).where(OldSlug.advice_id == advice.id)).all()
    assert sorted(old) == ["nieuwe-naam", "oude-naam"]


def test_the_body_is_rendered_at_save_time(app, make_advice):
    advice = make_advice(body="## Wat we zien\n\n<script>alert(1)</script>")
    assert '<h2 id="wat-we-zien">Wat we zien</h2>' in advice.body_html
    assert "<script>" not in advice.body_html
    assert advice.toc == [{"level": 2, "id": "wat-we-zien", "text": "Wat we zien"}]


def test_theme_order_is_kept(app, make_advice):
    advice = make_advice(themes=("wonen", "18-18plus", "pleegzorg"))
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).theme_slugs == ["wonen", "18-18plus", "pleegzorg"]


def test_advice_ids_are_never_reused(app, make_advice):
    first = make_advice()
    with app.app_context(), session_scope() as session:
        for row in session.exec(select(Revision).where(Revision.advice_id == first.id)):
            session.delete(row)
        session.flush()
        from kb.models import AdviceTheme

        for row in session.exec(select(AdviceTheme).where(AdviceTheme.advice_id == first.id)):
            session.delete(row)
        session.flush()
        session.delete(session.get(Advice, first.id))
    second = make_advice()
    assert second.id > first.id


def test_status_changes_are_revisions_too(app, make_advice):
    advice = make_advice(status=AdviceStatus.DRAFT)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        _, revision = save_advice(session, item, content_of(item),
                                  status=AdviceStatus.PUBLISHED)
        assert revision.number == 2
        assert revision.status == AdviceStatus.PUBLISHED


def test_slugify_makes_readable_ascii_slugs():
    assert slugify("Luister eerst, plaats daarna!") == "luister-eerst-plaats-daarna"
    assert slugify("Cliënten en coördinatoren") == "clienten-en-coordinatoren"
    assert slugify("18-/18+: wat nu?") == "18-18-wat-nu"
    assert slugify("€€€") == ""
    long = slugify("woord " * 40)
    assert len(long) <= 80 and not long.endswith("-")


def test_valid_slugs_are_lowercase_words_with_hyphens():
    assert is_valid_slug("een-goede-slug-2")
    for bad in ("Hoofdletter", "dubbel--streepje", "-begin", "eind-", "spatie slug", "", "é"):
        assert not is_valid_slug(bad), bad


def test_folding_removes_diacritics_only():
    assert fold_diacritics("geïnformeerd coördinator cliënt") == "geinformeerd coordinator client"
