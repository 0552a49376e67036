from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from indexer.db import Database
from indexer.db.models import Checkpoint, FieldEvidence, MatchLink, OutboxEntry, Provider
from indexer.pipeline import publish_all_pending, run_index
from kdir.cli import main
from kdir.common.config import Settings
from tests.indexer.core.conftest import addr, crawl, item


def _items(n: int) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for i in range(n):
        out.append(item(name=f"Clinic Number {i}", source_url=f"https://c{i}.test/", phones=[f"(512) 555-{i:04d}"],
                        address=addr(f"{100 + i} Main Street", "Austin", "TX", "78701"),
                        practitioners=[{"name": f"Pat Person{i}", "credentials": ["MD"]}]))
    return out


class Boom(Exception):
    pass


def test_a_killed_run_resumes_without_duplicates(db: Database, settings: Settings) -> None:
    crawl(db, "clinic_site", _items(25))
    crawl(db, "directory:a", [dict(x, source_url=x["source_url"] + "dir") for x in _items(25)])

    def die(done: int, total: int) -> None:
        if done >= 20:
            raise Boom

    with pytest.raises(Boom):
        run_index(db, settings, verify=False, batch_size=10, progress=die)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider)) > 0
        assert s.get(Checkpoint, "indexer").value["last_id"] == 20
    report = run_index(db, settings, verify=False, batch_size=10)
    assert report.observations_processed == 30
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider).where(Provider.kind == "clinic")) == 25
        assert s.scalar(select(func.count()).select_from(Provider).where(Provider.kind == "practitioner")) == 25
        assert s.scalar(select(func.count()).select_from(MatchLink)) == 100
        ev = s.scalar(select(func.count()).select_from(FieldEvidence))
    full = run_index(db, settings, verify=False, batch_size=7, full=True)
    assert full.observations_processed == 50 and full.providers_created == 0
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldEvidence)) == ev
        assert s.scalar(select(func.count()).select_from(MatchLink)) == 100


def test_publish_all_pending_and_outbox(db: Database, settings: Settings) -> None:
    crawl(db, "clinic_site", _items(3))
    run_index(db, settings, verify=False)
    with db.session() as s:
        queued = {pid for (pid,) in s.execute(select(OutboxEntry.provider_id))}
        assert len(queued) == 6  # every new provider, clinics and practitioners
        assert publish_all_pending(s) == 6
        s.commit()
        assert s.scalar(select(func.count()).select_from(Provider).where(Provider.status == "published")) == 6
        p = s.scalars(select(Provider).where(Provider.kind == "clinic")).first()
        assert p.approved_at is not None and p.approved_snapshot["name"] == p.name


def test_cli_index_summary(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    crawl(sqlite_db, "clinic_site", _items(2) + [item(name="", source_url="https://junk.test/")])
    monkeypatch.setenv("KDIR_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("KDIR_ENV", "test")
    monkeypatch.setenv("KDIR_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KDIR_SEARCH_PATH", str(tmp_path / "search.sqlite3"))
    result = CliRunner().invoke(main, ["index", "--no-verify"])
    assert result.exit_code == 0, result.output
    # in words (kdir.cli.index -> indexer.summaries), never outcome codes
    assert "4 new listings, 0 merged into existing ones" in result.output
    assert "(from 2 observations, 1 skipped as unusable or outdated, in " in result.output
    again = CliRunner().invoke(main, ["index", "--no-verify"])
    assert again.exit_code == 0 and "Nothing new to index" in again.output


def test_bulk_writes_read_back_like_orm_writes(db: Database) -> None:
    from datetime import UTC, datetime

    from indexer.db.fastwrite import insert_rows, update_rows
    from indexer.db.models import FieldEvidence, Source

    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    with db.session() as s:
        src = Source(key="k", name="k", kind="directory")
        p = Provider(name="X", match_name="x")
        s.add_all([src, p])
        s.flush()
        insert_rows(s, FieldEvidence.__table__, [
            {"provider_id": p.id, "field": "address", "value": {"city": "Austin", "zip": None}, "value_hash": "h1",
             "source_id": src.id, "observation_id": None, "url": None, "tier": 1, "first_seen": when,
             "last_seen": when, "selected": True}])
        ev = s.scalars(select(FieldEvidence)).one()
        update_rows(s, FieldEvidence.__table__, [{"id": ev.id, "selected": False, "value": ["a", "é"]}])
        s.commit()
    with db.session() as s:
        ev = s.scalars(select(FieldEvidence)).one()
        assert ev.first_seen == when and ev.first_seen.tzinfo is not None
        assert ev.value == ["a", "é"] and ev.selected is False
        assert s.scalar(select(func.count()).select_from(FieldEvidence).where(FieldEvidence.last_seen == when)) == 1


def test_hostile_payloads_index_on_both_databases(db: Database, settings: Settings) -> None:
    long = "Ω" * 3000
    crawl(db, "clinic_site", [
        item(name=long, source_url="https://long.test/", email="x" * 300 + "@a.com", website="https://a.test/" + long,
             phones=["+1 512 555 0100"] * 50, address=addr(long, long, long, long), npi="12345678901234",
             insurance=[long] * 3, price={"min": "free", "max": 10**12}, rating={"value": "NaN", "count": -4},
             practitioners=[{"name": "Dr " + long, "role": long, "credentials": [long], "npi": long}],
             reviews=[{"text": long * 3, "rating": 4, "author": long, "date": long, "url": long}]),
        item(name=None, source_url="https://none.test/"), item(name=["not", "text"], source_url="https://x.test/")])
    report = run_index(db, settings, verify=False)
    assert report.observations_processed == 1 and report.observations_skipped == 2
    with db.session() as s:
        p = s.scalars(select(Provider).where(Provider.kind == "clinic")).one()
        assert len(p.name) == 300 and p.phones == ["+15125550100"] and p.npi is None


def test_a_run_collects_garbage_less_often_and_restores_it(sqlite_db: Database, settings: Settings) -> None:
    import gc

    from indexer.pipeline import RUN_GC_THRESHOLDS

    crawl(sqlite_db, "clinic_site", _items(3))
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    run_index(sqlite_db, settings, verify=False, progress=lambda done, total: during.append(gc.get_threshold()))
    assert during and set(during) == {RUN_GC_THRESHOLDS}
    assert gc.get_threshold() == before
    with pytest.raises(Boom):  # restored when a run dies too
        run_index(sqlite_db, settings, verify=False, full=True, progress=lambda done, total: _raise())
    assert gc.get_threshold() == before


def _raise() -> None:
    raise Boom
