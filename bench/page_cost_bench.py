"""What each page of the mixed load run costs in process, on first view, and what a worker
holds in memory afterwards.

``bench/http_bench.py`` drives gunicorn with ``wrk``; on a shared machine its wall-clock figures
mostly measure the other processes. This one sends the mixed run's requests (home, themes,
theme pages first and deeper, 400 advice pages and their JSON twins, new searches, the feed and
the API, in the same shuffle) once each through Flask's test client and reports CPU
milliseconds of this process per kind of page: a first view, before any kept page or cached
list can answer. Then it sends ``--searches`` more new queries and reports the process's
resident memory (the issue's budget: a worker ≤ 250 MB at 10,000 advice after a run).

    .venv/bin/python -m bench.page_cost_bench --folder /tmp/kb10k

The folder is an instance as ``http_bench`` builds it (built there when it holds none).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path


def kind_of(path: str) -> str:
    """The page type of a mixed-run path: ids and slugs folded, a deeper page told apart."""
    bare, _, query = path.partition("?")
    if bare.startswith(("/zoeken", "/api/search")):
        return bare
    kind = re.sub(r"^(/api)?/(advies|thema)/.*$", r"\1/\2/…", bare)
    return kind + (" (page ≥ 2)" if "page=" in query else "")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10000")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--searches", type=int, default=1200,
                        help="new queries after the mixed run, before reading the memory")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    from bench.http_bench import Queries, instance_app, mixed_paths

    app = instance_app(args.folder, args.size, args.seed)
    client = app.test_client()
    queries = Queries(args.seed)
    for path in queries.take(100, "/zoeken"):  # a worker's first searches read words from disk
        client.get(path)
    took: dict[str, list[float]] = defaultdict(list)
    for path in mixed_paths({}, args.folder / "kb.db", queries, 60):
        began = time.process_time()
        answer = client.get(path)
        took[kind_of(path)].append((time.process_time() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    total = sum(sum(values) for values in took.values())
    print("| page | requests | median ms | max ms | share of the CPU |")
    print("|---|---|---|---|---|")
    for kind, values in sorted(took.items(), key=lambda item: -sum(item[1])):
        print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} | "
              f"{max(values):.1f} | {100 * sum(values) / total:.0f} % |")
    print(f"\nAll {sum(map(len, took.values()))} requests: {total / 1000:.1f} s of CPU; "
          f"resident memory {rss_mb():.0f} MB")
    for path in queries.take(args.searches, "/zoeken"):
        client.get(path)
    print(f"After {args.searches} more new searches: resident memory {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
