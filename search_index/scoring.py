"""Matching and BM25 ranking over cached postings: the fast path under every search.

Whoosh's matchers walk the query tree document by document in Python; with the per-field and
expansion clauses of a Dutch query that cost 10–70 ms per query on 1,000 advice. Here the tree
is evaluated a term at a time instead: each (field, term)'s BM25 scores are read once per index
generation into a ``{docnum: score}`` dict, and the query's ``Or``/``And``/``AndNot`` become
dict merges and set operations. Whoosh stays the storage, the analyzer and the phrase checker.

Only the query types :mod:`search_index.expand` builds are understood: ``Term``, ``Phrase``,
``Or``, ``And``, ``AndNot``, ``ConstantScoreQuery``, ``NullQuery`` and our :class:`ThemeBonus`.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable

from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

from search_index.codec import ArrayLeafMatcher
from search_index.schema import PositionArray, decode_position_array

#: BM25 parameters (the usual ones, as in Whoosh and Lucene).
K1, B = 1.2, 0.75
#: Postings kept per generation as dicts, counted in documents (a dict entry is ~80 bytes):
#: 600,000 held a worker at 10,000 advice above its 250 MB budget after a mixed load run;
#: at 400,000 new queries cost the same (the packed arrays below catch what leaves).
CACHE_POSTINGS = 400_000
#: And packed into arrays (12 bytes a document: 4 for the number, 8 for the score) when they
#: leave the dicts: ~18 MB, which kept a worker at 10,000 advice within its 250 MB.
PACKED_POSTINGS = 1_500_000
#: Fields whose terms only filter (no BM25): a match counts 1.
UNSCORED_FIELDS = frozenset({"themes", "audience", "region", "year", "id"})

Scores = dict[int, float]


class ThemeBonus(q.Or):
    """``[text, theme]``: advice matching ``text`` get the ``theme`` score on top. Whether
    ``theme`` alone also matches is the :class:`Evaluator`'s choice (``themes_match``): a
    search first asks for the words themselves, and lets the theme stand in for a word only
    when that finds nothing."""

    matcher_type = q.Or.DEFAULT_MATCHER


class Postings:
    """Per generation: BM25 scores per (field, term), field lengths, phrase matches."""

    def __init__(self, reader: IndexReader, read: Callable | None = None) -> None:
        #: How a term's postings are read: :func:`read_postings`, or a cache kept per segment
        #: across generations (:meth:`search_index.segments.SegmentCache.postings`).
        self._read = read or (lambda r, f, t: read_postings(r, f, t)[:2])
        self.doc_count = max(1, reader.doc_count_all())
        self._lengths: dict[str, list[int]] = {}
        #: Hot entries as dicts (ready to merge), and colder ones packed into arrays (12
        #: bytes a document instead of ~80): unpacking one costs far less than its BM25.
        self._cache: OrderedDict[tuple, Scores] = OrderedDict()
        self._size = 0
        self._packed: OrderedDict[tuple, tuple[array, array, float | None]] = OrderedDict()
        self._packed_size = 0
        self._lock = threading.Lock()

    def term(self, reader: IndexReader, fieldname: str, text: str, keep: bool = True) -> Scores:
        """``{docnum: BM25 score}`` of one term in one field (1.0 for filter fields).

        ``keep=False`` when the term is read only to be merged into a compound that is cached
        itself (a word's fields and expansions): caching both held each document of a word
        six or seven times, and a stream of new queries then evicted what the next one needed.
        """
        key = (fieldname, text)
        with self._lock:
            found = self._lookup(key)
            if found is not None:
                return found
        ids, weights = self._read(reader, fieldname, text)
        if fieldname in UNSCORED_FIELDS:
            scores = dict.fromkeys(ids, 1.0)
        else:
            scores = self._bm25(reader, fieldname, ids, weights)
        if keep:
            self._remember(key, scores)
        return scores

    def with_positions(self, reader: IndexReader, fieldname: str,
                       text: str) -> tuple[Scores, dict[int, bytes]]:
        """A term's scores (as :meth:`term`) and its encoded positions per document, read in
        one pass over its postings; the positions are not cached (they are big)."""
        ids, weights, values = read_postings(reader, fieldname, text, with_values=True)
        key = (fieldname, text)
        scores = self.cached(key)
        if scores is None:
            scores = self._bm25(reader, fieldname, ids, weights)
            self._remember(key, scores)
        return scores, dict(zip(ids, values, strict=True))

    def cached(self, key: tuple):
        """A cached value (see :meth:`remember`), or None."""
        with self._lock:
            return self._lookup(key)

    def remember(self, key: tuple, value) -> None:
        """Cache a scores dict, or a ``(scores, factor)`` pair, within the size budget."""
        self._remember(key, value)

    def _lookup(self, key: tuple):
        """Under the lock: a value from the hot dicts, or unpacked from the packed ones (and
        made hot again)."""
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        packed = self._packed.pop(key, None)
        if packed is None:
            return None
        ids, scores, factor = packed
        self._packed_size -= len(ids) + 1
        found = dict(zip(ids, scores, strict=True))
        if factor is not None:
            found = (found, factor)
        self._insert(key, found)
        return found

    def _remember(self, key: tuple, value) -> None:
        with self._lock:
            if key not in self._cache and key not in self._packed:
                self._insert(key, value)

    def _insert(self, key: tuple, value) -> None:
        """Under the lock: a hot entry; the least recently used hot ones are packed, the least
        recently used packed ones dropped."""
        self._cache[key] = value
        self._size += _entries(value)
        while self._size > CACHE_POSTINGS and len(self._cache) > 1:
            old, dropped = self._cache.popitem(last=False)
            self._size -= _entries(dropped)
            scores, factor = dropped if isinstance(dropped, tuple) else (dropped, None)
            self._packed[old] = (array("i", scores.keys()), array("d", scores.values()), factor)
            self._packed_size += len(scores) + 1
        while self._packed_size > PACKED_POSTINGS and self._packed:
            _, (ids, _, _) = self._packed.popitem(last=False)
            self._packed_size -= len(ids) + 1

    def _bm25(self, reader: IndexReader, fieldname: str, ids: list[int],
              weights: list[float]) -> Scores:
        if not ids:
            return {}
        lengths = self._field_lengths(reader, fieldname)
        average = max(1.0, reader.field_length(fieldname) / self.doc_count)
        df = len(ids)
        idf = math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))
        k1b, k1_1b = K1 * B / average, K1 * (1 - B)
        top = idf * (K1 + 1)
        return {d: top * tf / (tf + k1_1b + k1b * lengths[d])
                for d, tf in zip(ids, weights, strict=True)}

    def _field_lengths(self, reader: IndexReader, fieldname: str) -> list[int]:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = read_lengths(reader, fieldname)
        return lengths


class Evaluator:
    """Scores a query against one reader, using (and filling) a generation's caches."""

    def __init__(self, reader: IndexReader, postings: Postings,
                 themes_match: bool = True) -> None:
        self.reader = reader
        self.postings = postings
        #: Whether a :class:`ThemeBonus`'s theme matches on its own, or only adds to the score.
        self.themes_match = themes_match

    def scores(self, query: q.Query, keep: bool = True) -> Scores:
        """``{docnum: score}`` of every matching document (a dict of the caller's own).

        ``keep=False`` for a whole query, which is seldom asked twice (the finished results
        are cached a level up): its parts are cached, the whole is not, so that a stream of
        new queries does not push the parts that they share out of the cache.
        """
        # An Or of one part answers that part's (maybe cached) dict itself: never fresh.
        fresh = not keep and not isinstance(query, q.Term) and not (
            isinstance(query, q.Or) and len(query.subqueries) == 1)
        scores, factor = self._eval_compound(query) if fresh else self._eval(query)
        if factor == 1.0:
            return scores if fresh else dict(scores)
        return {d: s * factor for d, s in scores.items()}

    def weighted_sum(self, parts: list[tuple[q.Query, float]]) -> Scores:
        """``{docnum: score}`` of the sum of each part's scores times its weight (a dict of
        the caller's own). The parts are evaluated and cached one by one, so that parts shared
        by many such sums (a word's fields) are merged once, whatever their weights."""
        evaluated = []
        for query, weight in parts:
            scores, factor = self._eval(query)
            evaluated.append((scores, factor * weight))
        return _sum(evaluated)  # always a new dict

    def docs(self, query: q.Query, keep: bool = True) -> set[int]:
        """The matching documents, unscored (``keep`` as for :meth:`scores`).

        A whole ``And`` (the user's own words, to rank them first) is intersected from its
        parts' cached results as sets, in C, instead of being scored as a new merge.
        """
        if not keep and type(query) is q.And and query.subqueries:
            parts = sorted((self._eval(sub)[0] for sub in query.subqueries), key=len)
            return set(parts[0]).intersection(*(part.keys() for part in parts[1:]))
        fresh = not keep and not isinstance(query, q.Term)
        return set((self._eval_compound(query) if fresh else self._eval(query))[0])

    def _eval(self, node: q.Query, keep: bool = True) -> tuple[Scores, float]:
        """(scores, factor): the true score of a document is ``scores[doc] * factor``; the
        dict may be a cached one and is never changed.

        Every subtree's result is cached for the generation too: the same word in another
        query (``pleegzorg`` in "pleegzorg school" and "pleegzorg wonen") is merged once.
        """
        if isinstance(node, q.Term):
            boost = getattr(node, "boost", 1.0)
            return self.postings.term(self.reader, node.fieldname, node.text, keep), boost
        # Whether themes match on their own changes only a tree holding a ThemeBonus: other
        # trees are cached once for both evaluators.
        key = ("\0node", self.themes_match if _has_bonus(node) else None, node)
        found = self.postings.cached(key)
        if found is None:
            found = self._eval_compound(node)
            self.postings.remember(key, found)
        return found

    def _eval_compound(self, node: q.Query) -> tuple[Scores, float]:
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, q.Phrase):
            return self._phrase(node), boost
        if isinstance(node, q.ConstantScoreQuery):
            return dict.fromkeys(self._eval(node.child)[0], 1.0), node.score
        if isinstance(node, ThemeBonus):
            text, theme = (self._eval(sub) for sub in node.subqueries)
            if self.themes_match:
                return _sum([text, theme]), boost
            (scores, factor), (bonus, bonus_factor) = text, theme
            return {d: s * factor + bonus.get(d, 0.0) * bonus_factor
                    for d, s in scores.items()}, boost
        if isinstance(node, q.AndNot):
            scores, factor = self._eval(node.a)
            unwanted = self._eval(node.b)[0]
            return {d: s for d, s in scores.items() if d not in unwanted}, factor * boost
        if isinstance(node, q.And):
            return self._and([self._eval(sub) for sub in node.subqueries]), boost
        if isinstance(node, q.Or):
            parts = [self._eval(sub, keep=False) for sub in node.subqueries]
            if len(parts) == 1:
                return parts[0][0], parts[0][1] * boost
            return _sum(parts), boost
        if node is q.NullQuery or isinstance(node, type(q.NullQuery)):
            return {}, 1.0
        raise TypeError(f"query type not supported by the evaluator: {type(node).__name__}")

    def _phrase(self, node: q.Phrase) -> Scores:
        """Phrase documents, scored as the sum of their words' scores."""
        fieldname, words = node.fieldname, tuple(node.words)
        key = ("\0phrase", fieldname, words)
        found = self.postings.cached(key)
        if found is None:
            read = [self.postings.with_positions(self.reader, fieldname, w) for w in words]
            terms = [scores for scores, _ in read]
            if not terms or not all(terms):
                return {}
            candidates = set(min(terms, key=len)).intersection(*terms)
            decode = _position_decoder(self.reader, fieldname)
            found = dict.fromkeys(
                _phrase_docs([values for _, values in read], sorted(candidates), decode), 0.0)
            self.postings.remember(key, found)
        else:
            terms = [self.postings.term(self.reader, fieldname, w) for w in words]
        return _sum([({d: t[d] for d in found}, 1.0) for t in terms])

    @staticmethod
    def _and(parts: list[tuple[Scores, float]]) -> Scores:
        parts = sorted(parts, key=lambda p: len(p[0]))
        smallest, factor = parts[0]
        result = {d: s * factor for d, s in smallest.items()}
        for scores, factor in parts[1:]:
            result = {d: s + scores[d] * factor for d, s in result.items() if d in scores}
            if not result:
                break
        return result


