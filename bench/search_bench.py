"""Search benchmark: the production import, index and search path on a synthetic Dutch corpus,
with SQLite FTS5 doing comparable work on the same corpus and queries as a reference.

    python -m bench.search_bench --sizes 1000,10000,50000 --out docs/performance.md
    python -m bench.search_bench --quick --out /tmp/perf.md          # smoke run, < 1 minute

Each size runs in a fresh subprocess (``--worker N``) so that peak RSS belongs to that size.
This is a benchmark, never a test: it measures and reports; it does not assert.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import logging
import os
import platform
import resource
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as ``python bench/search_bench.py``
    sys.path.insert(0, str(ROOT))

from bench.corpus import Query, make_queries, write_corpus  # noqa: E402

MARKER = "<!-- runs: newest first; bench/search_bench.py inserts new runs below this line -->"
#: The targets of the issue: p95 ms per size, ratio to FTS5, (size, seconds), MB.
P95_TARGETS = {1000: 15.0, 10000: 50.0}
FTS5_RATIO_LIMIT = 4.0
BUILD_TARGET = (10000, 60.0)
RSS_LIMIT_MB = 300.0


# ------------------------------------------------------------------ measuring one size (worker)

def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of timings in seconds."""
    if len(values) < 2:
        values = values * 2 or [0.0, 0.0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def disk_mb(path: Path) -> float:
    """Disk usage like ``du``: allocated blocks of every file below ``path``."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files) / 1e6


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def code_fingerprint() -> str:
    """A hash of the code measured (app.py, kb/, search_index/): the tree changes between runs."""
    digest = hashlib.sha256()
    for path in sorted([ROOT / "app.py", *(ROOT / "kb").rglob("*.py"),
                        *(ROOT / "search_index").rglob("*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


class Caches:
    """The search layer's caches, found by looking (they are internal and still changing).

    ``clear_all`` forgets everything (result cache and per-generation caches such as facet sets);
    ``clear_results`` forgets only finished results, so a query is uncached but the server warm.
    """

    def __init__(self, app) -> None:
        index = app.extensions["kb.search"]
        self.index = index
        self.engine = getattr(index, "_engine", None)
        self.all_found = callable(getattr(index, "clear_cache", None)) or callable(
            getattr(self.engine, "clear", None))
        self.results_found = isinstance(getattr(self.engine, "_generations", None), dict)

    def describe(self) -> str:
        if not self.all_found:
            return "none found"
        return "finished results per index generation" if self.results_found else "found"

    def clear_all(self) -> None:
        if callable(getattr(self.index, "clear_cache", None)):
            self.index.clear_cache()
        elif self.all_found:
            self.engine.clear()
        self.index.open()

    def clear_results(self) -> None:
        for generation in list(self.engine._generations.values()):
            generation.results.clear()


def _profiled(profile_dir: Path | None, name: str, func):
    if profile_dir is None:
        return func()
    profiler = cProfile.Profile()
    result = profiler.runcall(func)
    profiler.dump_stats(str(profile_dir / f"{name}.prof"))
    return result


def measure_whoosh(app, queries: list[Query], profile_dir: Path | None) -> dict:
    """Timings per pass: cold (reopened, all caches cleared before each query), uncached (only
    the result cache cleared: a new query on a warm server) and warm (the same queries again)."""
    from kb import search

    caches = Caches(app)

    def run(query: Query, before=None):
        if before:
            before()
        start = time.perf_counter()
        results = search.search(query.text, query.filters, query.page, query.sort)
        return time.perf_counter() - start, results.total

    with app.test_request_context():
        cold = [run(q, caches.clear_all) for q in queries]
        # The profile (if asked) covers the pass the targets are judged on.
        uncached = (_profiled(profile_dir, "query",
                              lambda: [run(q, caches.clear_results) for q in queries])
                    if caches.results_found else None)
        # Each query twice in a row, the second timed: a result cache (if any) now answers.
        warm = _profiled(None if uncached else profile_dir, "query",
                         lambda: [(run(q), run(q))[1] for q in queries])
    judged = uncached or warm
    by_kind: dict[str, list[float]] = {}
    for query, (elapsed, _) in zip(queries, judged, strict=True):
        by_kind.setdefault(query.kind, []).append(elapsed * 1000)
    return {"cold": percentiles([t for t, _ in cold]), "warm": percentiles([t for t, _ in warm]),
            "by_kind": {k: (statistics.median(v), max(v)) for k, v in by_kind.items()},
            "uncached": percentiles([t for t, _ in uncached]) if uncached else None,
            "mean_hits": statistics.fmean(total for _, total in cold),
            "caches": caches.describe()}


def worker(size: int, seed: int, query_count: int, profile_dir: Path | None) -> dict:
    """Generate, import, index and query one corpus size; returns the figures."""
    logging.basicConfig(level=logging.WARNING)
    from app import create_app
    from kb import search
    from kb.content import import_paths
    from kb.db import session_scope

    queries, fingerprint = make_queries(query_count, seed), code_fingerprint()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus_bytes = write_corpus(tmp / "corpus", size, seed)
        load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
        app = create_app({"TESTING": True, "LOAD_DEMO": False, "INSTANCE_PATH": tmp / "instance",
                          "DATABASE_URL": f"sqlite:///{tmp / 'kb.db'}",
                          "INDEX_DIR": str(tmp / "index")})
        with app.app_context():
            start = time.perf_counter()

            def do_import():
                with session_scope() as session:
                    report = import_paths(session, [tmp / "corpus"])
                if report.problems:
                    raise SystemExit("corpus does not import:\n" + "\n".join(
                        str(p) for p in report.problems[:10]))

            _profiled(profile_dir, "import", do_import)
            imported, rss_import = time.perf_counter(), rss_mb()

            def do_rebuild():
                with session_scope() as session:
                    return search.rebuild(session)

            indexed_count = _profiled(profile_dir, "rebuild", do_rebuild)
            indexed, rss_index = time.perf_counter(), rss_mb()
            # A parallel Whoosh writer works in child processes: their peak counts too.
            rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        figures = {
            "size": size, "code": fingerprint, "load": load, "rss_import_mb": rss_import,
            "rss_index_mb": rss_index, "rss_children_mb": rss_children, "indexed": indexed_count,
            "corpus_mb": corpus_bytes / 1e6,
            "import_s": imported - start, "index_s": indexed - imported,
            "index_mb": disk_mb(tmp / "index"),
            "whoosh": measure_whoosh(app, queries, profile_dir),
        }
        figures["rss_mb"] = rss_mb()  # the production path only: FTS5 comes after
        figures["load_end"] = os.getloadavg()[0]
        app.extensions["kb.engine"].dispose()
        figures["fts5"] = measure_fts5(tmp / "kb.db", tmp / "fts.db", queries)
        figures["rss_all_mb"] = rss_mb()
    return figures


# ------------------------------------------------------------------------ the FTS5 reference

FTS5_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(title, summary, body,
                                     tokenize='unicode61 remove_diacritics 2');
CREATE TABLE doc_meta(id INTEGER PRIMARY KEY, region TEXT, year TEXT, published TEXT);
CREATE TABLE doc_theme(doc INTEGER, theme TEXT, PRIMARY KEY (doc, theme)) WITHOUT ROWID;
CREATE INDEX doc_theme_by_theme ON doc_theme(theme, doc);
CREATE TABLE doc_audience(doc INTEGER, audience TEXT, PRIMARY KEY (doc, audience)) WITHOUT ROWID;
"""
# One statement for the total and the four facets; the match is materialised once.
FTS5_FACETS = """
WITH m AS MATERIALIZED (SELECT rowid AS id FROM docs WHERE docs MATCH :q {theme})
SELECT 'total', '', count(*) FROM m
UNION ALL SELECT 'theme', t.theme, count(*) FROM m JOIN doc_theme t ON t.doc = m.id GROUP BY 2
UNION ALL SELECT 'audience', a.audience, count(*) FROM m JOIN doc_audience a ON a.doc = m.id
          GROUP BY 2
UNION ALL SELECT 'region', d.region, count(*) FROM m JOIN doc_meta d ON d.id = m.id GROUP BY 2
UNION ALL SELECT 'year', d.year, count(*) FROM m JOIN doc_meta d ON d.id = m.id GROUP BY 2
"""
# Rank first, then make snippets for the ten rows of the page only.
FTS5_PAGE = """
WITH top AS (SELECT docs.rowid AS id, {order} AS score
             FROM docs JOIN doc_meta d ON d.id = docs.rowid
             WHERE docs MATCH :q {theme} ORDER BY score {direction} LIMIT 10 OFFSET :offset)
SELECT docs.rowid, docs.title, docs.summary,
       snippet(docs, 2, '<mark>', '</mark>', ' … ', 24) AS snippet
FROM docs JOIN top ON docs.rowid = top.id WHERE docs MATCH :q ORDER BY top.score {direction}
"""
THEME_FILTER = "AND docs.rowid IN (SELECT doc FROM doc_theme WHERE theme = :theme)"


def build_fts5(kb_db: Path, fts_db: Path) -> None:
    """Read the advice from the app's database, as ``kb.search.rebuild`` does, and index them."""
    from kb.render import plain_text

    source = sqlite3.connect(kb_db)
    themes: dict[int, list[str]] = {}
    for advice_id, slug in source.execute(
            "SELECT at.advice_id, t.slug FROM advice_theme at JOIN theme t ON t.id = at.theme_id"):
        themes.setdefault(advice_id, []).append(slug)
    con = sqlite3.connect(fts_db)
    con.executescript(FTS5_SCHEMA)
    rows = source.execute("SELECT id, title, summary, body, region, published, audience "
                          "FROM advice WHERE status = 'published'")
    for advice_id, title, summary, body, region, published, audience in rows:
        con.execute("INSERT INTO docs(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                    (advice_id, title, summary, plain_text(body)))
        con.execute("INSERT INTO doc_meta VALUES (?, ?, ?, ?)",
                    (advice_id, region or "", (published or "")[:4], published))
        con.executemany("INSERT INTO doc_theme VALUES (?, ?)",
                        [(advice_id, t) for t in themes.get(advice_id, [])])
        con.executemany("INSERT INTO doc_audience VALUES (?, ?)",
                        [(advice_id, a) for a in json.loads(audience)])
    con.commit()
    con.close()
    source.close()


def fts5_search(con: sqlite3.Connection, query: Query) -> int:
    """Total, facets and one page of snippets for a query: the work a Whoosh search does."""
    theme = THEME_FILTER if query.filters.get("theme") else ""
    params = {"q": query.fts, "theme": query.filters.get("theme"),
              "offset": (query.page - 1) * 10}
    order, direction = (("d.published", "DESC") if query.sort == "date"
                        else ("bm25(docs, 3.0, 2.0, 1.0)", "ASC"))
    facets = con.execute(FTS5_FACETS.format(theme=theme), params).fetchall()
    con.execute(FTS5_PAGE.format(theme=theme, order=order, direction=direction), params).fetchall()
    return facets[0][2]


def measure_fts5(kb_db: Path, fts_db: Path, queries: list[Query]) -> dict:
    """Build the reference index, then time each query once on one open connection."""
    start = time.perf_counter()
    build_fts5(kb_db, fts_db)
    built = time.perf_counter() - start
    timings, totals = [], []
    con = sqlite3.connect(fts_db)
    for query in queries:
        start = time.perf_counter()
        totals.append(fts5_search(con, query))
        timings.append(time.perf_counter() - start)
    con.close()
    return {"build_s": built, "index_mb": disk_mb(fts_db), "mean_hits": statistics.fmean(totals),
            **percentiles(timings)}


# ----------------------------------------------------------------------- running and reporting

def run_size(size: int, args: argparse.Namespace) -> dict:
    """Measure one size in a fresh interpreter, so its peak RSS is its own."""
    command = [sys.executable, "-m", "bench.search_bench", "--worker", str(size),
               "--seed", str(args.seed), "--queries", str(args.queries)]
    if args.profile:
        command += ["--profile", str(Path(args.profile) / str(size))]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"size {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    import whoosh

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
            f"Whoosh {whoosh.versionstring()}, SQLite {sqlite3.sqlite_version}, "
            f"{platform.system()} {platform.release()}")


def ms(p: dict | None) -> str:
    return f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f}" if p else "—"


