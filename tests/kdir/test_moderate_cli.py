"""``kdir moderate`` against a real database (SQLite and PostgreSQL): list with filters, approve and reject by
filter or id, --dry-run, refusals said in words, one audit entry per listing with the operator as actor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from indexer.db.models import AuditEntry, Provider
from indexer.review_queue import REASON_LABELS, queue_counts
from kdir.cli import main
from tests.web.moderation.queue_data import add_queue_work
from tests.web.seed import seed_directory


def run(db: Any, tmp_path: Path, *args: str, input: str | None = None) -> Any:
    env = {"KDIR_DATABASE_URL": db.url, "KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path / "var"),
           "KDIR_SEARCH_PATH": str(tmp_path / "search.sqlite3")}
    return CliRunner().invoke(main, ["moderate", *args], input=input, env=env)


def _statuses(db: Any, ids: list[int]) -> list[str]:
    with db.session() as s:
        return [s.get_one(Provider, pid).status for pid in ids]


def test_list_shows_reasons_in_words_and_the_shared_counts(db: Any, tmp_path: Path) -> None:
    seed_directory(db)
    work = add_queue_work(db)
    res = run(db, tmp_path, "list")
    assert res.exit_code == 0, res.output
    with db.session() as s:
        sentence = queue_counts(s).sentence()
    assert f"{sentence}." in res.output  # the same count as the queue page, /ops and kdir demo
    line = next(ln for ln in res.output.splitlines() if ln.startswith(f"#{work['not_found']} "))
    assert REASON_LABELS["not_found"] in line and "not_found" not in line
    res = run(db, tmp_path, "list", "--state", "TX", "--all-verified")
    ids = {int(ln.split()[0][1:]) for ln in res.output.splitlines() if ln.startswith("#")}
    assert ids == {work["verified_a"], work["verified_b"]}
    assert "(filter: in TX, every credential verified)." in res.output
    assert run(db, tmp_path, "list", "--source", "nowhere").exit_code == 2


def test_approve_by_filter_refuses_reports_mismatches_and_changes(db: Any, tmp_path: Path) -> None:
    seed_directory(db)
    work = add_queue_work(db)
    every = list(work.values())
    before = _statuses(db, every)
    res = run(db, tmp_path, "approve", "--state", "TX", "--dry-run")
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Dry run, nothing changed. Would approve 3 listings. Refused 6 listings: ")
    assert _statuses(db, every) == before
    res = run(db, tmp_path, "approve", "--state", "TX", "--actor", "ops-anna", "--note", "first crawl", "--yes")
    assert res.exit_code == 0, res.output
    first = res.output.splitlines()[0]
    assert first.startswith("Approved 3 listings. Refused 6 listings: ")  # clinics and their practitioners
    for part in ("1 with an open patient report", "2 with a credential not found in the registry",
                 "2 with a credential matching several registry entries", "1 with a material change waiting"):
        assert part in first
    assert f"refused #{work['flagged']} Reported New Clinic: with an open patient report" in res.output
    assert _statuses(db, [work["verified_a"], work["verified_b"], work["flagged"], work["not_found"]]) == [
        "published", "published", "pending", "pending"]
    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        approved_pending = s.get_one(Provider, work["changed"]).pending_changes
    assert len(entries) == 3 and {e.username for e in entries} == {"ops-anna"}
    assert all(e.action == "approve" and e.reason == "first crawl" and e.details["bulk"]["selection"]["state"]
               == "TX" for e in entries)
    assert approved_pending  # the material change still waits for a moderator


def test_approve_and_reject_by_id(db: Any, tmp_path: Path) -> None:
    seed_directory(db)
    work = add_queue_work(db)
    res = run(db, tmp_path, "approve", str(work["mismatch"]), "--yes")
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Approved 0 listings. Refused 1 listing: 1 with a credential that does not match")
    res = run(db, tmp_path, "reject", str(work["unchecked"]), str(work["mismatch"]))  # no --reason
    assert res.exit_code == 2 and "--reason" in res.output
    res = run(db, tmp_path, "reject", str(work["unchecked"]), str(work["mismatch"]), "--reason", "Not a clinic",
              "--actor", "ops-anna", input="y\n")
    assert res.exit_code == 0, res.output
    assert "Rejected 2 listings." in res.output
    assert _statuses(db, [work["unchecked"], work["mismatch"]]) == ["rejected", "rejected"]
    res = run(db, tmp_path, "reject", str(work["verified_a"]), str(work["verified_b"]), "--reason", "spam",
              input="n\n")
    assert "Nothing changed." in res.output and _statuses(db, [work["verified_a"]]) == ["pending"]
    res = run(db, tmp_path, "reject", "--queue-reason", "flag", "--reason", "unsafe practice", "--yes")
    assert res.exit_code == 0 and "Rejected 1 listing." in res.output
    assert _statuses(db, [work["flagged"]]) == ["rejected"]


def test_hostile_names_cannot_drive_the_terminal(db: Any, tmp_path: Path) -> None:
    from tests.web.seed import add_provider

    with db.session() as s:
        pid = add_provider(s, "\x1b[2J\x1b]0;pwned\x07Evil\x9b31m Clinic", status="pending", region="TX").id
        s.commit()
    for args in (("list",), ("list", "--json"), ("approve", str(pid), "--dry-run")):
        res = run(db, tmp_path, *args)
        assert res.exit_code == 0, res.output
        assert "\x1b" not in res.output and "\x07" not in res.output and "\x9b" not in res.output, args
    assert "?[2J?]0;pwned?Evil?31m Clinic" in run(db, tmp_path, "list").output
