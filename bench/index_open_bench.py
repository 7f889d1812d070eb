"""What the index files' checksums cost: at every open of a generation, and at every commit.

Opening a generation (a process start, a switch to a rebuilt generation) reads every file its
table of contents uses and compares size and CRC-32 with ``CHECKSUMS``
(:mod:`search_index.integrity`); a commit hashes only the files it wrote. This builds an index of
``--size`` synthetic advice (``bench/corpus.py``) with the production writer (parallel above
2,000 documents) and times, each ``--runs`` times (the median is reported):

- *open, no check*: Whoosh's ``open_dir`` and the table of contents, as before checksums;
- *open with checks*: :func:`search_index.indexer.open_index`, what a process does now;
- *verify only*: the checksum comparison by itself;
- the same cold: the index files dropped from the OS page cache first (``posix_fadvise``
  ``DONTNEED`` on each file; this needs no root and leaves other files alone);
- *commit of one advice* and, within it, *recording its checksums*.

    .venv/bin/python -m bench.index_open_bench --size 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import iter_corpus
from kb.render import plain_text
from search_index import SearchDocument, SearchIndex, indexer, integrity


def documents(size: int, seed: int):
    for number, content in enumerate(iter_corpus(size, seed), start=1):
        yield SearchDocument(id=number, slug=content.slug, title=content.title,
                             summary=content.summary, body=plain_text(content.body),
                             themes=tuple(content.themes), audience=tuple(content.audience),
                             region=content.region, published=content.published, revision=1)


def drop_from_page_cache(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def median_ms(runs: int, action: Callable[[], object],
              before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kb-open-bench-") as tmp:
        root = Path(tmp) / "index"
        index = SearchIndex(root)
        began = time.perf_counter()
        index.rebuild(documents(args.size, args.seed))
        built = time.perf_counter() - began
        live = indexer.current_generation(root)
        ix, reason = indexer.open_index(root)
        assert ix is not None, reason
        in_use = indexer.files_in_use(live, ix.indexname, ix._read_toc())
        size_mb = sum((live / name).stat().st_size for name in in_use) / 1e6
        load = os.getloadavg()[0]

        def plain_open() -> None:
            from whoosh import index as whoosh_index

            whoosh_index.open_dir(str(live))._read_toc()

        def checked_open() -> None:
            opened, why = indexer.open_index(root)
            assert opened is not None, why

        def verify() -> None:
            assert integrity.verify(live, in_use) == []

        def cold() -> None:
            drop_from_page_cache(live)

        rows = [
            ("open, no check (before)", median_ms(args.runs, plain_open)),
            ("open with checks (now)", median_ms(args.runs, checked_open)),
            ("verify only", median_ms(args.runs, verify)),
            ("open, no check, cold", median_ms(args.runs, plain_open, cold)),
            ("open with checks, cold", median_ms(args.runs, checked_open, cold)),
            ("verify only, cold", median_ms(args.runs, verify, cold)),
        ]
        extra = iter(range(args.size + 1, args.size + 1 + args.runs))

        def commit_one() -> None:
            number = next(extra)
            index.index([SearchDocument(id=number, slug=f"extra-{number}", title="Extra advies",
                                        summary="Een korte samenvatting.",
                                        body="Jongeren willen gehoord worden.")])

        rows.append(("commit of one advice (write + checksums)",
                     median_ms(args.runs, commit_one)))
        rows.append(("recording checksums with no new file (scan + rewrite)", median_ms(args.runs,
                                                               lambda: integrity.record(live))))

    code = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    print(f"{args.size:,} advice, index {size_mb:.0f} MB in {len(in_use)} files in use, built in "
          f"{built:.0f} s; code {code}, {os.cpu_count()} CPUs, load {load:.1f}; "
          f"median of {args.runs} runs\n")
    print("| what | ms |\n|---|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
