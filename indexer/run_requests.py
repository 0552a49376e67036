"""The "run now" queue between the web (which asks) and the scheduler (which runs).

``/ops`` calls :func:`request_run`; each scheduler process polls :func:`claim`, runs the cycle and calls
:func:`finish`. A claim is one conditional UPDATE (``... WHERE id = ? AND status = 'queued'``) whose row count
says who won, so two schedulers never take the same request, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from indexer.db.models import RunRequest, utcnow

ACTIVE = ("queued", "running")
#: A request still "running" this long after its start lost its scheduler (killed mid-cycle): it no longer
#: blocks a new request and is marked failed. Cycles are bounded well below this by the crawl's own limits.
ABANDONED_AFTER = timedelta(hours=6)


class AlreadyRequested(Exception):
    """A request for this source is already queued or running."""

    def __init__(self, source_key: str, status: str):
        super().__init__(f"a run of {source_key} is already {status}")
        self.source_key = source_key
        self.status = status


@dataclass(frozen=True)
class Claimed:
    id: int
    source_key: str
    requested_by: str


def request_run(session: Session, source_key: str, requested_by: str, *,
                abandoned_after: timedelta = ABANDONED_AFTER) -> RunRequest:
    """Queue a run of ``source_key`` (caller commits). Raises AlreadyRequested while one is queued or running."""
    session.execute(update(RunRequest)
                    .where(RunRequest.source_key == source_key, RunRequest.status == "running",
                           RunRequest.started_at < utcnow() - abandoned_after)
                    .values(status="failed", finished_at=utcnow(),
                            error="abandoned: the scheduler stopped before the run finished")
                    .execution_options(synchronize_session=False))
    status = session.scalar(select(RunRequest.status).where(RunRequest.source_key == source_key,
                                                            RunRequest.status.in_(ACTIVE)).limit(1))
    if status is not None:
        raise AlreadyRequested(source_key, status)
    req = RunRequest(source_key=source_key, requested_by=requested_by, status="queued", run_ids=[])
    session.add(req)
    session.flush()
    return req


def claim(factory: sessionmaker[Session], holder: str, *, attempts: int = 5) -> Claimed | None:
    """Take the oldest queued request for ``holder``; None when the queue is empty. Atomic: another claimer
    that updated the same row first makes our UPDATE match nothing, and we try the next one."""
    for _ in range(attempts):
        with factory() as s:
            row = s.execute(select(RunRequest.id, RunRequest.source_key, RunRequest.requested_by)
                            .where(RunRequest.status == "queued").order_by(RunRequest.id).limit(1)).first()
            if row is None:
                return None
            result = s.execute(update(RunRequest)
                               .where(RunRequest.id == row.id, RunRequest.status == "queued")
                               .values(status="running", claimed_by=holder[:200], started_at=utcnow())
                               .execution_options(synchronize_session=False))
            s.commit()
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return Claimed(row.id, row.source_key, row.requested_by)
    return None


def finish(factory: sessionmaker[Session], request_id: int, *, ok: bool, run_ids: Sequence[int] = (),
           error: str | None = None) -> None:
    with factory() as s:
        s.execute(update(RunRequest).where(RunRequest.id == request_id)
                  .values(status="done" if ok else "failed", finished_at=utcnow(), run_ids=list(run_ids),
                          error=error[:2000] if error else None)
                  .execution_options(synchronize_session=False))
        s.commit()


def active(session: Session) -> list[RunRequest]:
    """Queued and running requests, oldest first (shown on /ops)."""
    return list(session.scalars(select(RunRequest).where(RunRequest.status.in_(ACTIVE)).order_by(RunRequest.id)))


def recent(session: Session, limit: int = 10) -> list[RunRequest]:
    return list(session.scalars(select(RunRequest).order_by(RunRequest.id.desc()).limit(limit)))
