"""Sitemap, feeds and the advice list of the API at N advice: time and peak memory, to show that
the sitemap streams (memory flat as the database grows) and that the feeds and one page of
``/api/advies`` read a fixed number of rows.

    python -m bench.discovery_bench --sizes 2000,20000

For each size a SQLite database is filled with the synthetic corpus (``bench/corpus.py``,
through ``save_advice`` as ``bench/backup_bench.py`` does). Then, each in a fresh
subprocess so that its ``ru_maxrss`` is its own: a process that only starts the app and serves
``/`` (the floor every figure stands on), and one that serves the URL being measured (once to
warm up, then timed). A benchmark, never a test: it measures and reports; it does not assert.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as ``python bench/discovery_bench.py``
    sys.path.insert(0, str(ROOT))

URLS = ("/", "/sitemap.xml", "/feed.xml", "/thema/pleegzorg/feed.xml", "/api/advies",
        "/api/advies?page=20")


def phase_get(url: str, work: Path, path: str) -> dict:
    """Start the app on the database and fetch ``path`` twice; time the second."""
    import logging

    from app import create_app
    from bench.backup_bench import peak_mb

    logging.disable(logging.INFO)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": work / "instance",
                      "INDEX_DIR": str(work / "index"), "LOAD_DEMO": False,
                      "SERVER_NAME": "kennisbank.test"})
    client = app.test_client()
    client.get(path).close()
    started = time.perf_counter()
    response = client.get(path)
    size = sum(len(chunk) for chunk in response.response)  # a streamed body, read to the end
    seconds = time.perf_counter() - started
    status = response.status_code
    response.close()
    return {"seconds": seconds, "peak_mb": peak_mb(), "bytes": size, "status": status}


def run_phase(*args: str) -> dict:
    command = [sys.executable, "-m", "bench.discovery_bench", "--phase", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--phase", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "make":
            from bench.backup_bench import phase_make

            result = phase_make(rest[0], int(rest[1]), int(rest[2]), Path(rest[3]))
        else:
            result = phase_get(rest[0], Path(rest[1]), rest[2])
        print(json.dumps(result))
        return
    command = "python -m bench.discovery_bench " + shlex.join(sys.argv[1:])
    lines = [f"- Command: `{command}`", "",
             "| advice | URL | seconds | peak MB | body KB |", "|---:|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as temp:
        for size in [int(s) for s in args.sizes.split(",")]:
            folder = Path(temp) / str(size)
            folder.mkdir()
            url = f"sqlite:///{folder / 'kb.db'}"
            made = run_phase("make", url, str(size), str(args.seed), str(folder))
            print(f"{size:,}: made in {made['seconds']:.0f} s", file=sys.stderr)
            for path in URLS:
                result = run_phase("get", url, str(folder), path)
                print(f"{size:,} {path}: {result}", file=sys.stderr)
                lines.append(f"| {size:,} | `{path}` | {result['seconds']:.3f} | "
                             f"{result['peak_mb']:.0f} | {result['bytes'] / 1024:.0f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