def _sum(parts: Iterable[tuple[Scores, float]]) -> Scores:
    """Add scores per document; starts from a copy of the biggest dict (a C-speed copy)."""
    parts = sorted(parts, key=lambda p: len(p[0]), reverse=True)
    if not parts:
        return {}
    biggest, factor = parts[0]
    total = dict(biggest) if factor == 1.0 else {d: s * factor for d, s in biggest.items()}
    get = total.get
    for scores, factor in parts[1:]:
        for d, s in scores.items():
            total[d] = get(d, 0.0) + s * factor
    return total


def read_postings(reader: IndexReader, fieldname: str, text: str,
                  with_values: bool = False) -> tuple[list[int], list, list]:
    """Document numbers, term frequencies and (``with_values``: the encoded positions, else
    an empty list) of one term, over every segment.

    Whoosh's own posting reader decodes whole blocks but hands them out one posting per Python
    call; for its standard codec the blocks are read directly (with a safe fallback).
    """
    ids: list[int] = []
    weights: list = []
    values: list = []
    for sub, offset in reader.leaf_readers():
        if (fieldname, text) not in sub:
            continue
        matcher = sub.postings(fieldname, text)
        deleted = sub.deleted_docs_set if sub.has_deletions() else None
        leaf = getattr(matcher, "child", matcher) if deleted else matcher
        start = len(ids)
        if not _read_blocks(leaf, ids, weights, values if with_values else None):
            del ids[start:], weights[start:], values[start:]
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if with_values:
                    values.append(matcher.value())
                matcher.next()
            deleted = None  # the public matcher already skips deleted documents
        if deleted:
            kept = [i for i in range(start, len(ids)) if ids[i] not in deleted]
            ids[start:] = [ids[i] + offset for i in kept]
            weights[start:] = [weights[i] for i in kept]
            if with_values:
                values[start:] = [values[i] for i in kept]
        elif offset:  # a later segment (a parallel rebuild writes several): shift, in C
            ids[start:] = map(offset.__add__, ids[start:])
    return ids, weights, values


