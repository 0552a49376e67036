"""A worker's warm-up: place tables and the search index's in-memory views loaded, then frozen out of the GC."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from web.public.search_params import _city_index, _zip_index
from web.warmup import warm_up


@pytest.fixture
def web_db(sqlite_db: Any) -> Any:
    return sqlite_db


def test_warm_up_loads_and_freezes(app: Any, search_backend: Any) -> None:
    gc.unfreeze()  # an earlier app of this test process (a live server) may have frozen its own warm-up
    try:
        warm_up(app)
        assert _zip_index.cache_info().currsize == 1 and _city_index.cache_info().currsize == 1
        if hasattr(search_backend, "snapshot"):  # the embedded backend: loaded now, not by the first search
            assert search_backend._snapshot is not None and search_backend._vocab is not None
        assert gc.get_freeze_count() > 40_000  # the ZIP table alone is 40k+ objects
        assert gc.collect(2) >= 0
    finally:
        gc.unfreeze()


def test_warm_up_survives_an_unusable_index(app: Any, search_backend: Any) -> None:
    search_backend.close()  # the first search will report the problem; warming up must not crash the worker
    try:
        warm_up(app)
    finally:
        gc.unfreeze()
