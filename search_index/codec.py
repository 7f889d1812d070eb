"""How posting blocks are stored: Whoosh's own format, with the numbers as arrays.

Whoosh's standard codec (``whoosh3``) pickles each block of up to 128 postings as a tuple of
document numbers, weights and values: a pickled int, float and bytes object per posting, so
reading a block creates some 400 Python objects. Every search reads every block of its words'
postings (a common word is in most advice), and unpickling them was the largest cost of a
query. :class:`ArrayCodec` stores the same three things as one bytes object each (little-endian
arrays, and the values joined behind an array of their lengths), which decode in C.

Only the posting blocks differ; everything else (terms, stored fields, lengths, merging) is
Whoosh's. The segments record their codec, so an index keeps being read the way it was written.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate, pairwise

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter

_SWAP = sys.byteorder != "little"


def _to_bytes(values: array) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_bytes(typecode: str, data: bytes) -> array:
    values = array(typecode, data)
    if _SWAP:
        values.byteswap()
    return values


class ArrayCodec(W3Codec):
    """``W3Codec`` with array-encoded posting blocks (see the module's docstring).

    No compression: a block is read as often as a search needs it, and zlib cost more than a
    fifth of a typical query; the index is about half as large again for it (60 → 90 MB at
    10,000 advice).
    """

    def __init__(self, blocklimit: int = 128) -> None:
        super().__init__(blocklimit=blocklimit, compression=0)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors (not used by this schema): Whoosh's own blocks
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, compression=0,
                                   inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class ArrayPostingsWriter(W3PostingsWriter):
    """Writes a block as ``(ids, weights, values)`` of bytes (see :class:`ArrayLeafMatcher`)."""

    def _mini_ids(self):
        return _to_bytes(array("I", self._ids))

    def _mini_weights(self):
        weights = self._weights
        first = weights[0]
        if all(w == first for w in weights):
            return None if first == 1.0 else float(first)
        return _to_bytes(array("f", weights))

    def _mini_values(self):
        size = self._format.fixed_value_size()
        values = self._values
        if size == 0:
            return None
        if size is not None and size > 0:
            return b"".join(values)
        return _to_bytes(array("I", map(len, values))), b"".join(values)


class ArrayLeafMatcher(W3LeafMatcher):
    """Reads the blocks :class:`ArrayPostingsWriter` writes."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = _from_bytes("I", self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None or isinstance(weights, float):
            self._weights = array("f", [1.0 if weights is None else weights]) * self._blocklength
        else:
            self._weights = _from_bytes("f", weights)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        values = self._data[2]
        if not isinstance(values, tuple):  # fixed-size values: Whoosh's own slicing
            return super()._read_values()
        lengths, blob = values
        ends = accumulate(_from_bytes("I", lengths), initial=0)
        self._values = tuple(blob[start:end] for start, end in pairwise(ends))
