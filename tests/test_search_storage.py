"""How the index stores text: the fast indexing path, the array codec and phrase positions.

These are below the ``SearchIndex`` contract, but a mistake here would be silent (wrong
positions, a shifted document number), so they are checked against Whoosh's own code paths.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from whoosh.fields import TEXT

from search_index import SearchDocument, SearchIndex
from search_index.analysis import analyze
from search_index.schema import CODEC, DutchText, PositionArray, build_schema

TEXTS = [
    "",
    "Uit huis geplaatst, en daarna? Niemand legde het uit.",
    "De cliënten van de coördinator zijn geïnformeerd over 18-/18+ en 18+ en JZ+.",
    "foto's van de OTS; jeugd-GGZ en co-ouderschap " + "x" * 60 + " daarna weer gewoon",
    "zorg zorg zorg, zorg op maat en nog eens zorg " * 40,
    "\x00 😀 <script>alert(1)</script> &amp; een 18-jarige",
]


@pytest.mark.parametrize("phrase", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_fields_index_exactly_what_the_analyzer_gives(text, phrase):
    field = DutchText(phrase=phrase)
    fast = sorted(field.index(text))
    # Whoosh's own way: the analyzer's tokens through the field's format.
    slow = sorted(TEXT.index(field, text))
    assert fast == slow
    if text:
        assert {term.decode() for term, *_ in fast} == set(analyze(text))


def test_positions_round_trip_through_their_encoding():
    fmt = PositionArray()
    positions = [0, 1, 7, 300, 70_000, 2**31]
    value = fmt.encode(positions)
    assert fmt.decode_positions(value) == positions
    assert fmt.decode_frequency(value) == len(positions)


def _doc(i: int, body: str) -> SearchDocument:
    return SearchDocument(id=i, slug=f"advies-{i}", title=f"Advies {i}", summary="Samenvatting.",
                          body=body, themes=("pleegzorg",), published=date(2024, 1, 1))


def _bodies(count: int) -> dict[int, str]:
    """Bodies where ``begeleider`` occurs a varying number of times at varying places, and
    ``vaste begeleider`` stands together in some of them only."""
    rng = random.Random(7)
    filler = "de jongere praat met de mentor over school en werk".split()
    bodies = {}
    for i in range(1, count + 1):
        words = [rng.choice(filler) for _ in range(rng.randint(5, 60))]
        for _ in range(i % 5):
            words.insert(rng.randrange(len(words) + 1), "begeleider")
        if i % 3 == 0:
            words.insert(rng.randrange(len(words) + 1), "vaste begeleider")
        elif i % 3 == 1:
            words.insert(0, "vaste")  # both words, never side by side
            words.append("begeleider")
        bodies[i] = " ".join(words)
    return bodies


def _postings(ix, fieldname: str, term: str) -> dict[int, tuple[float, list[int]]]:
    """advice id → (weight, positions), read through Whoosh's own matcher API."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if (fieldname, term) not in reader:
            return {}
        matcher = reader.postings(fieldname, term)
        found = {}
        while matcher.is_active():
            advice_id = searcher.stored_fields(matcher.id())["advice_id"]
            found[advice_id] = (matcher.weight(), matcher.value_as("positions"))
            matcher.next()
        return found


def _expected(bodies: dict[int, str], term: str) -> dict[int, tuple[float, list[int]]]:
    expected = {}
    for advice_id, body in bodies.items():
        # Positions count every token, as the tokenizer numbers them.
        positions = [i for i, t in enumerate(analyze(body)) if t == term]
        if positions:
            expected[advice_id] = (float(len(positions)), positions)
    return expected


def test_postings_over_many_blocks_read_back_what_was_written(tmp_path):
    bodies = _bodies(300)  # a block holds 128 postings: three blocks and a bit
    index = SearchIndex(tmp_path / "index")
    index.rebuild(_doc(i, body) for i, body in bodies.items())
    assert _postings(index._index(), "body", "begeleider") == _expected(bodies, "begeleider")


def test_postings_survive_updates_deletions_and_a_merge(tmp_path):
    bodies = _bodies(300)
    index = SearchIndex(tmp_path / "index")
    index.rebuild(_doc(i, body) for i, body in bodies.items())
    changed = {i: f"een vaste begeleider en nog een begeleider {i}" for i in range(5, 300, 7)}
    index.index(_doc(i, body) for i, body in changed.items())
    index.remove(range(2, 300, 11))
    bodies.update(changed)
    for i in range(2, 300, 11):
        bodies.pop(i)
    ix = index._index()
    assert _postings(ix, "body", "begeleider") == _expected(bodies, "begeleider")
    assert len(ix._segments()) > 1
    ix.writer(codec=CODEC).commit(optimize=True)  # merge every segment into one
    merged = index._index()
    assert len(merged._segments()) == 1
    assert _postings(merged, "body", "begeleider") == _expected(bodies, "begeleider")


def test_phrases_over_many_blocks_find_exactly_the_advice_with_the_words_together(tmp_path):
    bodies = _bodies(300)
    index = SearchIndex(tmp_path / "index")
    index.rebuild(_doc(i, body) for i, body in bodies.items())
    together = {i for i, body in bodies.items() if "vaste begeleider" in body}
    results = index.search('"vaste begeleider"', page_size=100)
    assert results.total == len(together) > 90
    pages = [index.search('"vaste begeleider"', page=p, page_size=50) for p in (1, 2, 3)]
    assert {hit.id for page in pages for hit in page.hits} == together
    # Three words: the pair must be followed by the next word.
    after = {i for i, body in bodies.items() if "vaste begeleider de" in body}
    assert index.search('"vaste begeleider de"', page_size=100).total == len(after)


def test_the_schema_uses_the_array_codec_for_every_writer(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([_doc(1, "een vaste begeleider")])
    index.index([_doc(2, "nog een vaste begeleider")])
    for segment in index._index()._segments():
        assert type(segment.codec()).__name__ == "ArrayCodec"
    assert build_schema()["body"].format.__class__ is PositionArray
