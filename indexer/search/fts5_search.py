"""One query against the embedded index.

1. The filtered set F is a bitset: live (or all) AND each required facet bit AND the text matches (FTS5 ids
   via ``group_concat``) AND the radius (R*Tree box, then exact haversine) AND min_rating.
2. ``total`` and every facet count are ``(F & bit).bit_count()``.
3. The page: relevance with text ranks F by bm25 (field weights) when F is at most ``RANK_CAP`` documents
   and the words match at most ``BM25_SCAN_CAP`` (FTS5 walks every match to score F's). Broader text (words
   in a large share of listings, where bm25's IDF is near zero and the score mostly measures field lengths)
   ranks by tiers -- all words in the name, then in a practitioner, then elsewhere -- by rating within a tier. Rating
   order walks the snapshot's rating list; distance order widens a circle until it holds the page.
4. Bodies and highlights are read for the page only.
"""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter
from typing import Any, Protocol

from indexer.search import bitset
from indexer.search.base import HL_END, HL_START, SearchHit, SearchQuery, SearchResult
from indexer.search.bitset import Snapshot
from indexer.search.common import (
    BITS,
    FIELD_BITS,
    facet_counts,
    facets_from_bit_counts,
    group_masks,
    haversine_km,
    page_window,
    practitioner_highlight,
)
from indexer.search.fts5_query import Group, Vocabulary, highlight, parse_words
from indexer.search.fts5_schema import WEIGHTS
from indexer.search.geo_cache import Circle
from indexer.search.query_text import query_words
from kdir.common.filters import FILTERS


class IndexReader(Protocol):
    """What a query needs of the backend: the leased connection, the compact snapshot and the vocabulary."""

    def _conn(self) -> sqlite3.Connection: ...

    def snapshot(self) -> Snapshot: ...

    def vocabulary(self) -> Vocabulary: ...

    def matching(self, expression: str, generation: int) -> int: ...

    def circle(self, lat: float, lon: float, radius_km: float, generation: int) -> Circle: ...

RANK_CAP = 2000
BM25_SCAN_CAP = 20_000  # bm25 walks every text match; words in more documents than this rank by tiers
EXPANDING_RADII_KM = (25.0, 100.0, 400.0, 1600.0)
_SPARSE = 3000  # below this many ids, sort the ids of F instead of walking the whole rating list


