"""Helpers for the indexer-core tests: store items as a crawler would, run the indexer, read providers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import CrawlRun, Provider
from indexer.pipeline import IndexReport, run_index
from indexer.storage import ObservationStore
from kdir.common.config import Settings

SOURCE_KINDS = {"clinic_site": "clinic_site", "directory": "directory", "osm": "osm", "registry": "registry"}


def item(**kw: Any) -> dict[str, Any]:
    """A ProviderItem.to_dict() payload with defaults."""
    base: dict[str, Any] = {
        "source": "test", "source_url": "https://example.test/", "fetched_at": datetime.now(UTC).isoformat(),
        "kind": "clinic", "name": None, "website": None, "phones": [], "email": None, "address": None,
        "geo": None, "npi": None, "modalities": [], "conditions": [], "services": [], "practitioners": [],
        "rating": None, "reviews": [], "price": None, "insurance": [], "telehealth": None, "location_key": None}
    base.update(kw)
    return base


def addr(street: str | None, city: str | None, region: str | None, postal: str | None) -> dict[str, Any]:
    return {"street": street, "city": city, "region": region, "postal_code": postal, "country": "US"}


def crawl(db: Database, source: str, items: Iterable[dict[str, Any]], *, kind: str | None = None,
          status: str = "ok") -> int:
    """One crawl run of ``source`` storing ``items``; the run ends with ``status``. Returns the run id."""
    store = ObservationStore(db.factory)
    kind = kind or source.split(":")[0]
    run = store.start_run(source, source.split(":")[0], kind=kind)
    for it in items:
        store.store(run, it)
    store.finish_run(run, error="boom" if status == "failed" else None)
    if status == "suspect":
        with db.session() as s:
            s.get(CrawlRun, run).status = "suspect"
            s.commit()
    return run


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env({"KDIR_ENV": "test", "KDIR_STALE_AFTER_RUNS": "2"})


@pytest.fixture
def index(db: Database, settings: Settings):  # type: ignore[no-untyped-def]
    def _run(**kw: Any) -> IndexReport:
        kw.setdefault("verify", False)
        return run_index(db, settings, **kw)
    return _run


def providers(db: Database, kind: str | None = None) -> list[Provider]:
    with db.session() as s:
        q = select(Provider).order_by(Provider.id)
        if kind:
            q = q.where(Provider.kind == kind)
        return list(s.scalars(q))
