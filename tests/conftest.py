"""Shared fixtures: a fresh app (database and index) per test, on SQLite or on PostgreSQL.

Set ``KB_TEST_DATABASE_URL`` to run the whole suite against PostgreSQL (``.ci/run`` does, with a
throwaway server from ``scripts/with-postgres.sh``). ``KB_REQUIRE_POSTGRES=1`` turns the skip of
PostgreSQL-only tests into a failure, so CI cannot pass without really using PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine

from app import create_app
from kb import login_sessions, search
from kb.advice import AdviceContent, save_advice
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, Role, User

REQUIRE_POSTGRES = os.environ.get("KB_REQUIRE_POSTGRES", "") not in ("", "0")


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own (``kb_test_gw0``, …) on the
    same server, created on first use, so that parallel tests never share tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("KB_TEST_DATABASE_URL", "").strip())


def pytest_report_header(config) -> str:
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (per test)'}"


def _reset_postgres() -> None:
    """Empty the test database completely: tables, the migrations' version table, sequences.

    An earlier test's app may still have a background thread at work on this database (a
    follower rebuilding a damaged index): its connections are ended first, or the DROP can
    deadlock with them.
    """
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def _make_app(tmp_path: Path, **config):
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "INDEX_DIR": str(tmp_path / "index"),
        "LOAD_DEMO": False,
        "SERVER_NAME": "kennisbank.test",
        **config,
    }
    if POSTGRES_URL and settings["DATABASE_URL"] == POSTGRES_URL:
        _reset_postgres()
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path) -> Iterator:
    """An app with the themes loaded and no advice."""
    application = _make_app(tmp_path)
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path | None:
    """On SQLite: the demo database and index built once, copied for each test that needs it."""
    if POSTGRES_URL:
        return None
    folder = tmp_path_factory.mktemp("demo-template")
    application = _make_app(folder, LOAD_DEMO=True)
    application.extensions["kb.engine"].dispose()
    return folder


@pytest.fixture
def demo_app(tmp_path: Path, _demo_template: Path | None) -> Iterator:
    """An app with the demo content imported and indexed, as a new user first sees it.

    Each test gets its own copy, so a test may change it freely.
    """
    if _demo_template is not None:
        shutil.copy(_demo_template / "test.db", tmp_path / "test.db")
        shutil.copytree(_demo_template / "index", tmp_path / "index")
    application = _make_app(tmp_path, LOAD_DEMO=True)
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app) -> Iterator[Session]:
    """A session on the test database, for arranging and inspecting rows."""
    with app.app_context(), Session(app.extensions["kb.engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def make_advice(app):
    """Create an advice (published unless told otherwise), commit it and index it."""
    counter = iter(range(1, 10_000))

    def make(status: str = AdviceStatus.PUBLISHED, **overrides) -> Advice:
        n = next(counter)
        fields = {
            "title": f"Testadvies {n}",
            "summary": "Een korte samenvatting van het advies.",
            "body": "## Wat we zien\n\nJongeren willen gehoord worden.\n",
            "themes": ("pleegzorg",),
            "slug": f"testadvies-{n}",
            "authors": ("ExpEx Test",),
            "region": "Utrecht",
            "audience": ("gemeenten",),
            "published": date(2025, 1, n % 28 + 1),
            **overrides,
        }
        fields["themes"] = tuple(fields["themes"])
        with app.app_context():
            with session_scope() as session:
                advice, _ = save_advice(session, None, AdviceContent(**fields), status=status,
                                        note="test")
                advice_id = advice.id
            with session_scope() as session:
                advice = session.get(Advice, advice_id)
                _ = advice.themes, advice.revisions
                search.catch_up(session, wait=True)
        return advice

    return make


@pytest.fixture
def postgres_url() -> str:
    """The PostgreSQL URL; skips (or fails, under KB_REQUIRE_POSTGRES) without one."""
    if not POSTGRES_URL:
        message = "PostgreSQL tests need KB_TEST_DATABASE_URL (see scripts/with-postgres.sh)"
        if REQUIRE_POSTGRES:
            pytest.fail(f"KB_REQUIRE_POSTGRES is set but {message}")
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path: Path) -> str:
    """An empty database of each kind: a new SQLite file, or the test PostgreSQL database
    emptied (the PostgreSQL half skips with a reason, or fails under KB_REQUIRE_POSTGRES)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kennisbank.db'}"
    url = request.getfixturevalue("postgres_url")
    _reset_postgres()
    return url


@pytest.fixture
def write_file(tmp_path: Path):
    """Write a text (or bytes) file under tmp_path/files and return its path."""
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)

    def write(name: str, content: str | bytes) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


#: A cheap scrypt cost for test accounts; real accounts use kb.auth.SCRYPT_N.
TEST_SCRYPT_N = 2**10
TEST_PASSWORD = "een lang wachtwoord 123"


@pytest.fixture
def make_user(app):
    """Create an account: ``make_user(role="editor", login="eva", display_names=[...])``."""
    from kb.auth import hash_password

    counter = iter(range(1, 10_000))

    def make(role: str = Role.CONTRIBUTOR, login: str | None = None,
             password: str = TEST_PASSWORD, **fields) -> User:
        n = next(counter)
        user = User(login=login or f"{role}{n}", role=role,
                    password_hash=hash_password(password, n=TEST_SCRYPT_N),
                    display_names=fields.pop("display_names", [f"ExpEx Tester {n}"]), **fields)
        with app.app_context(), session_scope() as session:
            session.add(user)
        return user

    return make


@pytest.fixture
def login_as(app, client, make_user, log_in_as):
    """Log the test client in with a new account of this role; returns the account.

    ``login_as(None)`` stays anonymous but still gives the client a CSRF token.
    """

    def login(role: str | None = Role.CONTRIBUTOR, **fields) -> User | None:
        user = make_user(role=role, **fields) if role else None
        log_in_as(user)
        return user

    return login


def sign_in(app, client, user: User | None) -> None:
    """Give ``client`` a cookie of a new login of ``user`` (None: anonymous) and a CSRF token,
    as logging in through the form would, without the cost of the password hash."""
    token = None
    if user is not None:
        with app.app_context(), session_scope() as session:
            token = login_sessions.start(session, user)
    with client.session_transaction() as sess:
        sess.clear()
        sess["csrf_token"] = "test-csrf-token"
        if token is not None:
            sess["uid"] = user.id
            sess["token"] = token


@pytest.fixture
def log_in_as(app, client):
    """Log the client in as an existing account (None: anonymous), with a CSRF token."""

    def log(user: User | None) -> None:
        sign_in(app, client, user)

    return log


@pytest.fixture
def post(client):
    """POST a form with the session's CSRF token, as a browser with our page would."""

    def send(url: str, data: dict | None = None, **kwargs):
        with client.session_transaction() as sess:
            token = sess.setdefault("csrf_token", "test-csrf-token")
        return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    return send


@pytest.fixture
def make_invite(app):
    """Create an invite and return its token: ``make_invite(role="editor", expires_at=...)``."""
    from kb.invites import create_invite

    def make(role: str = Role.CONTRIBUTOR, **fields) -> str:
        with app.app_context(), session_scope() as session:
            invite, token = create_invite(session, None, role)
            for name, value in fields.items():
                setattr(invite, name, value)
        return token

    return make
