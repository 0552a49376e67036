"""Embedded search: SQLite FTS5 in its own file (``Settings.search_path``), never the main database.

Layout: ``docs`` holds one compact row per document (flags and vocabulary codes packed in a bit mask, rating,
coordinates); ``bodies`` the JSON documents (read for the page only); ``geo`` an R*Tree over coordinates;
``fts`` the FTS5 text index (name, practitioners, place, topics, ids; bm25 with field weights); ``terms`` the
alphabetic words (completion, typos); ``changes`` the ids written per generation. Each process keeps the
compact columns as bitsets (:mod:`indexer.search.bitset`); queries run in :mod:`indexer.search.fts5_search`.
See docs/search.md for the design and its measurements.

Thread safety: each public call leases a pooled connection (WAL: readers never block), one lock for writers
in this process, SQLite's own locking across processes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from indexer.search import bitset
from indexer.search.base import SearchQuery, SearchResult, SearchUnavailable
from indexer.search.bitset import Snapshot
from indexer.search.common import BITS, doc_mask, validate_query
from indexer.search.fts5_query import Vocabulary, build_vocabulary
from indexer.search.fts5_schema import SCHEMA, clean_doc, fts_row
from indexer.search.fts5_search import Search
from indexer.search.geo_cache import CIRCLES_KEPT, Circle, load_circle, update_circle
from indexer.search.query_text import tokens

F = TypeVar("F", bound=Callable[..., Any])
_BATCH = 1000
CHANGES_KEPT = 1000  # generations of changed ids kept for readers' incremental refresh
INCREMENTAL_LIMIT = 5000  # more changed ids than this: readers reload their snapshot
MATCH_CACHE_SIZE = 512
POOL_IDLE_MAX = 8  # idle connections kept per backend  # word bitsets kept per process (12.5 kB each at 100k documents)

def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _leased(method: F) -> F:
    """Run a public method with one pooled connection leased to the calling thread (re-entrant: nested calls
    share it). A pool, not one connection per thread: threaded servers start a thread per request."""

    @functools.wraps(method)
    def wrapper(self: FTS5Backend, *args: Any, **kwargs: Any) -> Any:
        if getattr(self._local, "conn", None) is not None:
            return method(self, *args, **kwargs)
        conn = self._checkout()
        self._local.conn = conn
        try:
            return method(self, *args, **kwargs)
        finally:
            self._local.conn = None
            self._checkin(conn)

    return wrapper  # type: ignore[return-value]


class FTS5Backend:
    name = "fts5"

    def __init__(self, path: str | Path, *, timeout_s: float = 10.0):
        self.path = Path(path)
        self.timeout_s = timeout_s
        self._local = threading.local()  # the connection leased to the running public call, per thread
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._vocab: Vocabulary | None = None
        self._vocab_lock = threading.Lock()
        self._matches: OrderedDict[str, int] = OrderedDict()
        self._matches_generation = -1
        self._matches_lock = threading.Lock()
        self._circles: OrderedDict[tuple[float, float, float], Circle] = OrderedDict()
        self._circles_generation = -1
        self._circles_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._schema_ready = False

    # -- connections -----------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout_s, check_same_thread=False,
                                   isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-32000")
            conn.execute("PRAGMA temp_store=MEMORY")
            if not self._schema_ready:
                with self._write_lock:
                    for stmt in SCHEMA:
                        conn.execute(stmt)
                    columns = {r[1] for r in conn.execute("PRAGMA table_info(docs)")}
                    if "price" not in columns:  # an index written before price sorting: filled by a rebuild
                        conn.execute("ALTER TABLE docs ADD COLUMN price REAL")
                self._schema_ready = True
        except (OSError, sqlite3.Error) as exc:
            raise SearchUnavailable(f"search index {self.path} cannot be opened: {exc}") from exc
        return conn

    def _checkout(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _checkin(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        with self._pool_lock:
            if len(self._idle) < POOL_IDLE_MAX:
                self._idle.append(conn)
                return
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def _conn(self) -> sqlite3.Connection:
        """The connection leased to this thread by the public method being run (see ``_leased``)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            raise RuntimeError("no search connection leased to this thread")
        return conn

    def close(self) -> None:
        """Close the idle connections (leased ones return to a fresh pool); the backend stays usable."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _generation(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # -- writes ----------------------------------------------------------------------------------------------
    @_leased
    def _write(self, fn: Any, changed: list[int] | None) -> int:
        """Run ``fn(conn)`` in one write transaction and bump the generation. ``changed`` lists the ids it
        touches, so readers update their snapshot incrementally (None: everything changed)."""
        conn = self._conn()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    n = fn(conn)
                    generation = self._generation(conn) + 1
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (generation,))
                    if changed is None:
                        conn.execute("UPDATE meta SET value = ? WHERE key = 'rebuilt'", (generation,))
                        conn.execute("DELETE FROM changes")
                    else:
                        conn.executemany("INSERT INTO changes (generation, id) VALUES (?, ?)",
                                         [(generation, i) for i in changed])
                        conn.execute("DELETE FROM changes WHERE generation <= ?", (generation - CHANGES_KEPT,))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise SearchUnavailable(f"search index {self.path}: {exc}") from exc
        return int(n)

    @staticmethod
    def _delete_ids(conn: sqlite3.Connection, ids: list[int]) -> int:
        n = 0
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            n += conn.execute(f"DELETE FROM docs WHERE id IN ({marks})", chunk).rowcount
            conn.execute(f"DELETE FROM bodies WHERE id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM geo WHERE id IN ({marks})", chunk)
        return n

    @classmethod
    def _insert(cls, conn: sqlite3.Connection, documents: Iterable[dict[str, Any]], replace: bool) -> int:
        n = 0
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            if replace:
                cls._delete_ids(conn, [d["id"] for d in batch])
            conn.executemany(
                "INSERT INTO docs (id, stale, mask, lat, lon, rating, bayes, price) VALUES (?,?,?,?,?,?,?,?)",
                [(d["id"], int(bool(d.get("stale"))), bitset.encode_mask(doc_mask(d)), _num(d.get("lat")), _num(d.get("lon")),
                  _num(d.get("rating_value")), _num(d.get("rating_bayes")), _num(d.get("price_min")))
                 for d in batch])
            conn.executemany("INSERT INTO bodies (id, body) VALUES (?, ?)",
                             [(d["id"], json.dumps(d, ensure_ascii=False, separators=(",", ":"))) for d in batch])
            conn.executemany("INSERT INTO fts (rowid, name, practitioners, place, topics, ids) VALUES (?,?,?,?,?,?)",
                             [fts_row(d) for d in batch])
            conn.executemany("INSERT INTO geo (id, min_lat, max_lat, min_lon, max_lon) VALUES (?,?,?,?,?)",
                             [(d["id"], d["lat"], d["lat"], d["lon"], d["lon"]) for d in batch
                              if _num(d.get("lat")) is not None and _num(d.get("lon")) is not None])
            words = {w for d in batch for w in tokens(" ".join(fts_row(d)[1:5]), limit=None) if w.isalpha()}
            conn.executemany("INSERT OR IGNORE INTO terms (term) VALUES (?)", [(w,) for w in words])
            batch.clear()

        seen: dict[int, dict[str, Any]] = {}
        for raw in documents:
            doc = clean_doc(raw)
            seen[doc["id"]] = doc
            if len(seen) >= _BATCH:
                batch.extend(seen.values())
                n += len(batch)
                seen.clear()
                flush()
        batch.extend(seen.values())
        n += len(batch)
        if batch:
            flush()
        return n

    def upsert(self, documents: Iterable[dict[str, Any]]) -> int:
        docs = list(documents)
        changed = sorted({int(d["id"]) for d in docs})
        return self._write(lambda conn: self._insert(conn, docs, replace=True), changed) if docs else 0

    def delete(self, ids: Iterable[int]) -> int:
        id_list = sorted({int(i) for i in ids})
        return self._write(lambda conn: self._delete_ids(conn, id_list), id_list) if id_list else 0

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Replace the whole index in one transaction: readers see the old index until the commit."""

        def run(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM docs")
            conn.execute("DELETE FROM bodies")
            conn.execute("DELETE FROM fts")
            conn.execute("DELETE FROM geo")
            conn.execute("DELETE FROM terms")
            n = self._insert(conn, documents, replace=True)
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            return n

        return self._write(run, None)

    # -- reads -----------------------------------------------------------------------------------------------
    @_leased
    def _read(self, sql: str, params: Any = ()) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"search index {self.path}: {exc}") from exc

    def get(self, doc_id: int) -> dict[str, Any] | None:
        rows = self._read("SELECT body FROM bodies WHERE id = ?", (int(doc_id),))
        return json.loads(rows[0][0]) if rows else None

    def count(self) -> int:
        return int(self._read("SELECT count(*) FROM docs")[0][0])

    def health(self) -> bool:
        try:
            self._read("SELECT 1 FROM meta LIMIT 1")
            return True
        except SearchUnavailable:
            return False

    @_leased
    def vocabulary(self) -> Vocabulary:
        """The index's words (alphabetic terms, kept in ``terms`` at write time: far smaller than the FTS5
        dictionary with its NPIs and street numbers), cached until the next write bumps the generation."""
        conn = self._conn()
        generation = self._generation(conn)
        with self._vocab_lock:
            if self._vocab is None or self._vocab.generation != generation:
                self._vocab = build_vocabulary(conn.execute("SELECT term FROM terms").fetchall(), generation)
            return self._vocab

    @_leased
    def snapshot(self) -> Snapshot:
        """The compact columns as bitsets, reloaded when any process has written since the last load."""
        conn = self._conn()
        generation = self._generation(conn)
        snap = self._snapshot
        if snap is not None and snap.generation == generation:
            return snap
        with self._snapshot_lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                conn.execute("BEGIN")  # one read transaction: the generation and the rows agree
                try:
                    generation = self._generation(conn)
                    self._snapshot = self._refresh(conn, self._snapshot, generation)
                finally:
                    conn.execute("COMMIT")
            return self._snapshot

    @staticmethod
    def _refresh(conn: sqlite3.Connection, old: Snapshot | None, generation: int) -> Snapshot:
        """Apply the ids changed since ``old`` when the change log covers them, else load everything."""
        if old is not None and old.generation < generation:
            changed = FTS5Backend._changed_since(conn, old.generation)
            if changed is not None:
                return old.apply(conn, changed, generation, len(BITS))
        return Snapshot.load(conn, generation, len(BITS))

    @staticmethod
    def _changed_since(conn: sqlite3.Connection, generation: int) -> list[int] | None:
        """The ids written since ``generation``, or None when the change log does not cover them all (a
        rebuild, log trimmed) or they are too many to apply one by one."""
        rebuilt = conn.execute("SELECT value FROM meta WHERE key = 'rebuilt'").fetchone()[0]
        oldest = conn.execute("SELECT min(generation) FROM changes").fetchone()[0]
        if rebuilt > generation or oldest is None or oldest > generation + 1:
            return None
        changed = [r[0] for r in conn.execute("SELECT DISTINCT id FROM changes WHERE generation > ? LIMIT ?",
                                              (generation, INCREMENTAL_LIMIT + 1))]
        return changed if len(changed) <= INCREMENTAL_LIMIT else None

    def _update_circles(self, generation: int) -> None:
        """Bring the cached circles to ``generation``: the documents written since are moved in or out (a few
        ids after an incremental publish), or, when the change log does not cover them, the cache is emptied.
        Called with the circles lock held."""
        changed = self._changed_since(self._conn(), self._circles_generation) \
            if self._circles and 0 <= self._circles_generation < generation else None
        if changed is None:
            self._circles.clear()
        else:
            for key, old in list(self._circles.items()):
                self._circles[key] = update_circle(self._conn(), old, key[0], key[1], key[2], changed)
        self._circles_generation = generation

    @_leased
    def circle(self, lat: float, lon: float, radius_km: float, generation: int) -> Circle:
        """The documents within ``radius_km`` of a point, nearest first, from an LRU cache emptied by any
        write (:mod:`indexer.search.geo_cache`)."""
        key = (round(float(lat), 5), round(float(lon), 5), round(float(radius_km), 3))
        with self._circles_lock:
            if self._circles_generation != generation:
                self._update_circles(generation)
            found = self._circles.get(key)
            if found is not None:
                self._circles.move_to_end(key)
                return found
        found = load_circle(self._conn(), lat, lon, radius_km)
        with self._circles_lock:
            if self._circles_generation == generation:
                self._circles[key] = found
                while len(self._circles) > CIRCLES_KEPT:
                    self._circles.popitem(last=False)
        return found

    @_leased
    def matching(self, expression: str, generation: int) -> int:
        """Bitset of the documents matching an FTS5 expression, from an LRU cache emptied by any write."""
        with self._matches_lock:
            if self._matches_generation != generation:
                self._matches.clear()
                self._matches_generation = generation
            found = self._matches.get(expression)
            if found is not None:
                self._matches.move_to_end(expression)
                return found
        row = self._conn().execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", (expression,)).fetchone()
        found = bitset.from_csv(row[0])
        with self._matches_lock:
            if self._matches_generation == generation:
                self._matches[expression] = found
                while len(self._matches) > MATCH_CACHE_SIZE:
                    self._matches.popitem(last=False)
        return found

    @_leased
    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        validate_query(query)
        try:
            result = Search(self, query).run()
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"search index {self.path}: {exc}") from exc
        result.took_ms = (time.perf_counter() - started) * 1000
        return result