class Search:
    def __init__(self, backend: IndexReader, q: SearchQuery):
        self.q = q
        self.conn = backend._conn()
        self.snap = backend.snapshot()
        self.weights = ", ".join(str(w) for w in WEIGHTS)
        self.point = (float(q.lat), float(q.lon)) if q.lat is not None and q.lon is not None else None
        self.backend = backend
        words = query_words(q.text) if q.text.strip() else None
        vocab = backend.vocabulary() if words and words.words else None
        self.groups: list[Group] = parse_words(words.words, vocab) if words else []
        self.relaxed = parse_words(words.relaxed, vocab) if words and words.relaxed else None
        self.match = " AND ".join(g.fts() for g in self.groups) if self.groups else None
        self.radius_circle: Circle | None = None  # every document within the query's radius (cached)
        self.text_count = 0
        self.base = 0  # the documents matching everything but the filters
        self.group_sets: dict[str, int] = {}  # filter name -> documents with any of its selected values

    # -- the filtered set ------------------------------------------------------------------------------------
    def _matching(self, column: str | None = None) -> int:
        """Documents matching every query word (in one column if given): the AND of per-word bitsets, each
        cached until the index changes -- in effect a lazily built bitmap index of the words people search."""
        result = -1
        for group in self.groups:
            expression = group.fts() if column is None else "{" + column + "} : " + group.fts()
            result &= self.backend.matching(expression, self.snap.generation)
            if not result:
                break
        return max(result, 0)

    def _circle(self, radius_km: float) -> Circle:
        assert self.point is not None
        return self.backend.circle(self.point[0], self.point[1], radius_km, self.snap.generation)

    def _distances_of(self, ids: list[int], radius_km: float | None = None) -> dict[int, float]:
        assert self.point is not None
        out: dict[int, float] = {}
        for i in range(0, len(ids), 5000):
            chunk = ",".join(str(x) for x in ids[i:i + 5000])
            for doc_id, lat, lon in self.conn.execute(
                    f"SELECT id, lat, lon FROM docs WHERE id IN ({chunk}) AND lat IS NOT NULL AND lon IS NOT NULL"):
                dist = haversine_km(lat, lon, *self.point)
                if radius_km is None or dist <= radius_km:
                    out[doc_id] = dist
        return out

    def filtered(self) -> int:
        """F: the base (live, rating, text, radius) AND, per selected filter, ANY of its values."""
        q, snap = self.q, self.snap
        f = snap.every if q.include_stale else snap.live
        self.group_sets = {}
        for name, mask in group_masks(q).items():
            members = 0
            for bit in range(len(BITS)):
                if mask >> bit & 1:
                    members |= snap.bits[bit]
            self.group_sets[name] = members
        if f and q.min_rating is not None:
            row = self.conn.execute("SELECT group_concat(id) FROM docs WHERE rating >= ?",
                                    (float(q.min_rating),)).fetchone()
            f &= bitset.from_csv(row[0])
        if f and self.match:
            text = self._matching()
            self.text_count = text.bit_count()
            f &= text
        if f and self.point and q.radius_km:
            self.radius_circle = self._circle(float(q.radius_km))
            f &= self.radius_circle.members
        self.base = f
        for members in self.group_sets.values():
            f &= members
        return f

    def without(self, name: str) -> int:
        """The base AND every selected filter but ``name``: the set ``name``'s facet counts are taken from."""
        f = self.base
        for other, members in self.group_sets.items():
            if other != name:
                f &= members
        return f

    def facets(self, f: int, total: int) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """Disjunctive facet counts (each filter's counts with every other filter applied, not its own) and
        the total each selected filter's removal would give."""
        if not self.group_sets:
            return facets_from_bit_counts(total, [(f & b).bit_count() for b in self.snap.bits]), {}
        out: dict[str, dict[str, int]] = {}
        dropped: dict[str, int] = {}
        for flt in FILTERS:
            s = f
            n = total
            if flt.name in self.group_sets:
                s = self.without(flt.name)
                n = dropped[flt.name] = s.bit_count()
            out[flt.field] = facet_counts(flt.field, n, {bit: (s & self.snap.bits[bit]).bit_count()
                                                         for _, bit in FIELD_BITS[flt.field]})
        return out, dropped

    # -- ordering --------------------------------------------------------------------------------------------
    def _by_rating(self, f: int, count: int, need: int, exclude: set[int] | None = None) -> list[int]:
        """The first ``need`` ids of F in rating order."""
        if count <= _SPARSE:
            ids = sorted(bitset.ids_of(f), key=self.snap.sort_key)
            return [i for i in ids if not exclude or i not in exclude][:need]
        member = bitset.Membership(f)
        out: list[int] = []
        for doc_id in self.snap.by_rating:
            if doc_id in member and (not exclude or doc_id not in exclude):
                out.append(doc_id)
                if len(out) >= need:
                    break
        return out

    def _by_bm25(self, f: int, count: int, need: int) -> list[tuple[int, float]]:
        restrict = ""
        if count < self.text_count:  # filters removed some matches: score only F's
            restrict = " AND +rowid IN (" + ",".join(str(i) for i in bitset.ids_of(f)) + ")"
        rows = self.conn.execute(
            f"SELECT rowid, bm25(fts, {self.weights}) FROM fts WHERE fts MATCH ?{restrict}", (self.match,)).fetchall()
        rows.sort(key=itemgetter(1))
        end = min(need, len(rows))
        while 0 < end < len(rows) and rows[end][1] == rows[end - 1][1]:
            end += 1  # keep every row tied with the last one, so rating decides among them
        key = self.snap.sort_key
        top = sorted(rows[:end], key=lambda r: (r[1], key(r[0])))[:need]
        return [(r[0], -float(r[1])) for r in top]

    def _by_tiers(self, f: int, need: int) -> list[tuple[int, float]]:
        assert self.match is not None
        out: list[tuple[int, float]] = []
        rest = f
        for column, score in (("name", 3.0), ("practitioners", 2.0)):
            tier = rest & self._matching(column)
            rest &= ~tier
            if tier and len(out) < need:
                out.extend((i, score) for i in self._by_rating(tier, tier.bit_count(), need - len(out)))
        if rest and len(out) < need:
            out.extend((i, 1.0) for i in self._by_rating(rest, rest.bit_count(), need - len(out)))
        return out

    def _by_distance(self, f: int, count: int, need: int) -> list[tuple[int, float]]:
        """Nearest first; documents without coordinates last (by rating). Circles (cached per place and radius,
        their documents in distance order) are walked for F's members; without a radius, a circle widens
        until it holds the page: everything outside a circle is farther than everything inside it."""
        member = bitset.Membership(f)
        circles = [self.radius_circle] if self.radius_circle is not None else \
            [self._circle(r) for r in EXPANDING_RADII_KM]
        ranked: list[tuple[int, float]] = []
        inside = 0
        for c in circles:
            inside = (c.members & f).bit_count()
            if inside >= need or inside >= count or c is circles[-1]:
                for doc_id in c.order:
                    if doc_id in member:
                        ranked.append((doc_id, c.distance[doc_id]))
                        if len(ranked) >= need:
                            break
                break
        if len(ranked) < need and self.radius_circle is None and inside < count:
            placed = {i for i, _ in ranked}  # beyond the widest circle: measure the rest of F
            rest = [i for i in bitset.ids_of(f) if i not in placed]
            ranked.extend(sorted(self._distances_of(rest).items(), key=lambda kv: (kv[1], kv[0]))[:need - len(ranked)])
        if len(ranked) < need and len(ranked) < count:  # the page reaches the documents without coordinates
            placed = {i for i, _ in ranked}
            ranked.extend((i, float("inf")) for i in self._by_rating(f, count, need, exclude=placed)
                          if i not in placed)
        return [(i, -d) for i, d in ranked[:need]]

    def _by_price(self, f: int, count: int, need: int) -> list[tuple[int, float]]:
        """Lowest known price first (then rating); listings without a price last, by rating."""
        member = bitset.Membership(f)
        priced: list[tuple[int, float]] = []
        for doc_id, price in self.conn.execute("SELECT id, price FROM docs WHERE price IS NOT NULL"):
            if doc_id in member:
                priced.append((doc_id, float(price)))
        priced.sort(key=lambda r: (r[1], self.snap.sort_key(r[0])))
        out = [(i, -p) for i, p in priced[:need]]
        if len(out) < need and len(priced) < count:
            seen = {i for i, _ in priced}
            out.extend((i, float("-inf")) for i in self._by_rating(f, count, need - len(out), exclude=seen))
        return out[:need]

    def ranked(self, f: int, count: int, need: int) -> list[tuple[int, float]]:
        sort = self.q.sort
        if sort == "distance" and not self.point:
            sort = "relevance"
        if sort == "relevance" and not self.match and self.point:
            sort = "distance"
        if sort == "relevance" and self.match:
            if count <= RANK_CAP and self.text_count <= BM25_SCAN_CAP:
                return self._by_bm25(f, count, need)
            return self._by_tiers(f, need)
        if sort == "distance":
            return self._by_distance(f, count, need)
        if sort == "price":
            return self._by_price(f, count, need)
        return [(i, -self.snap.sort_key(i)[1]) for i in self._by_rating(f, count, need)]

    # -- page ------------------------------------------------------------------------------------------------
    def _highlights(self, doc: dict[str, Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.groups:
            return found
        name = highlight(doc.get("name") or "", self.groups, HL_START, HL_END)
        if name:
            found["name"] = name
        entries = [highlight(p, self.groups, HL_START, HL_END) or p for p in doc.get("practitioners") or []]
        joined = practitioner_highlight(entries)
        if joined:
            found["practitioners"] = joined
        return found

    def run(self) -> SearchResult:
        q = self.q
        if q.text.strip() and not self.match:  # text without a searchable word matches nothing
            return SearchResult(total=0, hits=[], facets=facets_from_bit_counts(0, [0] * len(BITS)) if q.facets else {})
        f = self.filtered()
        if not f and self.relaxed:  # typed credentials ("Reyes MD") that no listing has: search without them
            self.groups, self.relaxed = self.relaxed, None
            self.match = " AND ".join(g.fts() for g in self.groups)
            f = self.filtered()
        total = f.bit_count()
        facets: dict[str, dict[str, int]] = {}
        dropped: dict[str, int] = {}
        if q.facets:
            facets, dropped = self.facets(f, total)
        limit, offset = page_window(q)
        ranked = self.ranked(f, total, offset + limit)[offset:] if total > offset else []
        ids = [i for i, _ in ranked]
        bodies: dict[int, dict[str, Any]] = {}
        if ids:
            id_list = ",".join(str(int(i)) for i in ids)
            bodies = {r[0]: json.loads(r[1]) for r in self.conn.execute(
                f"SELECT id, body FROM bodies WHERE id IN ({id_list})")}
        hits: list[SearchHit] = []
        for doc_id, score in ranked:
            doc = bodies.get(doc_id)
            if doc is None:
                continue
            dist = None
            if self.point and doc.get("lat") is not None and doc.get("lon") is not None:
                dist = haversine_km(doc["lat"], doc["lon"], *self.point)
            hits.append(SearchHit(id=doc_id, score=float(score), document=doc, distance_km=dist,
                                  highlights=self._highlights(doc)))
        return SearchResult(total=total, hits=hits, facets=facets, without=dropped)
