"""The Whoosh schema: which parts of an advice are searchable, filterable and shown."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search_index.analysis import dutch_analyzer

#: Bump when the schema or the analysis changes: an index of another version is rebuilt.
#: 2: own Dutch term filter (18+, abbreviations, stem exceptions) and the ``parts`` field.
SCHEMA_VERSION = 2


def build_schema() -> Schema:
    """Full text in title, summary and body; field weights are applied per query (BM25F-style,
    see :data:`search_index.expand.FIELD_BOOSTS`) so they can change without a rebuild.

    ``parts`` holds the known parts of the advice's compound words (``jeugd hulpverlener``),
    searched with a low weight and not stored.
    """
    analyzer = dutch_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        advice_id=NUMERIC(stored=True),
        slug=STORED(),
        revision=STORED(),
        title=TEXT(analyzer=analyzer, stored=True),
        summary=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        parts=TEXT(analyzer=analyzer, phrase=False),
        themes=KEYWORD(stored=True, commas=True, scorable=False),
        audience=KEYWORD(stored=True, commas=True, scorable=False),
        region=ID(stored=True),
        year=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
    )
