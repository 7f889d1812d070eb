"""Search for ExpEx Kennisbank: Dutch analysis, the Whoosh index, and querying.

It knows nothing of Flask or of the database: it is given :class:`SearchDocument` objects and
answers with :class:`Results`. The index is a projection of the database and can always be
rebuilt from it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from search_index import indexer
from search_index.documents import Hit, Results, SearchDocument
from search_index.indexer import Applied
from search_index.searcher import run_search

__all__ = ["Applied", "Hit", "Results", "SearchDocument", "SearchIndex"]

log = logging.getLogger(__name__)


class SearchIndex:
    """The small interface the app uses: index, remove, search, rebuild."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._ix = None
        self._lock = threading.Lock()

    def open(self) -> str | None:
        """Open the live index; returns why it needs a rebuild, or None when it is usable."""
        ix, reason = indexer.open_index(self.root)
        with self._lock:
            self._ix = ix
        return reason

    def _index(self):
        # Another process may have switched generations: follow CURRENT.
        live = indexer.current_generation(self.root)
        with self._lock:
            ix = self._ix
            if ix is None or live is None or Path(ix.storage.folder) != live:
                ix, reason = indexer.open_index(self.root)
                if ix is None:
                    raise RuntimeError(f"search index unusable: {reason}")
                self._ix = ix
            return ix

    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace documents."""
        indexer.write(self._index(), docs)

    def remove(self, ids: Iterable[int]) -> None:
        """Remove documents by advice id."""
        indexer.write(self._index(), (), ids)

    def apply(self, upserts: Iterable[SearchDocument], deletes: Iterable[int],
              applied: Applied) -> None:
        """Write changes from the database's change log and record how far it got."""
        indexer.write(self._index(), upserts, deletes, applied)

    def applied(self) -> Applied:
        """How far the live index has followed the change log."""
        live = indexer.current_generation(self.root)
        return indexer.read_applied(live) if live else Applied()

    def write_lock(self, blocking: bool = True):
        """Context manager: the one-writer-at-a-time lock shared by every process on this node."""
        return indexer.write_lock(self.root, blocking)

    def rebuild(self, docs: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None,
                applied: Applied | None = None) -> None:
        """Rebuild from scratch beside the live index and switch atomically."""
        ix = indexer.rebuild(self.root, docs, progress, applied)
        with self._lock:
            self._ix = ix

    def stored_revisions(self) -> dict[int, int]:
        """Advice id → revision for every document, so the app can compare index and database."""
        with self._index().searcher() as searcher:
            return {int(fields["advice_id"]): int(fields.get("revision") or 0)
                    for fields in searcher.all_stored_fields()}

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance") -> Results:
        """Ranked, filtered, paginated results with facets and snippets."""
        return run_search(self._index(), text, filters, page, page_size, sort)

    def doc_count(self) -> int:
        """How many documents the live index holds."""
        return self._index().doc_count()
