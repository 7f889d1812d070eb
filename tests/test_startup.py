"""Starting for real: four processes at once on an empty or old database, gunicorn with four
workers, and a console that says what happened. Real processes, real databases, no mocks.

Tried as a new operator would, before this was built: ``gunicorn -w 4 'app:create_app()'`` on an
empty PostgreSQL database died with ``UniqueViolation … pg_type_typname_nsp_index``; on SQLite
``table theme already exists`` killed one start in four; and ``Imported … demo advice`` never
showed on the console.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kb import migrate

ROOT = Path(__file__).resolve().parent.parent

#: A process that waits for a common moment, builds the app and reports what it found.
CHILD = textwrap.dedent("""
    import json, sys, time
    start_at, instance = float(sys.argv[1]), sys.argv[2]
    from app import create_app
    from sqlmodel import select, func
    from kb.db import session_scope
    from kb.models import Advice, Theme
    time.sleep(max(0.0, start_at - time.time()))
    app = create_app({"INSTANCE_PATH": instance})
    with app.app_context(), session_scope() as session:
        themes = session.exec(select(func.count()).select_from(Theme)).one()
        advice = session.exec(select(func.count()).select_from(Advice)).one()
    print(json.dumps({"themes": themes, "advice": advice}))
""")


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    return empty_database_url


def environment(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "KB_DATABASE_URL": url, "KB_INDEX_DIR": str(tmp_path / "index"),
            "KB_SECRET_KEY": "test-secret", "PYTHONPATH": str(ROOT), **extra}


def start_at_once(tmp_path: Path, url: str, count: int = 4, **env: str) -> list:
    """Start ``count`` processes that build the app at the same moment; wait for all."""
    start_at = f"{time.time() + 3.0:.3f}"  # after every child has imported everything
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, start_at, str(tmp_path / "instance")], cwd=tmp_path,
        env=environment(tmp_path, url, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for _ in range(count)]
    results = []
    for child in children:
        try:
            out, err = child.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            for other in children:
                other.kill()
            raise
        results.append((child.returncode, out, err))
    return results


def test_four_processes_starting_at_once_on_an_empty_database_all_start(database_url,
                                                                        tmp_path):
    results = start_at_once(tmp_path, database_url, KB_LOAD_DEMO="1")

    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out) == {"themes": 14, "advice": 26}
    logs = "".join(err for _, _, err in results)
    assert logs.count("Migration applied 0001") == 1, logs
    assert logs.count("Loaded 14 themes") == 1, logs
    assert logs.count("Imported 26 demo advice") == 1, logs
    assert "Traceback" not in logs
    assert migrate.state(database_url).up_to_date


def test_four_processes_starting_at_once_on_an_old_database_stamp_it_once(database_url,
                                                                          tmp_path):
    migrate.upgrade(database_url, migrate.BASELINE)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {migrate.VERSION_TABLE}"))
    engine.dispose()

    results = start_at_once(tmp_path, database_url, KB_LOAD_DEMO="0")

    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out) == {"themes": 14, "advice": 0}
    logs = "".join(err for _, _, err in results)
    assert logs.count("stamped it as the baseline") == 1, logs
    assert migrate.state(database_url).up_to_date


def test_the_console_says_what_the_first_start_did(tmp_path):
    (code, _, err), = start_at_once(tmp_path, f"sqlite:///{tmp_path / 'kb.db'}", count=1,
                                    KB_LOAD_DEMO="1")
    assert code == 0, err
    for line in ("Database: sqlite:///", "Upgrading the database schema (empty database)",
                 "Migration applied 0001", "Loaded 14 themes", "Imported 26 demo advice",
                 "Search index built with 26 advice", "KB_SITE_URL"):
        assert line in err, f"{line!r} not on the console:\n{err}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_gunicorn_with_four_workers_on_an_empty_database_brings_up_four_workers(database_url,
                                                                                 tmp_path):
    port = free_port()
    log_file = tmp_path / "gunicorn.log"
    with open(log_file, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "app:create_app()"],
            cwd=ROOT, env=environment(tmp_path, database_url, KB_LOAD_DEMO="1"),
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, log_file.read_text()
            logs = log_file.read_text()
            if logs.count("Start-up done") >= 4 and _answers(port):
                break
            time.sleep(0.2)
        time.sleep(2.0)  # a worker that dies after booting would be gone by now
        logs = log_file.read_text()
        assert server.poll() is None, logs
        assert len(children_of(server.pid)) == 4, logs
        assert "Worker failed to boot" not in logs and "Traceback" not in logs, logs
        assert logs.count("Migration applied 0001") == 1, logs
        assert logs.count("Imported 26 demo advice") == 1, logs
        for _ in range(8):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/zoeken?q=pleegzorg",
                                        timeout=10) as response:
                assert response.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
