"""The Whoosh schema: which parts of an advice are searchable, filterable and shown."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search_index.analysis import dutch_analyzer

#: Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1


def build_schema() -> Schema:
    """Title and summary weigh more than the body in ranking (BM25F field boosts)."""
    analyzer = dutch_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        advice_id=NUMERIC(stored=True),
        slug=STORED(),
        revision=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        themes=KEYWORD(stored=True, commas=True, scorable=False),
        audience=KEYWORD(stored=True, commas=True, scorable=False),
        region=ID(stored=True),
        year=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
    )
