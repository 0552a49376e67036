"""Meilisearch backend (production), with the official ``meilisearch`` client.

Settings are applied before any document is added (changing them later re-indexes everything). Every write
waits for its task with an explicit time-out; an unreachable server, a time-out or a failed task raises
:class:`SearchUnavailable`, so the outbox keeps the change for the next run. A rebuild fills a NEW index,
swaps it with the live one atomically (``swap_indexes``) and deletes the old one: searches never see a
half-built index.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import Any

import meilisearch
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError

from indexer.search.base import (
    FACET_FIELDS,
    HL_END,
    HL_START,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)
from indexer.search.common import (
    haversine_km,
    page_window,
    practitioner_highlight,
    required_mask,
    validate_query,
)
from indexer.search.documents import clean_text
from indexer.search.fts5_query import tokens
from kdir.common.vocabulary import LABELS

SETTINGS: dict[str, Any] = {
    # order = attribute ranking: name > practitioners > NPIs > place > treatment topics
    "searchableAttributes": ["name", "practitioners", "npis", "city", "region", "postal_code", "street", "topics"],
    "filterableAttributes": ["id", "kind", "stale", "modalities", "conditions", "services", "verified",
                             "psychiatrist", "therapist", "accepts_insurance", "telehealth", "rating_value", "_geo"],
    "sortableAttributes": ["rating_bayes", "name", "_geo"],
    "typoTolerance": {"enabled": True, "disableOnAttributes": ["postal_code", "npis"]},
    "pagination": {"maxTotalHits": 100_000},
    "faceting": {"maxValuesPerFacet": 100},
}
_DERIVED = ("_geo", "topics", "_formatted", "_rankingScore", "_geoDistance", "_matchesPosition")
_BATCH = 5000
_TRANSIENT = (MeilisearchCommunicationError, MeilisearchTimeoutError, requests.RequestException, OSError)


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def to_meili(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored document plus ``_geo`` and searchable ``topics`` labels (both removed again on the way out)."""
    out = {k: v for k, v in doc.items() if k not in _DERIVED}
    out["id"] = int(doc["id"])
    out["name"] = clean_text(doc.get("name"), 300) or ""
    out["practitioners"] = [p for p in (clean_text(x, 300) for x in doc.get("practitioners") or []) if p]
    if isinstance(doc.get("lat"), int | float) and isinstance(doc.get("lon"), int | float):
        out["_geo"] = {"lat": float(doc["lat"]), "lng": float(doc["lon"])}
    codes = [*doc.get("modalities", []), *doc.get("conditions", []), *doc.get("services", [])]
    out["topics"] = [LABELS.get(c, c) for c in codes]
    return out


def from_meili(hit: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hit.items() if k not in _DERIVED}


def _filters(q: SearchQuery) -> list[str]:
    required_mask(q)  # validates every code (unknown codes raise ValueError) before they reach a filter
    out: list[str] = [] if q.include_stale else ["stale = false"]
    if q.kind:
        out.append(f'kind = "{q.kind}"')
    for field in ("modalities", "conditions", "services"):
        out.extend(f'{field} = "{code}"' for code in getattr(q, field) or ())
    for field, wanted in (("verified", q.verified_only), ("psychiatrist", q.psychiatrist),
                          ("therapist", q.therapist), ("accepts_insurance", q.accepts_insurance),
                          ("telehealth", q.telehealth)):
        if wanted:
            out.append(f"{field} = true")
    if q.min_rating is not None:
        out.append(f"rating_value >= {float(q.min_rating)!r}")
    if q.lat is not None and q.lon is not None and q.radius_km:
        out.append(f"_geoRadius({float(q.lat)!r}, {float(q.lon)!r}, {float(q.radius_km) * 1000.0!r})")
    return out


def _sort(q: SearchQuery, has_text: bool) -> list[str]:
    point = q.lat is not None and q.lon is not None
    sort = q.sort
    if sort == "distance" and not point:
        sort = "relevance"
    if sort == "relevance" and not has_text:
        sort = "distance" if point else "rating"
    if sort == "distance":
        return [f"_geoPoint({float(q.lat)!r}, {float(q.lon)!r}):asc"]  # type: ignore[arg-type]
    if sort == "rating":
        return ["rating_bayes:desc"]
    return []