def _read_blocks(matcher, ids: list[int], weights: list, values: list | None) -> bool:
    """Read an array-codec leaf matcher a block at a time; False when it is not one."""
    if not _is_array_leaf(matcher):
        return False
    while not matcher._atend:
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        if values is not None:
            if matcher._values is None:
                matcher._read_values()
            values.extend(matcher._values)
        if matcher._lastblock:
            break
        matcher._next_block()
    return True


def _phrase_docs(values: list[dict[int, bytes]], candidates: list[int],
                 decode: Callable[[bytes], Iterable[int]]) -> list[int]:
    """The candidates where the words stand in this order; ``values`` holds each word's
    encoded positions per document. Only documents still in the running read the next word."""
    found = []
    first, second, rest = values[0], values[1], list(enumerate(values[2:], start=2))
    for docnum in candidates:
        starts = set(decode(first[docnum])).intersection(map(_MINUS_ONE,
                                                             decode(second[docnum])))
        for i, later in rest:
            if not starts:
                break
            starts.intersection_update(map((-i).__add__, decode(later[docnum])))
        if starts:
            found.append(docnum)
    return found


_MINUS_ONE = (-1).__add__


def _position_decoder(reader: IndexReader, fieldname: str) -> Callable[[bytes], Iterable[int]]:
    fmt = reader.schema[fieldname].format
    return decode_position_array if type(fmt) is PositionArray else fmt.decode_positions


