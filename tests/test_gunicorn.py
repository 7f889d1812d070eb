"""The production server for real: ``gunicorn -c gunicorn.conf.py 'app:create_app()'``.

A real gunicorn master with two workers on a free loopback port, on an empty database (the
workers race through the start-up lock), configured only through the environment as in
production. Probed over real HTTP, then stopped with SIGTERM; it is always cleaned up.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn master started by the test; its output goes to a log file to show on failure."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.port = free_port()
        self.site_url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "gunicorn.log"
        # Only our settings: a KB_* variable of the developer's shell must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env.update({
            "KB_DATABASE_URL": database_url,
            "KB_INDEX_DIR": str(folder / "index"),
            "KB_LOAD_DEMO": "0",
            "KB_SECRET_KEY": "gunicorn-test-" + "x" * 40,
            "KB_SITE_URL": self.site_url,
            "KB_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "PYTHONPATH": str(ROOT),
        })
        with open(self.log_path, "wb") as log:
            # Its own session: a stray worker can be found by process group, never by name.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 "app:create_app()"],
                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{self.port}"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer /healthz within {START_SECONDS} s:\n{self.log()}")

    def stop(self) -> int | None:
        """SIGTERM and a bounded wait; SIGKILL to the process group if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)
            return None
        return self.process.returncode


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    return empty_database_url


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[Server]:
    running = Server(tmp_path, database_url)
    try:
        yield running
    finally:
        running.stop()


def test_gunicorn_serves_the_app_with_two_workers_and_stops_on_sigterm(server):
    server.wait_until_healthy()

    status, headers, body = server.get("/readyz")
    assert (status, json.loads(body)) == (200, {"status": "ok",
                                                "checks": {"database": "ok", "index": "ok"}})
    assert headers["Cache-Control"] == "no-store"

    status, _, body = server.get("/feed.xml")
    assert status == 200
    assert f"<id>{server.site_url}/feed.xml</id>".encode() in body

    status, _, body = server.get("/themas", host="aanvaller.example")
    assert status == 400
    assert b"Deze kennisbank staat op een ander adres" in body
    assert b"Traceback" not in body

    assert server.log().count("Booting worker with pid") >= 2
    assert server.stop() == 0, server.log()
    assert "Shutting down: Master" in server.log()
    assert '"GET /readyz HTTP/1.1" 200' in server.log()  # the access log goes to stdout
