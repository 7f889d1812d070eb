"""The Whoosh schema: which parts of an advice are searchable, filterable and shown."""

from __future__ import annotations

import sys
from array import array
from collections import Counter, defaultdict

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from search_index.analysis import TOKEN_RE, dutch_analyzer, index_term
from search_index.codec import ArrayCodec

#: Bump when the schema or the analysis changes: an index of another version is rebuilt.
#: 2: own Dutch term filter (18+, abbreviations, stem exceptions) and the ``parts`` field.
#: 3: positions and posting blocks stored as arrays (:class:`PositionArray`, ``codec``).
#: 4: one term per number in digits or words (``18e`` = ``achttiende``), more stem exceptions.
#: 5: ``region`` holds the region and the regions it lies in (a jeugdregio and its province).
#: 6: ``related``: "Lees ook" computed when the document is written through a change.
SCHEMA_VERSION = 6

#: The codec every writer uses (see :mod:`search_index.codec`).
CODEC = ArrayCodec()

_SWAP = sys.byteorder != "little"  # positions are stored little-endian


class PositionArray(Positions):
    """Whoosh's ``Positions`` format with the positions as a little-endian uint32 array
    instead of a pickled list of deltas: a phrase check decodes the positions of thousands of
    documents, and ``array`` does that in C, several times faster than unpickling."""

    def encode(self, poslist) -> bytes:
        positions = array("I", poslist)
        if _SWAP:
            positions.byteswap()
        return pack_uint(len(positions)) + positions.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(decode_position_array(valuestring))


def decode_position_array(valuestring: bytes) -> array:
    """The positions of one :class:`PositionArray` value (after its 4-byte count)."""
    positions = array("I", valuestring[4:])
    if _SWAP:
        positions.byteswap()
    return positions


class DutchText(TEXT):
    """A full-text field with the Dutch analyzer, indexed without a Whoosh ``Token`` per word.

    The terms, positions and weights are exactly what the analyzer gives (it still serves
    queries and is what the tests compare with); only the way there is shorter, which makes
    building the index about a third faster.
    """

    def __init__(self, stored: bool = False, phrase: bool = True) -> None:
        super().__init__(analyzer=dutch_analyzer(), phrase=phrase, stored=stored)
        if phrase:
            self.format = PositionArray(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, str) or type(self.format) not in (PositionArray, Frequency):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        if type(self.format) is Frequency:
            terms = filter(None, map(index_term, TOKEN_RE.findall(value)))
            for term, freq in Counter(terms).items():
                yield term.encode("utf-8"), freq, freq * boost, pack_uint(freq)
            return
        positions: defaultdict[str, list[int]] = defaultdict(list)
        # A position counts every token, also one without a term, as the tokenizer does.
        for position, token in enumerate(TOKEN_RE.findall(value)):
            term = index_term(token)
            if term:
                positions[term].append(position)
        encode = self.format.encode
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), len(found) * boost, encode(found)


def build_schema() -> Schema:
    """Full text in title, summary and body; field weights are applied per query (BM25F-style,
    see :data:`search_index.expand.FIELD_BOOSTS`) so they can change without a rebuild.

    ``parts`` holds the known parts of the advice's compound words (``jeugd hulpverlener``),
    searched with a low weight and not stored.
    """
    return Schema(
        id=ID(stored=True, unique=True),
        advice_id=NUMERIC(stored=True),
        slug=STORED(),
        revision=STORED(),
        title=DutchText(stored=True),
        summary=DutchText(stored=True),
        body=DutchText(stored=True),
        parts=DutchText(phrase=False),
        themes=KEYWORD(stored=True, commas=True, scorable=False),
        audience=KEYWORD(stored=True, commas=True, scorable=False),
        # The advice's region and the larger ones it lies in (a jeugdregio's province), so a
        # filter on a province also finds the advice of its jeugdregio's.
        region=KEYWORD(stored=True, commas=True, scorable=False),
        year=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
        # "Lees ook", computed when the document was written through a change (see
        # search_index.searcher.Engine.related_when_written): "id:score,…", "-" for none.
        related=STORED(),
    )
