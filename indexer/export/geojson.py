"""GeoJSON (RFC 7946): one FeatureCollection of Point features, streamed feature by feature.

Coordinates are ``[longitude, latitude]`` (WGS 84), the feature ``id`` is the provider id and ``properties``
hold the canonical record without its ``location``. Providers without usable coordinates are omitted and
counted in :attr:`ExportStats.omitted_no_location`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from indexer.export.base import ExportStats, dumps
from indexer.export.records import Record


def feature(record: Record) -> dict[str, Any] | None:
    loc = record.get("location")
    if not loc:
        return None
    props = {k: v for k, v in record.items() if k != "location"}
    return {"type": "Feature", "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
            "properties": props}


def write(records: Iterable[Record], out: TextIO, stats: ExportStats) -> None:
    out.write('{"type":"FeatureCollection","features":[')
    first = True
    for record in records:
        feat = feature(record)
        if feat is None:
            stats.omitted_no_location += 1
            continue
        out.write("\n" if first else ",\n")
        out.write(dumps(feat))
        first = False
        stats.written += 1
    out.write("\n]}\n")
