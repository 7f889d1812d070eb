"""Backup and restore benchmark: time and peak memory of ``kb.backup.backup`` and
``kb.restore.restore`` at N advice, to show that memory stays flat as the database grows.

    python -m bench.backup_bench --sizes 5000,50000
    python -m bench.backup_bench --sizes 50000 --target-url postgresql+psycopg://…/empty_db

For each size a source SQLite database is filled with the synthetic corpus (``bench/corpus.py``)
through ``save_advice`` (advice, revision, theme links, change log: the rows a real import
writes), then backed up, then restored into a new SQLite database (or ``--target-url``, which
must be empty; it is emptied again after each size, and backed up once more after the restore,
which measures a backup from PostgreSQL). Every phase runs in a fresh subprocess, so
its ``ru_maxrss`` is its own peak; the report also gives the peak of a process that only
imported the code, the floor every figure stands on. The search index rebuild that
``kb restore`` does afterwards is not measured here (``bench/search_bench.py`` measures it).

A benchmark, never a test: it measures and reports; it does not assert.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as ``python bench/backup_bench.py``
    sys.path.insert(0, str(ROOT))

#: Advice written per transaction while filling the source database.
CHUNK = 500


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def phase_floor() -> dict:
    """Import everything the other phases import, and nothing more."""
    from kb import backup, restore  # noqa: F401

    return {"peak_mb": peak_mb()}


def phase_make(url: str, size: int, seed: int, work: Path) -> dict:
    """Fill a new database with ``size`` advice of the corpus."""
    import logging

    from sqlmodel import select

    from app import create_app
    from bench.corpus import iter_corpus
    from kb.advice import save_advice
    from kb.db import session_scope
    from kb.models import AdviceStatus, Theme

    logging.disable(logging.INFO)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": work / "instance",
                      "INDEX_DIR": str(work / "index"), "LOAD_DEMO": False})
    started = time.perf_counter()
    with app.app_context():
        corpus = iter_corpus(size, seed)
        written = 0
        while written < size:
            with session_scope() as session:
                themes = {t.slug: t for t in session.exec(select(Theme)).all()}
                for _ in range(min(CHUNK, size - written)):
                    save_advice(session, None, next(corpus), status=AdviceStatus.PUBLISHED,
                                note="bench", themes=themes)
                    written += 1
    app.extensions["kb.engine"].dispose()
    return {"seconds": time.perf_counter() - started, "advice": written}


def phase_backup(url: str, file: Path) -> dict:
    from kb import backup

    started = time.perf_counter()
    report = backup.backup(url, file)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "rows": report.manifest.rows, "file_mb": report.size / 1e6}


def phase_restore(url: str, file: Path, work: Path) -> dict:
    from kb import restore

    started = time.perf_counter()
    report = restore.restore(url, file, work)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "rows": report.manifest.rows}


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def run_phase(*args: str) -> dict:
    """One phase in a fresh interpreter; its last line of output is the JSON result."""
    command = [sys.executable, "-m", "bench.backup_bench", "--phase", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(size: int, args: argparse.Namespace, work: Path) -> dict:
    folder = work / str(size)
    folder.mkdir()
    source = f"sqlite:///{folder / 'source.db'}"
    target = args.target_url or f"sqlite:///{folder / 'target.db'}"
    file = folder / "kb.kbbackup"
    if args.target_url:
        empty_postgres(args.target_url)
    result = {"size": size}
    result["make"] = run_phase("make", source, str(size), str(args.seed), str(folder))
    print(f"{size:,}: source made in {result['make']['seconds']:.0f} s", file=sys.stderr)
    result["backup"] = run_phase("backup", source, str(file))
    print(f"{size:,}: backup {result['backup']}", file=sys.stderr)
    result["restore"] = run_phase("restore", target, str(file), str(folder))
    print(f"{size:,}: restore {result['restore']}", file=sys.stderr)
    if args.target_url:
        result["backup_target"] = run_phase("backup", target, str(folder / "again.kbbackup"))
        print(f"{size:,}: backup of the target {result['backup_target']}", file=sys.stderr)
        empty_postgres(args.target_url)
    return result


def report(results: list[dict], floor: dict, command: str, target: str) -> str:
    lines = [f"- Command: `{command}`",
             f"- Restore target: {target}; a process that only imports the code peaks at "
             f"{floor['peak_mb']:.0f} MB.", "",
             "| advice | rows | file MB | backup s | backup peak RSS MB | restore s "
             "| restore peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b, s = r["backup"], r["restore"]
        lines.append(f"| {r['size']:,} | {b['rows']:,} | {b['file_mb']:.0f} | {b['seconds']:.1f} "
                     f"| {b['peak_mb']:.0f} | {s['seconds']:.1f} | {s['peak_mb']:.0f} |")
    again = [r for r in results if "backup_target" in r]
    if again:
        lines += ["", "Backup of the restored target:", "",
                  "| advice | backup s | backup peak RSS MB |", "|---:|---:|---:|"]
        lines += [f"| {r['size']:,} | {r['backup_target']['seconds']:.1f} "
                  f"| {r['backup_target']['peak_mb']:.0f} |" for r in again]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,50000", help="Comma-separated advice counts.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--target-url", help="An empty database to restore into (default: a "
                        "new SQLite file per size). It is emptied before and after each size.")
    parser.add_argument("--work", type=Path, help="Folder for the databases and backups "
                        "(default: a temporary folder, removed afterwards).")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, *rest = args.phase
        phases = {"floor": phase_floor,
                  "make": lambda url, n, seed, w: phase_make(url, int(n), int(seed), Path(w)),
                  "backup": lambda url, f: phase_backup(url, Path(f)),
                  "restore": lambda url, f, w: phase_restore(url, Path(f), Path(w))}
        print(json.dumps(phases[name](*rest)))
        return
    command = "python -m bench.backup_bench " + shlex.join(argv if argv is not None
                                                           else sys.argv[1:])
    with tempfile.TemporaryDirectory(dir=args.work, prefix="backup-bench-") as folder:
        floor = run_phase("floor")
        results = [measure(int(size), args, Path(folder)) for size in args.sizes.split(",")]
    target = "PostgreSQL (`--target-url`)" if args.target_url else "a new SQLite file"
    print(report(results, floor, command, target))


if __name__ == "__main__":
    main()
