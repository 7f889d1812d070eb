"""Migration 0006 on a database holding advice with the old values: free-text regions and
audience lists are moved onto the controlled lists, and what fits none of them is kept and
reported (log, ``kb regions``, ``kb check``), never silently dropped. The downgrade puts every
original value back.

Runs on SQLite and on PostgreSQL (the PostgreSQL half needs KB_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from kb import migrate
from tests.conftest import sign_in

#: Region as typed before the list → what the migration makes of it (None: kept as unmapped).
OLD_REGIONS = {
    "Noord Brabant": "noord-brabant",
    "friesland": "fryslan",
    "Provincie Utrecht": "utrecht",
    "Zuid-Holland": "zuid-holland",
    "landelijk": "landelijk",
    "Midden IJssel/Oost Veluwe": "midden-ijssel-oost-veluwe",
    "Amsterdam": "amsterdam-amstelland",
    "Ergens in het oosten": None,
    "Gemeente Oss": None,
}


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    return empty_database_url


def settings(tmp_path: Path, url: str) -> dict:
    return {"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
            "INDEX_DIR": str(tmp_path / "index"), "LOAD_DEMO": False,
            "SERVER_NAME": "kennisbank.test"}


def run_sql(url: str, statement: str, **params) -> list:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def database_before_0006(database_url: str, tmp_path: Path) -> str:
    """A database at revision 0005 whose advice carry the old free-text values.

    The advice are written by today's code, the schema taken back to 0005, and the old values
    then written as the code before this change stored them (free text, any spelling)."""
    from kb import workflow
    from kb.accounts import create_account
    from kb.db import session_scope
    from kb.forms import AdviceForm
    from kb.models import User

    app = create_app(settings(tmp_path / "before", database_url))
    with app.app_context():
        with session_scope() as session:
            editor = create_account(session, login="redacteur", password="een goed wachtwoord",
                                    display_name="Redactie", role="editor", actor=None,
                                    via="cli")
        with session_scope() as session:
            editor = session.get(User, editor.id)
            for number, _ in enumerate(OLD_REGIONS, 1):
                form = AdviceForm(title=f"Advies {number}", summary="Een samenvatting.",
                                  themes=["wonen"], display_name="Redactie",
                                  body="## Wat we zien\n\nEen woning is te laat geregeld.\n")
                advice = workflow.create_draft(session, editor, form)
                workflow.submit(session, editor, advice, advice.revision)
                workflow.publish(session, editor, advice, advice.revision)
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(database_url, "0005")
    for number, region in enumerate(OLD_REGIONS, 1):
        audience = ["gemeenten", "jeugdhulpaanbieders"] if number % 2 else ["wethouders"]
        run_sql(database_url, "UPDATE advice SET region = :region, audience = :audience "
                "WHERE title = :title", region=region, audience=json.dumps(audience),
                title=f"Advies {number}")
    return database_url


def _rows(url: str) -> dict[str, tuple[str | None, list[str]]]:
    return {title: (region, json.loads(audience) if isinstance(audience, str) else audience)
            for title, region, audience in run_sql(
                url, "SELECT title, region, audience FROM advice ORDER BY id")}


def test_upgrade_maps_old_regions_and_keeps_what_fits_no_list(database_before_0006, tmp_path,
                                                              caplog):
    url = database_before_0006
    with caplog.at_level(logging.WARNING, logger="kb.migrate"):
        migrate.upgrade(url)

    after = _rows(url)
    for number, (old, slug) in enumerate(OLD_REGIONS.items(), 1):
        region, audience = after[f"Advies {number}"]
        assert region == slug, old
        assert audience == (["gemeenten", "jeugdhulpaanbieders"] if number % 2 else [])
    kept = run_sql(url, "SELECT a.title, u.field, u.value FROM unmapped_value u "
                        "JOIN advice a ON a.id = u.advice_id ORDER BY u.id")
    assert sorted((field, value) for _, field, value in kept) == sorted(
        [("region", "Ergens in het oosten"), ("region", "Gemeente Oss")]
        + [("audience", "wethouders")] * (len(OLD_REGIONS) // 2))
    logged = caplog.text
    assert "'Ergens in het oosten' is not in the region list" in logged
    assert "'wethouders' is not in the audience list" in logged

    # The app starts on it, loads the lists, and the commands report what is left.
    app = create_app(settings(tmp_path, url))
    runner = app.test_cli_runner()
    report = runner.invoke(args=["kb", "regions"])
    assert report.exit_code == 0, report.output
    assert "Ergens in het oosten" in report.output and "'wethouders'" in report.output
    assert "55 regions, 9 audiences" in report.output
    check = runner.invoke(args=["kb", "check"])
    assert "unmapped: " in check.output and "kb regions" in check.output
    client = app.test_client()
    page = client.get("/regio/noord-brabant").get_data(as_text=True)
    assert "Advies 1" in page
    app.extensions["kb.engine"].dispose()


def test_an_editor_choosing_a_region_settles_the_unmapped_value(database_before_0006, tmp_path):
    from sqlmodel import select

    from kb import vocabulary, workflow
    from kb.advice import content_of
    from kb.db import session_scope
    from kb.forms import AdviceForm
    from kb.models import Advice, User

    url = database_before_0006
    app = create_app(settings(tmp_path, url))
    with app.app_context(), session_scope() as session:
        advice = session.exec(select(Advice).where(Advice.title == "Advies 8")).one()
        editor = session.exec(select(User)).first()
        assert [row.value for row, _ in vocabulary.unmapped(session)
                if row.advice_id == advice.id and row.field == "region"] == [
                    "Ergens in het oosten"]
        editor_id, advice_id = editor.id, advice.id
    client = app.test_client()
    sign_in(app, client, editor)
    page = client.get(f"/redactie/advies/{advice_id}/bewerken").get_data(as_text=True)
    assert "Eerder stond hier: ‘Ergens in het oosten’." in page
    assert "Eerder stond hier ook: ‘wethouders’." in page
    with app.app_context(), session_scope() as session:
        advice, editor = session.get(Advice, advice_id), session.get(User, editor_id)
        form = AdviceForm.from_content(content_of(advice))
        form.display_name = next(iter(workflow.names_for(session, advice)))
        form.region = "overijssel"
        workflow.edit(session, editor, advice, form, advice.revision)
    with app.app_context(), session_scope() as session:
        advice = session.exec(select(Advice).where(Advice.title == "Advies 8")).one()
        assert advice.region == "overijssel"
        left = [(row.field, row.value) for row, _ in vocabulary.unmapped(session)
                if row.advice_id == advice.id]
        assert left == [("audience", "wethouders")]
    app.extensions["kb.engine"].dispose()


def test_downgrade_puts_every_original_value_back(database_before_0006):
    url = database_before_0006
    before = _rows(url)
    migrate.upgrade(url)
    migrate.downgrade(url, "0005")
    restored = _rows(url)
    for title, (region, audience) in before.items():
        # A mapped region comes back as the list's name for it ("Noord-Brabant"), an unmapped
        # one exactly as it was typed; no audience is lost.
        got_region, got_audience = restored[title]
        slug = OLD_REGIONS[region]
        assert got_region == (region if slug is None else got_region)
        assert sorted(got_audience) == sorted(audience)
    assert restored["Advies 8"][0] == "Ergens in het oosten"
    assert restored["Advies 1"][0] == "Noord-Brabant"
