"""Staleness: a provider not seen in N (``Settings.stale_after_runs``) consecutive GOOD runs of every source
that listed it becomes stale (hidden from default search, never deleted); seen again, it is fresh again.

Only runs with status "ok" count: a suspect run (the drift guard) or a failed one never makes anything stale.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from indexer.db.models import CrawlRun, MatchLink, Observation, Provider
from indexer.outbox import enqueue
from indexer.resolve.backing import final_id, merged_map


@dataclass
class StalenessResult:
    marked: set[int] = field(default_factory=set)
    cleared: set[int] = field(default_factory=set)


def last_sightings(session: Session) -> dict[int, dict[int, int]]:
    """provider -> source -> id of the last run in which that source listed the provider."""
    merged = merged_map(session)
    out: dict[int, dict[int, int]] = defaultdict(dict)
    rows = session.execute(
        select(MatchLink.provider_id, Observation.source_id, func.max(Observation.last_run_id))
        .join(Observation, Observation.id == MatchLink.observation_id)
        .where(Observation.superseded.is_(False), Observation.last_run_id.is_not(None))
        .group_by(MatchLink.provider_id, Observation.source_id))
    for pid, sid, run_id in rows:
        target = final_id(pid, merged)
        prev = out[target].get(sid)
        if prev is None or run_id > prev:
            out[target][sid] = run_id
    return out


def good_runs(session: Session) -> dict[int, list[int]]:
    runs: dict[int, list[int]] = defaultdict(list)
    for rid, sid in session.execute(select(CrawlRun.id, CrawlRun.source_id).where(CrawlRun.status == "ok")
                                    .order_by(CrawlRun.id)):
        runs[sid].append(rid)
    return runs


def refresh_staleness(session: Session, stale_after_runs: int, now: datetime) -> StalenessResult:
    runs = good_runs(session)
    result = StalenessResult()
    want_stale: set[int] = set()
    known: set[int] = set()
    for pid, per_source in last_sightings(session).items():
        known.add(pid)
        missed = [len(runs.get(sid, [])) - bisect_right(runs.get(sid, []), last) for sid, last in per_source.items()]
        if missed and all(m >= stale_after_runs for m in missed):
            want_stale.add(pid)
    current = {pid for (pid,) in session.execute(select(Provider.id).where(Provider.stale.is_(True)))}
    result.marked = want_stale - current
    result.cleared = (current - want_stale) & known
    marked, cleared = sorted(result.marked), sorted(result.cleared)
    for i in range(0, len(marked), 900):
        session.execute(update(Provider).where(Provider.id.in_(marked[i:i + 900]))
                        .values(stale=True, stale_since=now))
    for i in range(0, len(cleared), 900):
        session.execute(update(Provider).where(Provider.id.in_(cleared[i:i + 900]))
                        .values(stale=False, stale_since=None))
    if marked or cleared:
        enqueue(session, marked + cleared)
    return result


def runs_fingerprint(session: Session) -> list[int]:
    """Changes whenever a run finishes with a new verdict: (count, max id) of good runs and of all runs."""
    ok = session.execute(select(func.count(CrawlRun.id), func.max(CrawlRun.id)).where(CrawlRun.status == "ok")).one()
    allr = session.execute(select(func.count(CrawlRun.id), func.max(CrawlRun.id))).one()
    return [int(ok[0] or 0), int(ok[1] or 0), int(allr[0] or 0), int(allr[1] or 0)]
