"""Warm a worker up before its first request, then take what it loaded out of the garbage collector's way.

A worker holds a few hundred thousand long-lived objects: the offline ZIP and city tables, the search index's
vocabulary and facet snapshot, the compiled templates. CPython's full (generation 2) collection walks all of
them -- about 180 ms on the 100k-document benchmark index, a pause that lands on whichever request triggers it
and dominated the search page's p99. After loading them, ``gc.freeze()`` moves them to the permanent
generation: reference counting still frees them, the cyclic collector no longer scans them.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from web.extensions import get_search
from web.public.search_params import warm_places

logger = logging.getLogger(__name__)


def warm_up(app: Any) -> None:
    """Build the place tables and the search backend's in-memory views, then freeze the survivors."""
    warm_places()
    try:
        with app.app_context():
            backend = get_search()
            for view in ("vocabulary", "snapshot"):  # the embedded backend's in-process views
                loader = getattr(backend, view, None)
                if loader is not None:
                    loader()
    except Exception as exc:  # noqa: BLE001 - an empty or unreachable index is loaded by the first search
        logger.info("search warm-up skipped: %s", exc)
    gc.collect()
    gc.freeze()
