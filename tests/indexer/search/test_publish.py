"""Publishing the outbox to a real backend (SQLite and PostgreSQL), including a backend that is down."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import func, select

from indexer.db import Database
from indexer.db.models import OutboxEntry, Provider
from indexer.outbox import enqueue
from indexer.publish import publish_outbox, publish_outbox_report, rebuild_index
from indexer.search.base import SearchQuery
from indexer.search.fts5 import FTS5Backend
from indexer.search.meili import MeiliBackend


def seed(db: Database) -> dict[str, int]:
    with db.session() as s:
        rows = {
            "live": Provider(kind="clinic", status="published", name="Live Ketamine Clinic", city="Austin"),
            "live2": Provider(kind="practitioner", status="published", name="Dana Live", city="Austin"),
            "pending": Provider(kind="clinic", status="pending", name="Pending Clinic"),
            "rejected": Provider(kind="clinic", status="rejected", name="Rejected Clinic"),
        }
        s.add_all(rows.values())
        s.flush()
        merged = Provider(kind="clinic", status="published", name="Merged Clinic", merged_into_id=rows["live"].id)
        s.add(merged)
        s.flush()
        ids = {k: v.id for k, v in rows.items()} | {"merged": merged.id}
        enqueue(s, list(ids.values()))
        s.commit()
    return ids


def unprocessed(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count(OutboxEntry.id)).where(OutboxEntry.processed_at.is_(None))) or 0)


def test_publish_upserts_published_and_removes_the_rest(db: Database, tmp_path: Path) -> None:
    ids = seed(db)
    backend = FTS5Backend(tmp_path / "search.sqlite3")
    # stale copies of now-unpublished providers are in the index from an earlier run
    backend.upsert([{"id": ids["rejected"], "name": "Rejected Clinic", "kind": "clinic"},
                    {"id": ids["merged"], "name": "Merged Clinic", "kind": "clinic"}])
    assert publish_outbox(db, backend, batch=2) == 5  # several batches
    assert unprocessed(db) == 0
    assert backend.count() == 2
    assert {h.id for h in backend.search(SearchQuery(text="live")).hits} == {ids["live"], ids["live2"]}
    assert backend.get(ids["rejected"]) is None and backend.get(ids["merged"]) is None
    # a moderator unpublishes; the change is enqueued in the same transaction
    with db.session() as s:
        s.get(Provider, ids["live"]).status = "rejected"  # type: ignore[union-attr]
        enqueue(s, ids["live"])
        s.commit()
    assert publish_outbox(db, backend) == 1
    assert backend.get(ids["live"]) is None and backend.count() == 1
    assert publish_outbox(db, backend) == 0  # nothing left to do
    backend.close()


def test_backend_down_loses_nothing_and_catches_up(db: Database, tmp_path: Path) -> None:
    ids = seed(db)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    down = FTS5Backend(blocker / "search.sqlite3")  # cannot be created: the backend is unavailable
    report = publish_outbox_report(db, down)
    assert report.processed == 0 and not report.ok and report.pending == 5
    assert "cannot be opened" in (report.error or "")
    assert publish_outbox(db, down) == 0
    with db.session() as s:
        entries = list(s.scalars(select(OutboxEntry)))
    assert all(e.processed_at is None and e.attempts == 2 and e.last_error for e in entries)
    up = FTS5Backend(tmp_path / "search.sqlite3")
    assert publish_outbox(db, up) == 5
    assert unprocessed(db) == 0
    assert up.count() == 2 and up.get(ids["live"]) is not None
    with db.session() as s:
        assert all(e.last_error is None for e in s.scalars(select(OutboxEntry)))
    up.close()


def test_meili_down_keeps_entries(db: Database) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    seed(db)
    backend = MeiliBackend(f"http://127.0.0.1:{port}", index="kdir_test", timeout_s=2)
    report = publish_outbox_report(db, backend)
    assert report.processed == 0 and report.pending == 5 and "unavailable" in (report.error or "")
    assert unprocessed(db) == 5


def test_rebuild_index_from_database(db: Database, tmp_path: Path) -> None:
    ids = seed(db)
    backend = FTS5Backend(tmp_path / "search.sqlite3")
    backend.upsert([{"id": 999, "name": "Ghost Clinic", "kind": "clinic"}])
    assert rebuild_index(db, backend) == 2
    assert backend.count() == 2 and backend.get(999) is None
    assert backend.get(ids["live2"])["kind"] == "practitioner"  # type: ignore[index]
    assert unprocessed(db) == 0  # the rebuild covered every entry queued before it
    backend.close()


def test_meili_refusing_writes_keeps_entries_and_records_the_attempt(db: Database) -> None:
    """A 403 after a key rotation (or a 413, a proxy's 5xx) is an API error, not a connection error: the
    publisher still records the attempt and keeps the entries for the next run."""
    from tests.indexer.search.meili_stub import error, meili_stub

    seed(db)
    with meili_stub() as (url, stub):
        stub.fail("GET", "/indexes/kdir_test/settings", 403,
                  error("invalid_api_key", "The provided API key is invalid.", "auth"))
        backend = MeiliBackend(url, index="kdir_test")
        report = publish_outbox_report(db, backend)
        assert report.processed == 0 and report.pending == 5 and "HTTP 403 invalid_api_key" in (report.error or "")
        assert unprocessed(db) == 5
        with db.session() as s:
            assert {(e.attempts, "403" in (e.last_error or "")) for e in s.scalars(select(OutboxEntry))} == {(1, True)}
        report = publish_outbox_report(db, backend)  # the key is fixed: the next run catches up
        assert report.error is None and unprocessed(db) == 0
        assert len(stub.indexes["kdir_test"]["docs"]) == 2  # the two published, unmerged providers
