"""Writing the index: add, replace and remove documents, and rebuild it whole.

The index folder holds generations (``gen-<n>/``) and a ``CURRENT`` file naming the live one. A
rebuild writes a new generation beside the live one and switches ``CURRENT`` atomically, so a
search never sees half an index, and a crash mid-rebuild leaves the old generation live.

Each generation also records in ``APPLIED`` how far it has followed the database's change log
(see :class:`Applied`). One process at a time writes: :func:`write_lock` is an advisory file lock
that spans reading that mark, writing documents and recording the new mark; a writer that dies
never leaves it stuck (:mod:`search_index.locking`, :mod:`search_index.workers`).

Every commit records checksums of the generation's files (:mod:`search_index.integrity`), and
:func:`open_index` refuses a generation whose files are damaged, so the app rebuilds it. A
generation that is not live (a rebuild killed half-way) is removed by
:func:`remove_partial_generations`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import TOC, Index

from search_index import integrity
from search_index.documents import SearchDocument
from search_index.locking import LOCK_FILE, write_lock
from search_index.schema import CODEC, SCHEMA_VERSION, build_schema
from search_index.workers import ParallelWriter

log = logging.getLogger(__name__)

__all__ = ["LOCK_FILE", "IndexUnavailable", "open_index", "rebuild", "write", "write_lock"]

CURRENT_FILE = "CURRENT"
APPLIED_FILE = "APPLIED"
WRITER_TIMEOUT = 30.0
#: What a failed write's ``OSError`` says when the index cannot be written at all (as opposed to
#: a damaged file): a read-only folder or file system, a full disk or quota, a file size limit.
UNWRITABLE = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES,
                        errno.EPERM})
#: How the reason of :func:`open_index` starts when files fail their checksums.
DAMAGED = "index files are damaged"
# Segments are written as separate files, never as one compound file: Whoosh reads a compound
# file's parts through a BytesIO copy, which kept every segment's stored text (the whole corpus)
# in each process's memory; separate files are read from the OS page cache instead.
#: Memory a rebuild's writer gives its posting pool before it spills a sorted run to disk; in a
#: parallel rebuild, each worker process's (Whoosh's estimate: real use is about twice that).
WRITER_MB = 128
WORKER_MB = 48


@dataclass(frozen=True)
class Applied:
    """How far an index generation has followed the database's change log, and which database.

    The index does not know what a change log is: the app gives it these numbers with each
    write and reads them back (``kb.indexing`` explains them in full).

    ``database_id``: the database this generation was built from; an app on another database
    never writes to it. ``horizon``: every change below it is in the index. On PostgreSQL a
    change's position is the id of the transaction that wrote it and the horizon is the oldest
    transaction that was still running when the log was read; on SQLite the position is the
    change's own id. ``seen``: ids of changes at or above the horizon that are in the index too
    (committed while an older transaction still ran); their count and highest id let a reader
    tell with one small query whether the database holds anything new.
    """

    database_id: str | None = None
    horizon: int = 0
    seen: tuple[int, ...] = ()


class IndexUnavailable(RuntimeError):
    """This node's index cannot answer or be written now; the app answers searches with 503.

    ``kind``: ``"missing"`` (no usable index: none yet, unreadable, an older schema), ``"damaged"``
    (its files fail their checksums; a rebuild repairs it) or ``"unwritable"`` (a read-only
    folder, a full disk: writes are retried and succeed once the cause is gone).
    """

    def __init__(self, reason: str, kind: str = "missing") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def read_applied(folder: Path) -> Applied:
    """The change-log position of one generation.

    A generation without one, or with one written by an older version (a mark instead of a
    horizon, no database id), reads as ``Applied()``: it belongs to no known database, so the
    app rebuilds it rather than guess how far it got.
    """
    try:
        data = json.loads((folder / APPLIED_FILE).read_text())
        applied = Applied(**data)
        return replace(applied, seen=tuple(int(i) for i in applied.seen),
                       horizon=int(applied.horizon))
    except (OSError, ValueError, TypeError):
        return Applied()


def write_applied(folder: Path, applied: Applied) -> None:
    """Record the change-log position atomically (write beside, then rename)."""
    tmp = folder / f"{APPLIED_FILE}.tmp"
    tmp.write_text(json.dumps(asdict(applied)))
    os.replace(tmp, folder / APPLIED_FILE)


def current_generation(root: Path) -> Path | None:
    """The live generation's folder, or None when there is no usable index."""
    try:
        name = (root / CURRENT_FILE).read_text().strip()
    except OSError:
        return None
    folder = root / name
    return folder if name.startswith("gen-") and folder.is_dir() else None


