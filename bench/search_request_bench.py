"""What one search request costs in process: ``/zoeken`` and ``/api/search`` through the whole
app (routing, search, context, template or JSON), without HTTP or gunicorn.

The HTTP benchmark (``bench/http_bench.py``) says how a page compares with bare Flask; this one
says where a search request's milliseconds go, quickly enough to run before and after a change.
Two readings of "a rotating set of new queries":

- *new*: every query is sent once (never seen by any cache);
- *rotating*: a set of ``--rotating`` queries sent in turn, over and over (what the issue first
  measured; after the first pass the search layer's result cache and the kept pages answer).

It builds (or reuses, ``--folder``) an instance of N synthetic advice the way ``http_bench``
does, then times requests with Flask's test client; ``--profile FILE`` writes a pyinstrument
HTML profile of the new-query requests (pyinstrument from PyPI; not a project dependency).

    .venv/bin/python -m bench.search_request_bench --size 10000 --folder /tmp/kb10k --queries 300
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(client, paths: list[str]) -> list[float]:
    """CPU milliseconds of this process per request: on a shared machine the wall clock
    mostly measures the other processes (the test client runs the request in this one)."""
    took = []
    for path in paths:
        began = time.process_time()
        answer = client.get(path)
        took.append((time.process_time() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    return took


def line(name: str, took: list[float]) -> str:
    return (f"| {name} | {len(took)} | {statistics.median(took):.1f} | "
            f"{percentile(took, 0.95):.1f} | {percentile(took, 0.99):.1f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10000")
    parser.add_argument("--folder", type=Path, required=True,
                        help="the instance's folder (built there when it holds none)")
    parser.add_argument("--queries", type=int, default=300, help="new queries per endpoint")
    parser.add_argument("--rotating", type=int, default=15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile here")
    args = parser.parse_args(argv)
    from bench.http_bench import Queries, instance_app

    app = instance_app(args.folder, args.size, args.seed)
    client = app.test_client()
    queries = Queries(args.seed)
    # Warm-up: the generation's facet sets, field lengths and common postings, as a server
    # that has answered a few searches has them.
    timed(client, queries.take(30, "/zoeken") + queries.take(30, "/api/search"))
    load = os.getloadavg()[0]
    rows = []
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    for prefix in ("/zoeken", "/api/search"):
        rows.append(line(f"{prefix} new", timed(client, queries.take(args.queries, prefix))))
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, color=False, show_all=False)[:20000])
    for prefix in ("/zoeken", "/api/search"):
        fixed = queries.take(args.rotating, prefix)
        timed(client, fixed)  # the first pass is new queries; the rest rotate
        rows.append(line(f"{prefix} rotating {args.rotating}", timed(client, fixed * 10)))
    print(f"{args.size} advice; load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end; CPU ms of the process per request "
          "(Flask test client)\n")
    print("| requests | n | CPU ms median | p95 | p99 |\n|---|---|---|---|---|")
    print("\n".join(rows))
    app.extensions["kb.engine"].dispose()


if __name__ == "__main__":
    main()
