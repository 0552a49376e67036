"""The run-request queue between /ops and the scheduler, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import RunRequest
from indexer.run_requests import AlreadyRequested, active, claim, finish, recent, request_run


def test_request_claim_finish(db: Any) -> None:
    with db.session() as s:
        first = request_run(s, "nppes", "root").id
        request_run(s, "osm", "root")
        s.commit()
        with pytest.raises(AlreadyRequested, match="already queued"):
            request_run(s, "nppes", "ann")
    got = claim(db.factory, "sched-1")
    assert got is not None and (got.id, got.source_key, got.requested_by) == (first, "nppes", "root")
    with db.session() as s:
        with pytest.raises(AlreadyRequested, match="already running"):
            request_run(s, "nppes", "ann")
        assert [(r.source_key, r.status) for r in active(s)] == [("nppes", "running"), ("osm", "queued")]
    finish(db.factory, first, ok=False, run_ids=[7, 8], error="crawl failed: boom")
    with db.session() as s:
        req = s.get(RunRequest, first)
        assert (req.status, req.run_ids, req.error, req.claimed_by) == ("failed", [7, 8], "crawl failed: boom",
                                                                        "sched-1")
        assert req.finished_at >= req.started_at >= req.requested_at
        request_run(s, "nppes", "ann")  # finished: a new request is welcome
        s.commit()
        assert [r.source_key for r in recent(s)] == ["nppes", "osm", "nppes"]


def test_a_request_abandoned_by_a_dead_scheduler_stops_blocking(db: Any) -> None:
    from datetime import timedelta

    with db.session() as s:
        first = request_run(s, "osm", "root").id
        s.commit()
    assert claim(db.factory, "killed-scheduler") is not None
    with db.session() as s:
        with pytest.raises(AlreadyRequested):
            request_run(s, "osm", "ann")  # still within the time a run may take
        s.rollback()
        again = request_run(s, "osm", "ann", abandoned_after=timedelta(0)).id
        s.commit()
        old = s.get(RunRequest, first)
        assert (old.status, old.error) == ("failed", "abandoned: the scheduler stopped before the run finished")
        assert [r.id for r in active(s)] == [again]


def test_concurrent_claimers_never_share_a_request(db: Any) -> None:
    n = 40
    with db.session() as s:
        for i in range(n):
            request_run(s, f"source-{i}", "root")
        s.commit()
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        mine = claimed.setdefault(name, [])
        barrier.wait()
        while (req := claim(db.factory, name, attempts=50)) is not None:
            mine.append(req.id)

    threads = [threading.Thread(target=work, args=(f"claimer-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    ids = [i for got in claimed.values() for i in got]
    assert len(ids) == len(set(ids)) == n  # every request taken exactly once
    with db.session() as s:
        rows = list(s.scalars(select(RunRequest)))
        assert {r.status for r in rows} == {"running"}
        assert {r.id: r.claimed_by for r in rows} == {i: name for name, got in claimed.items() for i in got}
