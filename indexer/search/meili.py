"""Meilisearch backend (production), with the official ``meilisearch`` client (needs Meilisearch >= v1.15).

The request building is kept in pure functions -- :data:`SETTINGS` (the one settings payload),
:func:`settings_drift`, :func:`filter_expression` (the one place filters are written), :func:`sort_expression`,
:func:`search_params`, :func:`batches` (by count and by bytes), :func:`whole_word_highlights` and
:func:`unavailable` (client exception -> :class:`SearchUnavailable`) -- so they can be checked without a server.

Opening the backend for writing syncs the settings idempotently (read them, compare with :data:`SETTINGS`,
update and wait only what differs), so an index created implicitly by a document add, or one whose settings
update failed or timed out, or one from an older release of :data:`SETTINGS`, is repaired by the next write.
Every write waits for its task with an explicit time-out; an unreachable server, a time-out, any API error
(403 after a key rotation, 413, a proxy's 5xx) or a failed task raises :class:`SearchUnavailable`, so the
outbox keeps the change for the next run. A rebuild fills a NEW index, swaps it with the live one atomically
(``swap_indexes``) and deletes the old one: searches never see a half-built index; a temporary index left by
a failed step is deleted, and stray ``<index>_rebuild_<ms>`` indexes are removed by the next rebuild.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import meilisearch
import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

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
    group_masks,
    haversine_km,
    page_window,
    practitioner_highlight,
    validate_query,
)
from indexer.search.documents import clean_text, search_topics
from indexer.search.query_text import query_words, synonym_table
from kdir.common.filters import BY_NAME, FIELDS

log = logging.getLogger(__name__)

#: The site shows at most 500 pages of 50 hits (web/search_params.py MAX_PAGE x MAX_PER_PAGE). Meilisearch
#: counts and pages matches only up to this many ("totalHits" is capped at it): a total equal to it means
#: "at least this many". The docs warn that values above 20,000 may make queries take seconds.
MAX_TOTAL_HITS = 500 * 50
#: ``sort`` first: an explicit sort (distance, rating) orders ALL text hits, not only relevance ties; without a
#: ``sort`` parameter the rule does nothing. Relevance ties end with the rating, then the id (as FTS5 does).
#: ``attribute`` is kept (rather than attributeRank + wordPosition, v1.36+) so every release >= v1.15 takes it.
RANKING_RULES = ["sort", "words", "typo", "proximity", "attribute", "exactness", "rank_rating:desc", "id:asc"]
#: The one settings payload (synced on every open for writing; see :func:`settings_drift`).
SETTINGS: dict[str, Any] = {
    # order = attribute ranking: name > practitioners > NPIs > place > treatment topics
    "searchableAttributes": ["name", "practitioners", "npis", "city", "region", "postal_code", "street", "topics"],
    "filterableAttributes": ["id", "stale", *FIELDS, "rating_value", "_geo"],
    "sortableAttributes": ["rank_rating", "rank_price", "id", "_geo"],
    "rankingRules": RANKING_RULES,
    # numbers (street numbers, postcodes, NPIs, phone digits) never match with a typo (v1.15+)
    "typoTolerance": {"enabled": True, "disableOnAttributes": ["postal_code", "npis"], "disableOnNumbers": True,
                      "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 9}},  # as FTS5 (fts5_query.max_typos)
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    "faceting": {"maxValuesPerFacet": 100},
    # the one synonym table (kdir.common.synonyms, with plural keys), as FTS5 expands it
    "synonyms": {phrase: list(also) for phrase, also in synonym_table().items()},
}
_UNORDERED = {"filterableAttributes", "sortableAttributes", "disableOnAttributes"}
#: ``rank_rating``: rating_bayes, or -1 when unrated (a custom ranking rule needs the field in every document)
_DERIVED = ("_geo", "topics", "rank_rating", "rank_price", "_formatted", "_rankingScore", "_geoDistance", "_matchesPosition")
UNRATED = -1.0
#: ``rank_price``: price_min, or this when unknown (listings without a price sort last)
UNPRICED = 1e12
BATCH_DOCS = 5000
#: A documents request stays under this many bytes (Meilisearch's own limit is 100 MB; proxies often ~1-10 MB).
BATCH_BYTES = 4 * 1024 * 1024
_TRANSIENT = (MeilisearchCommunicationError, MeilisearchTimeoutError, requests.RequestException, OSError)
_WORD_AFTER = re.compile(re.escape(HL_END) + r"([^\W_]+)")
_WORD_BEFORE = re.compile(r"([^\W_]+)" + re.escape(HL_START))


# -- pure request building ----------------------------------------------------------------------------------
def _normalise(key: str, value: Any) -> Any:
    if key in _UNORDERED and isinstance(value, list):
        flat: set[str] = set()
        for item in value:  # v1.14+ may describe filterable attributes as {"attributePatterns": [...], ...}
            flat.update(item.get("attributePatterns", []) if isinstance(item, dict) else [item])
        return sorted(flat)
    if key == "rankingRules" and isinstance(value, list):  # "attribute" = attributeRank then wordPosition
        out: list[str] = []
        for rule in value:
            out.extend(["attributeRank", "wordPosition"] if rule == "attribute" else [rule])
        return out
    return value


def _synonym_sets(value: Any) -> dict[str, frozenset[str]]:
    return {str(k): frozenset(v) for k, v in value.items()} if isinstance(value, dict) else {}


def settings_drift(current: Mapping[str, Any], wanted: Mapping[str, Any] = SETTINGS) -> dict[str, Any]:
    """The part of ``wanted`` the index does not have yet ({} when in sync). Only the keys we set are compared
    (the server reports every setting, with defaults); attribute sets compare unordered."""
    drift: dict[str, Any] = {}
    for key, value in wanted.items():
        have = current.get(key)
        if key == "synonyms":  # the whole table is replaced; lists compare unordered
            if _synonym_sets(value) != _synonym_sets(have):
                drift[key] = value
        elif isinstance(value, dict):
            have = have if isinstance(have, dict) else {}
            if any(_normalise(k, v) != _normalise(k, have.get(k)) for k, v in value.items()):
                drift[key] = value
        elif _normalise(key, value) != _normalise(key, have):
            drift[key] = value
    return drift


def filter_expression(q: SearchQuery, without: str | None = None) -> list[str | list[str]]:
    """The filter array (ANDed; an inner array is an OR: the values ticked in one filter) for a query, leaving
    out the filter named ``without`` (its disjunctive facet counts): the one place Meilisearch filters are
    written. Every code is validated first (unknown codes raise ValueError), so nothing user-typed is
    interpolated raw."""
    group_masks(q)
    out: list[str | list[str]] = [] if q.include_stale else ["stale = false"]
    for name, values in q.filters.items():
        f = BY_NAME[name]
        if name == without or not values:
            continue
        if f.kind == "flag":
            out.append(f"{f.field} = true")
        else:
            any_of = [f'{f.field} = "{value}"' for value in values]
            out.append(any_of[0] if len(any_of) == 1 else any_of)
    if q.min_rating is not None:
        out.append(f"rating_value >= {float(q.min_rating)!r}")
    if q.lat is not None and q.lon is not None and q.radius_km:
        out.append(f"_geoRadius({float(q.lat)!r}, {float(q.lon)!r}, {float(q.radius_km) * 1000.0!r})")
    return out


def sort_expression(q: SearchQuery, has_text: bool) -> list[str]:
    """Distance: nearest first, then (no coordinates) by rating, then id; rating: best first, then id (as FTS5
    orders them, whatever the text relevance); relevance: no sort (the ranking rules decide)."""
    point = q.lat is not None and q.lon is not None
    sort = q.sort
    if sort == "distance" and not point:
        sort = "relevance"
    if sort == "relevance" and not has_text:
        sort = "distance" if point else "rating"
    if sort == "distance":
        return [f"_geoPoint({float(q.lat)!r}, {float(q.lon)!r}):asc", "rank_rating:desc", "id:asc"]  # type: ignore[arg-type]
    if sort == "rating":
        return ["rank_rating:desc", "id:asc"]
    if sort == "price":
        return ["rank_price:asc", "rank_rating:desc", "id:asc"]
    return []


def search_params(q: SearchQuery, words: list[str]) -> dict[str, Any]:
    """The search request body (besides ``q``)."""
    limit, offset = page_window(q)
    params: dict[str, Any] = {
        "hitsPerPage": limit,
        "page": offset // limit + 1,
        "matchingStrategy": "all",
        "showRankingScore": True,
        "attributesToHighlight": ["name", "practitioners"],
        "highlightPreTag": HL_START,
        "highlightPostTag": HL_END,
    }
    filters = filter_expression(q)
    if filters:
        params["filter"] = filters
    sort = sort_expression(q, bool(words))
    if sort:
        params["sort"] = sort
    if q.facets:
        params["facets"] = list(FACET_FIELDS)
    return params


def facet_queries(q: SearchQuery, words: str, index_uid: str) -> list[dict[str, Any]]:
    """Disjunctive facets: for each selected filter, a query with every OTHER filter applied, asking only for
    that filter's distribution and its total (the count with the filter dropped). Sent with the main query in
    one multi-search request."""
    out: list[dict[str, Any]] = []
    for name, values in q.filters.items():
        if not values:
            continue
        body: dict[str, Any] = {"indexUid": index_uid, "q": words, "hitsPerPage": 1, "page": 1,
                                "matchingStrategy": "all", "attributesToRetrieve": ["id"],
                                "facets": [BY_NAME[name].field]}
        filters = filter_expression(q, without=name)
        if filters:
            body["filter"] = filters
        out.append(body)
    return out


def whole_word_highlights(text: str) -> str:
    """Meilisearch highlights only the typed part of a prefix match ("\\x02Ketam\\x03ine"): widen every
    highlight to the whole word, as FTS5 highlights it."""
    return _WORD_BEFORE.sub(lambda m: HL_START + m.group(1), _WORD_AFTER.sub(lambda m: m.group(1) + HL_END, text))


def _size(doc: dict[str, Any]) -> int:
    return len(json.dumps(doc).encode("utf-8"))  # what the client sends (json.dumps, default separators)


def batches(items: Iterable[dict[str, Any]], max_docs: int = BATCH_DOCS,
            max_bytes: int = BATCH_BYTES) -> Iterator[list[dict[str, Any]]]:
    """Consecutive batches of at most ``max_docs`` documents whose JSON array stays within ``max_bytes``
    (a single document larger than that goes alone)."""
    batch: list[dict[str, Any]] = []
    size = 2  # "[" + "]"
    for item in items:
        n = _size(item)
        if batch and (len(batch) >= max_docs or size + 2 + n > max_bytes):
            yield batch
            batch, size = [], 2
        size += n + (2 if batch else 0)  # ", " between documents
        batch.append(item)
    if batch:
        yield batch


def unavailable(exc: BaseException, url: str) -> SearchUnavailable:
    """Any client failure as the backend's "unavailable" error, with the HTTP status and Meilisearch code."""
    if isinstance(exc, MeilisearchApiError):
        code = f" {exc.code}" if exc.code else ""
        return SearchUnavailable(f"Meilisearch at {url} refused the request (HTTP {exc.status_code}{code}): "
                                 f"{str(exc.message)[:300]}")
    return SearchUnavailable(f"Meilisearch at {url} unavailable: {exc}")


