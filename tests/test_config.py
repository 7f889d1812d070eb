"""Configuration: safe defaults, a stored secret key, environment variables, first start."""

from __future__ import annotations

from pathlib import Path

from app import create_app
from kb.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_defaults_put_everything_under_the_instance_folder(tmp_path, monkeypatch):
    for name in ("KB_DATABASE_URL", "KB_INDEX_DIR", "KB_SECRET_KEY", "KB_LOAD_DEMO"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": tmp_path, "LOAD_DEMO": False})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'kennisbank.db'}"
    assert app.config["INDEX_DIR"] == str(tmp_path / "search_index")
    assert (tmp_path / "kennisbank.db").exists()
    assert (tmp_path / "search_index" / "CURRENT").exists()
    app.extensions["kb.engine"].dispose()


def test_a_secret_key_is_generated_once_and_kept(tmp_path):
    first = create_app({"INSTANCE_PATH": tmp_path, "LOAD_DEMO": False})
    second = create_app({"INSTANCE_PATH": tmp_path, "LOAD_DEMO": False})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    for app in (first, second):
        app.extensions["kb.engine"].dispose()


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "elders"))
    monkeypatch.setenv("KB_LOAD_DEMO", "0")
    monkeypatch.setenv("KB_SECRET_KEY", "geheim")
    app = create_app({"INSTANCE_PATH": tmp_path})
    assert app.config["INDEX_DIR"] == str(tmp_path / "elders")
    assert app.config["LOAD_DEMO"] is False
    assert app.config["SECRET_KEY"] == "geheim"
    assert not (tmp_path / "secret_key").exists()
    app.extensions["kb.engine"].dispose()


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_SITE_NAME", raising=False)
    (tmp_path / "config.py").write_text('SITE_NAME = "Kennisbank Test"\nLOAD_DEMO = False\n')
    app = create_app({"INSTANCE_PATH": tmp_path})
    assert app.config["SITE_NAME"] == "Kennisbank Test"
    app.extensions["kb.engine"].dispose()


def test_first_start_loads_themes_demo_and_index_without_any_other_step(demo_app):
    client = demo_app.test_client()
    assert client.get("/api/").get_json()["advice_total"] >= 24
    assert client.get("/api/search?q=pleegouders").get_json()["total"] >= 2


def test_a_second_start_does_not_import_the_demo_again(tmp_path):
    settings = {"INSTANCE_PATH": tmp_path, "LOAD_DEMO": True}
    first = create_app(settings)
    total = first.test_client().get("/api/").get_json()["advice_total"]
    second = create_app(settings)
    assert second.test_client().get("/api/").get_json()["advice_total"] == total
    for app in (first, second):
        app.extensions["kb.engine"].dispose()


def test_a_missing_index_is_rebuilt_on_start(tmp_path):
    import shutil

    settings = {"INSTANCE_PATH": tmp_path, "LOAD_DEMO": True}
    create_app(settings).extensions["kb.engine"].dispose()
    shutil.rmtree(tmp_path / "search_index")
    app = create_app(settings)
    assert app.test_client().get("/api/search?q=pleegouders").get_json()["total"] >= 2
    app.extensions["kb.engine"].dispose()


def test_every_setting_is_documented_in_the_readme():
    for setting in SETTINGS:
        assert f"KB_{setting.name}" in README, setting.name


def test_a_database_from_an_older_version_is_refused_with_a_clear_message(tmp_path):
    import sqlite3

    import pytest

    from kb.migrate import MigrationError

    connection = sqlite3.connect(tmp_path / "kennisbank.db")
    connection.execute("create table advice (id integer primary key, slug varchar(200))")
    connection.commit()
    connection.close()
    with pytest.raises(MigrationError, match=r"lacks .*advice\.title.*kb export"):
        create_app({"INSTANCE_PATH": tmp_path, "LOAD_DEMO": False})


def test_kb_instance_path_moves_the_runtime_data_out_of_the_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path / "elders"))
    monkeypatch.setenv("KB_LOAD_DEMO", "0")
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    monkeypatch.delenv("KB_SECRET_KEY", raising=False)
    app = create_app()
    app.extensions["kb.engine"].dispose()
    assert app.instance_path == str(tmp_path / "elders")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'elders' / 'kennisbank.db'}"
    assert (tmp_path / "elders" / "kennisbank.db").exists()
    assert (tmp_path / "elders" / "secret_key").exists()
    assert (tmp_path / "elders" / "search_index").is_dir()


def test_the_readme_layout_names_every_module():
    """A new engineer finds every module in the README's project layout."""
    root = Path(__file__).resolve().parent.parent
    layout = README[README.index("## Project layout"):]
    layout = layout[:layout.index("\n## ")]
    for package in ("kb", "search_index"):
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "__init__.py" or "migrations" in path.parts:
                continue
            assert f"`{path.name}`" in layout, f"{path.relative_to(root)} is not in the layout"
