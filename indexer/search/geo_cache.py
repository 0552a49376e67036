"""Circles around a searched place, cached: every document within a radius, in distance order.

A search with a place needs the documents within its radius for the result set AND (disjunctive facets) for
the set without the filters; computing haversine over the whole circle per request dominated the page. The
circle depends only on the place, the radius and the index generation, and patients search the same ZIP
codes and cities again and again, so each backend keeps the last :data:`CIRCLES_KEPT` circles, and moves the
few documents an incremental publish writes in or out of them (:func:`update_circle`) instead of dropping them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from indexer.search import bitset
from indexer.search.common import bounding_box, haversine_km

CIRCLES_KEPT = 64


@dataclass(frozen=True)
class Circle:
    members: int  # bitset of the documents within the radius
    order: list[int]  # their ids, nearest first (then by id)
    distance: dict[int, float]  # id -> km


def load_circle(conn: sqlite3.Connection, lat: float, lon: float, radius_km: float) -> Circle:
    """The R*Tree box, then exact haversine distances for the documents in it."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    distance: dict[int, float] = {}
    for doc_id, dlat, dlon in conn.execute(
            "SELECT d.id, d.lat, d.lon FROM docs d WHERE d.id IN (SELECT id FROM geo WHERE max_lat >= ? AND "
            "min_lat <= ? AND max_lon >= ? AND min_lon <= ?) AND d.lat IS NOT NULL AND d.lon IS NOT NULL",
            (min_lat, max_lat, min_lon, max_lon)):
        _place(distance, doc_id, dlat, dlon, lat, lon, radius_km)
    return _circle(distance)


def update_circle(conn: sqlite3.Connection, old: Circle, lat: float, lon: float, radius_km: float,
                  changed: list[int]) -> Circle:
    """``old`` with the documents of ``changed`` (written, moved or deleted since) placed again."""
    if not changed:
        return old
    distance = dict(old.distance)
    for doc_id in changed:
        distance.pop(doc_id, None)
    marks = ",".join(str(int(i)) for i in changed)
    for doc_id, dlat, dlon in conn.execute(
            f"SELECT id, lat, lon FROM docs WHERE id IN ({marks}) AND lat IS NOT NULL AND lon IS NOT NULL"):
        _place(distance, doc_id, dlat, dlon, lat, lon, radius_km)
    return _circle(distance)


def _place(distance: dict[int, float], doc_id: int, dlat: float, dlon: float, lat: float, lon: float,
           radius_km: float) -> None:
    """Put the document in ``distance`` when it lies inside the circle."""
    dist = haversine_km(dlat, dlon, lat, lon)
    if dist <= radius_km:
        distance[doc_id] = dist


def _circle(distance: dict[int, float]) -> Circle:
    """The circle of these documents: nearest first (ties by id), with their bitset."""
    order = sorted(distance, key=lambda i: (distance[i], i))
    nbytes = (max(distance) >> 3) + 1 if distance else 1
    return Circle(bitset.from_ids(order, nbytes), order, distance)
