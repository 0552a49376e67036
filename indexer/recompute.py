"""Recompute one provider from its evidence on a moderator's request (after an override, a hidden review, a
split or merge, or accepted pending changes). The indexer's batch runs use the same engine."""

from __future__ import annotations

from sqlalchemy.orm import Session

from indexer.db.models import Provider
from indexer.outbox import enqueue
from indexer.provenance import apply_pending_changes
from indexer.resolve.engine import Recomputer, search_snapshot


def recompute_provider(session: Session, provider_id: int) -> bool:
    """Re-select every field of one provider from its evidence and the active overrides, update the row and
    enqueue it for the search index when its searchable data changed. Returns whether it changed."""
    return provider_id in Recomputer(session).run({provider_id})


def accept_pending_changes(session: Session, provider_id: int, fields: list[str] | None = None) -> list[str]:
    """A moderator accepts held material changes (all, or ``fields``); applies them and recomputes."""
    p = session.get(Provider, provider_id)
    if p is None:
        raise KeyError(f"no provider {provider_id}")
    before = search_snapshot(p)
    applied = apply_pending_changes(p, fields)
    session.flush()
    ungated = {provider_id} if "credentials" in applied else set()
    changed = Recomputer(session).run({provider_id}, ungated_credentials=ungated)
    if provider_id not in changed and search_snapshot(p) != before:
        enqueue(session, [provider_id])
    return applied
