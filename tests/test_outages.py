"""Outages degrade, then recover: a stopped PostgreSQL, a held SQLite write lock, a read-only
database file. Every fault here is real: a PostgreSQL server of this module's own that is
stopped and started (or frozen with SIGSTOP), a second process holding SQLite's lock, a
read-only mount, and real gunicorn masters whose workers are killed with SIGKILL.

Found before this was built (issue 9, findings 6 and 7): during a 20 s PostgreSQL stop readers
got 500s and the log grew by 28 MB of tracebacks; a worker restarted during the outage made
gunicorn shut the node down for good; a writer holding SQLite's lock made pages wait 30 s and
logins answer 500; a read-only database file stopped the node from starting.
"""

from __future__ import annotations

import contextlib
import glob
import html
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from app import create_app
from kb.auth import hash_password
from kb.db import session_scope
from kb.models import Advice, Role, User
from tests.conftest import REQUIRE_POSTGRES, TEST_PASSWORD, TEST_SCRYPT_N

ROOT = Path(__file__).resolve().parent.parent

#: What the 503 pages say, per fault.
UNREACHABLE_TEXT = "De kennisbank is even niet bereikbaar"
BUSY_TEXT = "Het is even heel druk"
READ_ONLY_TEXT = "Opslaan lukt nu niet"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --------------------------------------------------------------------------- real processes


def port_outside_the_ephemeral_range() -> int:
    """A free port the kernel never hands out to outgoing connections: the server is stopped
    and started again on it, and meanwhile an ephemeral port could be taken by any client."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(100):
        port = random.randrange(max(1024, low - 12000), low)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


class OwnPostgres:
    """A PostgreSQL server of this module alone, which the tests stop, start and freeze; the
    shared test server stays up for everyone else. As root it runs as the ``postgres`` user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = port_outside_the_ephemeral_range()
        # Not under pytest's tmp_path: the postgres user must be able to enter the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="kb-outage-pg."))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "kb", "--encoding=UTF8",
                  "--locale=C", "--no-sync")
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "LC_ALL": "C", "LANG": "C"})
        if check and done.returncode != 0:
            server_log = self.folder / "server.log"
            tail = server_log.read_text()[-2000:] if server_log.exists() else ""
            pytest.fail(f"{tool} failed ({done.returncode}): {done.stderr}{done.stdout}\n{tail}")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown: sessions are ended at once, as in a real restart or failover."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def new_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kb", name)
        return f"postgresql+psycopg://kb@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(OSError, ValueError):
                os.kill(self.postmaster_pid(), signal.SIGCONT)  # in case a test froze it
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop",
                      check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bindir() -> Path | None:
    candidates = ["/usr/lib/postgresql/15/bin",
                  *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if Path(folder, "initdb").exists():
            return Path(folder)
    return None


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    bindir = postgres_bindir()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        message = "outage tests need the PostgreSQL server binaries (initdb, pg_ctl) and runuser"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    server = OwnPostgres(bindir)
    try:
        yield server
    finally:
        server.remove()


class Node:
    """A real gunicorn master with ``gunicorn.conf.py`` and two workers, in a session of its own,
    its output in a log file. ``wrapper`` runs before gunicorn (e.g. to mount something)."""

    def __init__(self, folder: Path, database_url: str, *gunicorn_args: str,
                 wrapper: tuple[str, ...] = (), **env: str) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.log_path = folder / "gunicorn.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        environment.update({
            "KB_DATABASE_URL": database_url,
            "KB_INSTANCE_PATH": str(folder / "instance"),
            "KB_INDEX_DIR": str(folder / "index"),
            "KB_SECRET_KEY": "outage-test-" + "x" * 40,
            "KB_SITE_URL": f"http://{self.host}",
            "KB_BIND": self.host,
            "WEB_CONCURRENCY": "2",
            "PYTHONPATH": str(ROOT),
            **env,
        })
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*wrapper, sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 *gunicorn_args, "app:create_app()"],
                cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body,
                               headers={"Host": self.host, **(headers or {})})
            response = connection.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read().decode("utf-8", "replace"))
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> tuple[int, dict, str]:
        return self.request("GET", path, **kwargs)

    def alive(self) -> bool:
        return self.process.poll() is None

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.append(int(Path(stat).parent.name))
        return children

    def wait_until_serving(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                # Both workers done starting, not just one answering: a test that stops the
                # database must not catch a worker still in its start.
                if (self.log().count("Start-up done") >= 2 and len(self.worker_pids()) == 2
                        and self.get("/readyz", timeout=5)[0] == 200):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn was not ready within {seconds} s:\n{self.log()}")

    def stop(self) -> int | None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
                return None
        return self.process.returncode


def is_access_line(line: str) -> bool:
    """gunicorn's access log (one line per request) as opposed to what the app logs."""
    return re.search(r'"(GET|POST|HEAD) \S+ HTTP/1\.[01]" \d{3} ', line) is not None


class HeldWriteLock:
    """A second process that takes SQLite's write lock and keeps it, as a long import would.

    ``locks_out_readers``: it takes the lock in EXCLUSIVE locking mode, which shuts readers out
    as well (as a tool in that mode, or a database outside WAL mode, does).
    """

    SCRIPT = textwrap.dedent("""
        import sqlite3, sys, time
        connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
        if sys.argv[2] == "1":
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO login_attempt (key, created_at) "
                           "VALUES ('held-lock', '2025-01-01 00:00:00')")
        if sys.argv[2] == "1":
            connection.execute("COMMIT")  # in EXCLUSIVE mode the lock stays after the commit
        print("locked", flush=True)
        time.sleep(120)
    """)

    def __init__(self, database: Path, locks_out_readers: bool = False) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(database), "1" if locks_out_readers else "0"],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.process.kill()
        self.process.wait(30)


