"""The crawler's door into the database: sources, crawl runs and observations.

The crawler stores what it saw through :class:`ObservationStore` and knows nothing else of the indexer.
Storing is idempotent: an unchanged observation only moves its ``last_seen``; a changed one becomes a new row
and supersedes the previous content for the same (source, location_key).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from indexer.db.models import SOURCE_TIERS, CrawlRun, Observation, Source, utcnow

StoreResult = Literal["new", "changed", "unchanged"]
_VOLATILE = ("fetched_at",)


def content_hash(payload: Mapping[str, Any]) -> str:
    """Hash of what the source said, ignoring when we fetched it."""
    stable = {k: v for k, v in payload.items() if k not in _VOLATILE}
    blob = json.dumps(stable, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RunVerdict:
    status: str  # ok | suspect | failed
    reason: str | None


def drift_verdict(items: int, last_good_items: int | None, threshold: float, error: str | None) -> RunVerdict:
    """The drift guard: a run yielding far fewer items than the source's last good run is suspect."""
    if error:
        return RunVerdict("failed", error)
    if last_good_items and items < threshold * last_good_items:
        return RunVerdict("suspect", f"{items} items, under {threshold:.0%} of the last good run's {last_good_items}")
    return RunVerdict("ok", None)


class ObservationStore:
    def __init__(self, factory: sessionmaker[Session]):
        self._factory = factory

    # -- sources ---------------------------------------------------------------------------------------------
    def ensure_source(self, key: str, name: str | None = None, kind: str = "clinic_site",
                      spider: str | None = None, spider_args: dict[str, Any] | None = None) -> int:
        with self._factory() as s:
            src = s.scalar(select(Source).where(Source.key == key))
            if src is None:
                src = Source(key=key, name=name or key, kind=kind, tier=SOURCE_TIERS.get(kind, 1), spider=spider,
                             spider_args=spider_args or {})
                s.add(src)
                try:
                    s.commit()
                except IntegrityError:  # another process created it first
                    s.rollback()
                    src = s.scalars(select(Source).where(Source.key == key)).one()
            elif name and name != src.name and src.name == key:  # named by its key until now: take the title
                src.name = name
                s.commit()
            return src.id

    # -- runs ------------------------------------------------------------------------------------------------
    def start_run(self, source_key: str, spider: str, *, kind: str = "clinic_site", name: str | None = None,
                  trigger: str = "manual", args: dict[str, Any] | None = None) -> int:
        source_id = self.ensure_source(source_key, name, kind, spider)
        with self._factory() as s:
            run = CrawlRun(source_id=source_id, spider=spider, trigger=trigger, args=args or {})
            s.add(run)
            s.commit()
            return run.id

    def finish_run(self, run_id: int, *, pages: int = 0, errors: int = 0, status_codes: dict[str, int] | None = None,
                   field_stats: dict[str, Any] | None = None, stats: dict[str, Any] | None = None,
                   error: str | None = None, drift_threshold: float = 0.5) -> RunVerdict:
        with self._factory() as s:
            run = s.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            last_good = s.scalar(
                select(CrawlRun.items_count)
                .where(CrawlRun.source_id == run.source_id, CrawlRun.status == "ok", CrawlRun.id != run_id)
                .order_by(CrawlRun.id.desc()).limit(1))
            verdict = drift_verdict(run.items_count, last_good, drift_threshold, error)
            run.status = verdict.status
            run.suspect_reason = verdict.reason if verdict.status == "suspect" else None
            run.error = error
            run.finished_at = utcnow()
            run.pages_count = pages
            run.errors_count = errors
            run.status_codes = dict(status_codes or {})
            run.field_stats = dict(field_stats or {})
            run.stats = {k: v for k, v in (stats or {}).items()}
            s.commit()
            return verdict

    # -- observations ----------------------------------------------------------------------------------------
    def store(self, run_id: int, payload: Mapping[str, Any]) -> StoreResult:
        """Store one item (``ProviderItem.to_dict()``) seen in run ``run_id``."""
        payload = dict(payload)
        digest = content_hash(payload)
        key = str(payload.get("location_key") or payload["source_url"])[:500]
        fetched = payload.get("fetched_at")
        fetched_at = datetime.fromisoformat(fetched) if isinstance(fetched, str) else (fetched or utcnow())
        for _attempt in range(3):
            with self._factory() as s:
                run = s.get(CrawlRun, run_id)
                if run is None:
                    raise KeyError(f"no crawl run {run_id}")
                now = utcnow()
                existing = s.scalar(select(Observation).where(
                    Observation.source_id == run.source_id, Observation.location_key == key,
                    Observation.content_hash == digest))
                if existing is not None:
                    first_this_run = existing.last_run_id != run_id
                    existing.last_seen = now
                    existing.last_run_id = run_id
                    existing.fetched_at = fetched_at
                    if existing.superseded:  # the source went back to saying this
                        existing.superseded = False
                        self._supersede_others(s, run.source_id, key, existing.id)
                    if first_this_run:
                        self._count(s, run_id, new=False)
                    s.commit()
                    return "unchanged"
                had_before = s.scalar(select(Observation.id).where(
                    Observation.source_id == run.source_id, Observation.location_key == key).limit(1))
                obs = Observation(source_id=run.source_id, location_key=key, kind=payload.get("kind") or "clinic",
                                  source_url=str(payload.get("source_url", "")), fetched_at=fetched_at,
                                  content_hash=digest, payload=payload, first_seen=now, last_seen=now,
                                  first_run_id=run_id, last_run_id=run_id)
                s.add(obs)
                try:
                    s.flush()
                except IntegrityError:  # a concurrent process stored the same content: retry as unchanged
                    s.rollback()
                    continue
                self._supersede_others(s, run.source_id, key, obs.id)
                self._count(s, run_id, new=True)
                s.commit()
                return "changed" if had_before else "new"
        raise RuntimeError("could not store observation after 3 attempts")

    @staticmethod
    def _count(s: Session, run_id: int, new: bool) -> None:
        # An atomic increment: several crawler processes may share one run (distributed mode).
        values: dict[str, Any] = {"items_count": CrawlRun.items_count + 1}
        if new:
            values["new_count"] = CrawlRun.new_count + 1
        s.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))

    @staticmethod
    def _supersede_others(s: Session, source_id: int, key: str, keep_id: int) -> None:
        s.execute(update(Observation)
                  .where(Observation.source_id == source_id, Observation.location_key == key,
                         Observation.id != keep_id)
                  .values(superseded=True))
