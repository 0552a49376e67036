"""Put right a database damaged by index runs that overlapped before the run lock existed.

Two runs resolving the same new observations each created a provider and a link: every observation ended
linked to two providers, one of them left without a deciding link. The repair keeps the newest link of each
(observation, mention) -- the one that decides -- and folds each provider left without any link into the
provider its observations now belong to (a recorded merge, so old addresses redirect and nothing is lost).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from indexer.audit import Actor
from indexer.curate import merge
from indexer.db.fastwrite import ids_in
from indexer.db.models import Affiliation, FieldEvidence, MatchLink, Observation, Provider
from indexer.resolve.backing import final_id, merged_map

ACTOR = Actor("kdir index --repair")
REASON = "duplicate left by overlapping index runs"


@dataclass
class RepairReport:
    links_removed: int = 0
    providers_folded: int = 0
    orphans_left: list[int] = field(default_factory=list)  # providers without links and no clear owner

    def summary(self) -> str:
        line = (f"repair: {self.links_removed} duplicate links removed, "
                f"{self.providers_folded} duplicate providers merged")
        if self.orphans_left:
            line += f", {len(self.orphans_left)} providers without observations left as they are"
        return line


def remove_duplicate_links(session: Session) -> int:
    """Keep the newest link of each (observation, mention, pinned); return how many were removed."""
    keep = (select(func.max(MatchLink.id)).where(MatchLink.observation_id.is_not(None))
            .group_by(MatchLink.observation_id, func.coalesce(MatchLink.mention_key, ""), MatchLink.pinned))
    res = session.execute(delete(MatchLink).where(MatchLink.observation_id.is_not(None),
                                                  MatchLink.id.not_in(keep)))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def _owner(session: Session, orphan: Provider, merged: dict[int, int]) -> int | None:
    """The one provider of the same kind and match name that the orphan's evidence observations link to."""
    obs_ids = sorted(set(session.scalars(select(FieldEvidence.observation_id).where(
        FieldEvidence.provider_id == orphan.id, FieldEvidence.observation_id.is_not(None)))))
    owners: set[int] = set()
    for i in range(0, len(obs_ids), 900):
        for (pid,) in session.execute(select(MatchLink.provider_id)
                                      .where(ids_in(MatchLink.observation_id, obs_ids[i:i + 900]))):
            owners.add(final_id(pid, merged))
    owners.discard(orphan.id)
    if not owners:
        return None
    same = session.scalars(select(Provider.id).where(
        ids_in(Provider.id, sorted(owners)), Provider.kind == orphan.kind, Provider.match_name == orphan.match_name,
        Provider.status != "merged")).all()
    return same[0] if len(same) == 1 else None


def repair(session: Session) -> RepairReport:
    """Repair inside the caller's transaction (the caller commits)."""
    report = RepairReport(links_removed=remove_duplicate_links(session))
    session.flush()
    linked = exists().where(MatchLink.provider_id == Provider.id)
    orphans = list(session.scalars(select(Provider).where(Provider.status != "merged", ~linked)
                                   .order_by(Provider.id)))
    merged = merged_map(session)
    folds: dict[int, list[Provider]] = defaultdict(list)
    for orphan in orphans:
        owner = _owner(session, orphan, merged)
        if owner is None:
            report.orphans_left.append(orphan.id)
        else:
            folds[owner].append(orphan)
    for owner, dups in folds.items():
        for dup in dups:
            # The observations follow their deciding link, so merge() has none to pin to the owner.
            session.execute(update(Observation).where(Observation.provider_id == dup.id).values(provider_id=owner))
            merge(session, ACTOR, owner, dup.id, REASON)
            report.providers_folded += 1
    folded = [d.id for dups in folds.values() for d in dups]
    for i in range(0, len(folded), 400):  # what merge() left behind is a copy of an affiliation the owner has
        chunk = folded[i:i + 400]
        session.execute(delete(Affiliation).where(or_(ids_in(Affiliation.clinic_id, chunk),
                                                      ids_in(Affiliation.practitioner_id, chunk))))
    return report
