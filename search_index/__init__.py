"""Search for ExpEx Kennisbank: Dutch analysis, the Whoosh index, and querying.

It knows nothing of Flask or of the database: it is given :class:`SearchDocument` objects (and
the themes' vocabulary as :class:`ThemeTerms`) and answers with :class:`Results` and
:class:`Hit`. The index is a projection of the database and can always be rebuilt from it.

Modules: ``analysis`` (Dutch terms), ``compounds``, ``synonyms``, ``spelling``, ``query``
(parsing user text), ``expand`` (Whoosh queries), ``searcher`` (running them), ``facets``,
``snippets``, ``schema``, ``indexer`` (writing), ``documents`` (the data going in and out).
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import BinaryIO

from search_index import indexer
from search_index.analysis import index_term, terms, words
from search_index.compounds import MIN_COMPOUND, MIN_PART, Decompounder
from search_index.documents import Hit, IndexedDocument, Results, SearchDocument, ThemeTerms
from search_index.indexer import Applied
from search_index.searcher import Engine, lexicon
from search_index.synonyms import Thesaurus

__all__ = ["Applied", "Hit", "Results", "SearchDocument", "SearchIndex", "ThemeTerms"]

log = logging.getLogger(__name__)

#: A rebuild of at least this many documents runs the Whoosh writer in PARALLEL_PROCS processes.
PARALLEL_MIN_DOCS = 2_000
PARALLEL_PROCS = min(2, os.cpu_count() or 1)


class SearchIndex:
    """The small interface the app uses: index, remove, search, rebuild."""

    def __init__(self, root: str | Path, themes: Iterable[ThemeTerms] = ()) -> None:
        self.root = Path(root)
        self._ix = None
        self._lock = threading.Lock()
        self._themes: tuple[ThemeTerms, ...] = tuple(themes)
        self._decompounder: Decompounder | None = None
        self._engine = Engine(Thesaurus.build(self._themes), self._get_decompounder)

    def set_themes(self, themes: Iterable[ThemeTerms]) -> None:
        """Give the themes' names and synonyms: query expansion and compound parts use them."""
        self._themes = tuple(themes)
        self._engine.thesaurus = Thesaurus.build(self._themes)
        with self._lock:
            if self._decompounder is not None:
                self._decompounder.add(self._theme_terms())
        self._engine.clear()

    def _theme_terms(self) -> set[str]:
        return terms(" ".join(f"{t.name} {' '.join(t.synonyms)}" for t in self._themes))

    def _get_decompounder(self) -> Decompounder | None:
        """The compound vocabulary: theme terms plus every term of the index (read once)."""
        with self._lock:
            if self._decompounder is None and self._ix is not None:
                with self._ix.searcher() as searcher:
                    vocabulary = lexicon(searcher.reader())
                self._decompounder = Decompounder(vocabulary | self._theme_terms())
            return self._decompounder

    def _prepare(self, docs: Iterable[SearchDocument],
                 decompounder: Decompounder | None = None) -> Iterable[IndexedDocument]:
        """Add each document's compound parts; a given ``decompounder`` already knows the
        documents' terms, otherwise the index's one learns them first."""
        learn = decompounder is None
        decompounder = decompounder or self._get_decompounder()
        for doc in docs:
            text = "\n".join((doc.title, doc.summary, doc.body))
            parts = ""
            if decompounder is not None:
                if learn:
                    decompounder.add(vocabulary(words(text, MIN_PART)))
                parts = decompounder.text_parts(words(text, MIN_COMPOUND))
            yield IndexedDocument(**{f.name: getattr(doc, f.name) for f in fields(doc)},
                                  parts=parts)

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
        ix = self._index()
        indexer.write(ix, self._prepare(docs))

    def remove(self, ids: Iterable[int]) -> None:
        """Remove documents by advice id."""
        indexer.write(self._index(), (), ids)

    def apply(self, upserts: Iterable[SearchDocument], deletes: Iterable[int],
              applied: Applied) -> None:
        """Write changes from the database's change log and record how far it got."""
        ix = self._index()
        indexer.write(ix, self._prepare(upserts), deletes, applied)

    def applied(self) -> Applied:
        """How far the live index has followed the change log."""
        live = indexer.current_generation(self.root)
        return indexer.read_applied(live) if live else Applied()

    def write_lock(self, blocking: bool = True):
        """Context manager: the one-writer-at-a-time lock shared by every process on this node."""
        return indexer.write_lock(self.root, blocking)

    def rebuild(self, docs: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None,
                applied: Applied | None = None) -> int:
        """Rebuild from scratch beside the live index and switch atomically; returns the
        document count.

        All documents are read first, because their words are the compound vocabulary of the
        new index; they wait in a temporary file meanwhile, not in memory (at 50,000 advice
        that is some 200 MB of text).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.root, prefix="rebuild-") as spool:
            found: set[str] = set()
            count = 0
            for doc in docs:  # word by word, never all text at once
                found |= words(f"{doc.title}\n{doc.summary}\n{doc.body}", MIN_PART)
                pickle.dump(doc, spool, pickle.HIGHEST_PROTOCOL)
                count += 1
            spool.seek(0)
            decompounder = Decompounder(self._theme_terms() | vocabulary(found))
            del found
            procs = PARALLEL_PROCS if count >= PARALLEL_MIN_DOCS else 1
            ix = indexer.rebuild(self.root, self._prepare(_unspool(spool, count), decompounder),
                                 progress, applied, procs)
        with self._lock:
            self._ix = ix
            self._decompounder = decompounder
        return count

    def stored_revisions(self) -> dict[int, int]:
        """Advice id → revision for every document, so the app can compare index and database."""
        with self._index().searcher() as searcher:
            return {int(fields["advice_id"]): int(fields.get("revision") or 0)
                    for fields in searcher.all_stored_fields()}

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance") -> Results:
        """Ranked, filtered, paginated results with facets, snippets and a spelling suggestion.

        Any text is safe: it gives results, no results, or ``Results.message`` (``"empty"``
        when there is nothing to search for, ``"partial"`` when no advice has every word).
        """
        return self._engine.search(self._index(), text, filters, page, page_size, sort)

    def clear_cache(self) -> None:
        """Forget cached results, postings and facet sets (they also go with each index change)."""
        self._engine.clear()

    def more_like_this(self, advice_id: int, limit: int = 5) -> list[Hit]:
        """"Lees ook": the advice most like this one (shared telling words and themes)."""
        return self._engine.more_like_this(self._index(), advice_id, limit)

    def doc_count(self) -> int:
        """How many documents the live index holds."""
        return self._index().doc_count()


def _unspool(spool: BinaryIO, count: int) -> Iterator[SearchDocument]:
    """The documents :meth:`SearchIndex.rebuild` wrote to its temporary file, in order."""
    for _ in range(count):
        yield pickle.load(spool)


def vocabulary(found_words: Iterable[str]) -> set[str]:
    """The index terms of words (long enough to be a compound's part)."""
    return {term for term in map(index_term, found_words) if term}
