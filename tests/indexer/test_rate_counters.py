"""Fixed-window counters in the database (the web's rate limits without Redis), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

from indexer.rate_counters import DbCounters


def test_window_counts_expires_and_restarts(db: Any) -> None:
    counters = DbCounters(db.factory)
    assert counters.get("k") == 0
    assert [counters.incr("k", 1) for _ in range(3)] == [1, 2, 3]
    assert counters.incr("k", 1, amount=2) == 5 and counters.get("k") == 5
    assert time.time() < counters.get_expiry("k") <= time.time() + 1.01
    assert counters.incr("other", 60) == 1  # keys are independent
    time.sleep(1.1)
    assert counters.get("k") == 0  # the window ended
    assert counters.incr("k", 1) == 1  # and the next hit opens a new one
    assert counters.purge_expired() == 0
    time.sleep(1.1)
    assert counters.purge_expired() == 1 and counters.get("other") == 1
    counters.clear("other")
    assert counters.get("other") == 0


def test_concurrent_increments_are_never_lost(db: Any) -> None:
    """Four threads with their own connections: the upsert is atomic, so the count is exact."""
    counters = DbCounters(db.factory)
    seen: list[int] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        for _ in range(25):
            seen.append(counters.incr("shared", 60))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert counters.get("shared") == 100
    assert sorted(seen) == list(range(1, 101))  # every increment saw its own, distinct count
