"""Writing the index: add, replace and remove documents, and rebuild it whole.

The index folder holds generations (``gen-<n>/``) and a ``CURRENT`` file naming the live one. A
rebuild writes a new generation beside the live one and switches ``CURRENT`` atomically, so a
search never sees half an index, and a crash mid-rebuild leaves the old generation live.

Each generation also records in ``APPLIED`` how far it has followed the database's change log
(see :class:`Applied`). One process at a time writes: :func:`write_lock` is an advisory file lock
that spans reading that mark, writing documents and recording the new mark.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search_index.documents import SearchDocument
from search_index.schema import CODEC, SCHEMA_VERSION, build_schema

CURRENT_FILE = "CURRENT"
APPLIED_FILE = "APPLIED"
LOCK_FILE = "write.lock"
WRITER_TIMEOUT = 30.0
# Segments are written as separate files, never as one compound file: Whoosh reads a compound
# file's parts through a BytesIO copy, which kept every segment's stored text (the whole corpus)
# in each process's memory; separate files are read from the OS page cache instead.
#: Memory a rebuild's writer gives its posting pool before it spills a sorted run to disk; in a
#: parallel rebuild, each worker process's (Whoosh's estimate: real use is about twice that).
WRITER_MB = 128
WORKER_MB = 48


@dataclass(frozen=True)
class Applied:
    """How far an index generation has followed the change log.

    ``mark``: every change with an id up to here is in the index. ``pending_count`` and
    ``pending_max`` describe the changes above the mark that were also applied (they sit behind a
    gap that may still be filled by a transaction committing late); a reader compares them with
    the database to know, with one cheap query, whether anything is new.
    """

    mark: int = 0
    pending_count: int = 0
    pending_max: int | None = None


@contextlib.contextmanager
def write_lock(root: Path, blocking: bool) -> Iterator[bool]:
    """Hold the index's write lock; yields False at once when not blocking and it is taken."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as handle:
        flags = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_applied(folder: Path) -> Applied:
    """The change-log position of one generation; a generation without one starts at zero."""
    try:
        return Applied(**json.loads((folder / APPLIED_FILE).read_text()))
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
    """Open the live index; on failure return ``(None, reason)`` so the caller can rebuild."""
    folder = current_generation(root)
    if folder is None:
        return None, "no index yet"
    try:
        ix = whoosh_index.open_dir(str(folder))
    except Exception as exc:  # a corrupt index can raise almost anything
        return None, f"index cannot be opened ({exc.__class__.__name__})"
    if ix.schema.names() != build_schema().names() or _stored_version(folder) != SCHEMA_VERSION:
        ix.close()
        return None, "index has an older schema"
    return ix, None


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
        "region": doc.region or "",
        "year": str(published.year) if published else "",
        "published": datetime(published.year, published.month, published.day)
        if published else None,
    }


def write(ix: Index, upserts: Iterable[SearchDocument], deletes: Iterable[int] = (),
          applied: Applied | None = None) -> None:
    """Replace and delete documents in one commit; cancel the writer on failure to free the lock.

    Writing is idempotent (delete or replace by id), so recording ``applied`` just after the
    commit is safe: a crash in between only means those changes are applied once more.
    """
    writer = ix.writer(timeout=WRITER_TIMEOUT, compound=False, codec=CODEC)
    try:
        for advice_id in deletes:
            writer.delete_by_term("id", str(advice_id))
        for doc in upserts:
            writer.update_document(**{k: v for k, v in to_fields(doc).items() if v is not None})
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if applied is not None:
        write_applied(Path(ix.storage.folder), applied)


def rebuild(root: Path, docs: Iterable[SearchDocument],
            progress: Callable[[int], None] | None = None,
            applied: Applied | None = None, procs: int = 1) -> Index:
    """Build a new generation from ``docs`` and make it live; older generations are removed.

    The caller holds :func:`write_lock`, so two processes never build the same generation.
    With ``procs`` > 1, Whoosh's multiprocessing writer indexes batches of documents in that
    many worker processes, each writing a segment of its own (no merge at the end).
    """
    root.mkdir(parents=True, exist_ok=True)
    live = current_generation(root)
    number = int(live.name.split("-", 1)[1]) + 1 if live else 1
    folder = root / f"gen-{number}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = (ix.writer(limitmb=WORKER_MB, procs=procs, multisegment=True, compound=False,
                        codec=CODEC)
              if procs > 1 else ix.writer(limitmb=WRITER_MB, compound=False, codec=CODEC))
    try:
        for count, doc in enumerate(docs, start=1):
            writer.add_document(**{k: v for k, v in to_fields(doc).items() if v is not None})
            if progress:
                progress(count)
    except BaseException:
        writer.cancel()
        ix.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    writer.commit()
    (folder / "SCHEMA_VERSION").write_text(str(SCHEMA_VERSION))
    write_applied(folder, applied or Applied())
    tmp = root / f"{CURRENT_FILE}.tmp"
    tmp.write_text(folder.name)
    os.replace(tmp, root / CURRENT_FILE)
    _remove_old_generations(root, keep=folder.name)
    return ix


def _remove_old_generations(root: Path, keep: str) -> None:
    # A reader in another process may still have an old generation open; on POSIX its open
    # files stay readable after removal, and it reopens CURRENT on its next search.
    for folder in root.glob("gen-*"):
        if folder.name != keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