# --------------------------------------------------------------------------- SQLite


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "kennisbank.db"


@pytest.fixture
def app(tmp_path: Path, database: Path):
    """On SQLite whatever database the suite runs on: these faults are SQLite's own."""
    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": f"sqlite:///{database}",
        "INDEX_DIR": str(tmp_path / "index"),
        "LOAD_DEMO": True,
        "SERVER_NAME": "kennisbank.test",
    })
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def held_lock(app, database: Path) -> Iterator:
    """Start a writer that holds the lock (``held_lock(locks_out_readers=True)``)."""
    writers: list[HeldWriteLock] = []

    def hold(locks_out_readers: bool = False) -> HeldWriteLock:
        # Connections pooled before the writer came would keep WAL read marks it must wait for.
        app.extensions["kb.engine"].dispose()
        writers.append(HeldWriteLock(database, locks_out_readers))
        return writers[-1]

    yield hold
    for writer in writers:
        writer.release()


def timed(call, *args, **kwargs):
    began = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - began


READER_PAGES = ["/", "/themas", "/thema/pleegzorg", "/advies/1", "/zoeken?q=pleegzorg",
                "/hulp", "/feed.xml", "/api/", "/api/themas", "/api/advies/1",
                "/api/search?q=jeugd", "/inloggen", "/readyz"]
WRITER_PAGES = ["/account", "/mijn-adviezen", "/schrijven", "/redactie", "/beheer/"]


def test_pages_answer_at_once_while_another_process_holds_the_sqlite_write_lock(
        app, client, login_as, held_lock):
    reader = app.test_client()
    login_as(Role.ADMIN)  # an admin sees every writer's and editor's page
    before = {url: reader.get(url).status_code for url in READER_PAGES}
    before.update({url: client.get(url).status_code for url in WRITER_PAGES})
    assert set(before.values()) <= {200, 301}, before

    held_lock()
    for url, status in before.items():
        response, seconds = timed((client if url in WRITER_PAGES else reader).get, url)
        assert (url, response.status_code) == (url, status)
        assert seconds < 1.0, f"{url} waited {seconds:.2f} s behind the writer"


def test_a_page_gives_a_dutch_503_within_5_seconds_when_a_writer_shuts_out_readers_too(
        client, held_lock):
    held_lock(locks_out_readers=True)
    response, seconds = timed(client.get, "/thema/pleegzorg")
    assert response.status_code == 503
    assert seconds < 6.5, f"the page answered after {seconds:.2f} s"
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert BUSY_TEXT in page and "Traceback" not in page and "locked" not in page

    response, seconds = timed(client.get, "/api/themas")
    assert (response.status_code, response.get_json()) == (
        503, {"error": "Service Unavailable", "status": 503,
              "message": "Het is even heel druk"})
    assert response.headers["Retry-After"] == "5" and seconds < 6.5


def test_a_login_while_another_process_holds_the_write_lock_gives_a_503_within_5_seconds(
        client, make_user, post, held_lock):
    make_user(login="sanne")
    held_lock()
    response, seconds = timed(post, "/inloggen?next=/account",
                              {"login": "sanne", "password": TEST_PASSWORD})
    assert response.status_code == 503
    assert seconds < 6.5, f"the login answered after {seconds:.2f} s"
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert BUSY_TEXT in page and "Traceback" not in page
    # The form comes back to send again: the login name kept, the password never echoed.
    assert 'action="/inloggen?next=/account"' in page
    assert 'name="login" value="sanne"' in page
    assert TEST_PASSWORD not in page and "Je wachtwoord moet je dan wel opnieuw invullen" in page


