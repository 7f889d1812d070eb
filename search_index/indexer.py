"""Writing the index: add, replace and remove documents, and rebuild it whole.

The index folder holds generations (``gen-<n>/``) and a ``CURRENT`` file naming the live one. A
rebuild writes a new generation beside the live one and switches ``CURRENT`` atomically, so a
search never sees half an index, and a crash mid-rebuild leaves the old generation live.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search_index.documents import SearchDocument
from search_index.schema import SCHEMA_VERSION, build_schema

CURRENT_FILE = "CURRENT"
WRITER_TIMEOUT = 30.0


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
    """The Whoosh fields of one document."""
    published = doc.published
    return {
        "id": str(doc.id),
        "advice_id": doc.id,
        "slug": doc.slug,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "themes": ",".join(doc.themes),
        "audience": ",".join(doc.audience),
        "region": doc.region or "",
        "year": str(published.year) if published else "",
        "published": datetime(published.year, published.month, published.day)
        if published else None,
    }


def write(ix: Index, upserts: Iterable[SearchDocument], deletes: Iterable[int] = ()) -> None:
    """Replace and delete documents in one commit; cancel the writer on failure to free the lock."""
    writer = ix.writer(timeout=WRITER_TIMEOUT)
    try:
        for advice_id in deletes:
            writer.delete_by_term("id", str(advice_id))
        for doc in upserts:
            writer.update_document(**{k: v for k, v in to_fields(doc).items() if v is not None})
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def rebuild(root: Path, docs: Iterable[SearchDocument],
            progress: Callable[[int], None] | None = None) -> Index:
    """Build a new generation from ``docs`` and make it live; older generations are removed."""
    root.mkdir(parents=True, exist_ok=True)
    live = current_generation(root)
    number = int(live.name.split("-", 1)[1]) + 1 if live else 1
    folder = root / f"gen-{number}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer(limitmb=128)
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
