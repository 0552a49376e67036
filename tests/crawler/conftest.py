"""Crawler test helpers: settings for a crawl into a temporary database, fast (impolite) Scrapy settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kdir.common.config import Settings

#: Politeness off, short time-outs: tests only ever crawl loopback servers they run themselves.
FAST: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": 0,
    "DOWNLOAD_DELAY": 0,
    "KDIR_RETRY_BASE_DELAY": 0.1,
    "DOWNLOAD_TIMEOUT": 20,  # generous: CI runs several crawler processes on two busy cores
    "LOG_LEVEL": "INFO",
}


def crawl_settings(path: Path, database_url: str | None = None, **env: str) -> Settings:
    path.mkdir(parents=True, exist_ok=True)
    values = {"KDIR_ENV": "test", "KDIR_VAR_DIR": str(path),
              "KDIR_DATABASE_URL": database_url or f"sqlite:///{path / 'kdir.sqlite3'}"}
    values.update(env)
    return Settings.from_env(values)


def observations(settings: Settings, source: str | None = None) -> list[dict[str, Any]]:
    """Current (not superseded) observation payloads, optionally of one source."""
    from sqlalchemy import select

    from indexer.db import Database
    from indexer.db.models import Observation, Source

    db = Database.connect(settings.database_url)
    try:
        with db.session() as s:
            q = select(Observation.payload, Source.key).join(Source, Source.id == Observation.source_id) \
                .where(Observation.superseded.is_(False))
            rows = s.execute(q).all()
        return [dict(p) for p, key in rows if source is None or key == source]
    finally:
        db.dispose()


def run_row(settings: Settings, run_id: int) -> Any:
    from indexer.db import Database
    from indexer.db.models import CrawlRun

    db = Database.connect(settings.database_url)
    try:
        with db.session() as s:
            run = s.get(CrawlRun, run_id)
            s.expunge(run)
            return run
    finally:
        db.dispose()
