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


@dataclass(frozen=True)
class Hit:
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
