"""Apply the search outbox to a search backend, and rebuild the index from the database.

The outbox row was committed with the provider change, so nothing is lost when the backend is down: the
entries stay unprocessed (with ``attempts`` and ``last_error`` recorded) and the next run catches up. Each
entry re-reads its provider: a PUBLISHED provider (status ``published``, not merged) is upserted, anything
else (pending, rejected, merged, deleted) is removed from the index, whatever the entry's ``op`` said.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from indexer.db import Database
from indexer.db.models import OutboxEntry, Provider, utcnow
from indexer.search.base import SearchBackend, SearchUnavailable
from indexer.search.documents import documents_for

log = logging.getLogger(__name__)
_REBUILD_CHUNK = 1000


@dataclass
class PublishReport:
    processed: int = 0  # outbox entries marked processed
    upserted: int = 0
    deleted: int = 0
    pending: int = 0  # entries left for the next run
    error: str | None = None  # why the run stopped early (backend unavailable)

    @property
    def ok(self) -> bool:
        return self.error is None


def _is_unavailable(exc: BaseException) -> bool:
    """SearchUnavailable, or a connection-level error a backend let through."""
    return isinstance(exc, SearchUnavailable | ConnectionError | TimeoutError | OSError)


def publish_outbox_report(db: Database, backend: SearchBackend, *, batch: int = 500,
                          max_batches: int | None = None) -> PublishReport:
    """Apply unprocessed outbox entries in batches (oldest first) until none is left or the backend fails."""
    report = PublishReport()
    done_batches = 0
    while max_batches is None or done_batches < max_batches:
        with db.session() as session:
            stmt = (select(OutboxEntry).where(OutboxEntry.processed_at.is_(None))
                    .order_by(OutboxEntry.id).limit(batch))
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)  # two publishers never take the same rows
            entries = list(session.scalars(stmt))
            if not entries:
                break
            provider_ids = sorted({e.provider_id for e in entries})
            docs = documents_for(session, provider_ids, published_only=True)
            live = {d["id"] for d in docs}
            gone = [pid for pid in provider_ids if pid not in live]
            try:
                if docs:
                    backend.upsert(docs)
                if gone:
                    backend.delete(gone)
            except Exception as exc:
                if not _is_unavailable(exc):
                    raise
                message = f"{type(exc).__name__}: {exc}"[:2000]
                for e in entries:
                    e.attempts = (e.attempts or 0) + 1
                    e.last_error = message
                session.commit()
                report.error = message
                log.warning("search backend unavailable; %d outbox entries kept for the next run: %s",
                            len(entries), message)
                break
            now = utcnow()
            for e in entries:
                e.processed_at = now
                e.last_error = None
            session.commit()
            report.processed += len(entries)
            report.upserted += len(docs)
            report.deleted += len(gone)
            done_batches += 1
    with db.session() as session:
        report.pending = int(session.scalar(
            select(func.count(OutboxEntry.id)).where(OutboxEntry.processed_at.is_(None))) or 0)
    return report


def publish_outbox(db: Database, backend: SearchBackend, *, batch: int = 500) -> int:
    """Apply the outbox; returns the number of entries processed. When the backend is down the remaining
    entries stay (attempts and last_error recorded on them) and a warning is logged; see
    :func:`publish_outbox_report` for the full report."""
    return publish_outbox_report(db, backend, batch=batch).processed


def _published_documents(db: Database) -> Iterator[dict[str, Any]]:
    last_id = 0
    while True:
        with db.session() as session:
            ids = list(session.scalars(
                select(Provider.id).where(Provider.status == "published", Provider.merged_into_id.is_(None),
                                          Provider.id > last_id).order_by(Provider.id).limit(_REBUILD_CHUNK)))
            if not ids:
                return
            yield from documents_for(session, ids, published_only=True)
        last_id = ids[-1]


def rebuild_index(db: Database, backend: SearchBackend) -> int:
    """Rebuild the whole index from the database (published providers only); returns the document count.

    Outbox entries that existed before the rebuild started are covered by it and marked processed."""
    with db.session() as session:
        high_water = session.scalar(select(func.max(OutboxEntry.id))) or 0
    n = backend.rebuild(_published_documents(db))
    if high_water:
        with db.session() as session:
            session.execute(update(OutboxEntry).where(OutboxEntry.id <= high_water,
                                                      OutboxEntry.processed_at.is_(None))
                            .values(processed_at=utcnow(), last_error=None))
            session.commit()
    return n
