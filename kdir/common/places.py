"""A place inside what a patient typed, and places as they type -- offline, from the ZIP/city table.

:func:`split_place` splits ``"ketamine clinics in Denver, CO"`` into the words to search (``"ketamine
clinics"``) and a place (Denver, CO and its coordinates). It understands, at the **end** of the text:

- a ZIP code (``"ketamine 78701"``, ``"near 78701"``; a ZIP elsewhere only after "in"/"near"/"around",
  so a street number such as ``"12345 main"`` stays text);
- ``"City, ST"``, ``"City ST"``, ``"City, State"`` -- with one typo in the city (``"Austn, TX"``);
- ``"in City"`` / ``"near City"`` -- the largest city (most ZIP codes) of that name, when it has several
  words or :data:`SMALL_CITY_MIN_ZIPS` ZIP codes ("clinic in home" is no place); with one typo only a
  sizable city (``"ptsd in denvr"``; not "therapy in spanish");
- a bare city name (``"spravato austin"``) only when it is a sizable city (:data:`BARE_CITY_MIN_ZIPS` ZIP
  codes or more; a name of several words from :data:`SMALL_CITY_MIN_ZIPS`): a bare "Sunrise", "Center",
  "Stillwater" or "New Hope" is more likely part of a clinic's name than a place. Such a guess has ``certain=False``, and its namesakes in other states
  are in ``alternatives`` for a "did you mean" line.

Anything not understood returns None: the caller keeps everything the patient typed. :func:`suggest_places`
completes a city or ZIP prefix for type-ahead.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kdir.common.geo import City, cities, city_key, zip_table
from kdir.common.us_states import state_code

#: A bare city name (no state, no "in"/"near") is taken as a place only from this many ZIP codes up.
BARE_CITY_MIN_ZIPS = 10
#: A city name of several words typed bare, or a one-word name after "in"/"near", from this many ZIP codes up
#: ("clinic in home" is not Home, KS; "ketamine new hope" not New Hope, MN).
SMALL_CITY_MIN_ZIPS = 3
MAX_CITY_WORDS = 4
MAX_ALTERNATIVES = 5
CONNECTORS = frozenset({"in", "near", "around", "nearby"})
_SCAN_ABOVE = 300  # city names in a prefix's range above which the size-ordered walk is cheaper
_WORD = re.compile(r"[^\s,;]+")
_ZIP = re.compile(r"(\d{5})(?:-\d{4})?")


@dataclass(frozen=True)
class Place:
    """A point a search can be centred on: a ZIP code's or a city's centroid."""

    label: str  # "Austin, TX" or "78701 (Austin, TX)"
    lat: float
    lon: float
    kind: str  # "zip" | "city"
    state: str


@dataclass(frozen=True)
class PlaceInText:
    """What :func:`split_place` understood: the remaining words, the place and how sure it is."""

    text: str  # the patient's words without the place (and without "in"/"near" before it)
    place: Place
    typed: str  # the words taken as the place, as typed
    certain: bool = True  # False: a bare city name resolved to its largest namesake
    alternatives: tuple[Place, ...] = ()  # other cities of that name, largest first (then by state)

    @property
    def label(self) -> str:
        return self.place.label

    @property
    def lat(self) -> float:
        return self.place.lat

    @property
    def lon(self) -> float:
        return self.place.lon


def _city_place(city: City) -> Place:
    return Place(f"{city.name}, {city.state}", city.lat, city.lon, "city", city.state)


def _zip_place(code: str) -> Place | None:
    info = zip_table().get(code)
    if info is None or info.lat is None or info.lon is None:
        return None
    return Place(f"{code} ({info.city}, {info.state})", info.lat, info.lon, "zip", info.state)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[City, ...]]:
    """CITY -> its cities in every state, largest first."""
    out: dict[str, list[City]] = {}
    for (key, _), city in cities().items():
        out.setdefault(key, []).append(city)
    return {k: tuple(sorted(v, key=lambda c: (-c.zips, c.state))) for k, v in out.items()}


@lru_cache(maxsize=1)
def _names() -> list[str]:
    return sorted(_by_name())


@lru_cache(maxsize=1)
def _sizable_names() -> list[str]:
    """Names of the cities that may be found without a state even with a typo."""
    return sorted({key for (key, _), c in cities().items() if c.zips >= BARE_CITY_MIN_ZIPS})


@lru_cache(maxsize=1)
def _by_size() -> list[tuple[str, City]]:
    """(CITY, city) for every city, largest first: short prefixes stop after a few of them."""
    return sorted(((key, c) for (key, _), c in cities().items()), key=lambda kc: (-kc[1].zips, kc[1].name,
                                                                                   kc[1].state))


@lru_cache(maxsize=64)
def _state_names(state: str) -> list[str]:
    return sorted(key for key, st in cities() if st == state)


@lru_cache(maxsize=1)
def _zips() -> list[str]:
    return sorted(z for z, info in zip_table().items() if info.lat is not None and info.lon is not None)


def _lookup(key: str, state: str | None) -> tuple[City, ...]:
    """Cities named ``key`` (in ``state`` if given), largest first; "ST " also tried as "SAINT "."""
    for name in (key, "SAINT " + key[3:] if key.startswith("ST ") else None):
        found = tuple(c for c in _by_name().get(name or "", ()) if state is None or c.state == state)
        if found:
            return found
    return ()


def _typos(key: str) -> int:
    letters = len(key.replace(" ", ""))
    return 0 if letters < 4 else 1 if letters < 9 else 2


def _fuzzy(key: str, state: str | None) -> tuple[City, ...]:
    """Cities within the typo budget of ``key`` (one edit, two from 9 letters; a swap counts as one), the
    closest first, then the largest. Without a state only sizable cities are candidates."""
    typos = _typos(key)
    if not typos:
        return ()
    names = _state_names(state) if state else _sizable_names()
    found = process.extract(key, names, scorer=OSA.distance, score_cutoff=typos, limit=20, processor=None)
    ranked = sorted(((d, -c.zips, c.state, c) for name, d, _ in found for c in _lookup(name, state)),
                    key=lambda r: r[:3])
    return tuple(r[3] for r in ranked)


@dataclass
class _Words:
    text: str
    spans: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> _Words:
        return cls(text, [m.span() for m in _WORD.finditer(text)])

    def word(self, i: int) -> str:
        return self.text[self.spans[i][0]:self.spans[i][1]]

    def key(self, i: int, j: int) -> str:
        return city_key(" ".join(self.word(k) for k in range(i, j)))

    def typed(self, i: int, j: int) -> str:
        return self.text[self.spans[i][0]:self.spans[j - 1][1]]

    def without(self, i: int, j: int) -> str:
        """The text with words i..j-1 (and connectors just before them) removed."""
        while i > 0 and self.word(i - 1).lower() in CONNECTORS:
            i -= 1
        before = self.text[:self.spans[i][0]] if i else ""
        after = self.text[self.spans[j - 1][1]:] if j < len(self.spans) else ""
        return " ".join((before.rstrip(" ,;") + " " + after.lstrip(" ,;")).split())

    def connector_before(self, i: int) -> bool:
        return i > 0 and self.word(i - 1).lower() in CONNECTORS


def _trailing_state(words: _Words) -> tuple[str, int] | None:
    """(state code, index of its first word) when the text ends with a state's code or name."""
    n = len(words.spans)
    for k in (3, 2, 1):
        if n > k:  # a city must come before it
            code = state_code(" ".join(words.word(i) for i in range(n - k, n)))
            if code:
                return code, n - k
    return None