def new_query(r: dict) -> dict:
    """The figure targets are judged on: a query the result cache has not seen, on a warm server.

    Without a result cache, the warm pass is exactly that."""
    return r["whoosh"]["uncached"] or r["whoosh"]["warm"]


def fts5_ratio(r: dict) -> float:
    return new_query(r)["p95"] / max(r["fts5"]["p95"], 1e-9)


def size_table(r: dict) -> str:
    w, f = r["whoosh"], r["fts5"]
    rows = [
        ("corpus (Markdown files) MB", f"{r['corpus_mb']:.1f}", ""),
        ("import s (`import_paths`)", f"{r['import_s']:.2f}", "—"),
        ("index build s (`kb.search.rebuild`; FTS5: read + insert)", f"{r['index_s']:.2f}",
         f"{f['build_s']:.2f}"),
        ("total s", f"{r['import_s'] + r['index_s']:.2f}", "—"),
        ("index on disk MB", f"{r['index_mb']:.1f}", f"{f['index_mb']:.1f}"),
        ("query ms p50 / p95 / p99, cold (reopened, all caches cleared)", ms(w["cold"]), "—"),
        ("query ms p50 / p95 / p99, new query on a warm server", ms(new_query(r)), ms(f)),
        ("query ms p50 / p95 / p99, warm (same queries again)", ms(w["warm"]), "—"),
        ("p95 ratio Whoosh / FTS5 (new query)", f"{fts5_ratio(r):.1f}x", ""),
        ("mean hits per query", f"{w['mean_hits']:.0f}", f"{f['mean_hits']:.0f}"),
        ("peak RSS MB after import / index / queries",
         f"{r['rss_import_mb']:.0f} / {r['rss_index_mb']:.0f} / {r['rss_mb']:.0f}",
         f"(with FTS5: {r['rss_all_mb']:.0f})"),
        ("peak RSS MB of the largest child process (parallel indexing)",
         f"{r.get('rss_children_mb', 0):.0f}", ""),
    ]
    slowest = sorted(w["by_kind"].items(), key=lambda item: -item[1][1])[:5]
    lines = ["| | Whoosh (production path) | FTS5 reference |", "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "Slowest kinds of query (new query; median / max ms): " + ", ".join(
        f"{kind} {median:.0f} / {worst:.0f}" for kind, (median, worst) in slowest)]
    return "\n".join(lines)


