"""Demo publishing: the demo approves its sample data through the same moderation path a moderator uses
(audited as the system actor ``demo``) and leaves a few listings pending so the moderation queue has work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.audit import Actor
from indexer.curate import approve
from indexer.db.models import FieldEvidence, Provider, Source

DEMO_ACTOR = Actor(username="demo")
#: How many listings stay pending for the moderation queue.
LEAVE_PENDING = 3


def publish_demo(session: Session, leave_pending: int = LEAVE_PENDING) -> tuple[int, int]:
    """Approve the pending providers except up to ``leave_pending`` listed only by discovery sources
    (directory, OpenStreetMap): those are the ones a moderator should look at first. Idempotent: a re-run
    approves nothing new and leaves the same listings pending. Returns (approved now, still pending)."""
    pending = session.scalars(select(Provider).where(Provider.status == "pending").order_by(Provider.id)).all()
    strong = set(session.scalars(
        select(FieldEvidence.provider_id).join(Source, Source.id == FieldEvidence.source_id)
        .where(Source.kind.in_(("registry", "clinic_site")))).all())
    weak = [p for p in pending if p.id not in strong]
    keep = {p.id for p in weak[:leave_pending]}
    approved = 0
    for p in pending:
        if p.id in keep:
            continue
        approve(session, DEMO_ACTOR, p.id, note="sample data published by kdir demo")
        approved += 1
    return approved, len(keep)