def _city_before(words: _Words, end: int, state: str | None, fuzzy: bool) -> tuple[int, tuple[City, ...]] | None:
    """The longest run of words ending at ``end`` that names a city (exactly, else with a typo if ``fuzzy``)."""
    for size in range(min(MAX_CITY_WORDS, end), 0, -1):
        found = _lookup(words.key(end - size, end), state)
        if found:
            return end - size, found
    if fuzzy:
        best: tuple[int, tuple[City, ...]] | None = None
        for size in range(1, min(MAX_CITY_WORDS, end) + 1):
            found = _fuzzy(words.key(end - size, end), state)
            if found and best is None:
                best = (end - size, found)
        return best
    return None


def _with_state(words: _Words) -> PlaceInText | None:
    found = _trailing_state(words)
    if found is None:
        return None
    state, first = found
    city = _city_before(words, first, state, fuzzy=True)
    if city is None:
        return None
    start, matches = city
    n = len(words.spans)
    return PlaceInText(words.without(start, n), _city_place(matches[0]), words.typed(start, n))


def _after_connector(words: _Words) -> PlaceInText | None:
    n = len(words.spans)
    for start in range(max(1, n - MAX_CITY_WORDS), n):
        if not words.connector_before(start):
            continue
        key = words.key(start, n)
        matches = _lookup(key, None) or tuple(c for c in _fuzzy(key, None) if c.zips >= BARE_CITY_MIN_ZIPS)
        if matches and (n - start > 1 or matches[0].zips >= SMALL_CITY_MIN_ZIPS):
            return PlaceInText(words.without(start, n), _city_place(matches[0]), words.typed(start, n),
                               alternatives=tuple(_city_place(c) for c in matches[1:MAX_ALTERNATIVES + 1]))
    return None


