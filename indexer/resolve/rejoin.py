"""Practitioner listings indexed in earlier runs, looked at again when a practice appears near them.

A solo practitioner's listing indexed before their practice (a directory's "Sam Patel, PMHNP-BC" before the
practice's website, or the person's own website before a directory lists the practice) became a person.
When a later batch creates or newly matches a clinic, the person listings of earlier runs in the same ZIP (or,
for a listing printed without a ZIP, the same city), or carrying the clinic's NPI, are candidates: the batch
asks the solo-practice rule (:mod:`indexer.resolve.solo`) about them as if they had arrived with the clinic,
so the result does not depend on the order of the runs. Only the indexer's own current decisions are looked at
again: never a moderator's (pinned) one, never a superseded observation, never a registry's record, never a
person a moderator merged, rejected or hid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in, in_chunks
from indexer.db.models import MatchLink, Observation, Provider
from indexer.observation import BadObservation, read_observation, valid_npi
from kdir.common.record import ProviderItem

#: statuses of person records whose listings may still join a practice
OPEN_STATUSES = ("pending", "published")


@dataclass
class PersonListing:
    """A practitioner listing of an earlier run, decided (unpinned) to be a person."""

    observation_id: int
    source_id: int
    location_key: str
    source_url: str
    last_seen: datetime
    link_id: int  # the listing's own current decision
    person_id: int
    rule: str
    score: float
    record: ProviderItem


def person_listings_near(session: Session, clinics: Iterable[ProviderItem], exclude: set[int],
                         evidence_only: frozenset[int]) -> list[PersonListing]:
    """Person listings (not in ``exclude``, the batch's own observations) near the clinic listings."""
    clinics = list(clinics)
    zips = {c.zip for c in clinics if c.zip}
    cities = {c.address.city for c in clinics if not c.zip and c.address and c.address.city}
    npis = {n for c in clinics if (n := valid_npi(c.npi))}
    base = (select(MatchLink.id, MatchLink.observation_id, MatchLink.provider_id, MatchLink.rule, MatchLink.score)
            .join(Provider, Provider.id == MatchLink.provider_id)
            .where(Provider.kind == "practitioner", Provider.status.in_(OPEN_STATUSES),
                   MatchLink.mention_key.is_(None), MatchLink.pinned.is_(False), MatchLink.observation_id.is_not(None)))
    found: dict[int, Any] = {}
    for column, values in ((Provider.postal_code, zips), (Provider.city, cities), (Provider.npi, npis)):
        for chunk in in_chunks(values):
            for row in session.execute(base.where(column.in_(chunk))):
                if row.observation_id not in exclude:
                    found[row.observation_id] = row
    if not found:
        return []
    current = _current_decisions(session, sorted(found))
    out = []
    for ids in in_chunks(found):
        for obs in session.execute(select(Observation.id, Observation.source_id, Observation.location_key,
                                          Observation.source_url, Observation.last_seen, Observation.payload)
                                   .where(ids_in(Observation.id, ids), Observation.superseded.is_(False),
                                          Observation.kind == "practitioner")):
            link = found[obs.id]
            if obs.source_id in evidence_only or current.get(obs.id) != link.id or link.rule == "moderator":
                continue
            try:
                rec = read_observation(obs.payload)
            except BadObservation:
                continue
            out.append(PersonListing(obs.id, obs.source_id, obs.location_key, obs.source_url, obs.last_seen,
                                     link.id, link.provider_id, link.rule, link.score, rec))
    return out


def _current_decisions(session: Session, obs_ids: list[int]) -> dict[int, int]:
    """observation id -> id of its current own decision (pinned links first, then the latest), for the
    observations that name nobody (a person's listing has no mentions of its own)."""
    best: dict[int, tuple[bool, int]] = {}
    mentioning = set()
    for chunk in in_chunks(obs_ids):
        for oid, mention, pinned, lid in session.execute(
                select(MatchLink.observation_id, MatchLink.mention_key, MatchLink.pinned, MatchLink.id)
                .where(ids_in(MatchLink.observation_id, chunk))):
            if oid is None:
                continue
            if mention is not None:
                mentioning.add(oid)
                continue
            cand = (bool(pinned), lid)
            if oid not in best or cand > best[oid]:
                best[oid] = cand
    return {oid: lid for oid, (_pinned, lid) in best.items() if oid not in mentioning}
