"""HTTP throughput of the reader pages under gunicorn, against a bare Flask app with the same bytes.

For each instance (the demo, and N synthetic advice from ``bench/corpus.py``) it builds a
database and index in a temporary folder, starts gunicorn with the project's
``gunicorn.conf.py`` (2 workers unless ``WEB_CONCURRENCY`` says otherwise) on a loopback port,
fetches each page once, starts the bare app (``bench/bare_app.py``) under the same settings
serving those very bytes, and drives both with ``wrk``, alternating real and bare, for several
rounds; it reports medians and the ratio real/bare per page type, then (real app only) a
conditional request, p99 latency under ``-c50``, a mixed run with errors and timeouts counted,
and the workers' RSS.

Search is driven with queries it has never sent before (two or three words from the corpus's
vocabulary, never repeated within a run), so neither the kept pages nor the result cache help.

Needs ``wrk`` (Debian: ``apt-get install -y wrk``); it installs nothing itself. Loopback only.

    .venv/bin/python -m bench.http_bench --sizes demo,10000 --rounds 3 --duration 3
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_THREADS = 2
#: The page types, in the issue's groups: "page" ≥ 50 % of bare Flask, "search" ≥ 25 %.
PAGE_KINDS = ("home", "themes", "theme", "advice", "api_home", "api_themes", "api_theme",
              "api_advice", "feed")
SEARCH_KINDS = ("search", "api_search")
#: The same search pages with a set of 15 queries sent in turn (the issue's first reading of
#: "a rotating set of new queries"; after the first round the kept pages answer them).
ROTATING_KINDS = {"search15": "search", "api_search15": "api_search"}


# ---------------------------------------------------------------------------- the instance

def prepare(size: str, folder: Path, seed: int) -> None:
    """Build the database and index of one instance (run in a child process)."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    from app import create_app
    from bench.corpus import write_corpus
    from kb import search
    from kb.content import import_paths
    from kb.db import session_scope

    demo = size == "demo"
    app = create_app({"INSTANCE_PATH": folder / "instance", "LOAD_DEMO": demo,
                      "DATABASE_URL": f"sqlite:///{folder / 'kb.db'}",
                      "INDEX_DIR": str(folder / "index")})
    if not demo:
        write_corpus(folder / "corpus", int(size), seed)
        with app.app_context():
            with session_scope() as session:
                report = import_paths(session, [folder / "corpus"])
            if report.problems:
                raise SystemExit(f"corpus does not import: {report.problems[:3]}")
            with session_scope() as session:
                search.rebuild(session)
        shutil.rmtree(folder / "corpus")
    app.extensions["kb.engine"].dispose()


def instance_app(folder: Path, size: str, seed: int):
    """The app of an instance in ``folder`` (built there first when it holds none), for the
    in-process benchmarks (``search_request_bench``, ``page_cost_bench``)."""
    if not (folder / "kb.db").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "bench.http_bench", "--prepare", size,
                        "--folder", str(folder), "--seed", str(seed)], cwd=ROOT, check=True)
    import logging

    logging.basicConfig(level=logging.WARNING)
    from app import create_app

    return create_app({"INSTANCE_PATH": folder / "instance", "LOAD_DEMO": False,
                       "DATABASE_URL": f"sqlite:///{folder / 'kb.db'}",
                       "INDEX_DIR": str(folder / "index")})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the project's configuration, on a loopback port."""

    def __init__(self, target: str, env: dict[str, str], ready_path: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "KB_BIND": f"127.0.0.1:{self.port}"}
        full_env.setdefault("WEB_CONCURRENCY", "2")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", target],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited with {self.process.returncode}")
            time.sleep(0.5)
        raise SystemExit(f"gunicorn {target} did not become ready")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (the children of the gunicorn master)."""
        out = subprocess.run(["ps", "--ppid", str(self.process.pid), "-o", "rss="],
                             capture_output=True, text=True).stdout
        return [int(line) / 1024 for line in out.split()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fetch(url: str, headers: dict | None = None) -> tuple[str, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers.get("Content-Type", ""), answer.read(), dict(answer.headers)


# ---------------------------------------------------------------------------- the load

class Queries:
    """Search URLs never sent before in this run: two or three words of the corpus's vocabulary."""

    def __init__(self, seed: int) -> None:
        from bench.corpus import GENERAL_NOUNS, NOUNS

        self.words = NOUNS + GENERAL_NOUNS
        self.rng = random.Random(f"http-{seed}")
        self.sent: set[str] = set()

    def take(self, count: int, prefix: str) -> list[str]:
        paths = []
        while len(paths) < count:
            text = " ".join(self.rng.sample(self.words, self.rng.choice((2, 2, 3))))
            if text not in self.sent:
                self.sent.add(text)
                paths.append(f"{prefix}?q={urllib.parse.quote_plus(text)}")
        return paths


