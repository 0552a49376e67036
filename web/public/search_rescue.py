"""No dead ends: when a search finds nothing, the nearest ways out, each with its count; and the options the
whole index has (a filter value no listing has is not offered)."""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from threading import Lock
from typing import Any
from urllib.parse import urlencode

from indexer.search.base import SearchBackend, SearchQuery, SearchResult
from indexer.search.query_text import tokens
from kdir.common.filters import ALIASES, BY_NAME
from kdir.common.us_states import STATES
from web.public.search_params import MILES_TO_KM, SearchParams

WIDER_RADII_MI = (25, 50, 100, 250, 500)
INDEX_FACETS_TTL_S = 60.0
_cache: weakref.WeakKeyDictionary[Any, tuple[float, int, dict[str, dict[str, int]]]] = weakref.WeakKeyDictionary()
_lock = Lock()


def _generation(backend: SearchBackend) -> int:
    """The embedded index's generation (a write shows at once); -1 for backends without one (time only)."""
    snapshot = getattr(backend, "snapshot", None)
    return int(snapshot().generation) if snapshot is not None else -1


def index_facets(backend: SearchBackend) -> dict[str, dict[str, int]]:
    """Facet counts over the whole (live) index: recomputed after a write to the embedded index, else at most
    once a minute per backend."""
    now = time.monotonic()
    generation = _generation(backend)
    with _lock:
        cached = _cache.get(backend)
    if cached and cached[1] == generation and now - cached[0] < INDEX_FACETS_TTL_S:
        return cached[2]
    facets = backend.search(SearchQuery(per_page=1, facets=True)).facets
    with _lock:
        _cache[backend] = (now, generation, facets)
    return facets


@lru_cache(maxsize=1)
def state_names() -> dict[str, str]:
    """Two-letter code -> the state's name as patients write it."""
    out = {code: name.title() for name, code in STATES.items()}
    out["DC"] = "District of Columbia"
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def _href(args: Mapping[str, Any], drop: tuple[str, ...] = (), **changes: str | None) -> str:
    getlist = getattr(args, "getlist", None)
    pairs = [(k, v) for k in args if k not in drop and k not in changes and k != "page"
             for v in (getlist(k) if getlist else [args[k]])]
    pairs += [(k, v) for k, v in changes.items() if v]
    return "/search?" + urlencode(pairs)


def _total(backend: SearchBackend, query: SearchQuery) -> int:
    return backend.search(replace(query, facets=False, per_page=1, page=1)).total


def _values_label(name: str, values: tuple[str, ...]) -> str:
    f = BY_NAME[name]
    if f.kind == "flag":
        return f.label
    if f.kind == "state":
        return f"{f.label}: {', '.join(state_names().get(v, v) for v in values)}"
    return f"{f.label}: {', '.join(f.value_label(v) for v in values)}"


def _plural(n: int) -> str:
    return f"{n} provider{'' if n == 1 else 's'}"


def rescue(backend: SearchBackend, params: SearchParams, args: Mapping[str, Any],
           result: SearchResult | None = None) -> list[dict[str, Any]]:
    """Ways out of an empty result, nearest first, each only when it finds something: a wider radius, the
    search without one of its filters, without the minimum rating, a corrected spelling, without the words."""
    q = params.query
    fixes: list[dict[str, Any]] = []
    if params.place is not None and q.radius_km:
        current = params.radius_mi or round(q.radius_km / MILES_TO_KM)
        for miles in WIDER_RADII_MI:
            if miles <= current:
                continue
            n = _total(backend, replace(q, radius_km=miles * MILES_TO_KM))
            if n:
                near = None if args.get("near") else params.place.label
                fixes.append({"text": f"Search within {miles} miles", "count": n,
                              "href": _href(args, radius=str(miles), near=near or args.get("near"))})
                break
        else:
            n = _total(backend, replace(q, lat=None, lon=None, radius_km=None,
                                        sort="relevance" if q.sort == "distance" else q.sort))
            if n:
                fixes.append({"text": f"Search everywhere, not only near {params.place.label}", "count": n,
                              "href": _href(args, drop=("near", "radius", "sort"),
                                            q=q.text if params.place_from_text else args.get("q"))})
    without = result.without if result is not None else {}
    for name, values in q.filters.items():
        n = without.get(name)
        if n is None:
            n = _total(backend, replace(q, filters={k: v for k, v in q.filters.items() if k != name}))
        if n:
            drop = (name, *(alias for alias, (target, _) in ALIASES.items() if target == name))
            fixes.append({"text": f"Remove \u201c{_values_label(name, values)}\u201d", "count": n,
                          "href": _href(args, drop=drop)})
    if q.min_rating is not None:
        n = _total(backend, replace(q, min_rating=None))
        if n:
            fixes.append({"text": "Any rating", "count": n, "href": _href(args, drop=("min_rating",))})
    if q.text.strip():
        corrected = spelling(backend, q.text)
        if corrected:
            n = _total(backend, replace(q, text=corrected))
            if n:
                fixes.append({"text": f"Did you mean \u201c{corrected}\u201d?", "count": n,
                              "href": _href(args, q=corrected if not params.place_from_text
                                            else f"{corrected} {params.place_from_text}")})
        n = _total(backend, replace(q, text=""))
        if n:
            near = args.get("near") or (params.place.label if params.place else None)
            fixes.append({"text": f"Search without the words \u201c{q.text}\u201d", "count": n,
                          "href": _href(args, drop=("q",), near=near)})
    for fix in fixes:
        fix["count_text"] = _plural(fix["count"])
    return fixes


def spelling(backend: SearchBackend, text: str) -> str | None:
    """The text with each word the index does not know replaced by its closest known word (two edits, three
    from 8 letters: one more than the search's own typo tolerance), or None (no vocabulary, or nothing to
    correct)."""
    vocabulary = getattr(backend, "vocabulary", None)
    if vocabulary is None:
        return None
    vocab = vocabulary()
    words = tokens(text)
    out: list[str] = []
    changed = False
    for word in words:
        if word.isalpha() and len(word) >= 4 and word not in vocab.known and vocab.completions(word, 1) == []:
            close = vocab.near(word, 2 if len(word) < 8 else 3)
            if close:
                out.append(close[0])
                changed = True
                continue
        out.append(word)
    return " ".join(out) if changed else None
