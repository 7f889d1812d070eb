"""Health probes: ``/healthz`` (the process answers) and ``/readyz`` (database and index ready).

Faults are real: a database file that is gone, a PostgreSQL database that refuses connections,
an index folder that was deleted, a change committed while another process holds the index's
write lock. No mocks.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kb import search
from kb.advice import AdviceContent, save_advice
from kb.db import session_scope
from kb.models import AdviceStatus
from tests.account_helpers import log_in
from tests.conftest import _make_app
from tests.index_helpers import wait_until

READY = {"status": "ok", "checks": {"database": "ok", "index": "ok"}}


def commit_advice_elsewhere(app, title: str = "Een advies van een andere node") -> None:
    """Publish an advice the way another worker or node does: committed, not yet indexed here."""
    content = AdviceContent(title=title, summary="Samenvatting.", body="Tekst over pleegzorg.",
                            themes=("pleegzorg",), slug="ander-advies",
                            published=date(2025, 3, 1))
    with app.app_context(), session_scope() as session:
        save_advice(session, None, content, status=AdviceStatus.PUBLISHED, note="elders")


def assert_probe_headers(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers


# ------------------------------------------------------------------ the happy path


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert_probe_headers(response)


def test_readyz_says_ok_with_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == READY
    assert_probe_headers(response)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_answers_head_requests(client, path):
    assert client.head(path).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_never_sets_or_refreshes_a_login_cookie(client, post, make_user, path):
    make_user(login="eva")
    assert log_in(post, "eva").status_code == 303
    # A logged-in (permanent) session is refreshed on every page, but never by a probe.
    assert "Set-Cookie" in client.get("/themas").headers
    assert "Set-Cookie" not in client.get(path).headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_is_outside_csrf_and_answers_errors_in_json(client, path):
    response = client.post(path)  # no CSRF token: the probe is not a form
    assert response.status_code == 405
    assert response.get_json() == {"error": "Method Not Allowed", "status": 405,
                                     "message": "Dit kan niet op deze pagina"}


def test_probes_answer_for_any_host_when_the_site_url_is_set(tmp_path):
    app = _make_app(tmp_path, SITE_URL="https://kennisbank.expex.nl", SERVER_NAME=None)
    try:
        client = app.test_client()
        node = {"Host": "10.0.0.5:8000"}  # a load balancer probes the node by its address
        assert client.get("/healthz", headers=node).status_code == 200
        assert client.get("/readyz", headers=node).get_json() == READY
        assert client.get("/themas", headers=node).status_code == 400
    finally:
        app.extensions["kb.engine"].dispose()


# ------------------------------------------------------------------ the index


def test_an_index_behind_the_change_log_catches_up_on_the_probe(app, client):
    commit_advice_elsewhere(app)
    assert client.get("/readyz").get_json() == READY
    assert client.get("/api/search?q=andere node").get_json()["total"] == 1


def test_readyz_is_503_while_the_index_is_behind_and_another_process_applies(app, client):
    commit_advice_elsewhere(app)
    with app.app_context(), search.search_index().write_lock(blocking=True):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable",
                                       "checks": {"database": "ok", "index": "behind"}}
        assert_probe_headers(response)
    # Then the probe, or the follower it woke, applies the change.
    assert wait_until(lambda: client.get("/readyz").status_code == 200)
    assert client.get("/readyz").get_json() == READY


def test_readyz_says_building_while_a_lost_index_is_rebuilt_in_the_background(app, client):
    shutil.rmtree(app.config["INDEX_DIR"])
    response = client.get("/readyz")  # never waits for the build: it wakes the follower
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable",
                                   "checks": {"database": "ok", "index": "building"}}
    assert client.get("/healthz").status_code == 200
    assert wait_until(lambda: client.get("/readyz").status_code == 200)
    assert client.get("/readyz").get_json() == READY


# ------------------------------------------------------------------ the database


def test_readyz_is_503_json_when_the_sqlite_database_is_gone(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    app = _make_app(tmp_path, DATABASE_URL=f"sqlite:///{folder / 'kennisbank.db'}")
    engine = app.extensions["kb.engine"]
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        # The disk is unmounted: the folder is gone and a file stands where it was.
        folder.rename(tmp_path / "data-weg")
        folder.write_text("geen map")
        # An open SQLite connection keeps reading the moved file; the next connection is what
        # fails, so start from an empty pool as a freshly started worker would.
        engine.dispose()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable",
                                       "checks": {"database": "unavailable", "index": "unknown"}}
        assert_probe_headers(response)
        assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        engine.dispose()


def test_readyz_is_503_json_when_postgresql_refuses_connections(postgres_url, app, client):
    url = make_url(postgres_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = url.database
    try:
        assert client.get("/readyz").status_code == 200
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": name})
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable",
                                       "checks": {"database": "unavailable", "index": "unknown"}}
        assert client.get("/healthz").status_code == 200
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert client.get("/readyz").get_json() == READY  # back once the database is
