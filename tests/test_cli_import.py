"""``kb import`` against a second writer, with a real ``flask --app app kb import`` process.

The probe ran two imports of the same files at once: both checked the slugs (free), both wrote,
and the one that committed second died with a raw IntegrityError traceback (its data rolled back,
so nothing was lost). Here the test itself is the other writer, made deterministic: it writes
an advice with the same slug and holds its transaction open until the import has done its checks
and is waiting to write; then it commits, and the import's write collides.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlmodel import Session, select

from kb.advice import AdviceContent, save_advice
from kb.models import Advice, AdviceStatus
from tests.test_content import VALID

ROOT = Path(__file__).resolve().parent.parent
SLUG = "luister-eerst-plaats-daarna"


def start_import(app, path: Path) -> tuple[subprocess.Popen, list[str]]:
    """Start ``flask --app app kb import PATH`` on the app's database; collect its stderr."""
    env = {**os.environ, "KB_DATABASE_URL": app.config["DATABASE_URL"],
           "KB_INDEX_DIR": app.config["INDEX_DIR"], "KB_INSTANCE_PATH": app.instance_path,
           "KB_SECRET_KEY": "test-secret", "KB_LOAD_DEMO": "0", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "kb", "import",
                              str(path)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(child.stderr), daemon=True).start()
    return child, lines


def wait_until(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def cpu_time(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def wait_until_idle(pid: int, quiet: float = 1.0) -> None:
    """Until the process has used no CPU for ``quiet`` seconds: it waits for the lock."""
    last, since = cpu_time(pid), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = cpu_time(pid)
        if now != last:
            last, since = now, time.monotonic()


def waiting_for_a_lock(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'INSERT INTO advice%'")).scalar() > 0
    finally:
        engine.dispose()


def test_an_import_that_loses_a_race_for_a_slug_says_so_in_one_line(app, write_file):
    url = app.config["DATABASE_URL"]
    path = write_file("a.md", VALID)
    engine = create_engine(url)
    try:
        with Session(engine) as other:
            content = AdviceContent(title="Het andere advies", summary="Van de andere schrijver.",
                                    body="Tekst.", themes=("pleegzorg",), slug=SLUG,
                                    published=date(2025, 1, 2))
            save_advice(other, None, content, status=AdviceStatus.PUBLISHED, note="ander")
            other.flush()  # written, not committed: SQLite's write lock, PostgreSQL's row lock

            child, stderr = start_import(app, path)
            try:
                if engine.dialect.name == "postgresql":
                    wait_until(lambda: waiting_for_a_lock(url), what="the import to wait")
                else:
                    wait_until(lambda: any("Start-up done" in line for line in stderr),
                               what="the import's start-up")
                    wait_until_idle(child.pid)
                assert child.poll() is None, "".join(stderr)
                other.commit()
                child.wait(timeout=60)
            finally:
                if child.poll() is None:
                    child.kill()
        time.sleep(0.2)  # let the reader thread take the last lines
        errors = "".join(stderr)
        assert child.returncode == 1, errors
        assert "Traceback" not in errors and "IntegrityError" not in errors, errors
        [message] = [line for line in stderr if line.startswith("Error:")]
        assert message.startswith("Error: nothing imported: another process saved the same "
                                  "advice at the same moment"), message
        assert message.rstrip().endswith("Run the import again."), message
        with Session(engine) as check:
            assert check.exec(select(func.count()).select_from(Advice)).one() == 1
            assert check.exec(select(Advice.title)).one() == "Het andere advies"
    finally:
        engine.dispose()