def _is_array_leaf(matcher) -> bool:
    """A block matcher of :class:`~search_index.codec.ArrayCodec` at its start (the private
    attributes read below are checked, so a Whoosh upgrade falls back rather than breaks)."""
    needed = ("_atend", "_ids", "_weights", "_values", "_read_ids", "_read_weights",
              "_read_values", "_lastblock", "_next_block", "_i")
    return (isinstance(matcher, ArrayLeafMatcher) and getattr(matcher, "_i", 1) == 0
            and all(hasattr(matcher, n) for n in needed))


def read_lengths(reader: IndexReader, fieldname: str) -> list[int]:
    """Every document's length of one field (0 for deleted or empty), indexed by docnum."""
    lengths: list[int] = []
    for sub, offset in reader.leaf_readers():
        count = sub.doc_count_all()
        lengths.extend([0] * (offset + count - len(lengths)))
        column = _length_bytes(sub, fieldname, count)
        if column is not None:
            lengths[offset:offset + count] = map(_LENGTHS.__getitem__, column)
            continue
        for docnum in range(count):
            lengths[offset + docnum] = sub.doc_field_length(docnum, fieldname) or 0
    return lengths


#: Whoosh stores a field length as one byte; this is its decoding (0 stays 0).
_LENGTHS = [byte_to_length(b) if b else 0 for b in range(256)]


def _length_bytes(sub, fieldname: str, count: int) -> bytes | None:
    """A segment's length column of one field read in one go (one read instead of one per
    document: a first search after every index change read 40,000 of them at 10,000 advice);
    None when the segment is not of the codec this knows."""
    perdoc = getattr(sub, "_perdoc", None)
    cached = getattr(perdoc, "_cached_reader", None)
    if cached is None:
        return None
    column = cached(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return bytes(count)
    if getattr(column, "_typecode", None) != "B" or getattr(column, "_fixedlen", None) != 1 \
            or not hasattr(column, "_dbfile"):
        return None
    stored = min(column._count, count)
    return column._dbfile.get(column._basepos, stored) + bytes(count - stored)


def _entries(value) -> int:
    """The size of a cached value, in documents (+1 for the entry itself)."""
    return len(value[0] if isinstance(value, tuple) else value) + 1


def _has_bonus(node: q.Query) -> bool:
    """Whether a query tree holds a :class:`ThemeBonus` (its score depends on
    :attr:`Evaluator.themes_match`)."""
    if isinstance(node, ThemeBonus):
        return True
    if isinstance(node, q.Term):
        return False
    return any(_has_bonus(child) for child in node.children())
