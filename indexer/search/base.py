"""The one search interface every backend implements (SQLite FTS5 embedded, Meilisearch in production).

Documents are flat dicts built by ``indexer.search.documents.provider_document``. Highlights come back with
the sentinel markers :data:`HL_START` / :data:`HL_END` around matches, never HTML: the web layer escapes the
text first and only then turns the sentinels into ``<mark>`` tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from kdir.common.filters import FIELDS, Selection

HL_START = "\x02"
HL_END = "\x03"

Sort = Literal["relevance", "distance", "rating", "price"]
#: Facet distributions a search returns: one per registry filter, keyed by its document field.
FACET_FIELDS = FIELDS


@dataclass
class SearchQuery:
    text: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    #: selected filter values by registry name (``kdir.common.filters.where(...)`` builds and checks them)
    filters: Selection = field(default_factory=dict)
    min_rating: float | None = None
    include_stale: bool = False
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True


@dataclass
class SearchHit:
    id: int
    score: float
    document: dict[str, Any]
    distance_km: float | None = None
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    #: per filter field: value -> results if that value were ticked (disjunctive: every OTHER filter applied)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0
    #: per selected filter name: the total with that filter dropped (every other one kept); with facets only
    without: dict[str, int] = field(default_factory=dict)


class SearchUnavailable(Exception):
    """The search backend cannot be reached; callers fall back or retry (the outbox keeps pending changes)."""


class SearchBackend(Protocol):
    name: str

    def upsert(self, documents: Iterable[dict[str, Any]]) -> int: ...

    def delete(self, ids: Iterable[int]) -> int: ...

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def get(self, doc_id: int) -> dict[str, Any] | None: ...

    def count(self) -> int: ...

    def health(self) -> bool: ...

    def close(self) -> None: ...
