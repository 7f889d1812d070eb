"""The search index under faults, with real processes and real files (issue 9, findings 2 and 5).

Nothing stuck: a real ``flask --app app kb reindex`` is killed half-way (``kill -9``, ``kill
-TERM``, and a writer child killed as the OOM killer would); no process survives it, the write
lock is free, the next start removes the half-built generation and a publish is searchable at
once. A lock kept by a dead writer's child (what older versions left) is broken, and a wait for
the lock says in the log who holds it.

Damage heals: a truncated ``.pst``, ``_stored.col`` or ``.trm`` file is found by its checksum at
the next start (rebuilt), by ``kb check`` (exit 1; ``--fix`` rebuilds) and while serving (search
answers 503 until the rebuilt index is live). A read-only index folder (a read-only bind mount:
the tests run as root, for whom ``chmod`` changes nothing) and a full disk (a small tmpfs) let the
site start and publish; search answers the Dutch 503 while changes wait, and they are applied
once the index can be written again. Mounting needs root with CAP_SYS_ADMIN; without it those
tests skip and say so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from app import create_app
from bench.corpus import write_corpus
from kb import search
from kb.advice import AdviceContent, save_advice
from kb.content import import_paths
from kb.db import session_scope
from search_index import PARALLEL_MIN_DOCS, SearchIndex
from tests.conftest import POSTGRES_URL, _make_app
from tests.test_gunicorn import Server
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import S

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


# ------------------------------------------------------------------ helpers


def wait_for(condition: Callable[[], T], seconds: float, what: str) -> T:
    """Poll ``condition`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.05)


def kb_env(app) -> dict[str, str]:
    """The environment of a ``kb`` command on this app's database and index folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update({
        "KB_DATABASE_URL": app.config["DATABASE_URL"],
        "KB_INDEX_DIR": app.config["INDEX_DIR"],
        "KB_INSTANCE_PATH": str(Path(app.config["INDEX_DIR"]).parent / "cli-instance"),
        "KB_LOAD_DEMO": "0",
        "KB_SECRET_KEY": "index-faults-" + "x" * 40,
        "PYTHONPATH": str(ROOT),
    })
    return env


def kb_command(app, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``flask --app app kb ARGS`` as operators do, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "kb", *args],
                          cwd=ROOT, env=kb_env(app), capture_output=True, text=True,
                          timeout=timeout)


def process_exists(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not reaped, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except (OSError, IndexError):
        return False


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from ``/proc``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def restart(app, tmp_path: Path, name: str = "restarted"):
    """A new process's app on the same database and index folder: what a restart does."""
    return create_app({**{k: app.config[k] for k in ("DATABASE_URL", "SERVER_NAME",
                                                     "INDEX_DIR")},
                       "INSTANCE_PATH": tmp_path / name, "LOAD_DEMO": False, "TESTING": True})


def publish(app, title: str) -> int | None:
    """Commit a published advice and catch up as a view does (without waiting for the lock);
    returns what the catch-up wrote (None: it left the work to someone else)."""
    content = AdviceContent(title=title, summary="Een korte samenvatting.",
                            body="Jongeren willen gehoord worden.", themes=("pleegzorg",),
                            slug=title.lower().replace(" ", "-"), authors=("ExpEx Test",))
    with app.app_context(), session_scope() as session:
        save_advice(session, None, content, status=S.PUBLISHED, note="test")
        session.commit()
        return search.catch_up(session)


def found(client, word: str) -> list[str]:
    response = client.get(f"/api/search?q={word}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [hit["title"] for hit in response.get_json()["results"]]


def searchable(client, word: str) -> bool:
    """Whether search answers (not 503) and finds the word: the way to wait for a retry."""
    response = client.get(f"/api/search?q={word}")
    assert response.status_code in (200, 503), response.get_data(as_text=True)
    return response.status_code == 200 and response.get_json()["total"] > 0


def generations(app) -> list[str]:
    return sorted(p.name for p in Path(app.config["INDEX_DIR"]).glob("gen-*"))


def live_generation(app) -> Path:
    root = Path(app.config["INDEX_DIR"])
    return root / (root / "CURRENT").read_text().strip()


def truncate(app, suffix: str, keep: int | None = None) -> Path:
    """Cut the largest file of the live generation ending in ``suffix`` to ``keep`` bytes (by
    default half its size), as a full disk or a crash in the middle of a copy does."""
    path = max(live_generation(app).glob(f"*{suffix}"), key=lambda p: p.stat().st_size)
    os.truncate(path, path.stat().st_size // 2 if keep is None else keep)
    return path


def _mount(*args: object) -> None:
    subprocess.run(["mount", *map(str, args)], check=True, capture_output=True)


def _can_mount(folder: Path) -> str | None:
    """Why this machine cannot mount (then the test skips), or None."""
    probe = folder / ".mount-probe"
    probe.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        probe.rmdir()
        return f"mounting needs root with CAP_SYS_ADMIN ({result.stderr.strip()})"
    subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    return None


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], check=True)  # files still open: detach


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` read-only for everyone, root included: a read-only bind mount over itself."""
    reason = _can_mount(folder.parent)
    if reason:
        pytest.skip(reason)
    _mount("--bind", folder, folder)
    try:
        _mount("-o", "remount,bind,ro", folder)
        yield
    finally:
        _unmount(folder)


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """``folder`` on a small file system of its own, with its files, filled to the last byte;
    yields the filler file, whose removal frees the space."""
    reason = _can_mount(folder.parent)
    if reason:
        pytest.skip(reason)
    keep = folder.parent / f"{folder.name}.kept"
    shutil.copytree(folder, keep)
    size = sum(f.stat().st_size for f in keep.rglob("*") if f.is_file())
    _mount("-t", "tmpfs", "-o", f"size={size + 4 * 1024 * 1024}", "tmpfs", folder)
    try:
        shutil.copytree(keep, folder, dirs_exist_ok=True)
        filler = folder / "filler"
        with open(filler, "wb") as handle, contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        with contextlib.suppress(OSError), open(folder / "filler-tail", "wb") as handle:
            while True:  # the last blocks, smaller than a chunk
                handle.write(b"\0" * 512)
                handle.flush()
        yield filler
    finally:
        _unmount(folder)


# ------------------------------------------------------------------ a large index

LARGE = PARALLEL_MIN_DOCS  # the smallest rebuild that runs the parallel writer


def _fill(application, folder: Path) -> None:
    write_corpus(folder / "corpus", LARGE, 9)
    with application.app_context(), session_scope() as session:
        report = import_paths(session, [folder / "corpus"])
        assert not report.problems
        session.commit()
        assert search.rebuild(session) == LARGE
    shutil.rmtree(folder / "corpus")


@pytest.fixture(scope="session")
def _large_template(tmp_path_factory) -> Path | None:
    """On SQLite: a database with enough advice for a parallel rebuild, and its index, made
    once and copied for each test."""
    if POSTGRES_URL:
        return None
    folder = tmp_path_factory.mktemp("large-template")
    application = _make_app(folder)
    _fill(application, folder)
    application.extensions["kb.engine"].dispose()
    return folder


@pytest.fixture
def large_app(tmp_path: Path, _large_template: Path | None) -> Iterator:
    """An app with 2,000 published advice, indexed: ``kb reindex`` takes seconds on it."""
    if _large_template is not None:
        shutil.copy(_large_template / "test.db", tmp_path / "test.db")
        shutil.copytree(_large_template / "index", tmp_path / "index")
    application = _make_app(tmp_path)
    if _large_template is None:
        _fill(application, tmp_path)
    yield application
    application.extensions["kb.engine"].dispose()


class Reindex:
    """A real ``kb reindex`` in a session of its own (so that whatever it leaves can be found
    and killed by its process group), with its output in a file."""

    def __init__(self, app, folder: Path) -> None:
        self.log_path = folder / "reindex.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "kb", "reindex"], cwd=ROOT,
                env=kb_env(app), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def writers_at_work(self, app) -> list[int]:
        """Wait until the parallel writer's processes index into the new generation."""
        root = Path(app.config["INDEX_DIR"])

        def at_work() -> list[int] | None:
            if self.process.poll() is not None:
                pytest.fail(f"kb reindex ended before it was killed:\n{self.log()}")
            workers = children(self.process.pid)
            building = [g for g in root.glob("gen-*") if g != live_generation(app)]
            started = any(f.suffix == ".tmp" for g in building for f in g.iterdir())
            return workers if len(workers) >= 2 and started else None

        return wait_for(at_work, 120, "kb reindex starts its index writer processes")

    def cleanup(self) -> None:
        """Kill whatever is left of the process group (the code under test should leave none)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)


# ------------------------------------------------------------------ nothing stuck


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "term"])
def test_a_reindex_killed_half_way_leaves_no_writer_no_lock_and_no_partial_generation(
        large_app, tmp_path, caplog, signum):
    live = live_generation(large_app).name
    reindex = Reindex(large_app, tmp_path)
    try:
        workers = reindex.writers_at_work(large_app)
        os.kill(reindex.process.pid, signum)
        reindex.process.wait(10)
        deadline = time.monotonic() + 5
        while any(map(process_exists, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in workers if process_exists(pid)]
    finally:
        reindex.cleanup()
    assert survivors == [], "index writer processes outlived the killed kb reindex"
    index = SearchIndex(large_app.config["INDEX_DIR"])
    with index.write_lock(blocking=False) as free:
        assert free, "the write lock is still held"
    assert len(generations(large_app)) == 2  # the live one and the half-built one

    with caplog.at_level(logging.INFO):
        again = restart(large_app, tmp_path)
    assert generations(again) == [live]
    assert "an index generation that a rebuild did not finish" in caplog.text
    publish(again, "Zeldzaam woord grutto")
    client = again.test_client()
    wait_for(lambda: found(client, "grutto") == ["Zeldzaam woord grutto"], 2,
             "a publish is searchable at once")
    again.extensions["kb.engine"].dispose()


def test_a_writer_process_killed_during_a_reindex_fails_it_and_keeps_the_live_index(
        large_app, tmp_path):
    live = live_generation(large_app).name
    reindex = Reindex(large_app, tmp_path)
    try:
        workers = reindex.writers_at_work(large_app)
        os.kill(workers[0], signal.SIGKILL)  # what the OOM killer does to the largest process
        code = reindex.process.wait(60)
        wait_for(lambda: not any(process_exists(pid) for pid in workers), 10,
                 "the other index writer process is stopped")
    finally:
        reindex.cleanup()
    assert code == 1, reindex.log()
    assert f"index writer process {workers[0]} was killed by SIGKILL" in reindex.log()
    assert generations(large_app) == [live]
    with SearchIndex(large_app.config["INDEX_DIR"]).write_lock(blocking=False) as free:
        assert free
    client = large_app.test_client()
    assert client.get("/api/search?q=jongeren").get_json()["total"] > 0


HOLD_AND_ORPHAN = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)    # as a writer of an older version took it
child = os.fork()
if child == 0:                    # like Whoosh's writer process: it inherited the descriptor
    os.close(1)                   # (not the test's pipe, though)
    os.close(2)
    time.sleep(120)
    os._exit(0)
print(child, flush=True)
os._exit(0)                       # the writer dies (kill -9); its child keeps the lock
"""