def test_an_advice_sent_while_the_database_is_locked_gives_a_503_that_keeps_the_text(
        app, client, login_as, post, held_lock):
    login_as(Role.CONTRIBUTOR, display_names=["Sam"])
    page = client.get("/schrijven").get_data(as_text=True)
    form_id = re.search(r'name="form_id" value="([^"]*)"', page).group(1)
    body = ("## Wat we zien\n\nJongeren in de pleegzorg worden niet gehoord & dat merk je. "
            * 10)
    form = {"title": "Luister naar pleegkinderen", "summary": "Vraag het ze zelf.",
            "themes": ["pleegzorg", "participatie"], "display_name": "Sam", "body": body,
            "form_id": form_id, "action": "save"}
    writer = held_lock()
    response, seconds = timed(post, "/schrijven", form)
    assert response.status_code == 503 and seconds < 6.5
    page = response.get_data(as_text=True)
    assert BUSY_TEXT in page and "Probeer opnieuw" in page
    for name, value in [("title", "Luister naar pleegkinderen"), ("themes", "pleegzorg"),
                        ("themes", "participatie"), ("form_id", form_id), ("action", "save")]:
        assert f'name="{name}" value="{value}"' in page
    assert body.replace("&", "&amp;") in page  # sent again by the button, and shown to copy

    # Once the writer is done, the button sends the very same form again, and it is saved.
    writer.release()
    kept = [(name, html.unescape(value)) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)]
    again = client.post("/schrijven", data=MultiDict(kept))
    assert again.status_code == 303
    with app.app_context(), session_scope() as session:
        saved = session.exec(select(Advice).where(Advice.title == form["title"])).all()
        assert [(a.body.strip(), a.status) for a in saved] == [(body.strip(), "draft")]


