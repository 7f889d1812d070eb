"""The index lifecycle: the change log, catching up across workers and nodes, rebuilds, check."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from app import create_app
from kb import indexing, search
from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, IndexChange
from search_index import SearchDocument
from tests.index_helpers import wait_until


def api_slugs(app, query: str) -> list[str]:
    return [r["slug"] for r in app.test_client().get(f"/api/search?q={query}").get_json()[
        "results"]]


def set_status(app, advice_id: int, status: str, catch_up: bool = True) -> None:
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice_id)
        save_advice(session, advice, content_of(advice), status=status)
        session.commit()
        if catch_up:
            search.catch_up(session)


def second_worker(app, tmp_path: Path, index_dir: str | None = None):
    """Another process's app on the same database (and, unless told, the same index folder)."""
    return create_app({**{k: app.config[k] for k in ("DATABASE_URL", "SERVER_NAME")},
                       "INSTANCE_PATH": tmp_path / "worker2", "LOAD_DEMO": False,
                       "INDEX_DIR": index_dir or app.config["INDEX_DIR"], "TESTING": True})


def test_every_public_change_is_logged_in_the_same_transaction(app, make_advice):
    draft = make_advice(status=AdviceStatus.DRAFT)
    published = make_advice()
    with app.app_context(), session_scope() as session:
        logged = [row.advice_id for row in session.exec(select(IndexChange)).all()]
    assert logged == [published.id]
    assert draft.id not in logged


def test_publishing_makes_advice_searchable_and_withdrawing_removes_it(app, make_advice):
    advice = make_advice(status=AdviceStatus.DRAFT, title="Zeldzaam woord zwaluwstaart")
    assert api_slugs(app, "zwaluwstaart") == []
    set_status(app, advice.id, AdviceStatus.PUBLISHED)
    assert api_slugs(app, "zwaluwstaart") == [advice.slug]
    set_status(app, advice.id, AdviceStatus.WITHDRAWN)
    assert api_slugs(app, "zwaluwstaart") == []


def test_a_worker_that_did_not_commit_catches_up_before_searching(app, make_advice, tmp_path):
    other = second_worker(app, tmp_path)
    advice = make_advice(status=AdviceStatus.DRAFT, title="Zeldzaam woord kwikstaart")
    set_status(app, advice.id, AdviceStatus.PUBLISHED, catch_up=False)
    assert api_slugs(other, "kwikstaart") == [advice.slug]
    other.extensions["kb.engine"].dispose()


def test_a_node_with_its_own_index_follows_the_same_database(app, make_advice, tmp_path):
    other = second_worker(app, tmp_path, index_dir=str(tmp_path / "node2-index"))
    advice = make_advice(title="Zeldzaam woord boomklever")
    assert api_slugs(other, "boomklever") == [advice.slug]
    set_status(app, advice.id, AdviceStatus.WITHDRAWN)
    assert api_slugs(other, "boomklever") == []
    other.extensions["kb.engine"].dispose()


def test_catching_up_without_waiting_gives_way_to_the_lock_holder(app, make_advice):
    advice = make_advice(status=AdviceStatus.DRAFT, title="Zeldzaam woord roodborst")
    with app.app_context():
        index = search.search_index()
        with index.write_lock(blocking=True) as held:
            assert held
            set_status(app, advice.id, AdviceStatus.PUBLISHED)  # its catch-up gives way
            with session_scope() as session:
                assert indexing.is_behind(session, index)
        # Once the lock is free the change is applied: by the next catch-up, or by the
        # process's background follower, which the catch-up that gave way woke.
        def caught_up() -> bool:
            with session_scope() as session:
                search.catch_up(session)
                return not indexing.is_behind(session, index)

        assert wait_until(caught_up)
    assert api_slugs(app, "roodborst") == [advice.slug]