def test_a_lock_kept_by_a_dead_writers_child_is_broken_with_a_log_line(app, caplog):
    root = Path(app.config["INDEX_DIR"])
    holder = subprocess.run([sys.executable, "-c", HOLD_AND_ORPHAN, str(root / "write.lock")],
                            capture_output=True, text=True, timeout=30, check=True)
    orphan = int(holder.stdout)
    try:
        assert process_exists(orphan)
        with caplog.at_level(logging.WARNING), app.app_context(), \
                search.search_index().write_lock(blocking=False) as taken:
            assert taken
        assert "Broke a stale write lock on the search index" in caplog.text
        assert "no longer running" in caplog.text
        publish(app, "Zeldzaam woord kievit")
        assert found(app.test_client(), "kievit") == ["Zeldzaam woord kievit"]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(orphan, signal.SIGKILL)


HOLD = """
import sys, time
from search_index import SearchIndex
with SearchIndex(sys.argv[1]).write_lock(blocking=True):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_waiting_for_the_write_lock_says_in_the_log_who_holds_it(app, caplog):
    # Held a little longer than a waiter keeps quiet (search_index.locking.LOG_AFTER, 5 s).
    holder = subprocess.Popen([sys.executable, "-c", HOLD, app.config["INDEX_DIR"], "6.5"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "held"
        began = time.monotonic()
        with caplog.at_level(logging.INFO), app.app_context(), \
                search.search_index().write_lock(blocking=True) as taken:
            assert taken
        assert time.monotonic() - began >= 5
    finally:
        holder.kill()
        holder.wait()
    waiting = [r.getMessage() for r in caplog.records if "Waiting" in r.getMessage()]
    assert waiting, caplog.text
    assert f"held by pid {holder.pid} (python" in waiting[0]
    assert "since 20" in waiting[0]
    assert "Got the search index's write lock after" in caplog.text


# ------------------------------------------------------------------ damage heals

SUFFIXES = [".pst", "_stored.col", ".trm"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_truncated_index_file_is_found_at_the_next_start_and_the_index_rebuilt(
        demo_app, tmp_path, caplog, suffix):
    before = found(demo_app.test_client(), "pleegzorg")
    damaged = truncate(demo_app, suffix)
    demo_app.extensions["kb.engine"].dispose()
    with caplog.at_level(logging.INFO):
        again = restart(demo_app, tmp_path)
    assert f"The search index {damaged.parent} is damaged: {damaged.name} has" in caplog.text
    assert live_generation(again) != damaged.parent
    client = again.test_client()
    assert found(client, "pleegzorg") == before
    assert client.get("/zoeken?q=pleegzorg").status_code == 200
    again.extensions["kb.engine"].dispose()


def test_a_large_damaged_index_is_rebuilt_in_the_background_while_search_answers_503(
        large_app, tmp_path, caplog):
    damaged = truncate(large_app, ".pst")
    large_app.extensions["kb.engine"].dispose()
    with caplog.at_level(logging.INFO):
        again = restart(large_app, tmp_path)
        client = again.test_client()
        response = client.get("/api/search?q=jongeren")
        assert response.status_code == 503  # the damaged generation serves nothing meanwhile
        assert client.get("/").status_code == 200
        wait_for(lambda: searchable(client, "jongeren"), 120,
                 "the damaged index is rebuilt in the background")
    assert "will be built in the background (index files are damaged" in caplog.text
    assert live_generation(again) != damaged.parent
    again.extensions["kb.engine"].dispose()


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_kb_check_reports_a_damaged_index_file_and_fix_rebuilds_the_index(demo_app, suffix):
    damaged = truncate(demo_app, suffix)
    check = kb_command(demo_app, "check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"index: index files are damaged: {damaged.name} has" in check.stdout
    assert "run with --fix to rebuild it" in check.stderr
    assert damaged.exists()  # reported, not repaired

    fixed = kb_command(demo_app, "check", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Rebuilt the search index: 26 advice." in fixed.stdout
    assert "Index and database agree." in fixed.stdout
    again = kb_command(demo_app, "check")
    assert again.returncode == 0 and again.stdout.strip() == "Index and database agree."


def test_a_file_damaged_while_serving_makes_search_503_until_the_rebuilt_index_is_live(
        demo_app, caplog):
    client = demo_app.test_client()
    assert found(client, "pleegzorg")
    damaged = truncate(demo_app, ".pst", keep=64)
    with caplog.at_level(logging.INFO):
        page = client.get("/zoeken?q=jeugdzorg")
        api = client.get("/api/search?q=school")
        assert page.status_code == 503, page.get_data(as_text=True)[:300]
        assert "Zoeken werkt even niet" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "30"
        assert page.headers["Cache-Control"] == "no-store"
        assert (api.status_code, api.get_json()) == (
            503, {"error": "Service Unavailable", "status": 503,
                  "message": "Zoeken werkt even niet"})
        assert api.headers["Retry-After"] == "30"
        assert client.get("/").status_code == 200
        assert client.get("/themas").status_code == 200

        wait_for(lambda: searchable(client, "school"), 60,
                 "the follower rebuilds the damaged index")
    assert f"{damaged.name} has" in caplog.text
    assert live_generation(demo_app) != damaged.parent
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("fault", ["read-only", "full disk"])
def test_a_publish_on_an_unwritable_index_is_saved_and_found_once_it_can_be_written(
        app, client, post, people, log_in, advice_by, caplog, fault):
    advice = advice_by(S.SUBMITTED, title="Zeldzaam woord tureluur")
    log_in(people.editor)
    folder = Path(app.config["INDEX_DIR"])
    unwritable = read_only(folder) if fault == "read-only" else full_disk(folder)
    with caplog.at_level(logging.INFO), unwritable as filler:
        response = post(f"/redactie/advies/{advice.id}/publiceren",
                        {"revision": advice.revision})
        assert response.status_code == 303  # the database commit stands
        for _ in range(3):
            page = client.get("/zoeken?q=tureluur")
            assert page.status_code == 503
            assert "Zoeken werkt even niet" in page.get_data(as_text=True)
        assert client.get("/api/search?q=tureluur").status_code == 503
        assert client.get(f"/advies/{advice.id}").status_code in (200, 301)
        said = [r for r in caplog.records if r.name == "search_index"
                and "cannot be written" in r.getMessage() and r.levelno >= logging.WARNING]
        assert len(said) == 1, caplog.text  # once, not per request
        if filler is not None:
            filler.unlink()
            (filler.parent / "filler-tail").unlink()
            wait_for(lambda: searchable(client, "tureluur"), 15,
                     "the change is applied once there is space again")
    wait_for(lambda: searchable(client, "tureluur"), 15,
             "the change is applied once the folder can be written again")
    assert "can be written again" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_node_starts_on_a_read_only_index_folder_and_only_search_waits(app, make_advice,
                                                                          tmp_path):
    make_advice(title="Zeldzaam woord kwikstaart")
    app.extensions["kb.engine"].dispose()
    with read_only(Path(app.config["INDEX_DIR"])):
        server = Server(tmp_path, app.config["DATABASE_URL"])
        try:
            server.wait_until_healthy()
            assert server.get("/")[0] == 200
            status, _, body = server.get("/api/search?q=kwikstaart")
            assert status == 200 and json.loads(body)["total"] == 1  # nothing to write yet

            publish(app, "Zeldzaam woord wulp")  # on another node: this one must apply it
            status, headers, body = server.get("/api/search?q=wulp")
            assert (status, json.loads(body)) == (503, {"error": "Service Unavailable",
                                                        "status": 503,
                                                        "message": "Zoeken werkt even niet"})
            assert headers["Retry-After"] == "30"
            status, _, body = server.get("/zoeken?q=wulp")
            assert status == 503 and "Zoeken werkt even niet" in body.decode()
            assert server.get("/themas")[0] == 200
        except BaseException:
            print(server.log())
            server.stop()
            raise
    try:
        def applied() -> bool:
            status, _, body = server.get("/api/search?q=wulp")
            return status == 200 and json.loads(body)["total"] == 1

        wait_for(applied, 30, "the node applies the change once its index folder is writable")
        assert server.stop() == 0, server.log()
        assert "cannot be written" in server.log()
        assert "Traceback" not in server.log()
    finally:
        server.stop()



def test_a_kb_command_whose_index_cannot_be_written_ends_with_one_line(tmp_path):
    """An index folder that cannot be made (here a file stands where it should be) used to end
    a ``kb import`` in a traceback; now the command says so in one line and exits 1."""
    (tmp_path / "not-a-folder").write_text("")
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path / "instance"),
           "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}", "KB_LOAD_DEMO": "0",
           "KB_INDEX_DIR": str(tmp_path / "not-a-folder"), "KB_SECRET_KEY": "test"}
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "kb", "import",
                             str(root / "content" / "demo")], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: the search index cannot be used" in result.stderr
