"""Search for ExpEx Kennisbank: Dutch analysis, the Whoosh index, and querying.

It knows nothing of Flask or of the database: it is given :class:`SearchDocument` objects (and
the themes' vocabulary as :class:`ThemeTerms`) and answers with :class:`Results` and
:class:`Hit`. The index is a projection of the database and can always be rebuilt from it.

Modules: ``analysis`` (Dutch terms), ``compounds``, ``synonyms``, ``spelling``, ``query``
(parsing user text), ``expand`` (Whoosh queries), ``searcher`` (running them), ``facets``,
``snippets``, ``schema``, ``indexer`` (writing), ``documents`` (the data going in and out).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import BinaryIO, TypeVar

from whoosh.index import Index

from search_index import indexer, locking
from search_index.analysis import index_term, terms, words
from search_index.compounds import MIN_COMPOUND, MIN_PART, Decompounder
from search_index.documents import (
    Hit,
    IndexedDocument,
    Results,
    SearchDocument,
    ThemeTerms,
    Vocabulary,
)
from search_index.indexer import Applied, IndexUnavailable
from search_index.searcher import Engine, lexicon
from search_index.synonyms import EQUIVALENTS, Thesaurus
from search_index.workers import WriterDied

__all__ = ["Applied", "Hit", "IndexUnavailable", "Results", "SearchDocument", "SearchIndex",
           "ThemeTerms", "Vocabulary", "WriterDied"]

T = TypeVar("T")

log = logging.getLogger(__name__)

#: A rebuild of at least this many documents runs the Whoosh writer in PARALLEL_PROCS processes.
PARALLEL_MIN_DOCS = 2_000
PARALLEL_PROCS = min(2, os.cpu_count() or 1)


class SearchIndex:
    """The small interface the app uses: index, remove, search, rebuild.

    When the index cannot serve (none yet, damaged files) or cannot be written (a read-only
    folder, a full disk), its methods raise :class:`IndexUnavailable` instead of whatever Whoosh
    or the operating system raised, so the app can answer 503 and repair or retry.
    """

    def __init__(self, root: str | Path, themes: Iterable[ThemeTerms] = (),
                 vocabulary: Vocabulary | None = None) -> None:
        self.root = Path(root)
        self._ix = None
        self._lock = threading.Lock()
        #: (generation folder name, reason, kind) of a live generation that failed to open or
        #: was found damaged: refused at once until another generation is live.
        self._broken: tuple[str, str, str] | None = None
        #: Why the last write failed, until a write succeeds (so it is logged once).
        self._write_failure: str | None = None
        self._themes: tuple[ThemeTerms, ...] = tuple(themes)
        self._vocabulary = vocabulary or Vocabulary()
        self._decompounder: Decompounder | None = None
        self._engine = Engine(self._thesaurus(), self._get_decompounder)

    def _thesaurus(self) -> Thesaurus:
        return Thesaurus.build(self._themes, (*EQUIVALENTS, *self._vocabulary.equal),
                               self._vocabulary.english)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Give the editors' synonyms, abbreviations and English terms (query expansion only:
        no rebuild is needed)."""
        self._vocabulary = vocabulary
        self._engine.thesaurus = self._thesaurus()
        self._engine.clear()

    def set_themes(self, themes: Iterable[ThemeTerms]) -> None:
        """Give the themes' names and synonyms: query expansion and compound parts use them."""
        self._themes = tuple(themes)
        self._engine.thesaurus = self._thesaurus()
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
                 decompounder: Decompounder | None = None,
                 related: Callable[[SearchDocument], str] | None = None,
                 ) -> Iterable[IndexedDocument]:
        """Add each document's compound parts (and, with ``related``, its "Lees ook"); a given
        ``decompounder`` already knows the documents' terms, otherwise the index's one learns
        them first."""
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
                                  parts=parts, related=related(doc) if related else "")

    def _related_when_written(self, ix: Index) -> Callable[[SearchDocument], str]:
        """"Lees ook" of a document about to be written, against the index as it is. A failure
        never stops the write: the document then has no list, and a view computes it."""

        def related(doc: SearchDocument) -> str:
            try:
                return self._engine.related_when_written(ix, doc)
            except Exception:  # noqa: BLE001 - the change must reach the index regardless
                log.exception("Lees ook could not be computed for advice %s", doc.id)
                return ""

        return related

    def open(self) -> str | None:
        """Open the live index; returns why it needs a rebuild, or None when it is usable.

        First removes what a rebuild killed half-way left behind, unless another process is
        writing (it may be that rebuild, alive). Opening checks the files' checksums.
        """
        self._remove_partial_generations()
        live = indexer.current_generation(self.root)
        ix, reason = indexer.open_index(self.root)
        with self._lock:
            self._ix = ix
            self._broken = _broken(live, reason) if ix is None else None
        return reason

    def _remove_partial_generations(self) -> None:
        try:
            with self.write_lock(blocking=False) as acquired:
                if acquired:
                    indexer.remove_partial_generations(self.root)
        except IndexUnavailable:
            pass  # a read-only folder: nothing to remove, nothing can grow there either

    def _index(self) -> Index:
        # Another process may have switched generations: follow CURRENT.
        live = indexer.current_generation(self.root)
        with self._lock:
            ix = self._ix
            if ix is not None and live is not None and Path(ix.storage.folder) == live:
                return ix
            if live is not None and self._broken is not None and self._broken[0] == live.name:
                raise IndexUnavailable(*self._broken[1:])  # known bad: no second look per search
            ix, reason = indexer.open_index(self.root)
            if ix is None:
                self._broken = _broken(live, reason)
                raise IndexUnavailable(f"search index unusable: {reason}",
                                       _kind(reason))
            self._ix, self._broken = ix, None
            return ix

    def _read(self, ix: Index, read: Callable[[], T]) -> T:
        """Run ``read`` on ``ix``; when it fails, check the files, so that damage found while
        serving gives :class:`IndexUnavailable` (and a rebuild) instead of an error per search."""
        try:
            return read()
        except IndexUnavailable:
            raise
        except Exception as error:
            try:
                problems = indexer.verify(ix)
            except Exception as unreadable:  # noqa: BLE001 - even the contents are unreadable
                problems = [f"the table of contents cannot be read ({unreadable})"]
            if not problems:
                raise
            reason = f"{indexer.DAMAGED}: " + "; ".join(problems[:3])
            log.error("The search index %s is damaged: %s.", ix.storage.folder,
                      "; ".join(problems))
            with self._lock:
                self._broken = (Path(ix.storage.folder).name, reason, "damaged")
                if self._ix is ix:
                    self._ix = None
            self._engine.clear()
            raise IndexUnavailable(reason, "damaged") from error

    @property
    def write_failure(self) -> str | None:
        """Why the last write of this process failed (read-only, full disk), until one succeeds."""
        return self._write_failure

    def _unwritable(self, error: OSError) -> IndexUnavailable:
        reason = f"the search index cannot be written ({error.strerror or error}" + (
            f": {error.filename})" if error.filename else ")")
        with self._lock:
            first, self._write_failure = self._write_failure is None, reason
        # Once, not per request: every search of a node that is behind tries again.
        (log.warning if first else log.debug)(
            "%s. Search answers 503 while the index is behind the database; the changes are "
            "applied as soon as it can be written again.", reason[0].upper() + reason[1:])
        return IndexUnavailable(reason, "unwritable")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn a read-only folder or a full disk into :class:`IndexUnavailable`."""
        try:
            yield
        except OSError as error:
            if error.errno not in indexer.UNWRITABLE:
                raise
            raise self._unwritable(error) from error
        if self._write_failure is not None:
            with self._lock:
                self._write_failure = None
            log.warning("The search index in %s can be written again.", self.root)

    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace documents."""
        with self._writing():
            ix = self._index()
            indexer.write(ix, self._prepare(docs, related=self._related_when_written(ix)))

    def remove(self, ids: Iterable[int]) -> None:
        """Remove documents by advice id."""
        with self._writing():
            indexer.write(self._index(), (), ids)

    def apply(self, upserts: Iterable[SearchDocument], deletes: Iterable[int],
              applied: Applied, purge: bool = False) -> None:
        """Write changes from the database's change log and record how far it got.

        ``purge`` merges every segment: a replaced or deleted document otherwise stays in its
        old segment's files (its words in the term list) until a merge happens to reach it.
        """
        with self._writing():
            ix = self._index()
            indexer.write(ix, self._prepare(upserts, related=self._related_when_written(ix)),
                          deletes, applied, optimize=purge)

    def applied(self) -> Applied:
        """How far the live index has followed the change log."""
        live = indexer.current_generation(self.root)
        return indexer.read_applied(live) if live else Applied()

    @contextlib.contextmanager
    def write_lock(self, blocking: bool = True) -> Iterator[bool]:
        """The one-writer-at-a-time lock shared by every process on this node; yields whether
        it was taken (always, when ``blocking``). A waiter logs who holds it, and a lock left
        by a dead writer is broken (:mod:`search_index.locking`); a lock that cannot even be
        created (read-only folder) raises :class:`IndexUnavailable`."""
        try:
            fd = locking.acquire(self.root, blocking)
        except OSError as error:
            raise self._unwritable(error) from error
        if fd is None:
            yield False
            return
        try:
            yield True
        finally:
            locking.release(fd)

    def rebuild(self, docs: Iterable[SearchDocument],
                progress: Callable[[int], None] | None = None,
                applied: Applied | None = None) -> int:
        """Rebuild from scratch beside the live index and switch atomically; returns the
        document count.

        All documents are read first, because their words are the compound vocabulary of the
        new index; they wait in a temporary file meanwhile, not in memory (at 50,000 advice
        that is some 200 MB of text).
        """
        with self._writing(), tempfile.TemporaryFile(dir=self._made_root(),
                                                     prefix="rebuild-") as spool:
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
            self._broken = None
            self._decompounder = decompounder
        return count

    def _made_root(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def verify(self) -> list[str]:
        """What is wrong with the live index (none yet, unreadable, damaged files); empty when
        it is sound. Reads every file it uses, so it is for ``kb check``, not per request."""
        ix, reason = indexer.open_index(self.root)
        return [reason] if ix is None else []

    def stored_revisions(self) -> dict[int, int]:
        """Advice id → revision for every document, so the app can compare index and database."""
        ix = self._index()

        def read() -> dict[int, int]:
            with ix.searcher() as searcher:
                return {int(fields["advice_id"]): int(fields.get("revision") or 0)
                        for fields in searcher.all_stored_fields()}

        return self._read(ix, read)

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1,
               page_size: int = 10, sort: str = "relevance") -> Results:
        """Ranked, filtered, paginated results with facets, snippets and a spelling suggestion.

        Any text is safe: it gives results, no results, or ``Results.message`` (``"browse"``
        when there are no words: every advice the filters allow, newest first; ``"partial"``
        when no advice has every word). A filter value may be a list (any of them).
        """
        ix = self._index()
        return self._read(ix, lambda: self._engine.search(ix, text, filters, page, page_size,
                                                          sort))

    def clear_cache(self) -> None:
        """Forget cached results, postings and facet sets (they also go with each index change)."""
        self._engine.clear()

    def more_like_this(self, advice_id: int, limit: int = 5) -> list[Hit]:
        """"Lees ook": the advice most like this one (shared telling words and themes)."""
        ix = self._index()
        return self._read(ix, lambda: self._engine.more_like_this(ix, advice_id, limit))

    def doc_count(self) -> int:
        """How many documents the live index holds."""
        ix = self._index()
        return self._read(ix, ix.doc_count)


def _kind(reason: str | None) -> str:
    return "damaged" if reason and reason.startswith(indexer.DAMAGED) else "missing"


def _broken(live: Path | None, reason: str | None) -> tuple[str, str, str] | None:
    """What :attr:`SearchIndex._broken` remembers of a live generation that did not open."""
    if live is None or reason is None:
        return None
    return live.name, f"search index unusable: {reason}", _kind(reason)


def _unspool(spool: BinaryIO, count: int) -> Iterator[SearchDocument]:
    """The documents :meth:`SearchIndex.rebuild` wrote to its temporary file, in order."""
    for _ in range(count):
        yield pickle.load(spool)


def vocabulary(found_words: Iterable[str]) -> set[str]:
    """The index terms of words (long enough to be a compound's part)."""
    return {term for term in map(index_term, found_words) if term}