def can_mount_read_only() -> bool:
    """Whether this process may make a private mount namespace (root with CAP_SYS_ADMIN)."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True)
    return probe.returncode == 0


#: Mount $1 read-only at $2, in a mount namespace of the node's own (gone when it stops), then
#: run the rest of the command line: gunicorn sees a truly read-only filesystem. (As root a
#: ``chmod 444`` stops nothing.)
READ_ONLY_MOUNT = 'mount --bind "$1" "$2" && mount -o remount,ro,bind "$2" && shift 2 && exec "$@"'


def test_a_node_on_a_read_only_database_starts_serves_readers_and_gives_503_to_writes(
        tmp_path: Path):
    if not can_mount_read_only():
        pytest.skip("a read-only mount needs unshare and mount with CAP_SYS_ADMIN")
    source, read_only = tmp_path / "database", tmp_path / "read-only"
    source.mkdir()
    read_only.mkdir()
    builder = create_app({"INSTANCE_PATH": tmp_path / "instance", "LOAD_DEMO": True,
                          "DATABASE_URL": f"sqlite:///{source / 'kb.db'}",
                          "INDEX_DIR": str(tmp_path / "index")})
    with builder.app_context(), session_scope() as session:
        session.add(User(login="sanne", role=Role.CONTRIBUTOR, display_names=["Sanne"],
                         password_hash=hash_password(TEST_PASSWORD, n=TEST_SCRYPT_N)))
    builder.extensions["kb.engine"].dispose()

    node = Node(tmp_path, f"sqlite:///{read_only / 'kb.db'}",
                wrapper=("unshare", "--mount", "--propagation", "private", "sh", "-c",
                         READ_ONLY_MOUNT, "sh", str(source), str(read_only)))
    try:
        node.wait_until_serving()
        for url in ("/", "/thema/pleegzorg", "/zoeken?q=pleegzorg", "/api/advies/1",
                    "/feed.xml", "/inloggen"):
            assert node.get(url)[0] == 200, url

        # Logging in writes (the time of the login): a Dutch 503, not a 500.
        _, headers, page = node.get("/inloggen")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "login": "sanne",
                                       "password": TEST_PASSWORD})
        status, headers, page = node.request(
            "POST", "/inloggen", body=form,
            headers={"Cookie": headers["set-cookie"].split(";")[0],
                     "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 503, page
        assert READ_ONLY_TEXT in page and "Traceback" not in page
        assert headers["retry-after"] == "300"
        assert "is read-only for this process" in node.log()
        assert node.alive() and len(node.worker_pids()) == 2
    finally:
        stopped = node.stop()
    assert stopped == 0, node.log()


# --------------------------------------------------------------------------- PostgreSQL


def test_a_postgresql_outage_gives_503s_and_a_small_log_and_the_node_recovers_by_itself(
        own_postgres: OwnPostgres, tmp_path: Path):
    url = own_postgres.new_database("kb_outage_node")
    # A short gunicorn timeout: a worker silent for 10 s while it boots would be killed.
    node = Node(tmp_path, url, "--timeout", "10", KB_LOAD_DEMO="1")
    try:
        node.wait_until_serving()
        advice = json.loads(node.get("/api/advies/1")[2])["advice"]["url"]
        pages = ["/", "/themas", "/thema/pleegzorg", advice, "/zoeken?q=pleegzorg", "/api/",
                 "/api/advies/1", "/feed.xml"]
        assert {page: node.get(page)[0] for page in pages} == dict.fromkeys(pages, 200)
        lines_before = len(node.log().splitlines())

        own_postgres.stop()
        for _ in range(5):
            for page in pages:
                status, headers, body = node.get(page)
                assert (page, status) == (page, 503)
                assert headers["retry-after"] == "30" and "Traceback" not in body
                if page.startswith("/api/"):
                    assert json.loads(body) == {"error": "Service Unavailable", "status": 503,
                                                "message": "De kennisbank is even niet bereikbaar"}
                elif page != "/feed.xml":
                    assert UNREACHABLE_TEXT in body
        assert node.get("/healthz")[0] == 200
        assert node.get("/readyz")[0] == 503

        # A worker that gunicorn restarts during the outage waits for the database; the node
        # stays up, with all its workers, for longer than gunicorn's timeout.
        victim = node.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        until = time.monotonic() + 15
        while time.monotonic() < until:
            assert node.alive(), node.log()
            assert node.get("/")[0] == 503
            time.sleep(0.5)
        workers = node.worker_pids()
        assert len(workers) == 2 and victim not in workers, node.log()
        outage = node.log().splitlines()[lines_before:]
        assert any("start-up waits and tries again" in line for line in outage), node.log()
        assert not any("WORKER TIMEOUT" in line or "Traceback" in line for line in outage), (
            node.log())
        logged = [line for line in outage if not is_access_line(line)]
        assert len(logged) <= 25, "\n".join(logged)

        own_postgres.start()
        back = time.monotonic()
        while True:
            statuses = {page: node.get(page)[0] for page in pages}
            if set(statuses.values()) == {200}:
                break
            assert time.monotonic() - back < 10, statuses
            time.sleep(0.2)
        # The worker restarted during the outage has started too.
        while "Start-up done" not in node.log().split("was sent SIGKILL")[1]:
            assert time.monotonic() - back < 10, node.log()
            time.sleep(0.2)
        assert node.alive() and len(node.worker_pids()) == 2
        assert "The database answers again" in node.log()
    finally:
        stopped = node.stop()
    assert stopped == 0, node.log()


def test_a_database_server_that_never_answers_fails_a_page_within_seconds(
        own_postgres: OwnPostgres, tmp_path: Path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance",
                      "DATABASE_URL": own_postgres.new_database("kb_frozen"),
                      "INDEX_DIR": str(tmp_path / "index"), "LOAD_DEMO": False,
                      "SERVER_NAME": "kennisbank.test"})
    client = app.test_client()
    assert client.get("/themas").status_code == 200
    app.extensions["kb.engine"].dispose()  # the next page needs a new connection
    answer: dict = {}

    def read() -> None:
        response, seconds = timed(client.get, "/themas")
        answer.update(status=response.status_code, seconds=seconds)

    # A frozen postmaster: the kernel still accepts the connection, nothing ever answers it,
    # as with a host that drops packets after the handshake.
    postmaster = own_postgres.postmaster_pid()
    os.kill(postmaster, signal.SIGSTOP)
    try:
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(20)
        hung = reader.is_alive()
    finally:
        os.kill(postmaster, signal.SIGCONT)
    reader.join(30)
    app.extensions["kb.engine"].dispose()
    assert not hung, "the page waited more than 20 s for a server that never answered"
    assert answer["status"] == 503 and answer["seconds"] < 6, answer


def test_a_kb_command_against_a_database_that_does_not_answer_says_so_in_one_line(tmp_path):
    """Before, ``kb db current`` (or any command) against a stopped PostgreSQL ended in a
    traceback of several screens; now one line says what is wrong, and the exit code is 1."""
    port = free_port()  # nothing listens there
    env = {**os.environ, "KB_DATABASE_URL": f"postgresql+psycopg://kb@127.0.0.1:{port}/kb",
           "KB_INSTANCE_PATH": str(tmp_path / "instance"), "KB_SECRET_KEY": "test",
           "KB_INDEX_DIR": str(tmp_path / "index")}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "kb", "db",
                             "current"], cwd=Path(__file__).resolve().parent.parent, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: the database is unreachable: OperationalError" in result.stderr
