"""Search: one interface (:mod:`indexer.search.base`), two backends -- SQLite FTS5 embedded in its own file
(:mod:`indexer.search.fts5`) and Meilisearch (:mod:`indexer.search.meili`) -- and the documents they index
(:mod:`indexer.search.documents`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.search.base import SearchBackend, SearchHit, SearchQuery, SearchResult, SearchUnavailable

if TYPE_CHECKING:
    from kdir.common.config import Settings

__all__ = ["SearchBackend", "SearchHit", "SearchQuery", "SearchResult", "SearchUnavailable", "open_backend"]


def open_backend(settings: Settings) -> SearchBackend:
    """Meilisearch when ``settings.meili_url`` is set, else the embedded FTS5 index at ``settings.search_path``.

    Opening never contacts the backend: an unreachable one raises SearchUnavailable on first use."""
    if settings.meili_url:
        from indexer.search.meili import MeiliBackend

        return MeiliBackend(settings.meili_url, settings.meili_key, index=settings.meili_index)
    from indexer.search.fts5 import FTS5Backend

    return FTS5Backend(settings.search_path)
