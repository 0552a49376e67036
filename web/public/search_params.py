"""Search parameters from a query string (search page and JSON API), validated, and places resolved offline.

Bad values raise :class:`ParamError` naming the parameter: the API answers 400 with it, the page shows it.
Places ("78701", "78701-1234", "Austin, TX", "Austin TX") are resolved with the ``zipcodes`` package: no
geocoding service ever sees what a patient searched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from indexer.search.base import SearchQuery
from kdir.common.us_states import CODES as STATE_CODES
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES

MILES_TO_KM = 1.609344
MAX_TEXT = 200
MAX_PAGE = 500
MAX_PER_PAGE = 50
DEFAULT_RADIUS_KM = 50 * MILES_TO_KM
SORTS = {"relevance": "relevance", "distance": "distance", "rating": "rating"}
FLAGS = ("verified", "psychiatrist", "therapist", "insurance", "telehealth")


class ParamError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float


@dataclass
class SearchParams:
    """A validated search. ``query`` is what goes to the backend; the rest is for the page and the API."""

    query: SearchQuery
    near: str = ""
    place: Place | None = None
    radius_km: float | None = None
    radius_mi: int | None = None
    sort: str = "relevance"
    args: dict[str, Any] = field(default_factory=dict)  # normalised echo of the accepted parameters


@lru_cache(maxsize=1)
def _zip_index() -> dict[str, Place]:
    """ZIP -> place; built once from the offline zipcodes data (its own lookup scans the whole list)."""
    import zipcodes

    out: dict[str, Place] = {}
    for z in zipcodes.list_all():
        try:
            out[str(z["zip_code"])] = Place(f"{z['zip_code']} ({z['city']}, {z['state']})", float(z["lat"]),
                                            float(z["long"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


@lru_cache(maxsize=1)
def _city_index() -> dict[tuple[str, str], tuple[float, float]]:
    """(CITY, ST) -> mean coordinates of its ZIP codes; built once from the offline zipcodes data."""
    import zipcodes

    acc: dict[tuple[str, str], list[float]] = {}
    for z in zipcodes.list_all():
        try:
            lat, lon = float(z["lat"]), float(z["long"])
        except (KeyError, TypeError, ValueError):
            continue
        for city in [z.get("city") or "", *(z.get("acceptable_cities") or [])]:
            key = (city.upper().replace(".", "").strip(), str(z.get("state", "")).upper())
            s = acc.setdefault(key, [0.0, 0.0, 0.0])
            s[0] += lat
            s[1] += lon
            s[2] += 1
    return {k: (v[0] / v[2], v[1] / v[2]) for k, v in acc.items() if v[2]}


def warm_places() -> None:
    """Build the place indexes (about 1.5 s) so the first search with a place does not pay for it."""
    _zip_index()
    _city_index()


def resolve_place(text: str) -> Place | None:
    """A ZIP code or "City, ST" -> coordinates, offline. None when unknown."""
    raw = " ".join(text.split())[:100]
    m = re.fullmatch(r"(\d{5})(?:-\d{4})?", raw)
    if m:
        return _zip_index().get(m.group(1))
    m = re.fullmatch(r"(.+?)[,\s]+([A-Za-z]{2})", raw)
    if not m or m.group(2).upper() not in STATE_CODES:
        return None
    city = m.group(1).upper().replace(".", "").strip(" ,")
    state = m.group(2).upper()
    coords = _city_index().get((city, state))
    if coords is None and city.startswith("ST "):
        coords = _city_index().get(("SAINT " + city[3:], state))
    if coords is None:
        return None
    return Place(f"{m.group(1).strip(' ,').title()}, {state}", coords[0], coords[1])


def _one(args: Mapping[str, Any], name: str) -> str:
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else ([args[name]] if name in args else [])
    if len(values) > 1:
        raise ParamError(name, f"{name} may be given only once")
    value = values[0] if values else ""
    if not isinstance(value, str):
        raise ParamError(name, f"{name} must be text")
    if "\x00" in value:
        raise ParamError(name, f"{name} contains a NUL character")
    return value.strip()


def _many(args: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> list[str]:
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else ([args[name]] if name in args else [])
    out: list[str] = []
    for item in raw:
        for value in str(item).split(","):
            value = value.strip()
            if not value:
                continue
            if value not in allowed:
                raise ParamError(name, f"unknown {name} {value[:40]!r}; expected one of: {', '.join(allowed)}")
            if value not in out:
                out.append(value)
    return out


def _bool(args: Mapping[str, Any], name: str) -> bool:
    value = _one(args, name).lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ParamError(name, f"{name} must be true or false")


def _number(args: Mapping[str, Any], name: str, lo: float, hi: float, *, integer: bool = False) -> float | None:
    value = _one(args, name)
    if not value:
        return None
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        raise ParamError(name, f"{name} must be a{'n integer' if integer else ' number'}") from None
    if not lo <= number <= hi:  # also rejects nan
        raise ParamError(name, f"{name} must be between {lo:g} and {hi:g}")
    return number


def parse_search(args: Mapping[str, Any], *, api: bool, per_page: int = 20) -> SearchParams:
    """Validate the query string. The page takes ``radius`` in miles; the API takes ``radius_km``."""
    text = _one(args, "q")
    if len(text) > MAX_TEXT:
        raise ParamError("q", f"q is longer than {MAX_TEXT} characters")
    near = _one(args, "near")
    place = None
    if near:
        place = resolve_place(near)
        if place is None:
            raise ParamError("near", "near must be a 5-digit US ZIP code or \"City, ST\" we know")
    radius_mi: int | None = None
    if api:
        radius_km = _number(args, "radius_km", 0.1, 1000)
    else:
        radius = _number(args, "radius", 1, 500, integer=True)
        radius_mi = int(radius) if radius is not None else None
        radius_km = radius * MILES_TO_KM if radius is not None else None
    if place is not None and radius_km is None:
        radius_km = DEFAULT_RADIUS_KM
    if place is None:
        radius_km = None
    sort_raw = _one(args, "sort") or "relevance"
    if sort_raw not in SORTS:
        raise ParamError("sort", "sort must be one of: relevance, distance, rating")
    sort = SORTS[sort_raw]
    if sort == "distance" and place is None:
        if api:
            raise ParamError("sort", "sort=distance needs near")
        sort = "relevance"
    min_rating = _number(args, "min_rating", 0, 5)
    page = int(_number(args, "page", 1, MAX_PAGE, integer=True) or 1)
    if api:
        per_page = int(_number(args, "per_page", 1, MAX_PER_PAGE, integer=True) or per_page)
    kind = _one(args, "kind") or None
    if kind not in (None, "clinic", "practitioner"):
        raise ParamError("kind", "kind must be clinic or practitioner")
    flags = {name: _bool(args, name) for name in FLAGS}
    modalities = _many(args, "modality", MODALITIES)
    conditions = _many(args, "condition", CONDITIONS)
    services = _many(args, "service", SERVICES)
    query = SearchQuery(
        text=text, lat=place.lat if place else None, lon=place.lon if place else None, radius_km=radius_km,
        modalities=modalities, conditions=conditions, services=services, kind=kind,
        verified_only=flags["verified"], psychiatrist=flags["psychiatrist"], therapist=flags["therapist"],
        accepts_insurance=flags["insurance"], telehealth=flags["telehealth"], min_rating=min_rating,
        sort=sort, page=page, per_page=per_page, facets=not api)  # type: ignore[arg-type]
    echo: dict[str, Any] = {"q": text, "near": near, "modality": modalities, "condition": conditions,
                            "service": services, "sort": sort, "page": page, "per_page": per_page,
                            "min_rating": min_rating, "kind": kind, **flags}
    if api:
        echo["radius_km"] = radius_km
    else:
        echo["radius"] = radius_mi
    return SearchParams(query=query, near=near, place=place, radius_km=radius_km, radius_mi=radius_mi,
                        sort=sort, args=echo)
