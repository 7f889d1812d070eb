"""What the search package is given and what it gives back: plain data, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SearchDocument:
    """One public advice as the index sees it."""

    id: int
    slug: str
    title: str
    summary: str
    body: str
    themes: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    region: str | None = None
    published: date | None = None
    revision: int = 0
    #: The larger regions ``region`` lies in (a jeugdregio's province): filtering on one of them
    #: finds this advice too, and its facet count includes it.
    regions_within: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexedDocument(SearchDocument):
    """A document as written to the index: :class:`SearchIndex` adds its compound parts."""

    parts: str = ""
    #: "Lees ook" as stored (``"id:score,…"``, ``"-"`` for none; empty: not computed).
    related: str = ""


@dataclass(frozen=True)
class ThemeTerms:
    """A theme's search vocabulary, given by the app (the index never reads ``themes/``).

    A query word or phrase equal to the name, the slug or a synonym also finds advice tagged with
    the theme, ranked below advice that says the words themselves.
    """

    slug: str
    name: str
    synonyms: tuple[str, ...] = ()
    #: The theme's English name: an English search for it finds the theme's advice too.
    name_en: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """The search vocabulary editors keep as data (``themes/vocabulary/*.yaml``), given by the
    app like the themes.

    ``equal``: groups of words that mean the same (abbreviations and their spelled-out forms,
    everyday and official words), used both ways. ``english``: an English word or phrase and
    the Dutch words it stands for, used one way.
    """

    equal: tuple[tuple[str, ...], ...] = ()
    english: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Hit:
    """One result: what a result list or a "Lees ook" block shows."""

    id: int
    slug: str
    title: str
    summary: str
    themes: tuple[str, ...]
    published: date | None
    highlight: str
    score: float


@dataclass
class Results:
    """One page of results; ``message`` is ``"browse"`` (no words: every advice the filters
    allow, newest first) or ``"partial"`` (no advice has every word, so these have most of
    them)."""

    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    message: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