class MeiliBackend:
    name = "meilisearch"

    def __init__(self, url: str, api_key: str | None = None, *, index: str = "providers",
                 timeout_s: int = 5, task_timeout_ms: int = 120_000):
        self.url = url
        self.index_uid = index
        self.task_timeout_ms = task_timeout_ms
        self.client = meilisearch.Client(url, api_key, timeout=timeout_s)
        self._ready = False

    # -- plumbing --------------------------------------------------------------------------------------------
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _TRANSIENT as exc:
            raise SearchUnavailable(f"Meilisearch at {self.url} unavailable: {exc}") from exc

    def _wait(self, task: Any) -> Any:
        uid = getattr(task, "task_uid", None)
        if uid is None:
            uid = task["taskUid"]
        done = self._call(self.client.wait_for_task, uid, timeout_in_ms=self.task_timeout_ms, interval_in_ms=50)
        if done.status != "succeeded":
            raise SearchUnavailable(f"Meilisearch task {uid} {done.status}: {done.error}")
        return done

    def _exists(self, uid: str) -> bool:
        try:
            self._call(self.client.get_raw_index, uid)
            return True
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return False
            raise SearchUnavailable(f"Meilisearch: {exc}") from exc

    def _create(self, uid: str) -> None:
        """Create an index and apply the settings before any document arrives."""
        try:
            self._wait(self._call(self.client.create_index, uid, {"primaryKey": "id"}))
        except SearchUnavailable as exc:
            if "index_already_exists" not in str(exc):
                raise
        self._wait(self._call(self.client.index(uid).update_settings, SETTINGS))

    def _ensure(self) -> Any:
        if not self._ready:
            if not self._exists(self.index_uid):
                self._create(self.index_uid)
            self._ready = True
        return self.client.index(self.index_uid)

    # -- writes ----------------------------------------------------------------------------------------------
    def upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        index = self._ensure()
        n = 0
        for batch in _batches((to_meili(d) for d in documents), _BATCH):
            self._wait(self._call(index.add_documents, batch, primary_key="id"))
            n += len(batch)
        return n

    def delete(self, ids: Iterable[int]) -> int:
        id_list = sorted({int(i) for i in ids})
        if not id_list:
            return 0
        index = self._ensure()
        for i in range(0, len(id_list), _BATCH):
            chunk = id_list[i:i + _BATCH]
            self._wait(self._call(index.delete_documents, filter=f"id IN [{', '.join(map(str, chunk))}]"))
        return len(id_list)

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Fill a new index, swap it with the live one in one atomic step, delete the old one."""
        tmp = f"{self.index_uid}_rebuild_{int(time.time() * 1000)}"
        self._create(tmp)
        n = 0
        try:
            for batch in _batches((to_meili(d) for d in documents), _BATCH):
                self._wait(self._call(self.client.index(tmp).add_documents, batch, primary_key="id"))
                n += len(batch)
            if not self._exists(self.index_uid):
                self._create(self.index_uid)
            self._wait(self._call(self.client.swap_indexes, [{"indexes": [self.index_uid, tmp]}]))
            self._ready = True
        finally:
            # after the swap ``tmp`` holds the old documents; before it, a half-built index: drop it either way
            with contextlib.suppress(SearchUnavailable):
                self._wait(self._call(self.client.delete_index, tmp))
        return n

    # -- reads -----------------------------------------------------------------------------------------------
    def get(self, doc_id: int) -> dict[str, Any] | None:
        try:
            doc = self._call(self.client.index(self.index_uid).get_document, int(doc_id))
        except MeilisearchApiError as exc:
            if exc.code in ("document_not_found", "index_not_found"):
                return None
            raise SearchUnavailable(f"Meilisearch: {exc}") from exc
        return from_meili(dict(doc))

    def count(self) -> int:
        try:
            stats = self._call(self.client.index(self.index_uid).get_stats)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return 0
            raise SearchUnavailable(f"Meilisearch: {exc}") from exc
        return int(stats.number_of_documents)

    def health(self) -> bool:
        try:
            return bool(self.client.is_healthy())
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return False

    def close(self) -> None:
        """Nothing to release: the client opens one HTTP request per call."""

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        validate_query(query)
        words = tokens(query.text)
        empty = {f: {} for f in FACET_FIELDS} if query.facets else {}
        if query.text.strip() and not words:
            return SearchResult(total=0, hits=[], facets=empty)
        limit, offset = page_window(query)
        params: dict[str, Any] = {
            "hitsPerPage": limit,
            "page": offset // limit + 1,
            "matchingStrategy": "all",
            "showRankingScore": True,
            "attributesToHighlight": ["name", "practitioners"],
            "highlightPreTag": HL_START,
            "highlightPostTag": HL_END,
        }
        filters = _filters(query)
        if filters:
            params["filter"] = filters
        sort = _sort(query, bool(words))
        if sort:
            params["sort"] = sort
        if query.facets:
            params["facets"] = list(FACET_FIELDS)
        try:
            raw = self._call(self.client.index(self.index_uid).search, " ".join(words), params)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return SearchResult(total=0, hits=[], facets=empty)
            raise SearchUnavailable(f"Meilisearch: {exc}") from exc
        point = (float(query.lat), float(query.lon)) if query.lat is not None and query.lon is not None else None
        hits = [self._hit(h, point, bool(words)) for h in raw.get("hits", [])]
        facets: dict[str, dict[str, int]] = {}
        if query.facets:
            dist = raw.get("facetDistribution") or {}
            facets = {f: {str(k): int(v) for k, v in (dist.get(f) or {}).items() if v} for f in FACET_FIELDS}
        total = int(raw.get("totalHits", raw.get("estimatedTotalHits", len(hits))))
        return SearchResult(total=total, hits=hits, facets=facets, took_ms=(time.perf_counter() - started) * 1000)

    @staticmethod
    def _hit(hit: dict[str, Any], point: tuple[float, float] | None, has_text: bool) -> SearchHit:
        doc = from_meili(hit)
        highlights: dict[str, str] = {}
        formatted = hit.get("_formatted") or {}
        if has_text:
            name = formatted.get("name")
            if isinstance(name, str) and HL_START in name:
                highlights["name"] = name
            practitioners = formatted.get("practitioners")
            if isinstance(practitioners, list):
                joined = practitioner_highlight([p for p in practitioners if isinstance(p, str)])
                if joined:
                    highlights["practitioners"] = joined
        dist = None
        if point and doc.get("lat") is not None and doc.get("lon") is not None:
            dist = haversine_km(doc["lat"], doc["lon"], *point)
        return SearchHit(id=int(doc["id"]), score=float(hit.get("_rankingScore") or 0.0), document=doc,
                         distance_km=dist, highlights=highlights)

