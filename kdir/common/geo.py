"""Coordinates: the source's point when plausible, else the ZIP centroid (offline ``zipcodes`` data).

Implausible: (0, 0), out of range, swapped lat/lon, or outside the stated state. The per-state bounding boxes
ship in ``state_boxes.py`` (built from the ``zipcodes`` centroids of each state, widened by a margin)."""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kdir.common.state_boxes import STATE_BOXES


@dataclass(frozen=True)
class GeoResult:
    lat: float
    lon: float
    source: str  # "source" | "zip_centroid"


_ZIP_FILE = Path(__file__).with_name("zip_centroids.csv.gz")


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, tuple[float, float, str]]:
    """ZIP -> (lat, lon, state). The file is the ``zipcodes`` package's data reduced to what we use (loading it
    takes milliseconds instead of the seconds ``zipcodes.list_all()`` needs); regenerate it with
    ``python -m kdir.common.geo --regenerate`` after upgrading ``zipcodes``."""
    table: dict[str, tuple[float, float, str]] = {}
    with gzip.open(_ZIP_FILE, "rt", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            z, lat, lon, state = line.rstrip("\n").split(",")
            table[z] = (float(lat), float(lon), state)
    return table


def regenerate(path: Path = _ZIP_FILE) -> int:
    """Rebuild the ZIP centroid file from the installed ``zipcodes`` package."""
    import zipcodes

    rows = []
    for z in zipcodes.list_all():
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if not (lat == 0 and lon == 0):
            rows.append(f"{z['zip_code']},{lat:.4f},{lon:.4f},{z['state']}")
    text = f"# ZIP centroids from the zipcodes package {zipcodes.__version__}: zip,lat,lon,state\n"
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write((text + "\n".join(sorted(rows)) + "\n").encode("ascii"))
    _zip_table.cache_clear()
    return len(rows)


def _zip(postal_code: str | None) -> tuple[float, float, str] | None:
    return _zip_table().get((postal_code or "")[:5])


def zip_centroid(postal_code: str | None) -> tuple[float, float] | None:
    hit = _zip(postal_code)
    return (hit[0], hit[1]) if hit else None


def zip_state(postal_code: str | None) -> str | None:
    hit = _zip(postal_code)
    return hit[2] if hit else None


def state_bbox(state: str | None) -> tuple[float, float, float, float] | None:
    """(min_lat, max_lat, min_lon, max_lon) of a two-letter state, or None when unknown."""
    return STATE_BOXES.get(state or "")


def plausible(lat: float, lon: float, state: str | None) -> bool:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (abs(lat) < 1e-6 and abs(lon) < 1e-6):
        return False
    box = state_bbox(state)
    if box is None:  # unknown state: at least inside the US's broad extent (incl. AK, HI, PR)
        return 17.0 <= lat <= 72.0 and -180.0 <= lon <= -64.0
    return box[0] <= lat <= box[1] and box[2] <= lon <= box[3]


def resolve_geo(geo: object, state: str | None, postal_code: str | None) -> GeoResult | None:
    """Pick a point for a listing; None when neither the source's point nor the ZIP gives one."""
    if isinstance(geo, dict):
        try:
            lat, lon = float(geo.get("lat")), float(geo.get("lon"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            lat = lon = float("nan")
        if lat == lat and lon == lon and plausible(lat, lon, state or zip_state(postal_code)):
            return GeoResult(round(lat, 6), round(lon, 6), "source")
    centroid = zip_centroid(postal_code)
    if centroid:
        return GeoResult(centroid[0], centroid[1], "zip_centroid")
    return None


if __name__ == "__main__" and "--regenerate" in sys.argv:
    print(f"{regenerate()} ZIP centroids written to {_ZIP_FILE}")
