"""One index run at a time: the run lock, the one-decision-per-observation constraint and the repair of a
database doubled by runs that overlapped before the lock existed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from indexer.db import Database
from indexer.db.engine import downgrade, upgrade
from indexer.db.models import Affiliation, AuditEntry, FieldEvidence, MatchLink, Observation, Provider
from indexer.locks import DbLeases, lease
from indexer.pipeline import INDEX_LOCK, IndexRunning, run_index
from kdir.common.config import Settings
from tests.indexer.core.conftest import addr, crawl, item


def _items(n: int, tag: str = "") -> list[dict[str, Any]]:
    return [item(name=f"Clinic {tag}{i} Wellness", source_url=f"https://c{tag}{i}.test/",
                 phones=[f"(512) 555-{i:04d}"], address=addr(f"{100 + i} Main Street", "Austin", "TX", "78701"),
                 practitioners=[{"name": f"Pat Person{tag}{i}", "credentials": ["MD"]}]) for i in range(n)]


def _live_providers(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Provider).where(Provider.status != "merged")) or 0)


def assert_one_provider_per_observation(db: Database) -> None:
    with db.session() as s:
        groups = s.execute(select(MatchLink.observation_id, MatchLink.mention_key,
                                  func.count(func.distinct(MatchLink.provider_id)))
                           .group_by(MatchLink.observation_id, MatchLink.mention_key)).all()
        assert groups and all(n == 1 for _o, _m, n in groups), [g for g in groups if g[2] != 1][:5]
        listing = dict(s.execute(select(MatchLink.observation_id, MatchLink.provider_id)
                                 .where(MatchLink.mention_key.is_(None))).all())
        for oid, pid in s.execute(select(Observation.id, Observation.provider_id)):
            assert pid == listing[oid], (oid, pid, listing[oid])
        unlinked = s.scalars(select(Provider.id).where(
            Provider.status != "merged", ~select(MatchLink.id).where(MatchLink.provider_id == Provider.id).exists()))
        assert list(unlinked) == []


def test_a_second_run_is_refused_while_one_runs_then_waits_for_it(db: Database, settings: Settings) -> None:
    crawl(db, "clinic_site", _items(3))
    store = DbLeases(db.factory)
    with lease(store, INDEX_LOCK, ttl_s=60, holder="other-host:4242:abcd"):
        started = time.monotonic()
        with pytest.raises(IndexRunning, match=r"another index run is in progress \(held by other-host:4242:abcd\)"):
            run_index(db, settings, verify=False)
        assert time.monotonic() - started < 5
    assert store.holder(INDEX_LOCK) is None

    told: list[str | None] = []
    gate = threading.Event()

    def hold_briefly() -> None:
        with lease(store, INDEX_LOCK, ttl_s=60, holder="other-host:4242:abcd"):
            gate.set()
            time.sleep(1.0)

    t = threading.Thread(target=hold_briefly)
    t.start()
    gate.wait(10)
    report = run_index(db, settings, verify=False, wait_s=30, on_wait=told.append)
    t.join()
    assert told == ["other-host:4242:abcd"]
    assert report.providers_created == 6
    assert store.holder(INDEX_LOCK) is None  # released at the end of the run


def test_concurrent_runs_never_double_a_provider(db: Database, settings: Settings) -> None:
    crawl(db, "clinic_site", _items(60))
    crawl(db, "directory:a", [dict(x, source_url=x["source_url"] + "dir") for x in _items(60)])
    reports: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def one() -> None:
        start.wait()
        try:
            reports.append(run_index(db, settings, verify=False, batch_size=10, wait_s=120))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert errors == []
    assert sorted(r.providers_created for r in reports) == [0, 120]
    assert _live_providers(db) == 120
    assert_one_provider_per_observation(db)


def test_an_observation_cannot_be_linked_twice(db: Database, settings: Settings) -> None:
    crawl(db, "clinic_site", _items(1))
    run_index(db, settings, verify=False)
    with db.session() as s:
        rows = [dict(r._mapping) for r in s.execute(select(MatchLink.__table__))]
        other = s.scalar(select(func.max(Provider.id)))
    assert {r["mention_key"] is None for r in rows} == {True, False}
    for row in rows:  # the listing's link and the practitioner mention's link
        dup = {k: v for k, v in row.items() if k != "id"} | {"provider_id": other}
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(insert(MatchLink), dup)
    # A moderator's pinned decision may sit beside the indexer's
    with db.engine.begin() as conn:
        conn.execute(insert(MatchLink), {k: v for k, v in rows[0].items() if k != "id"} | {"pinned": True})


def _double_like_a_race(db: Database) -> None:
    """What a second run that overlapped the first leaves: a copy of every provider with its own links (newer
    ids), evidence and affiliations, and the observations pointing at the copies (the last commit wins)."""
    with db.engine.begin() as conn:
        providers = [dict(r._mapping) for r in conn.execute(select(Provider.__table__).order_by(Provider.id))]
        start = max(p["id"] for p in providers)
        copy = {p["id"]: start + i + 1 for i, p in enumerate(providers)}
        conn.execute(insert(Provider), [p | {"id": copy[p["id"]]} for p in providers])
        links = [dict(r._mapping) for r in conn.execute(select(MatchLink.__table__).order_by(MatchLink.id))]
        conn.execute(insert(MatchLink), [{k: v for k, v in lk.items() if k != "id"}
                                         | {"provider_id": copy[lk["provider_id"]]} for lk in links])
        evidence = [dict(r._mapping) for r in conn.execute(select(FieldEvidence.__table__))]
        conn.execute(insert(FieldEvidence), [{k: v for k, v in e.items() if k != "id"}
                                             | {"provider_id": copy[e["provider_id"]]} for e in evidence])
        affs = [dict(r._mapping) for r in conn.execute(select(Affiliation.__table__))]
        conn.execute(insert(Affiliation), [{k: v for k, v in a.items() if k != "id"}
                                           | {"clinic_id": copy[a["clinic_id"]],
                                              "practitioner_id": copy[a["practitioner_id"]]} for a in affs])
        for oid, pid in conn.execute(select(Observation.id, Observation.provider_id)).all():
            conn.execute(Observation.__table__.update().where(Observation.id == oid)
                         .values(provider_id=copy[pid]))


@pytest.mark.parametrize("how", ["repair", "full"])
def test_repair_puts_a_doubled_database_right(db: Database, settings: Settings, how: str) -> None:
    crawl(db, "clinic_site", _items(8))
    crawl(db, "directory:a", [dict(x, source_url=x["source_url"] + "dir") for x in _items(8)])
    downgrade(db.engine, "0007")  # the schema before the constraint, as overlapping runs found it
    run_index(db, settings, verify=False)
    clean = _live_providers(db)
    with db.session() as s:
        clean_links = s.scalar(select(func.count()).select_from(MatchLink))
    assert clean == 16
    _double_like_a_race(db)
    assert _live_providers(db) == 2 * clean

    upgrade(db.engine)  # migration 0006 drops the duplicate links (the newest decides) before its constraint
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(MatchLink)) == clean_links
    assert _live_providers(db) == 2 * clean  # ... the doubled providers are the repair's work

    report = run_index(db, settings, verify=False, repair_first=how == "repair", full=how == "full")
    assert report.repair is not None and report.repair.providers_folded == clean
    assert report.repair.orphans_left == []
    assert report.providers_created == 0
    assert _live_providers(db) == clean
    assert_one_provider_per_observation(db)
    with db.session() as s:
        folded = s.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).all()
        assert len(folded) == clean and {a.username for a in folded} == {"kdir index --repair"}
        # every affiliation now joins two live providers
        live = set(s.scalars(select(Provider.id).where(Provider.status != "merged")))
        pairs = s.execute(select(Affiliation.clinic_id, Affiliation.practitioner_id)).all()
        assert pairs and all(c in live and p in live for c, p in pairs)
    again = run_index(db, settings, verify=False, repair_first=True)
    assert again.repair is not None and again.repair.providers_folded == 0 and again.repair.links_removed == 0