def _bare_city(words: _Words) -> PlaceInText | None:
    n = len(words.spans)
    city = _city_before(words, n, None, fuzzy=False)
    if city is None:
        return None
    start, matches = city
    if matches[0].zips < (BARE_CITY_MIN_ZIPS if n - start == 1 else SMALL_CITY_MIN_ZIPS):
        return None
    return PlaceInText(words.without(start, n), _city_place(matches[0]), words.typed(start, n), certain=False,
                       alternatives=tuple(_city_place(c) for c in matches[1:MAX_ALTERNATIVES + 1]))


def _zip_code(words: _Words) -> PlaceInText | None:
    n = len(words.spans)
    for i in range(n - 1, -1, -1):
        m = _ZIP.fullmatch(words.word(i))
        if not m or not (i == n - 1 or words.connector_before(i)):
            continue
        place = _zip_place(m.group(1))
        if place is None:
            continue
        start = i
        before = _Words.of(words.text[:words.spans[i][0]])  # "Austin, TX 78701": the city and state go too
        if before.spans:
            named = _with_state(before)
            if named is not None and named.place.state == place.state:
                start = i - (len(before.spans) - len(_Words.of(named.text).spans))
        return PlaceInText(words.without(start, i + 1), place, words.typed(start, i + 1))
    return None


def split_place(text: str) -> PlaceInText | None:
    """The place at the end of ``text`` (see the module doc) and the words left to search; None when no place
    was understood. Cached: patients type the same searches again and again (a typo'd city costs ~0.4 ms)."""
    return _split_place(text or "") if len(text or "") <= 200 else _split_uncached(text)


@lru_cache(maxsize=4096)
def _split_place(text: str) -> PlaceInText | None:
    return _split_uncached(text)


def _split_uncached(text: str) -> PlaceInText | None:
    words = _Words.of(text or "")
    if not words.spans:
        return None
    return _zip_code(words) or _with_state(words) or _after_connector(words) or _bare_city(words)


def suggest_places(prefix: str, limit: int = 8) -> list[Place]:
    """Cities (largest first) or ZIP codes completing what was typed: ``"aus"``, ``"austin, t"``,
    ``"st pa"``, ``"787"``. Offline; the tables are built on first use."""
    typed = " ".join((prefix or "").split())
    if not typed or limit <= 0:
        return []
    digits = typed.split("-")[0]
    if digits.isdigit():
        zips = _zips()
        i = bisect.bisect_left(zips, digits[:5])
        out: list[Place] = []
        while i < len(zips) and zips[i].startswith(digits[:5]) and len(out) < limit:
            place = _zip_place(zips[i])
            if place:
                out.append(place)
            i += 1
        return out
    city_part, _, state_part = typed.partition(",")
    state_prefix = state_part.strip().upper()
    key = city_key(city_part)
    if not state_prefix and " " in key:  # "austin tx": a complete city then a state
        head, _, tail = key.rpartition(" ")
        if state_code(tail) and _lookup(head, state_code(tail)):
            key, state_prefix = head, state_code(tail) or ""
    found: list[City] = []
    names = _names()
    for name in dict.fromkeys((key, "SAINT " + key[3:] if key.startswith("ST ") else key)):
        lo, hi = bisect.bisect_left(names, name), bisect.bisect_left(names, name + "\uffff")
        if hi - lo > _SCAN_ABOVE:  # a short prefix: walk the cities largest first, stop at the limit
            walk = (c for k, c in _by_size() if k.startswith(name) and _state_matches(c.state, state_prefix))
            found.extend(itertools.islice(walk, limit))
            continue
        for i in range(lo, hi):
            found.extend(c for c in _by_name()[names[i]] if _state_matches(c.state, state_prefix))
    best = heapq.nsmallest(limit, found, key=lambda c: (-c.zips, c.name, c.state))
    return [_city_place(c) for c in best]


def _state_matches(state: str, typed: str) -> bool:
    if not typed:
        return True
    return state.startswith(typed) or state == state_code(typed)
