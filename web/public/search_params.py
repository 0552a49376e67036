"""Search parameters from a query string (search page and JSON API), validated, and places resolved offline.

Bad values raise :class:`ParamError` naming the parameter: the API answers 400 with it, the page shows it.
Places ("78701", "78701-1234", "Austin, TX", "Austin TX") are resolved with the project's offline ZIP and city
table (:mod:`kdir.common.geo`): no geocoding service ever sees what a patient searched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from indexer.search.base import SearchQuery
from kdir.common.filters import ALIASES, FILTERS, TRUE, UnknownFilter, check
from kdir.common.geo import city_point, city_table, zip_info, zip_table
from kdir.common.places import split_place
from kdir.common.us_states import CODES as STATE_CODES

MILES_TO_KM = 1.609344
MAX_TEXT = 200
MAX_PAGE = 500
MAX_PER_PAGE = 50
DEFAULT_RADIUS_KM = 50 * MILES_TO_KM
SORTS = {"relevance": "relevance", "distance": "distance", "rating": "rating", "price": "price"}
NEAR_STATE = "near"  # telehealth_state=near: the state of the place searched
PLACE_HELP = "Try a ZIP code (78701) or a city and state (Austin, TX)."


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
    state: str = ""


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
    place_error: str | None = None  # the page: a place not understood, in plain words (everything else kept)
    place_from_text: str | None = None  # the words of ``q`` taken as the place ("austin" of "spravato austin")
    alternatives: tuple[Place, ...] = ()  # other places of that name (a "did you mean" line)
    text: str = ""  # what the patient typed in the search box, unchanged


def warm_places() -> None:
    """Load the ZIP and city tables (about a second) so the first search with a place does not pay for it."""
    zip_table()
    city_table()


def resolve_place(text: str) -> Place | None:
    """A ZIP code or "City, ST" -> coordinates, offline. None when unknown."""
    raw = " ".join(text.split())[:100]
    m = re.fullmatch(r"(\d{5})(?:-\d{4})?", raw)
    if m:
        info = zip_info(m.group(1))
        if info is None or info.lat is None or info.lon is None:
            return None
        return Place(f"{m.group(1)} ({info.city}, {info.state})", info.lat, info.lon, info.state)
    m = re.fullmatch(r"(.+?)[,\s]+([A-Za-z]{2})", raw)
    if not m or m.group(2).upper() not in STATE_CODES:
        return None
    state = m.group(2).upper()
    coords = city_point(m.group(1).strip(" ,"), state)
    if coords is None:
        return None
    return Place(f"{m.group(1).strip(' ,').title()}, {state}", coords[0], coords[1], state)


@lru_cache(maxsize=4096)
def understand_place(text: str) -> tuple[Place | None, tuple[Place, ...]]:
    """What a patient typed in the place box, offline: a ZIP code, "City, ST", a sizable city without its
    state ("Austin"), or a city with a typo ("Austn, TX", "Denvr") -- (place, other places of that name)."""
    exact = resolve_place(text)
    if exact is not None:
        return exact, ()
    raw = " ".join(text.split())[:100]
    for candidate in (raw, "in " + raw):
        found = split_place(candidate)
        if found is not None and not found.text:
            return _place(found.place), tuple(_place(p) for p in found.alternatives)
    return None, ()


def _place(p: Any) -> Place:
    return Place(p.label, p.lat, p.lon, p.state)


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


def _many(args: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a repeatable parameter (repeated or comma-separated), in order, without duplicates."""
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else ([args[name]] if name in args else [])
    out: list[str] = []
    for item in raw:
        for value in str(item).split(","):
            value = value.strip()
            if value and value not in out:
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
    """Validate the query string. The page takes ``radius`` in miles; the API takes ``radius_km``.

    A place is ``near`` (ZIP, "City, ST", a sizable city alone, a city with a typo) or, when ``near`` is empty,
    the end of ``q`` ("spravato austin", "ketamine near 78701"). The API answers 400 for a ``near`` it does not
    understand; the page keeps everything typed, searches without the place and says so (``place_error``)."""
    if api:  # the API takes its parameters as documented: a parameter given is not empty
        getlist = getattr(args, "getlist", None)
        for name in args:
            values = getlist(name) if getlist else [args[name]]
            if any(isinstance(v, str) and not v.strip() for v in values) and name not in ("q", "near"):
                raise ParamError(name, f"{name} is empty: leave it out instead")
    typed = text = _one(args, "q")
    if len(text) > MAX_TEXT:
        raise ParamError("q", f"q is longer than {MAX_TEXT} characters")
    near = _one(args, "near")
    place: Place | None = None
    alternatives: tuple[Place, ...] = ()
    place_error: str | None = None
    place_from_text: str | None = None
    if near:
        place, alternatives = understand_place(near)
        if place is None:
            if api:
                raise ParamError("near", "near must be a US ZIP code, \"City, ST\" or a city we know")
            place_error = f"We could not find the place \u201c{near[:100]}\u201d, so the results are not limited " \
                          f"to an area. {PLACE_HELP}"
    elif text:
        found = split_place(text)
        if found is not None:
            place, place_from_text, text = _place(found.place), found.typed, found.text
            alternatives = tuple(_place(p) for p in found.alternatives)
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
        raise ParamError("sort", "sort must be one of: relevance, distance, rating, price")
    sort = SORTS[sort_raw]
    if sort == "distance" and place is None:
        if api:
            raise ParamError("sort", "sort=distance needs near")
        sort = "relevance"
    min_rating = _number(args, "min_rating", 0, 5)
    page = int(_number(args, "page", 1, MAX_PAGE, integer=True) or 1)
    if api:
        per_page = int(_number(args, "per_page", 1, MAX_PER_PAGE, integer=True) or per_page)
    selection: dict[str, tuple[str, ...]] = {}
    echo: dict[str, Any] = {"q": text, "near": near}
    aliased: dict[str, list[str]] = {}
    for alias, (name, value) in ALIASES.items():  # the old flags ("insurance=true"): their service codes
        if _bool(args, alias):
            aliased.setdefault(name, []).append(value)
    for f in FILTERS:
        if f.kind == "flag":
            on = _bool(args, f.name)
            echo[f.name] = on
            values: tuple[str, ...] = (TRUE,) if on else ()
        elif f.kind in ("choice", "state"):
            value = _one(args, f.name)
            echo[f.name] = value or None
            if f.kind == "state" and value == NEAR_STATE:  # the state of the place searched
                if place is None or not place.state:
                    raise ParamError(f.name, f"{f.name}={NEAR_STATE} needs a place (near, or one in q)")
                value = place.state
            values = (value,) if value else ()
        else:
            values = tuple(dict.fromkeys([*_many(args, f.name), *aliased.get(f.name, [])]))
            echo[f.name] = list(values)
        try:
            if values:
                selection[f.name] = check(f.name, values)
        except UnknownFilter as exc:
            raise ParamError(f.name, str(exc)) from None
    if selection.get("telehealth_state") and place is not None:
        radius_km = None  # telehealth reaches patients wherever the clinic sits: the place only measures distance
    query = SearchQuery(
        text=text, lat=place.lat if place else None, lon=place.lon if place else None, radius_km=radius_km,
        filters=selection, min_rating=min_rating, sort=sort, page=page, per_page=per_page,  # type: ignore[arg-type]
        facets=not api)
    echo.update({"sort": sort, "page": page, "per_page": per_page, "min_rating": min_rating})
    if api:
        echo["radius_km"] = radius_km
    else:
        echo["radius"] = radius_mi
    echo["q"] = typed
    return SearchParams(query=query, near=near, place=place, radius_km=radius_km, radius_mi=radius_mi,
                        sort=sort, args=echo, place_error=place_error, place_from_text=place_from_text,
                        alternatives=alternatives, text=typed)