def to_meili(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored document plus ``_geo``, searchable ``topics`` labels and ``rank_rating`` (all removed again on
    the way out)."""
    out = {k: v for k, v in doc.items() if k not in _DERIVED}
    out["id"] = int(doc["id"])
    out["name"] = clean_text(doc.get("name"), 300) or ""
    out["practitioners"] = [p for p in (clean_text(x, 300) for x in doc.get("practitioners") or []) if p]
    if isinstance(doc.get("lat"), int | float) and isinstance(doc.get("lon"), int | float):
        out["_geo"] = {"lat": float(doc["lat"]), "lng": float(doc["lon"])}
    out["topics"] = search_topics(doc)
    bayes = doc.get("rating_bayes")
    out["rank_rating"] = float(bayes) if isinstance(bayes, int | float) else UNRATED
    price = doc.get("price_min")
    out["rank_price"] = float(price) if isinstance(price, int | float) and not isinstance(price, bool) else UNPRICED
    return out


def from_meili(hit: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hit.items() if k not in _DERIVED}


class MeiliBackend:
    name = "meilisearch"

    def __init__(self, url: str, api_key: str | None = None, *, index: str = "providers",
                 timeout_s: int = 5, task_timeout_ms: int = 120_000, batch_bytes: int = BATCH_BYTES,
                 stray_after_s: float = 3600.0):
        self.url = url
        self.index_uid = index
        self.task_timeout_ms = task_timeout_ms
        self.batch_bytes = batch_bytes
        self.stray_after_s = stray_after_s
        self.client = meilisearch.Client(url, api_key, timeout=timeout_s)
        self._synced = False
        self._stray = re.compile(re.escape(index) + r"_rebuild_(\d+)")

    # -- plumbing --------------------------------------------------------------------------------------------
    def _call(self, fn: Any, *args: Any, keep: tuple[str, ...] = (), **kwargs: Any) -> Any:
        """Run one client call; every failure becomes SearchUnavailable except API errors whose code is in
        ``keep`` (which the caller handles, e.g. index_not_found on a read)."""
        try:
            return fn(*args, **kwargs)
        except MeilisearchApiError as exc:
            if exc.code in keep:
                raise
            raise unavailable(exc, self.url) from exc
        except (*_TRANSIENT, MeilisearchError) as exc:
            raise unavailable(exc, self.url) from exc

    def _wait(self, task: Any, ok_codes: tuple[str, ...] = ()) -> Any:
        uid = getattr(task, "task_uid", None)
        if uid is None:
            uid = task["taskUid"]
        done = self._call(self.client.wait_for_task, uid, timeout_in_ms=self.task_timeout_ms, interval_in_ms=50)
        if done.status != "succeeded":
            code = (done.error or {}).get("code")
            if code in ok_codes:
                return done
            raise SearchUnavailable(f"Meilisearch task {uid} {done.status}: {done.error}")
        return done

    def _settle(self, uid: str) -> None:
        """Wait for settings updates of ``uid`` still enqueued or processing (an earlier run's that timed out,
        e.g. while the server re-indexed), so they are not compared as missing and sent again."""
        try:
            pending = self.client.get_tasks({"indexUids": [uid], "types": ["settingsUpdate"],
                                             "statuses": ["enqueued", "processing"]})
        except (MeilisearchError, requests.RequestException, OSError, ValueError):
            return  # best effort: the comparison below is what keeps the index right
        for task in pending.results:
            self._call(self.client.wait_for_task, task.uid, timeout_in_ms=self.task_timeout_ms, interval_in_ms=50)

    def _sync_settings(self, uid: str) -> dict[str, Any]:
        """Create the index if missing, then compare its settings with SETTINGS and update (and wait for) what
        differs. Idempotent: nothing is sent when the index is in sync. Returns what was sent."""
        self._settle(uid)
        try:
            current = self._call(self.client.index(uid).get_settings, keep=("index_not_found",))
        except MeilisearchApiError:
            self._wait(self._call(self.client.create_index, uid, {"primaryKey": "id"}),
                       ok_codes=("index_already_exists",))
            current = self._call(self.client.index(uid).get_settings)
        drift = settings_drift(current)
        if drift:
            self._wait(self._call(self.client.index(uid).update_settings, drift))
        return drift

    def _ensure(self) -> Any:
        """The live index, opened for writing: created if missing, settings synced once per backend."""
        if not self._synced:
            self._sync_settings(self.index_uid)
            self._synced = True
        return self.client.index(self.index_uid)

    def _add(self, uid: str, documents: Iterable[dict[str, Any]]) -> int:
        n = 0
        for batch in batches((to_meili(d) for d in documents), BATCH_DOCS, self.batch_bytes):
            self._wait(self._call(self.client.index(uid).add_documents, batch, primary_key="id"))
            n += len(batch)
        return n

    def _drop(self, uid: str) -> bool:
        """Delete an index (a missing one counts as deleted); False, logged, when that failed."""
        try:
            self._wait(self._call(self.client.delete_index, uid), ok_codes=("index_not_found",))
            return True
        except SearchUnavailable as exc:
            log.warning("could not delete Meilisearch index %s (a stray copy; removed by the next rebuild): %s",
                        uid, exc)
            return False

    # -- writes ----------------------------------------------------------------------------------------------
    def upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        self._ensure()
        return self._add(self.index_uid, documents)

    def delete(self, ids: Iterable[int]) -> int:
        id_list = sorted({int(i) for i in ids})
        if not id_list:
            return 0
        index = self._ensure()
        for i in range(0, len(id_list), BATCH_DOCS):
            chunk = id_list[i:i + BATCH_DOCS]
            self._wait(self._call(index.delete_documents, filter=f"id IN [{', '.join(map(str, chunk))}]"))
        return len(id_list)

    def stray_indexes(self, older_than_s: float | None = None) -> list[str]:
        """``<index>_rebuild_<ms>`` indexes created more than ``older_than_s`` ago (default: stray_after_s, so a
        rebuild running in another process keeps its index)."""
        age = self.stray_after_s if older_than_s is None else older_than_s
        now_ms = time.time() * 1000
        found: list[str] = []
        offset = 0
        while True:
            page = self._call(self.client.get_raw_indexes, {"offset": offset, "limit": 100})
            results = page.get("results") or []
            for raw in results:
                m = self._stray.fullmatch(str(raw.get("uid", "")))
                if m and now_ms - int(m.group(1)) >= age * 1000:
                    found.append(m.group(0))
            offset += len(results)
            if not results or offset >= int(page.get("total") or 0):
                return found

    def remove_stray_indexes(self, older_than_s: float | None = None) -> list[str]:
        """Delete stray rebuild indexes; returns the ones deleted."""
        return [uid for uid in self.stray_indexes(older_than_s) if self._drop(uid)]

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Fill a new index, swap it with the live one in one atomic step, delete the old one. A failed step
        deletes the temporary index; a failed delete after the swap is logged and the copy is removed by the
        next rebuild (stray indexes are swept first)."""
        self.remove_stray_indexes()
        tmp = f"{self.index_uid}_rebuild_{int(time.time() * 1000)}"
        try:
            self._sync_settings(tmp)
            n = self._add(tmp, documents)
            self._sync_settings(self.index_uid)  # the swap needs both; the live one's settings synced too
            self._wait(self._call(self.client.swap_indexes, [{"indexes": [self.index_uid, tmp]}]))
        except BaseException:
            self._drop(tmp)  # a half-built index
            raise
        self._synced = True
        self._drop(tmp)  # now holds the old documents
        return n

    # -- reads -----------------------------------------------------------------------------------------------
    def get(self, doc_id: int) -> dict[str, Any] | None:
        try:
            doc = self._call(self.client.index(self.index_uid).get_document, int(doc_id),
                             keep=("document_not_found", "index_not_found"))
        except MeilisearchApiError:
            return None
        return from_meili(dict(doc))

    def count(self) -> int:
        try:
            stats = self._call(self.client.index(self.index_uid).get_stats, keep=("index_not_found",))
        except MeilisearchApiError:
            return 0
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
        typed = query_words(query.text)
        words = list(typed.words)
        empty = {f: {} for f in FACET_FIELDS} if query.facets else {}
        if query.text.strip() and not words:
            return SearchResult(total=0, hits=[], facets=empty)
        params = search_params(query, words)
        try:
            raw = self._call(self.client.index(self.index_uid).search, " ".join(words), params,
                             keep=("index_not_found",))
            if not raw.get("hits") and not raw.get("totalHits") and typed.relaxed:
                # typed credentials ("Reyes MD") that no listing has: search without them, as FTS5 does
                raw = self._call(self.client.index(self.index_uid).search, " ".join(typed.relaxed), params,
                                 keep=("index_not_found",))
        except MeilisearchApiError:
            return SearchResult(total=0, hits=[], facets=empty)
        point = (float(query.lat), float(query.lon)) if query.lat is not None and query.lon is not None else None
        hits = [self._hit(h, point, bool(words)) for h in raw.get("hits", [])]
        facets: dict[str, dict[str, int]] = {}
        dropped: dict[str, int] = {}
        if query.facets:
            dist = raw.get("facetDistribution") or {}
            facets = {f: {str(k): int(v) for k, v in (dist.get(f) or {}).items() if v} for f in FACET_FIELDS}
            extra = facet_queries(query, str(raw.get("query", " ".join(words))), self.index_uid)
            if extra:
                answers = self._call(self.client.multi_search, extra).get("results", [])
                for name, answer in zip([n for n, v in query.filters.items() if v], answers, strict=False):
                    field = BY_NAME[name].field
                    facets[field] = {str(k): int(v) for k, v in
                                     ((answer.get("facetDistribution") or {}).get(field) or {}).items() if v}
                    dropped[name] = int(answer.get("totalHits", 0))
        total = int(raw.get("totalHits", raw.get("estimatedTotalHits", len(hits))))
        return SearchResult(total=total, hits=hits, facets=facets, without=dropped,
                            took_ms=(time.perf_counter() - started) * 1000)

    @staticmethod
    def _hit(hit: dict[str, Any], point: tuple[float, float] | None, has_text: bool) -> SearchHit:
        doc = from_meili(hit)
        highlights: dict[str, str] = {}
        formatted = hit.get("_formatted") or {}
        if has_text:
            name = formatted.get("name")
            if isinstance(name, str) and HL_START in name:
                highlights["name"] = whole_word_highlights(name)
            practitioners = formatted.get("practitioners")
            if isinstance(practitioners, list):
                joined = practitioner_highlight([whole_word_highlights(p) for p in practitioners
                                                 if isinstance(p, str)])
                if joined:
                    highlights["practitioners"] = joined
        dist = None
        if point and doc.get("lat") is not None and doc.get("lon") is not None:
            dist = haversine_km(doc["lat"], doc["lon"], *point)
        return SearchHit(id=int(doc["id"]), score=float(hit.get("_rankingScore") or 0.0), document=doc,
                         distance_km=dist, highlights=highlights)
