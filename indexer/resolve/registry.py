"""Registry observations are evidence, never providers of their own (docs/indexing.md, section 2).

A registry record that matches no provider yet is kept (the observation is never deleted) and indexed in
``registry_pending`` by the keys that could match it later: its NPI, its ZIP and its match name. Whenever
observations of other sources are indexed, the pending records sharing one of their keys are resolved again,
so the order in which sources are crawled does not change the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import insert_rows, update_rows
from indexer.db.models import MatchLink, Observation, RegistryPending, Source
from indexer.observation import valid_npi
from kdir.common.record import ProviderItem

REGISTRY_KIND = "registry"


def evidence_only_sources(session: Session) -> frozenset[int]:
    """Ids of the sources whose observations never create a provider."""
    return frozenset(session.scalars(select(Source.id).where(Source.kind == REGISTRY_KIND)))


@dataclass
class RetryKeys:
    """Keys of the observations of other sources indexed in this run (what pending records may now match)."""

    npis: set[str] = field(default_factory=set)
    zips: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def note(self, rec: ProviderItem) -> None:
        if n := valid_npi(rec.npi):
            self.npis.add(n)
        if rec.zip:
            self.zips.add(rec.zip)
        self.names.add(rec.match_name[:300])
        for p in rec.practitioners:
            if n := valid_npi(p.npi):
                self.npis.add(n)
            self.names.add(p.key[:300])

    def __bool__(self) -> bool:
        return bool(self.npis or self.zips or self.names)


def save_pending(session: Session, registry_obs: Iterable[int], unmatched: list[int],
                 records: dict[int, ProviderItem], now: datetime) -> None:
    """Replace the pending rows of this batch's registry observations by those still unmatched."""
    ids = sorted(set(registry_obs))
    for i in range(0, len(ids), 900):
        session.execute(delete(RegistryPending).where(RegistryPending.observation_id.in_(ids[i:i + 900])))
    rows = []
    for oid in sorted(set(unmatched)):
        rec = records[oid]
        rows.append({"observation_id": oid, "npi": valid_npi(rec.npi), "postal_code": rec.zip,
                     "name_key": rec.match_name[:300], "created_at": now})
    insert_rows(session, RegistryPending.__table__, rows)


def has_pending(session: Session) -> bool:
    return session.scalar(select(RegistryPending.observation_id).limit(1)) is not None


def pending_matches(session: Session, keys: RetryKeys) -> list[int]:
    """Ids of current pending registry observations that share a key with ``keys`` (indexed lookups only).
    Pending rows of superseded observations are dropped on the way."""
    found: set[int] = set()
    for column, values in ((RegistryPending.npi, keys.npis), (RegistryPending.postal_code, keys.zips),
                           (RegistryPending.name_key, keys.names)):
        items = sorted(values)
        for i in range(0, len(items), 900):
            found.update(session.scalars(select(RegistryPending.observation_id)
                                         .where(column.in_(items[i:i + 900]))))
    if not found:
        return []
    ids = sorted(found)
    gone: list[int] = []
    for i in range(0, len(ids), 900):
        gone += session.scalars(select(Observation.id).where(Observation.id.in_(ids[i:i + 900]),
                                                             Observation.superseded.is_(True)))
    for i in range(0, len(gone), 900):
        session.execute(delete(RegistryPending).where(RegistryPending.observation_id.in_(gone[i:i + 900])))
    return sorted(found - set(gone))


def attach_verified(session: Session, found: dict[int, str], now: datetime) -> set[int]:
    """Verification found the NPI of a provider whose claim printed none (name + state lookup, one verified
    match): attach the pending registry records with that NPI to it. ``found``: provider id -> NPI. Returns the
    providers that gained a record (the caller recomputes them)."""
    by_npi: dict[str, int] = {}
    for pid, npi in found.items():
        if npi in by_npi and by_npi[npi] != pid:
            by_npi[npi] = 0  # two providers verified to the same number: leave it to a moderator
        else:
            by_npi[npi] = pid
    npis = sorted(n for n, pid in by_npi.items() if pid)
    if not npis:
        return set()
    rows = session.execute(select(RegistryPending.observation_id, RegistryPending.npi, Observation.source_id,
                                  Observation.location_key)
                           .join(Observation, Observation.id == RegistryPending.observation_id)
                           .where(RegistryPending.npi.in_(npis), Observation.superseded.is_(False))).all()
    if not rows:
        return set()
    links = [{"provider_id": by_npi[r.npi], "observation_id": r.observation_id, "source_id": r.source_id,
              "location_key": r.location_key, "mention_key": None, "rule": "npi_verified", "score": 1.0,
              "matched_provider_id": by_npi[r.npi], "pinned": False, "created_at": now} for r in rows]
    insert_rows(session, MatchLink.__table__, links)
    update_rows(session, Observation.__table__, [{"id": r.observation_id, "provider_id": by_npi[r.npi]}
                                                 for r in rows])
    ids = [r.observation_id for r in rows]
    session.execute(delete(RegistryPending).where(RegistryPending.observation_id.in_(ids)))
    return {by_npi[r.npi] for r in rows}
