"""What a publish costs readers' searches: new-query latency just before and just after one.

Builds N advice of ``bench/corpus.py`` through the production path (import, rebuild), warms the
searcher with a few queries, then repeats ``--publishes`` times: 20 new queries (never sent
before, so the result cache cannot help), one publish (a new advice saved and applied to the
index, as a request does), 20 new queries. It reports the p95 of the queries before and after
each publish, and their ratio (the issue's target: after ≤ 1.5 × before).

    .venv/bin/python -m bench.publish_bench --size 10000 --publishes 3

``--instance DIR`` starts from a copy of an instance that ``bench/http_bench.py`` built (its
``--instances`` folder holds one per size) instead of building one, which takes minutes.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import GENERAL_NOUNS, NOUNS, make_advice, write_corpus  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--instance", type=Path, help="copy this built instance")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from app import create_app
    from kb import search
    from kb.advice import save_advice
    from kb.content import import_paths
    from kb.db import session_scope
    from kb.models import AdviceStatus

    rng = random.Random(f"publish-{args.seed}")
    words, sent = NOUNS + GENERAL_NOUNS, set()

    def new_queries(count: int) -> list[str]:
        found = []
        while len(found) < count:
            text = " ".join(rng.sample(words, rng.choice((1, 2, 2, 3))))
            if text not in sent:
                sent.add(text)
                found.append(text)
        return found

    def timed(texts: list[str]) -> list[float]:
        times = []
        for text in texts:
            start = time.perf_counter()
            search.search(text)
            times.append((time.perf_counter() - start) * 1000)
        return times

    with tempfile.TemporaryDirectory(prefix="kb-publish-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.instance is not None:
            shutil.copytree(args.instance, tmp, dirs_exist_ok=True)
        else:
            write_corpus(tmp / "corpus", args.size, args.seed)
        app = create_app({"TESTING": True, "LOAD_DEMO": False, "INSTANCE_PATH": tmp / "instance",
                          "DATABASE_URL": f"sqlite:///{tmp / 'kb.db'}",
                          "INDEX_DIR": str(tmp / "index")})
        if args.instance is None:
            with app.app_context():
                with session_scope() as session:
                    import_paths(session, [tmp / "corpus"])
                with session_scope() as session:
                    search.rebuild(session)
        rows = []
        with app.test_request_context():
            timed(new_queries(30))  # a warm server
            for n in range(args.publishes):
                before = timed(new_queries(20))
                content = make_advice(args.seed + 1, args.size + n)
                content = content.__class__(**{**content.__dict__, "slug": f"nieuw-{n}",
                                               "published": date.today()})
                start = time.perf_counter()
                with session_scope() as session:
                    save_advice(session, None, content, status=AdviceStatus.PUBLISHED)
                with session_scope() as session:
                    search.catch_up(session, wait=True)
                publish_ms = (time.perf_counter() - start) * 1000
                after = timed(new_queries(20))
                rows.append((p95(before), p95(after), publish_ms, after[0],
                             statistics.median(after)))
        app.extensions["kb.engine"].dispose()
    print(f"publish_bench: {args.size} advice, load average {os.getloadavg()[0]:.1f}")
    print("| publish | p95 before (ms) | p95 after (ms) | ratio | first query after (ms) | "
          "median after (ms) | publish + apply (ms) |")
    print("|---|---|---|---|---|---|---|")
    for n, (b, a, pub, first, med) in enumerate(rows, 1):
        print(f"| {n} | {b:.1f} | {a:.1f} | {a / b:.2f} | {first:.1f} | {med:.1f} | {pub:.0f} |")


if __name__ == "__main__":
    main()
