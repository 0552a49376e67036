"""What the moderation screens show: the prioritised queue and everything known about one provider."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from indexer.audit import entries
from indexer.curate import FieldChange, diff, evidence_field, snapshot
from indexer.db.models import (
    Affiliation,
    AuditEntry,
    Credential,
    FieldEvidence,
    Flag,
    MatchLink,
    Observation,
    Override,
    Provider,
    Review,
    Source,
)
from indexer.review_queue import REASON_LABELS, REASONS, QueueFilter, QueueItem, queue_items

_CLOSED = ("rejected", "merged")


def review_queue(session: Session, filters: QueueFilter | None = None) -> list[QueueItem]:
    """The queue (indexer.review_queue decides membership, reasons and order)."""
    return queue_items(session, filters)


@dataclass
class Duplicate:
    provider: Provider
    why: list[str]


def likely_duplicates(session: Session, p: Provider, limit: int = 10) -> list[Duplicate]:
    """Same ZIP with a similar name, same phone, or same NPI (merged and rejected providers excluded)."""
    found: dict[int, Duplicate] = {}

    def add(other: Provider, why: str) -> None:
        if other.id != p.id and other.status not in _CLOSED:
            found.setdefault(other.id, Duplicate(other, [])).why.append(why)

    if p.postal_code:
        for other in session.scalars(select(Provider).where(Provider.postal_code == p.postal_code).limit(500)):
            score = fuzz.token_set_ratio(p.name.lower(), other.name.lower())
            if score >= 80:
                add(other, f"same ZIP, name {score:.0f}% alike")
    phones = [ph for ph in (p.phones or []) if isinstance(ph, str) and ph.strip("+").isdigit()]
    if phones:
        conds = [cast(Provider.phones, String).like(f'%"{ph}"%') for ph in phones[:5]]
        for other in session.scalars(select(Provider).where(or_(*conds)).limit(50)):
            add(other, "same phone")
    if p.npi:
        for other in session.scalars(select(Provider).where(Provider.npi == p.npi).limit(50)):
            add(other, "same NPI")
    return list(found.values())[:limit]


@dataclass
class EvidenceRow:
    value: Any
    source: Source
    url: str | None
    last_seen: Any
    selected: bool


@dataclass
class ReviewContext:
    provider: Provider
    fields: dict[str, Any]
    evidence: dict[str, list[EvidenceRow]]
    overrides: dict[str, Override]  # by overridden column (street, phones, ...)
    overridden: dict[str, list[Override]]  # by evidence field (address, phones, ...)
    credentials: list[Credential]
    changes: list[FieldChange]
    pending: dict[str, Any]
    duplicates: list[Duplicate]
    observations: list[tuple[Observation, MatchLink | None]]
    reviews: list[Review]
    flags: list[Flag]
    history: list[AuditEntry]
    merged_from: list[Provider] = field(default_factory=list)
    #: Credentials of the practitioners affiliated with this clinic (they count in its queue reasons).
    team_credentials: list[tuple[Provider, Credential]] = field(default_factory=list)


def review_context(session: Session, p: Provider) -> ReviewContext:
    evidence: dict[str, list[EvidenceRow]] = defaultdict(list)
    q = (select(FieldEvidence, Source).join(Source, Source.id == FieldEvidence.source_id)
         .where(FieldEvidence.provider_id == p.id)
         .order_by(FieldEvidence.field, FieldEvidence.selected.desc(), FieldEvidence.tier.desc()))
    for ev, src in session.execute(q):
        evidence[ev.field].append(EvidenceRow(ev.value, src, ev.url, ev.last_seen, ev.selected))
    overrides = {o.field: o for o in session.scalars(select(Override).where(
        Override.provider_id == p.id, Override.active.is_(True)).order_by(Override.id))}
    links = {lk.observation_id: lk for lk in session.scalars(select(MatchLink).where(MatchLink.provider_id == p.id))}
    observations = [(o, links.get(o.id)) for o in session.scalars(
        select(Observation).where(Observation.provider_id == p.id).order_by(Observation.id))]
    current = snapshot(p)
    overridden: dict[str, list[Override]] = defaultdict(list)
    for o in overrides.values():
        overridden[evidence_field(o.field)].append(o)
    return ReviewContext(
        provider=p, fields=current, evidence=dict(evidence), overrides=overrides, overridden=dict(overridden),
        credentials=list(session.scalars(select(Credential).where(Credential.provider_id == p.id)
                                         .order_by(Credential.id))),
        changes=diff(p.approved_snapshot, current) if p.approved_snapshot else [],
        pending=dict(p.pending_changes or {}),
        duplicates=likely_duplicates(session, p),
        observations=observations,
        reviews=list(session.scalars(select(Review).where(Review.provider_id == p.id).order_by(Review.id))),
        flags=list(session.scalars(select(Flag).where(Flag.provider_id == p.id).order_by(Flag.id.desc()))),
        history=entries(session, provider_id=p.id, limit=50),
        merged_from=list(session.scalars(select(Provider).where(Provider.merged_into_id == p.id))),
        team_credentials=[(prac, cred) for prac, cred in session.execute(
            select(Provider, Credential).join(Credential, Credential.provider_id == Provider.id)
            .join(Affiliation, Affiliation.practitioner_id == Provider.id)
            .where(Affiliation.clinic_id == p.id, Provider.id != p.id).order_by(Provider.name, Credential.id))],
    )


__all__ = ["REASONS", "REASON_LABELS", "QueueFilter", "QueueItem", "review_context", "review_queue"]
