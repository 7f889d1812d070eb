"""What is read from one index segment, kept across index generations.

A publish or an edit commits a new small segment (and marks the old version deleted in its
segment); the big segments stay as they were. Caches kept per *generation* (facet sets, BM25
scores) start empty after every such commit, so the first queries after a publish re-read
postings from disk that had not changed: the first query after a publish at 10,000 advice
rebuilt every facet set. This cache keeps, per segment, each term's postings (as compact arrays)
and each facet field's per-value document sets, keyed by the segment's id and its number of
deleted documents (a segment's deletions only grow, so the pair names its exact contents). A new
generation then reads only its new segment; the per-generation caches are rebuilt from these in
memory. Like :class:`~search_index.searcher.SegmentTerms` for the typo vocabulary.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict

from whoosh.reading import IndexReader

from search_index.scoring import read_postings

#: Postings kept over all segments, counted in documents (an array entry is 8 + 8 bytes).
BUDGET = 2_000_000


def segment_key(sub) -> tuple | None:
    """The identity of a leaf reader's contents: (segment id, deleted documents), or None when
    it is not a segment of a stored index (then nothing is kept)."""
    segment = sub.segment() if hasattr(sub, "segment") else None
    if segment is None:
        return None
    deleted = segment.deleted_count() if hasattr(segment, "deleted_count") else (
        len(sub.deleted_docs_set) if sub.has_deletions() else 0)
    return segment.segment_id(), deleted


class SegmentCache:
    """Per-segment postings and facet sets, least recently used first out, within a budget."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def _get(self, key: tuple):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def _put(self, key: tuple, value, size: int) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._size += size
            while self._size > self.budget and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped

    def postings(self, reader: IndexReader, fieldname: str, text: str) -> tuple[list[int], list]:
        """Document numbers and term frequencies of one term over every segment, as
        :func:`~search_index.scoring.read_postings` gives them (without positions)."""
        ids: list[int] = []
        weights: list = []
        for sub, offset in reader.leaf_readers():
            key = segment_key(sub)
            found = None if key is None else self._get(("p", key, fieldname, text))
            if found is None:
                part_ids, part_weights, _ = read_postings(sub, fieldname, text)
                found = (array("q", part_ids), array("d", part_weights))
                if key is not None:
                    self._put(("p", key, fieldname, text), found, len(part_ids) + 1)
            part_ids, part_weights = found
            ids.extend(map(offset.__add__, part_ids) if offset else part_ids)
            weights.extend(part_weights)
        return ids, weights

    def facet_values(self, sub, fieldname: str) -> dict[str, tuple[frozenset[int], int]]:
        """One segment's documents per value of a facet field, in its own document numbers,
        as a set and as the bits of an int (see :class:`~search_index.facets.FacetSets`)."""
        key = segment_key(sub)
        found = None if key is None else self._get(("f", key, fieldname))
        if found is None:
            field = sub.schema[fieldname]
            found = {}
            for btext in sub.lexicon(fieldname):
                value = field.from_bytes(btext)
                docs = frozenset(read_postings(sub, fieldname, value)[0])
                if docs:
                    found[value] = (docs, mask_of(docs, sub.doc_count_all()))
            if key is not None:
                self._put(("f", key, fieldname), found,
                          sum(len(docs) for docs, _ in found.values()) + 1)
        return found


def mask_of(docs, size: int) -> int:
    """A set of document numbers as the bits of one int: counting an intersection is then
    ``(a & b).bit_count()``, done in C whatever the number of documents."""
    bits = bytearray((size >> 3) + 1)
    for d in docs:
        bits[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(bits, "little")
