"""Search-index outbox: provider changes are queued in the same transaction as the change itself."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from indexer.db.models import OutboxEntry


def enqueue(session: Session, provider_ids: int | Iterable[int], op: str = "upsert") -> None:
    """Queue providers for (re)indexing. ``upsert`` re-reads the provider at publish time: a provider that is
    no longer published is then deleted from the index, so callers need not decide."""
    ids = [provider_ids] if isinstance(provider_ids, int) else list(provider_ids)
    session.add_all(OutboxEntry(provider_id=pid, op=op) for pid in ids)