def lua(paths: list[str], headers: dict[str, str] | None = None) -> str:
    """A wrk script cycling through ``paths``; the threads take alternate ones."""
    listed = ",".join(json.dumps(p) for p in paths)
    set_headers = "".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n"
                          for k, v in (headers or {}).items())
    return f"""{set_headers}local paths = {{{listed}}}
local n = #paths
local count = 0
function setup(thread) thread:set("tid", count); count = count + 1 end
function init(args) i = tid or 0 end
function request()
  i = i + {WRK_THREADS}
  return wrk.format("GET", paths[(i % n) + 1])
end
"""


def wrk(base: str, paths: list[str], seconds: float, connections: int,
        headers: dict[str, str] | None = None, timeout: int = 10) -> dict:
    """Run wrk against ``base`` with a script over ``paths``; the figures it printed."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua(paths, headers))
    try:
        out = subprocess.run(
            ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
             f"--timeout={timeout}s", "-s", script.name, base],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return parse(out)


def parse(out: str) -> dict:
    def number(pattern: str, default: float = 0.0) -> float:
        found = re.search(pattern, out, re.M)
        return float(found.group(1)) if found else default

    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(map(int, sockets.groups()[:3])) if sockets else 0,
        "timeouts": int(sockets.group(4)) if sockets else 0,
    }


# ---------------------------------------------------------------------------- one instance

def run_instance(size: str, args: argparse.Namespace, queries: Queries) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-http-bench-") as tmp_name:
        tmp = Path(tmp_name)
        began = time.monotonic()
        kept = args.instances / size if args.instances else None
        if kept is not None and (kept / "kb.db").exists():
            shutil.copytree(kept, tmp, dirs_exist_ok=True)  # built by an earlier run
        else:
            subprocess.run([sys.executable, "-m", "bench.http_bench", "--prepare", size,
                            "--folder", str(tmp), "--seed", str(args.seed)], cwd=ROOT,
                           check=True)
            if kept is not None:
                shutil.copytree(tmp, kept)
        prepared_s = time.monotonic() - began
        env = {"KB_INSTANCE_PATH": str(tmp / "instance"),
               "KB_DATABASE_URL": f"sqlite:///{tmp / 'kb.db'}",
               "KB_INDEX_DIR": str(tmp / "index"), "KB_LOAD_DEMO": "0"}
        real = Server("app:create_app()", env, "/readyz")
        try:
            return measure(size, real, tmp, args, queries, prepared_s)
        finally:
            real.stop()


def targets(real: Server, db: Path) -> dict[str, str]:
    home = json.loads(fetch(real.base + "/api/")[1])
    counts = {t["slug"]: t["advice_count"] for t in home["themes"]}
    theme = max(counts, key=counts.get)
    advice = home["newest"][0]
    return {"home": "/", "themes": "/themas", "theme": f"/thema/{theme}",
            "advice": advice["url"], "api_home": "/api/", "api_themes": "/api/themas",
            "api_theme": f"/api/thema/{theme}", "api_advice": f"/api/advies/{advice['id']}",
            "feed": "/feed.xml", "search": "/zoeken?q=jongeren+wonen",
            "api_search": "/api/search?q=jongeren+wonen"}


def measure(size: str, real: Server, tmp: Path, args: argparse.Namespace, queries: Queries,
            prepared_s: float) -> dict:
    urls = targets(real, tmp / "kb.db")
    pages = {}
    for name, path in urls.items():
        kind, body, _ = fetch(real.base + path)
        pages[name] = [kind, base64.b64encode(body).decode()]
    (tmp / "pages.json").write_text(json.dumps(pages))
    etag = fetch(real.base + urls["advice"])[2]["ETag"]
    bare = Server("bench.bare_app:create_app()", {"KB_BENCH_PAGES": str(tmp / "pages.json")},
                  "/bare/home")
    if args.warm_seconds:
        # A worker's first searches read each word's postings from disk and compute its BM25
        # (kept for the index generation): a server that has answered a few hundred searches
        # has most of the vocabulary warm. New queries still, never sent again.
        for name in SEARCH_KINDS:
            wrk(real.base, queries.take(int(args.warm_seconds * 300) + 50,
                                        urls[name].split("?")[0]), args.warm_seconds, 20)
            drain(real)
    load_start = os.getloadavg()[0]
    rotating = {name: queries.take(15, urls[kind].split("?")[0])
                for name, kind in ROTATING_KINDS.items()}
    runs: dict[str, dict[str, list[float]]] = {}
    try:
        for _ in range(args.rounds):
            for name in args.kinds:
                if name in SEARCH_KINDS:
                    prefix = urls[name].split("?")[0]
                    paths = queries.take(int(args.duration * 600) + 50, prefix)
                elif name in ROTATING_KINDS:
                    paths = rotating[name]
                else:
                    paths = [urls["advice" if name == "conditional" else name]]
                headers = {"If-None-Match": etag} if name == "conditional" else None
                got = wrk(real.base, paths, args.duration, 20, headers)
                drain(real)
                same = ("advice" if name == "conditional" else ROTATING_KINDS.get(name, name))
                ref = wrk(bare.base, ["/bare/" + same], args.duration, 20)
                runs.setdefault(name, {"real": [], "bare": []})
                runs[name]["real"].append(got["rps"])
                runs[name]["bare"].append(ref["rps"])
    finally:
        bare.stop()
    latency = {}
    for name in (n for n in args.kinds if n != "conditional"):
        if name in SEARCH_KINDS:
            paths = queries.take(int(args.duration * 300) + 50, urls[name].split("?")[0])
        elif name in ROTATING_KINDS:
            paths = rotating[name]
        else:
            paths = [urls[name]]
        latency[name] = wrk(real.base, paths, args.duration, 50)
        drain(real)
    mixed = wrk(real.base, mixed_paths(urls, tmp / "kb.db", queries, args.mixed_seconds),
                args.mixed_seconds, 50, timeout=10) if args.mixed_seconds else None
    return {"size": size, "prepared_s": prepared_s, "runs": runs, "latency": latency,
            "mixed": mixed, "rss_mb": real.worker_rss_mb(), "load_start": load_start,
            "load_end": os.getloadavg()[0], "bytes": {k: len(base64.b64decode(v[1]))
                                                      for k, v in pages.items()}}


def drain(server: Server) -> None:
    """Wait until the requests wrk left queued when it stopped are done (a sync worker still
    answers them), so that they do not slow the next run down."""
    fetch(server.base + "/readyz")


def mixed_paths(urls: dict[str, str], db: Path, queries: Queries, seconds: int) -> list[str]:
    """Home, themes, theme pages (first pages and deeper ones), advice pages, search, feed and
    the API, in a fixed shuffle."""
    with sqlite3.connect(db) as con:
        advice = con.execute("SELECT id, slug FROM advice WHERE status = 'published' "
                             "ORDER BY random() LIMIT 400").fetchall()
        themes = [row[0] for row in con.execute("SELECT slug FROM theme")]
    paths = ["/", "/themas", "/feed.xml", "/api/", "/api/themas"] * 20
    paths += [f"/thema/{t}" for t in themes] * 3 + [f"/thema/{t}?page=3" for t in themes]
    paths += [f"/api/thema/{t}?page=2" for t in themes]
    paths += [f"/advies/{i}/{s}" for i, s in advice] + [f"/api/advies/{i}" for i, _ in advice]
    paths += queries.take(150, "/zoeken") + queries.take(150, "/api/search")
    random.Random(7).shuffle(paths)
    return paths


# ---------------------------------------------------------------------------- the report

def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(results: list[dict], args: argparse.Namespace, command: str) -> str:
    lines = [f"### HTTP, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores, shared; gunicorn workers: "
             f"{os.environ.get('WEB_CONCURRENCY', '2')}; wrk -t{WRK_THREADS} -c20 "
             f"-d{args.duration}s per run, real and bare alternating, {args.rounds} rounds, "
             f"medians; {args.warm_seconds:g} s of new searches per search page type before "
             "measuring.", ""]
    for r in results:
        lines += [f"#### {r['size']} advice (built in {r['prepared_s']:.0f} s; load average "
                  f"{r['load_start']:.1f} at the start, {r['load_end']:.1f} at the end)", "",
                  "| page | bytes | real req/s | bare Flask req/s | ratio | target | p99 -c50 |",
                  "|---|---|---|---|---|---|---|"]
        for name, run in r["runs"].items():
            real, bare = median(run["real"]), median(run["bare"])
            target = ("≥ 80 %" if name == "conditional" else
                      "≥ 25 %" if name in SEARCH_KINDS or name in ROTATING_KINDS else "≥ 50 %")
            p99 = r["latency"].get(name, {}).get("p99_ms")
            size = r["bytes"].get("advice" if name == "conditional" else
                                  ROTATING_KINDS.get(name, name), 0)
            lines.append(f"| {name} | {size:,} | {real:,.0f} | {bare:,.0f} | "
                         f"{real / bare:.0%} | {target} | "
                         f"{f'{p99:.0f} ms' if p99 is not None else '—'} |")
        m = r["mixed"]
        if m is not None:
            lines += ["", f"Mixed run, -c50 for {args.mixed_seconds} s: {m['requests']:,} "
                      f"requests ({m['rps']:,.0f}/s), p99 {m['p99_ms']:.0f} ms, non-2xx/3xx "
                      f"{m['non_2xx_3xx']}, socket errors {m['socket_errors']}, timeouts "
                      f"{m['timeouts']}."]
        lines += ["", "Worker RSS after the run: "
                  f"{', '.join(f'{v:.0f} MB' for v in r['rss_mb'])}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,10000",
                        help="comma-separated: demo and/or numbers of synthetic advice")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--mixed-seconds", type=int, default=60, help="0: no mixed run")
    parser.add_argument("--warm-seconds", type=float, default=10.0,
                        help="new searches per search page type before measuring (0: none)")
    parser.add_argument("--kinds", default=",".join((*PAGE_KINDS, *SEARCH_KINDS, *ROTATING_KINDS,
                                                      "conditional")),
                        help="comma-separated page types to measure (default: all)")
    parser.add_argument("--instances", type=Path,
                        help="keep each built instance in DIR/<size> and reuse it next time")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if args.prepare:
        prepare(args.prepare, args.folder, args.seed)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    command = "python -m bench.http_bench " + " ".join(argv if argv is not None else sys.argv[1:])
    queries = Queries(args.seed)
    results = [run_instance(size.strip(), args, queries) for size in args.sizes.split(",")]
    text = report(results, args, command)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