def targets_table(results: dict[int, dict]) -> str:
    """Each target of the issue with what was measured; sizes not run are said to be so."""
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "**FAIL**"

    rows = []
    for size, limit in P95_TARGETS.items():
        r = results.get(size)
        measured = (f"{new_query(r)['p95']:.1f} ms (cold {r['whoosh']['cold']['p95']:.1f} ms)",
                    verdict(new_query(r)["p95"] <= limit)) if r else ("not measured", "—")
        rows.append((f"p95 ≤ {limit:.0f} ms at {size:,} advice (snippets + facets)", *measured))
    for size, r in sorted(results.items()):
        rows.append((f"p95 within {FTS5_RATIO_LIMIT:.0f}x of FTS5 at {size:,}",
                     f"{fts5_ratio(r):.1f}x", verdict(fts5_ratio(r) <= FTS5_RATIO_LIMIT)))
    size, limit = BUILD_TARGET
    r = results.get(size)
    build = r and r["import_s"] + r["index_s"]
    rows.append((f"import + index of {size:,} advice ≤ {limit:.0f} s",
                 *((f"{build:.1f} s", verdict(build <= limit)) if r else ("not measured", "—"))))
    for size, r in sorted(results.items()):
        peak = max(r["rss_mb"], r.get("rss_children_mb", 0))
        rows.append((f"peak RSS ≤ {RSS_LIMIT_MB:.0f} MB at {size:,} (largest process)",
                     f"{peak:.0f} MB", verdict(peak <= RSS_LIMIT_MB)))
    lines = ["| target | measured | result |", "|---|---:|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def report(results: dict[int, dict], args: argparse.Namespace, command: str) -> str:
    caches = sorted({r["whoosh"]["caches"] for r in results.values()})
    code = ", ".join(f"{r['code']} ({size:,})" for size, r in sorted(results.items()))
    parts = [f"## Run of {datetime.now():%Y-%m-%d %H:%M}", "",
             f"- Machine: {machine()}", f"- Command: `{command}`",
             f"- Code measured (sha256 of app.py, kb/, search_index/ per size): {code}",
             "- Load average (1 min) before / after each size's Whoosh run (2+ on 2 CPUs means "
             "a shared machine): " + ", ".join(
                 f"{r['load']:.1f} / {r.get('load_end', 0):.1f} ({size:,})"
                 for size, r in sorted(results.items())),
             f"- Seed {args.seed}, {args.queries} queries; result cache in the search layer: "
             f"{', '.join(caches)}"]
    if args.profile:
        parts.append("- **Profiled run** (cProfile on import, rebuild and the new-query pass): "
                     "those timings are inflated; do not compare them with other runs.")
    parts.append("")
    for size, r in sorted(results.items()):
        parts += [f"### {size:,} advice", "", size_table(r), ""]
    parts += ["### Targets", "", targets_table(results), ""]
    return "\n".join(parts)


def write_report(out: Path, section: str) -> None:
    """Insert the run at the top of the runs in ``out``, creating the file when needed."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if MARKER not in text:
        text = (text.rstrip() + "\n\n" if text else "# Search performance\n\n") + MARKER + "\n"
    head, tail = text.split(MARKER, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"{head}{MARKER}\n\n{section}\n{tail.lstrip()}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="advice counts, comma-separated")
    parser.add_argument("--queries", type=int, default=100, help="queries in the mix")
    parser.add_argument("--seed", type=int, default=42, help="seed of corpus and queries")
    parser.add_argument("--out", help="Markdown file to add this run to (docs/performance.md)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 advice, 20 queries")
    parser.add_argument("--profile", help="folder for cProfile dumps of import, rebuild, queries")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        profile_dir = Path(args.profile) if args.profile else None
        if profile_dir:
            profile_dir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(worker(args.worker, args.seed, args.queries, profile_dir)))
        return
    if args.quick:
        args.sizes, args.queries = "200", 20
    results = {}
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        print(f"measuring {size:,} advice …", file=sys.stderr, flush=True)
        results[size] = run_size(size, args)
    section = report(results, args, "python -m bench.search_bench " + shlex.join(argv))
    print(section)
    if args.out:
        write_report(Path(args.out), section)
        print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