def open_index(root: Path) -> tuple[Index | None, str | None]:
    """Open the live index; on failure return ``(None, reason)`` so the caller can rebuild.

    The files the index uses are checked against their checksums first (a damaged file would
    make every search fail); damage is logged here, with the files' names.
    """
    folder = current_generation(root)
    if folder is None:
        return None, "no index yet"
    problems: list[str] = []
    for _attempt in range(3):
        try:
            ix = whoosh_index.open_dir(str(folder))
            toc = ix._read_toc()  # its table of contents names the files in use
        except Exception as exc:  # a corrupt index can raise almost anything
            return None, f"index cannot be opened ({exc.__class__.__name__}: {exc})"
        if (ix.schema.names() != build_schema().names()
                or _stored_version(folder) != SCHEMA_VERSION):
            ix.close()
            return None, "index has an older schema"
        problems = integrity.verify(folder, files_in_use(folder, ix.indexname, toc))
        if not problems:
            return ix, None
        ix.close()
        # Another process may have committed (and removed merged files) while this one read:
        # then the damage may be no more than that, so look again at the new state.
        if TOC._latest_generation(ix.storage, ix.indexname) == toc.generation:
            break
    log.error("The search index %s is damaged: %s.", folder, "; ".join(problems))
    return None, f"{DAMAGED}: " + "; ".join(problems[:3]) + (
        f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")


def verify(ix: Index) -> list[str]:
    """Check the files an open index uses against their checksums; what is wrong, if anything."""
    folder = Path(ix.storage.folder)
    toc = ix._read_toc()
    return integrity.verify(folder, files_in_use(folder, ix.indexname, toc))


def files_in_use(folder: Path, indexname: str, toc: TOC) -> list[str]:
    """The files of a generation that a table of contents uses: itself, its segments' files and
    ``SCHEMA_VERSION``; not files of segments merged away or of a commit that did not finish."""
    segments = {segment.segment_id() for segment in toc.segments}
    pattern = TOC._segment_pattern(indexname)
    names = [TOC._filename(indexname, toc.generation), "SCHEMA_VERSION"]
    with os.scandir(folder) as entries:
        for entry in entries:
            found = pattern.match(entry.name)
            if found and found.group(1) in segments:
                names.append(entry.name)
    return names


def _stored_version(folder: Path) -> int | None:
    try:
        return int((folder / "SCHEMA_VERSION").read_text())
    except (OSError, ValueError):
        return None


def to_fields(doc: SearchDocument) -> dict:
    """The Whoosh fields of one document (``parts`` comes from an ``IndexedDocument``)."""
    published = doc.published
    return {
        "id": str(doc.id),
        "advice_id": doc.id,
        "slug": doc.slug,
        "revision": doc.revision,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "parts": getattr(doc, "parts", "") or None,
        "themes": ",".join(doc.themes),
        "audience": ",".join(doc.audience),
        "region": ",".join(r for r in (doc.region, *doc.regions_within) if r),
        "year": str(published.year) if published else "",
        "published": datetime(published.year, published.month, published.day)
        if published else None,
        "related": getattr(doc, "related", "") or None,
    }


def write(ix: Index, upserts: Iterable[SearchDocument], deletes: Iterable[int] = (),
          applied: Applied | None = None, optimize: bool = False) -> None:
    """Replace and delete documents in one commit; cancel the writer on failure to free the lock.

    Writing is idempotent (delete or replace by id), so recording ``applied`` just after the
    commit is safe: a crash in between only means those changes are applied once more. The new
    files' checksums are recorded after the commit too; a crash before that leaves them unjudged
    until the next commit records them.
    """
    writer = ix.writer(timeout=WRITER_TIMEOUT, compound=False, codec=CODEC)
    try:
        for advice_id in deletes:
            writer.delete_by_term("id", str(advice_id))
        for doc in upserts:
            writer.update_document(**{k: v for k, v in to_fields(doc).items() if v is not None})
        writer.commit(optimize=optimize)
    except BaseException:
        _abandon(writer)
        raise
    folder = Path(ix.storage.folder)
    integrity.record(folder)
    if applied is not None:
        write_applied(folder, applied)


def _abandon(writer) -> None:
    """Cancel a writer that failed, even half-way through its commit (a full disk), so that
    Whoosh's own lock on the generation is released and the next write does not wait for it."""
    if getattr(writer, "is_closed", False):
        return
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - a half-committed writer may fail to cancel cleanly
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            with contextlib.suppress(Exception):
                lock.release()


def rebuild(root: Path, docs: Iterable[SearchDocument],
            progress: Callable[[int], None] | None = None,
            applied: Applied | None = None, procs: int = 1) -> Index:
    """Build a new generation from ``docs`` and make it live; older generations are removed.

    The caller holds :func:`write_lock`, so two processes never build the same generation.
    With ``procs`` > 1, Whoosh's multiprocessing writer indexes batches of documents in that
    many worker processes, each writing a segment of its own (no merge at the end); they die
    with this process (:mod:`search_index.workers`). On any failure the new generation is
    removed and the live one stays; a generation left by a process killed half-way is removed
    first.
    """
    root.mkdir(parents=True, exist_ok=True)
    remove_partial_generations(root)
    live = current_generation(root)
    number = int(live.name.split("-", 1)[1]) + 1 if live else 1
    folder = root / f"gen-{number}"
    folder.mkdir()
    ix = None
    writer = None
    try:
        ix = whoosh_index.create_in(str(folder), build_schema())
        writer = (ParallelWriter(ix, procs=procs, limitmb=WORKER_MB, compound=False, codec=CODEC)
                  if procs > 1 else ix.writer(limitmb=WRITER_MB, compound=False, codec=CODEC))
        for count, doc in enumerate(docs, start=1):
            writer.add_document(**{k: v for k, v in to_fields(doc).items() if v is not None})
            if progress:
                progress(count)
        writer.commit()
        (folder / "SCHEMA_VERSION").write_text(str(SCHEMA_VERSION))
        write_applied(folder, applied or Applied())
        integrity.record(folder)
        tmp = root / f"{CURRENT_FILE}.tmp"
        tmp.write_text(folder.name)
        os.replace(tmp, root / CURRENT_FILE)
    except BaseException:
        if writer is not None:
            _abandon(writer)
        if ix is not None:
            ix.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_old_generations(root, keep=folder.name)
    return ix


def remove_partial_generations(root: Path) -> list[tuple[str, int]]:
    """Remove every generation but the live one (the caller holds the write lock): a rebuild
    killed half-way leaves one, and at 10,000 advice it is some 150 MB. Returns each removed
    generation's name and size in bytes; what cannot be removed now is tried again next time.
    """
    live = current_generation(root)
    removed = []
    for folder in sorted(root.glob("gen-*")):
        if live is not None and folder.name == live.name or not folder.is_dir():
            continue
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        try:
            shutil.rmtree(folder)
        except OSError as error:
            log.warning("Could not remove the unfinished index generation %s (%s).", folder,
                        error.strerror or error)
            continue
        log.warning("Removed %s (%.0f MB), an index generation that a rebuild did not finish "
                    "(the process was killed, or it failed).", folder, size / 1e6)
        removed.append((folder.name, size))
    return removed


def _remove_old_generations(root: Path, keep: str) -> None:
    # A reader in another process may still have an old generation open; on POSIX its open
    # files stay readable after removal, and it reopens CURRENT on its next search.
    for folder in root.glob("gen-*"):
        if folder.name != keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
