"""Which observations back which provider: the latest MatchLink of each (observation, mention) decides,
pinned (moderator) links first; only current (non-superseded) observations count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in
from indexer.db.models import MatchLink, Observation, Provider
from indexer.observation import BadObservation, read_observation
from kdir.common.record import ProviderItem


@dataclass
class Backing:
    provider_id: int  # the final (not merged) provider
    observation_id: int
    source_id: int
    location_key: str
    mention_key: str | None
    url: str
    seen: datetime  # fetched_at of the observation
    last_seen: datetime
    last_run_id: int | None
    record: ProviderItem


def merged_map(session: Session) -> dict[int, int]:
    """provider id -> the id it was merged into (directly), for every merged provider."""
    return dict(session.execute(select(Provider.id, Provider.merged_into_id)
                                .where(Provider.status == "merged", Provider.merged_into_id.is_not(None))).all())


def final_id(pid: int, merged: dict[int, int]) -> int:
    seen = set()
    while pid in merged and pid not in seen:
        seen.add(pid)
        pid = merged[pid]
    return pid


def load_backing(session: Session, targets: set[int], merged: dict[int, int],
                 records: dict[int, ProviderItem]) -> dict[int, list[Backing]]:
    """Backing observations of each target provider (including providers merged into it)."""
    members = set(targets)
    for pid in merged:
        if final_id(pid, merged) in targets:
            members.add(pid)
    if not members:
        return {}
    obs_ids = {oid for (oid,) in session.execute(
        select(MatchLink.observation_id).where(ids_in(MatchLink.provider_id, members),
                                               MatchLink.observation_id.is_not(None)))}
    best: dict[tuple[int, str | None], tuple[bool, int, int]] = {}
    for oid, mention, pid, pinned, lid in _chunked_links(session, sorted(obs_ids)):
        key = (oid, mention)
        cand = (bool(pinned), lid, pid)
        if key not in best or cand[:2] > best[key][:2]:
            best[key] = cand
    wanted: dict[int, list[tuple[str | None, int]]] = defaultdict(list)
    for (oid, mention), (_p, _l, pid) in best.items():
        target = final_id(pid, merged)
        if target in targets:
            wanted[oid].append((mention, target))
    out: dict[int, list[Backing]] = defaultdict(list)
    ids = sorted(wanted)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        need_payload = [o for o in chunk if o not in records]
        payloads = {}
        if need_payload:
            payloads = dict(session.execute(select(Observation.id, Observation.payload)
                                            .where(ids_in(Observation.id, need_payload))).all())
        for row in session.execute(select(Observation.id, Observation.source_id, Observation.location_key,
                                          Observation.source_url, Observation.fetched_at, Observation.last_seen,
                                          Observation.last_run_id)
                                   .where(ids_in(Observation.id, chunk), Observation.superseded.is_(False))):
            rec = records.get(row.id)
            if rec is None:
                try:
                    rec = read_observation(payloads.get(row.id) or {})
                except BadObservation:
                    continue
                records[row.id] = rec
            for mention, target in wanted[row.id]:
                out[target].append(Backing(target, row.id, row.source_id, row.location_key, mention,
                                           row.source_url, row.fetched_at, row.last_seen, row.last_run_id, rec))
    return out


def _chunked_links(session: Session, obs_ids: list[int]):  # type: ignore[no-untyped-def]
    for i in range(0, len(obs_ids), 900):
        chunk = obs_ids[i:i + 900]
        yield from session.execute(select(MatchLink.observation_id, MatchLink.mention_key, MatchLink.provider_id,
                                          MatchLink.pinned, MatchLink.id)
                                   .where(ids_in(MatchLink.observation_id, chunk))).all()
