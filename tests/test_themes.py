"""The theme taxonomy: the files, and syncing them into the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from sqlmodel import select

from kb.db import session_scope
from kb.models import Theme

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
SLUGS = {
    "uithuisplaatsing", "pleegzorg", "18-18plus", "gesloten-jeugdzorg", "toegang",
    "kindermishandeling", "jeugdbescherming", "scheiding", "onderwijs", "mentale-gezondheid",
    "participatie", "verslaving", "hulpverleners", "wonen",
}


def test_the_taxonomy_has_exactly_the_fourteen_public_slugs():
    files = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in THEMES_DIR.glob("*.yaml")}
    assert set(files) == SLUGS
    for slug, data in files.items():
        assert data["slug"] == slug
        assert data["name"] and data["name_en"]
        assert 2 <= data["description"].count(".") <= 5, slug
        assert data["synonyms"], slug
        assert set(data["related"]) <= SLUGS - {slug}


def test_a_new_database_gets_every_theme(app):
    with app.app_context(), session_scope() as session:
        assert {t.slug for t in session.exec(select(Theme)).all()} == SLUGS


def copy_themes(tmp_path: Path) -> Path:
    folder = tmp_path / "themes"
    shutil.copytree(THEMES_DIR, folder)
    return folder


def test_syncing_twice_changes_nothing(runner, tmp_path):
    folder = copy_themes(tmp_path)
    result = runner.invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 14 unchanged, 0 deleted" in result.output


def test_sync_adds_and_updates_themes(app, runner, tmp_path):
    folder = copy_themes(tmp_path)
    data = yaml.safe_load((folder / "wonen.yaml").read_text())
    data["description"] = "Een nieuwe beschrijving. Met twee zinnen."
    (folder / "wonen.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    (folder / "sport.yaml").write_text(yaml.safe_dump(
        {"slug": "sport", "name": "Sport", "description": "Over sport. En bewegen."}))
    result = runner.invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated, 13 unchanged" in result.output
    with app.app_context(), session_scope() as session:
        wonen = session.exec(select(Theme).where(Theme.slug == "wonen")).one()
        assert wonen.description == "Een nieuwe beschrijving. Met twee zinnen."


def test_a_theme_that_still_has_advice_is_never_deleted(app, runner, tmp_path, make_advice):
    make_advice(themes=("verslaving",))
    folder = copy_themes(tmp_path)
    (folder / "verslaving.yaml").unlink()
    (folder / "wonen.yaml").unlink()
    result = runner.invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 1
    assert "not deleted because advice still uses them: verslaving" in result.output
    with app.app_context(), session_scope() as session:
        slugs = {t.slug for t in session.exec(select(Theme)).all()}
    assert "verslaving" in slugs
    assert "wonen" not in slugs


def test_a_broken_theme_file_changes_nothing(app, runner, tmp_path):
    folder = copy_themes(tmp_path)
    (folder / "wonen.yaml").write_text("slug: wonen\nname: [kapot\n")
    (folder / "sport.yaml").write_text("slug: sport\nname: Sport\ndescription: Over sport.\n")
    result = runner.invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 1
    assert "wonen.yaml: not valid YAML" in result.output
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Theme).where(Theme.slug == "sport")).first() is None
