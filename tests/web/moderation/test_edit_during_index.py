"""Moderators' decisions against the real indexer: an edit made while an index run is in progress is kept
(real threads, SQLite and PostgreSQL); rejections, merges and splits survive later crawls and re-indexing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from indexer import curate
from indexer.audit import Actor
from indexer.db.models import Observation, Override, Provider
from indexer.storage import ObservationStore
from kdir.common.record import Address, ProviderItem
from tests.web.conftest import make_settings

pipeline = pytest.importorskip("indexer.pipeline")
N, BATCH = 60, 20
FIRST = ("Amber", "Birch", "Cedar", "Dune", "Elm", "Fjord", "Grove", "Harbor", "Iris", "Juniper")
SECOND = ("Lake", "Mesa", "North", "Oak", "Pine", "Quarry", "River", "Summit", "Tide")


def _crawl(db: Any, phone_prefix: str, n: int = N) -> None:
    store = ObservationStore(db.factory)
    run = store.start_run("clinic_site", "clinic_site", kind="clinic_site")
    for i in range(n):
        item = ProviderItem(
            source="clinic_site", source_url=f"http://127.0.0.1/clinic/{i}", fetched_at=datetime.now(UTC),
            name=f"{FIRST[i % 10]} {SECOND[i // 10]} Ketamine Clinic", phones=[f"+1{phone_prefix}555{i:04d}"],
            address=Address(street=f"{100 + i} Congress Ave", city="Austin", region="TX", postal_code="78701"),
            modalities=["iv_infusion"], location_key=f"clinic-{i}")
        store.store(run, item.to_dict())
    store.finish_run(run)


def test_override_written_during_an_index_run_wins(db: Any, tmp_path: Path) -> None:
    settings = make_settings(db, tmp_path)
    _crawl(db, "512")
    pipeline.run_index(db, settings, verify=False, batch_size=BATCH)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider)) == N
        last = s.scalar(select(Observation).where(Observation.location_key == f"clinic-{N - 1}"))
        target = last.provider_id
    _crawl(db, "737")  # every clinic's phone changed at the source: the next run rewrites all of them

    started = threading.Event()
    errors: list[BaseException] = []

    def index() -> None:
        try:
            pipeline.run_index(db, settings, verify=False, batch_size=BATCH,
                               progress=lambda done, total: started.set())
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)
            started.set()

    worker = threading.Thread(target=index)
    worker.start()
    assert started.wait(60)  # the first batch is committed; the target's batch is still to come
    with db.session() as s:
        curate.edit_field(s, Actor("mia"), target, "phones", "(512) 555-0100", "Called: the new number is wrong")
        s.commit()
    worker.join(120)
    assert not worker.is_alive() and errors == []
    with db.session() as s:
        p = s.get(Provider, target)
        assert p.phones == ["+15125550100"]
        other = s.scalar(select(Provider).where(Provider.id != target).order_by(Provider.id).limit(1))
        assert other.phones[0].startswith("+1737")  # the run itself did happen
    pipeline.run_index(db, settings, verify=False, full=True)  # and a later full re-index keeps it too
    with db.session() as s:
        assert s.get(Provider, target).phones == ["+15125550100"]
        assert s.scalar(select(Override.note).where(Override.provider_id == target)).startswith("Called")


def _provider_of(s: Any, i: int) -> int:
    return int(s.scalar(select(Observation.provider_id).where(Observation.location_key == f"clinic-{i}",
                                                             Observation.superseded.is_(False))))


def test_reject_merge_and_split_survive_a_recrawl(db: Any, tmp_path: Path) -> None:
    settings = make_settings(db, tmp_path)
    mia = Actor("mia")
    _crawl(db, "512", n=4)
    pipeline.run_index(db, settings, verify=False)
    with db.session() as s:
        p0, p1, p2, p3 = (_provider_of(s, i) for i in range(4))
        curate.reject(s, mia, p0, "Not a ketamine clinic")
        curate.merge(s, mia, p1, p2, "Same clinic, two pages")
        s.commit()
    _crawl(db, "737", n=4)  # new content for every listing
    pipeline.run_index(db, settings, verify=False)
    with db.session() as s:
        assert s.get(Provider, p0).status == "rejected"
        assert s.get(Provider, p0).reject_reason == "Not a ketamine clinic"
        assert (s.get(Provider, p2).status, s.get(Provider, p2).merged_into_id) == ("merged", p1)
        assert _provider_of(s, 2) == p1  # the new observation follows the pinned merge
        obs = s.scalar(select(Observation.id).where(Observation.location_key == "clinic-2",
                                                    Observation.superseded.is_(False)))
        new = curate.split(s, mia, p1, [obs], "Wrong merge after all")
        s.commit()
    _crawl(db, "512", n=4)
    pipeline.run_index(db, settings, verify=False, full=True)
    with db.session() as s:
        assert _provider_of(s, 2) == new.id and _provider_of(s, 1) == p1
        assert s.get(Provider, p0).status == "rejected" and s.get(Provider, p3).status == "pending"
