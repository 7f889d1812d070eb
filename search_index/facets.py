"""Filters and facet counts from per-value document sets, cached per index generation.

Counting facets by loading the stored fields of every hit costs a disk read per hit. Instead,
each facet value's set of document numbers is read once from the postings when a generation is
first searched; a count is then one set intersection per value, and a filter is the
intersection of its values' sets.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping

from whoosh.reading import IndexReader

from search_index.scoring import read_postings
from search_index.segments import SegmentCache, mask_of

FACET_FIELDS = ("themes", "audience", "region", "year")
#: Filter names as the web uses them, mapped to index fields.
FILTER_FIELDS = {"theme": "themes", "audience": "audience", "region": "region", "year": "year"}
FACET_NAMES = {value: key for key, value in FILTER_FIELDS.items()}


class FacetSets:
    """Every facet value's document numbers in one reader generation.

    With a :class:`~search_index.segments.SegmentCache` each segment's sets are read once and
    kept across generations: a new generation then shifts and combines them (in C, as ints)
    and reads only its new segment.
    """

    def __init__(self, reader: IndexReader, segments: SegmentCache | None = None) -> None:
        self.size = reader.doc_count_all()
        #: Every live (not deleted) document: what a browse without words starts from.
        self.live = frozenset(reader.all_doc_ids())
        self.live_mask = self._mask(self.live)
        self.values: dict[str, Mapping[str, frozenset[int]]] = {}
        self.masks: dict[str, dict[str, int]] = {}
        if segments is not None:
            self._combine(reader, segments)
            return
        for fieldname in FACET_FIELDS:
            field = reader.schema[fieldname]
            sets = {}
            for btext in reader.lexicon(fieldname):
                value = field.from_bytes(btext)
                docs = frozenset(read_postings(reader, fieldname, value)[0])
                if docs:
                    sets[value] = docs
            self.values[fieldname] = sets
            self.masks[fieldname] = {value: self._mask(docs) for value, docs in sets.items()}

    def _combine(self, reader: IndexReader, segments: SegmentCache) -> None:
        leaves = reader.leaf_readers()
        for fieldname in FACET_FIELDS:
            parts: dict[str, list[tuple[int, frozenset[int]]]] = {}
            masks: dict[str, int] = {}
            for sub, offset in leaves:
                for value, (docs, mask) in segments.facet_values(sub, fieldname).items():
                    parts.setdefault(value, []).append((offset, docs))
                    masks[value] = masks.get(value, 0) | (mask << offset)
            self.values[fieldname] = _Combined(parts)
            self.masks[fieldname] = masks

    def _mask(self, docs) -> int:
        return mask_of(docs, self.size)

    def allowed(self, filters: Mapping[str, object] | None) -> frozenset[int] | None:
        """The documents the filters allow, or None when nothing is filtered.

        A value may be a string or a list of strings (any of them); filters combine with AND.
        Unknown filter names are ignored; an unknown value allows nothing.
        """
        result: frozenset[int] | None = None
        for name, value in (filters or {}).items():
            fieldname = FILTER_FIELDS.get(name)
            if fieldname is None or not value:
                continue
            wanted = _values(value)
            docs = frozenset().union(*(self.values[fieldname].get(v, frozenset())
                                       for v in wanted))
            result = docs if result is None else result & docs
        return result

    def counts(self, matched: set[int] | frozenset[int],
               filters: Mapping[str, object] | None = None) -> dict[str, dict[str, int]]:
        """Per facet, the number of documents with each value, largest first.

        ``matched`` are the documents the words found, before any filter. Each facet is counted
        as if its own selection were off (disjunctive faceting): ticking a second theme adds to
        the first, so the theme counts say what each extra tick would add, while the other
        facets' selections still narrow them. A chosen value is always listed (count 0 when
        nothing is left), so that it can be unticked.
        """
        facets = {}
        chosen = {FILTER_FIELDS[name]: _values(value) for name, value in (filters or {}).items()
                  if name in FILTER_FIELDS and value}
        base = self.live_mask if matched is self.live else self._mask(matched)
        # Per facet, the documents each facet's selection allows, as one bit mask: an OR of
        # the chosen values' masks. All big-int operations, whatever the number of documents.
        selected = {f: functools.reduce(operator.or_, (self.masks[f].get(v, 0) for v in values), 0)
                    for f, values in chosen.items()}
        for fieldname, masks in self.masks.items():
            wanted = base
            for other, mask in selected.items():
                if other != fieldname:
                    wanted &= mask
            counted = [(value, n) for value, mask in masks.items()
                       if (n := (mask & wanted).bit_count()) or value in chosen.get(fieldname, ())]
            counted.sort(key=lambda item: (-item[1], item[0]))
            facets[FACET_NAMES[fieldname]] = dict(counted)
        return facets


def _values(value: object) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


class _Combined(dict):
    """Value → document numbers over every segment, each set made on first use (filters are
    rarer than facet counts, which use the masks)."""

    def __init__(self, parts: dict[str, list[tuple[int, frozenset[int]]]]) -> None:
        super().__init__()
        self._parts = parts

    def get(self, value, default=None):
        if value not in self._parts:
            return default
        found = super().get(value)
        if found is None:
            found = frozenset().union(*(
                docs if not offset else map(offset.__add__, docs)
                for offset, docs in self._parts[value]))
            self[value] = found
        return found
