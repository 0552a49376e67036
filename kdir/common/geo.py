"""The one ZIP and city table of the project, and coordinates for a listing.

``zip_table.csv.gz`` is the ``zipcodes`` package's data reduced to what we use (zip, lat, lon, state, city,
other accepted city names): loading it takes a fraction of what ``zipcodes.list_all()`` needs. Extraction
checks ZIP against state with it, the indexer places listings with it, the web resolves what patients type
with it -- offline: no geocoding service ever sees a search. Regenerate after upgrading ``zipcodes`` with
``python -m kdir.common.geo --regenerate``.

A listing's point: the source's own when plausible, else its ZIP's centroid. Implausible: (0, 0), out of range,
swapped lat/lon, or outside the stated state (per-state boxes in ``state_boxes.py``).
"""

from __future__ import annotations

import gzip
import sys
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kdir.common.record import Geo
from kdir.common.state_boxes import STATE_BOXES

_TABLE_FILE = Path(__file__).with_name("zip_table.csv.gz")


class ZipInfo(NamedTuple):
    lat: float | None
    lon: float | None
    state: str
    city: str
    other_cities: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def zip_table() -> dict[str, ZipInfo]:
    """ZIP -> :class:`ZipInfo`, loaded once per process."""
    table: dict[str, ZipInfo] = {}
    with gzip.open(_TABLE_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            z, lat, lon, state, city, other = line.rstrip("\n").split(",")
            table[z] = ZipInfo(float(lat) if lat else None, float(lon) if lon else None, state, city,
                               tuple(other.split("|")) if other else ())
    return table


class City(NamedTuple):
    """A city of a state: its name as the ZIP table prints it, mean coordinates and how many ZIP codes name it
    (primary or accepted name: a rough measure of its size)."""

    name: str
    state: str
    lat: float
    lon: float
    zips: int


@lru_cache(maxsize=1)
def cities() -> dict[tuple[str, str], City]:
    """(CITY, ST) -> :class:`City`, over the ZIP codes with coordinates; loaded once per process."""
    acc: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for info in zip_table().values():
        if info.lat is None or info.lon is None:
            continue
        for i, city in enumerate((info.city, *info.other_cities)):
            key = (city_key(city), info.state)
            s = acc.setdefault(key, [0.0, 0.0, 0.0])
            s[0] += info.lat
            s[1] += info.lon
            s[2] += 1
            if i == 0 or key not in names:  # a primary name's spelling wins
                names[key] = city
    return {k: City(names[k], k[1], v[0] / v[2], v[1] / v[2], int(v[2])) for k, v in acc.items()}


@lru_cache(maxsize=1)
def city_table() -> dict[tuple[str, str], tuple[float, float]]:
    """(CITY, ST) -> mean coordinates of the ZIP codes that name it (primary or accepted city name)."""
    return {k: (c.lat, c.lon) for k, c in cities().items()}


def city_key(city: str) -> str:
    """Match form of a city name: upper case, no dots, single spaces ("St. Paul" -> "ST PAUL")."""
    return " ".join(city.upper().replace(".", " ").split())


def zip_info(postal_code: str | None) -> ZipInfo | None:
    return zip_table().get((postal_code or "")[:5])


def zip_centroid(postal_code: str | None) -> tuple[float, float] | None:
    info = zip_info(postal_code)
    return (info.lat, info.lon) if info and info.lat is not None and info.lon is not None else None


def zip_state(postal_code: str | None) -> str | None:
    info = zip_info(postal_code)
    return info.state if info else None


def zip_matches_state(postal_code: str | None, region: str | None) -> bool | None:
    """True/False when the ZIP is in the table; None when either part is missing or the ZIP is unknown."""
    if not postal_code or not region:
        return None
    known = zip_state(postal_code)
    return None if known is None else known == region


def city_point(city: str, state: str) -> tuple[float, float] | None:
    """Coordinates of a city in a state ("Saint" and "St" spellings both work), or None."""
    key = city_key(city)
    point = city_table().get((key, state))
    if point is None and key.startswith("ST "):
        point = city_table().get(("SAINT " + key[3:], state))
    return point


def city_in_state(city: str, state: str) -> bool:
    """Whether ``city`` is a known city name of the two-letter ``state``."""
    return city_point(city, state) is not None


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


def resolve_geo(geo: Geo | None, state: str | None, postal_code: str | None) -> Geo | None:
    """Pick a point for a listing; None when neither the source's point nor the ZIP gives one."""
    if geo is not None and geo.lat == geo.lat and geo.lon == geo.lon \
            and plausible(geo.lat, geo.lon, state or zip_state(postal_code)):
        return Geo(round(geo.lat, 6), round(geo.lon, 6), "source")
    centroid = zip_centroid(postal_code)
    return Geo(centroid[0], centroid[1], "zip_centroid") if centroid else None


def regenerate(path: Path = _TABLE_FILE) -> int:
    """Rebuild the table file from the installed ``zipcodes`` package."""
    import zipcodes  # only the regeneration needs the package's own (slow) loader

    rows = []
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        try:
            lat, lon = f"{float(z['lat']):.4f}", f"{float(z['long']):.4f}"
        except (KeyError, TypeError, ValueError):
            lat = lon = ""
        if lat == lon == "0.0000":
            lat = lon = ""
        other = "|".join(c for c in z.get("acceptable_cities") or [] if "," not in c and "|" not in c)
        city = str(z.get("city") or "").replace(",", " ")
        rows.append(f"{z['zip_code']},{lat},{lon},{z['state']},{city},{other}")
    text = f"# ZIP table from the zipcodes package {zipcodes.__version__}: zip,lat,lon,state,city,other cities\n"
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write((text + "\n".join(sorted(rows)) + "\n").encode("utf-8"))
    zip_table.cache_clear()
    cities.cache_clear()
    city_table.cache_clear()
    return len(rows)


if __name__ == "__main__" and "--regenerate" in sys.argv:
    print(f"{regenerate()} ZIP codes written to {_TABLE_FILE}")