def test_a_crash_mid_rebuild_leaves_the_live_index_working(app, make_advice):
    advice = make_advice(title="Zeldzaam woord ijsvogel")
    with app.app_context():
        index = search.search_index()
        live = (Path(app.config["INDEX_DIR"]) / "CURRENT").read_text()

        def crashing_documents():
            yield SearchDocument(id=999, slug="x", title="x", summary="x", body="x")
            raise KeyboardInterrupt("power cut")

        with pytest.raises(KeyboardInterrupt), index.write_lock():
            index.rebuild(crashing_documents())
        assert (Path(app.config["INDEX_DIR"]) / "CURRENT").read_text() == live
    assert api_slugs(app, "ijsvogel") == [advice.slug]
    result = app.test_cli_runner().invoke(args=["kb", "reindex"])
    assert result.exit_code == 0 and "Indexed 1 advice." in result.output
    assert api_slugs(app, "ijsvogel") == [advice.slug]


def test_reindex_switches_to_a_new_generation_and_removes_the_old(app, make_advice):
    make_advice()
    root = Path(app.config["INDEX_DIR"])
    before = (root / "CURRENT").read_text()
    assert app.test_cli_runner().invoke(args=["kb", "reindex"]).exit_code == 0
    after = (root / "CURRENT").read_text()
    assert after != before
    assert sorted(p.name for p in root.glob("gen-*")) == [after]


@pytest.mark.parametrize("damage", ["corrupt", "old-schema", "missing"])
def test_a_damaged_index_is_rebuilt_on_start_with_a_log_line(app, make_advice, tmp_path,
                                                             caplog, damage):
    advice = make_advice(title="Zeldzaam woord goudvink")
    root = Path(app.config["INDEX_DIR"])
    live = root / (root / "CURRENT").read_text()
    if damage == "corrupt":
        for path in live.glob("*.toc"):
            path.write_bytes(b"\x00garbage")
    elif damage == "old-schema":
        (live / "SCHEMA_VERSION").write_text("0")
    else:
        shutil.rmtree(root)
    app.extensions["kb.engine"].dispose()
    with caplog.at_level(logging.INFO):
        again = second_worker(app, tmp_path)
    assert "Building the search index" in caplog.text
    assert "Search index built with 1 advice" in caplog.text
    assert api_slugs(again, "goudvink") == [advice.slug]
    again.extensions["kb.engine"].dispose()


def test_check_finds_missing_stale_and_extra_documents_and_fix_repairs_them(app, make_advice):
    missing = make_advice(title="Ontbrekend")
    stale = make_advice(title="Verouderd")
    runner = app.test_cli_runner()
    assert "Index and database agree." in runner.invoke(args=["kb", "check"]).output
    with app.app_context():
        index = search.search_index()
        index.remove([missing.id])
        index.index([SearchDocument(id=4242, slug="spook", title="Spook", summary="", body="")])
        engine = app.extensions["kb.engine"]
        with engine.begin() as connection:  # a change that bypassed the log
            connection.execute(text("update advice set revision = 7 where id = :id"),
                               {"id": stale.id})
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1
    assert f"missing: {missing.id}" in result.output
    assert f"stale: {stale.id}" in result.output
    assert "extra: 4242" in result.output
    result = runner.invoke(args=["kb", "check", "--fix"])
    assert result.exit_code == 0, result.output
    assert "Repaired." in result.output
    assert "Index and database agree." in runner.invoke(args=["kb", "check"]).output


def test_an_edit_of_published_advice_is_searchable_at_once(app, make_advice):
    advice = make_advice(title="Oude titel")
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        save_advice(session, item, replace(content_of(item), title="Nieuwe titel pimpelmees"),
                    status=item.status)
        session.commit()
        search.catch_up(session)
    assert api_slugs(app, "pimpelmees") == [advice.slug]


def test_a_theme_change_reaches_the_query_vocabulary_of_every_worker(app, make_advice,
                                                                   tmp_path):
    import yaml

    other = second_worker(app, tmp_path)
    advice = make_advice(themes=("pleegzorg",), title="Steun in huis")
    assert api_slugs(other, "zwaluwnest") == []
    folder = tmp_path / "themes"
    shutil.copytree(Path(app.config["THEMES_DIR"]), folder)
    data = yaml.safe_load((folder / "pleegzorg.yaml").read_text())
    data["synonyms"].append("zwaluwnest")
    (folder / "pleegzorg.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    result = app.test_cli_runner().invoke(args=["kb", "themes", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert api_slugs(other, "zwaluwnest") == [advice.slug]
    other.extensions["kb.engine"].dispose()
