"""The queue's reasons, filters and counts (indexer.review_queue) and the bulk-approval rule (indexer.bulk_review) on
SQLite and PostgreSQL, over the standard seeded data plus a first crawl's worth of work."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from indexer import bulk_review, curate
from indexer.audit import Actor
from indexer.db.models import AuditEntry, Credential, Provider
from indexer.review_queue import QueueFilter, queue_counts, queue_items
from tests.web.moderation.queue_data import add_queue_work
from tests.web.seed import seed_directory


@pytest.fixture
def data(db: Any) -> dict[str, int]:
    ids = dict(seed_directory(db).ids)
    ids.update(add_queue_work(db))
    with db.session() as s:  # practitioners whose own credential the registry did not confirm
        for outcome in ("invalid_number", "not_found", "ambiguous", "mismatch"):
            ids[f"prac_{outcome}"] = s.scalars(select(Credential.provider_id)
                                               .where(Credential.outcome == outcome)).one()
    return ids


def _reasons(db: Any, filters: QueueFilter | None = None) -> dict[int, list[str]]:
    with db.session() as s:
        return {i.provider.id: i.reasons for i in queue_items(s, filters)}


def test_each_listing_says_its_real_reasons(db: Any, data: dict[str, int]) -> None:
    got = _reasons(db)
    assert got[data["verified_a"]] == ["new"]
    assert got[data["flagged"]] == ["flag", "new"]
    assert got[data["not_found"]] == ["not_found", "new"]  # its practitioner's NPI is not in the registry
    assert got[data["ambiguous"]] == ["ambiguous", "new"]
    assert got[data["mismatch"]] == ["mismatch", "new"]
    assert got[data["changed"]] == ["changes"]
    assert got[data["prac_invalid_number"]] == ["invalid_number"]  # mile_high's anesthesiologist, published
    assert got[data["prac_not_found"]] == ["not_found"]  # the practitioner is a listing of its own too
    assert data["mile_high"] not in got  # a published clinic comes back only for problems of its own
    assert data["sunrise"] not in got and data["merged"] not in got
    order = list(got)
    assert order.index(data["flagged"]) < order.index(data["mismatch"]) < order.index(data["changed"]) \
        < order.index(data["verified_a"])


def test_filters_by_state_source_reason_and_all_verified(db: Any, data: dict[str, int]) -> None:
    assert set(_reasons(db, QueueFilter(state="co"))) == {data["verified_co"], data["unchecked"], data["prac_invalid_number"]}
    assert set(_reasons(db, QueueFilter(reason="changes"))) == {data["changed"]}
    # directory:sample evidence exists only for listings with a phone (tests/web/seed.py)
    from_directory = set(_reasons(db, QueueFilter(source="directory:sample")))
    assert {data["verified_a"], data["verified_b"], data["flagged"]} <= from_directory
    assert data["not_found"] not in from_directory
    assert _reasons(db, QueueFilter(source="no-such-source")) == {}
    verified = set(_reasons(db, QueueFilter(all_verified=True)))
    assert verified == {data["verified_a"], data["verified_b"], data["verified_co"]}  # no report, no change
    assert set(_reasons(db, QueueFilter(all_verified=True, state="TX"))) == {data["verified_a"], data["verified_b"]}


def test_counts_in_words(db: Any, data: dict[str, int]) -> None:
    with db.session() as s:
        counts = queue_counts(s)
        items = queue_items(s)
    assert counts.total == len(items) == 14
    assert counts.by_reason["new"] == sum("new" in i.reasons for i in items) == 9
    assert counts.sentence() == (
        "14 listings waiting for review: 1 listing with an open patient report, 2 listings with a credential that "
        "does not match the registry, 1 listing with an NPI that is not a valid number, 2 listings with a "
        "credential not found in the registry, 2 listings with a credential matching several registry entries, "
        "1 listing with a material change waiting, 9 new listings")


def test_bulk_approve_refuses_reports_mismatches_and_changes(db: Any, data: dict[str, int]) -> None:
    with db.session() as s:
        ids = [i.provider.id for i in queue_items(s)]
        result = bulk_review.bulk_approve(s, Actor("mia", None), ids, "first crawl", selection={"reason": "any"})
        s.commit()
    refused = {data[k] for k in ("flagged", "not_found", "ambiguous", "mismatch", "changed", "prac_invalid_number",
                                 "prac_not_found", "prac_ambiguous", "prac_mismatch")}
    assert set(result.refused) == refused
    assert set(result.done) == set(ids) - refused
    assert result.refused[data["flagged"]] == ["flag"]  # "new" is no reason to refuse
    assert result.sentence().startswith("Approved 5 listings. Refused 9 listings: ")
    for part in ("1 with an open patient report", "2 with a credential not found in the registry",
                 "2 with a credential matching several registry entries",
                 "2 with a credential that does not match the registry", "1 with a material change waiting",
                 "1 with an NPI that is not a valid number"):
        assert part in result.sentence()
    with db.session() as s:
        for key in ("flagged", "not_found", "ambiguous", "mismatch"):
            assert s.get_one(Provider, data[key]).status == "pending", key
        assert s.get_one(Provider, data["changed"]).pending_changes  # still held for a moderator
        for key in ("verified_a", "verified_b", "unchecked"):
            assert s.get_one(Provider, data[key]).status == "published", key
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    # one audit entry per listing approved, each saying it was part of a bulk approval
    assert sorted(e.provider_id for e in entries) == sorted(result.done)
    assert all(e.action == "approve" and e.reason == "first crawl" and e.details["bulk"]["size"] == len(ids)
               for e in entries)


def test_bulk_reject_needs_a_reason_and_skips_merged(db: Any, data: dict[str, int]) -> None:
    with db.session() as s:
        with pytest.raises(curate.CurateError):
            bulk_review.bulk_reject(s, Actor("mia"), [data["verified_a"]], "")
        result = bulk_review.bulk_reject(s, Actor("mia"), [data["verified_a"], data["merged"], 999_999], "spam listings")
        s.commit()
    assert result.done == [data["verified_a"]]
    assert result.refused == {data["merged"]: ["merged"], 999_999: ["missing"]}
