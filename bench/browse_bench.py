"""What browsing without words costs: ``SearchIndex.search("", filters)`` at growing sizes.

Builds an index of ``--sizes`` synthetic advice (``bench/corpus.py``) with the production
writer and times, per filter combination, the first browse after the index opened (facet sets
and the date column read), and a *new browse on a warm server* (only the finished-results
cache cleared before each run, as for a combination nobody asked before). Every browse
includes the disjunctive facet counts and the page's stored fields.

    .venv/bin/python -m bench.browse_bench --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.index_open_bench import documents
from search_index import SearchIndex

#: Filter combinations a policymaker ticks (values are in every corpus of 1,000 or more).
COMBINATIONS = {
    "nothing chosen": {},
    "one theme": {"theme": ["wonen"]},
    "two themes": {"theme": ["wonen", "onderwijs"]},
    "audience + region": {"audience": ["gemeenten"], "region": ["Gelderland"]},
    "audience + region + 2 themes": {"audience": ["gemeenten"], "region": ["Gelderland"],
                                     "theme": ["wonen", "onderwijs"]},
    "page 20": {},
}


def forget_results(index: SearchIndex) -> None:
    """Clear only the finished results; facet sets and the date column stay (a warm server)."""
    for generation in index._engine._generations.values():  # noqa: SLF001 - a bench may
        generation.results.clear()


def measure(size: int, seed: int, runs: int, work: Path) -> dict[str, tuple[float, float]]:
    index = SearchIndex(work / f"index-{size}")
    index.rebuild(documents(size, seed))
    index.open()
    figures = {}
    for name, filters in COMBINATIONS.items():
        page = 20 if name == "page 20" else 1
        index.clear_cache()
        start = time.perf_counter()
        first = index.search("", filters, page)
        first_ms = (time.perf_counter() - start) * 1000
        assert first.total > 0 and first.hits, name
        times = []
        for _ in range(runs):
            forget_results(index)
            start = time.perf_counter()
            index.search("", filters, page)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        figures[name] = (first_ms, statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    print("| advice | filters | first after open ms | new browse median ms | new browse p95 ms |")
    print("|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="kb-browse-") as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            for name, (first, median, p95) in measure(size, args.seed, args.runs,
                                                      Path(folder)).items():
                print(f"| {size:,} | {name} | {first:.1f} | {median:.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()
