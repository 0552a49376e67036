"""Moderator operations on real SQLite and PostgreSQL: every action changes the data, audits and enqueues."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from indexer import audit, curate
from indexer.audit import Actor
from indexer.db.models import (
    AuditEntry,
    FieldEvidence,
    Flag,
    MatchLink,
    Observation,
    OutboxEntry,
    Override,
    Provider,
    Review,
    Source,
    User,
    utcnow,
)

MOD = Actor("mia", 1)


def seed(s, name="Calm Ketamine Clinic", key="calm", zip_="78701"):  # type: ignore[no-untyped-def]
    src = s.scalar(select(Source).where(Source.key == "clinic_site"))
    if s.get(User, 1) is None:
        s.add(User(id=1, username="mia", password_hash="x", role="moderator"))
    if src is None:
        src = Source(key="clinic_site", name="Clinic sites", kind="clinic_site", tier=2)
        s.add(src)
        s.flush()
    p = Provider(name=name, match_name=name.lower(), postal_code=zip_, phones=["+15125550100"], status="pending")
    s.add(p)
    s.flush()
    obs = Observation(source_id=src.id, location_key=key, source_url=f"http://127.0.0.1/{key}", fetched_at=utcnow(),
                      content_hash=key * 4, payload={"name": name, "kind": "clinic", "website": f"http://{key}.test",
                                                      "address": {"city": "Austin", "region": "TX",
                                                                  "postal_code": zip_}},
                      provider_id=p.id)
    s.add(obs)
    s.flush()
    s.add(MatchLink(provider_id=p.id, observation_id=obs.id, source_id=src.id, location_key=key, rule="new"))
    s.add(FieldEvidence(provider_id=p.id, field="name", value=name, value_hash=key, source_id=src.id,
                        observation_id=obs.id, selected=True))
    s.add(Review(provider_id=p.id, source_id=src.id, observation_id=obs.id, rating=5, text="Great care",
                 text_hash=key))
    s.add(Flag(provider_id=p.id, category="wrong_info", message="phone is wrong"))
    s.flush()
    return p, obs


def outbox_ids(s) -> list[int]:  # type: ignore[no-untyped-def]
    return list(s.scalars(select(OutboxEntry.provider_id).order_by(OutboxEntry.id)))


def test_approve_applies_pending_changes_and_snapshots(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        p, _ = seed(s)
        old = {"street": None, "city": None, "region": None, "postal_code": "78701", "country": "US"}
        p.pending_changes = {"address": {"old": old, "new": {**old, "city": "Austin"}, "source": "clinic_site",
                                         "url": "http://x"}}
        curate.approve(s, MOD, p.id, "looks right")
        s.commit()
    with db.session() as s:
        p = s.get(Provider, p.id)
        assert p.status == "published" and p.city == "Austin" and p.pending_changes is None
        assert p.approved_snapshot["address"]["city"] == "Austin"
        assert p.id in outbox_ids(s)
        (entry,) = audit.entries(s)
        assert (entry.action, entry.username, entry.details["applied_changes"]) == ("approve", "mia", ["address"])


def test_reject_needs_a_reason_and_remembers_it(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        p, _ = seed(s)
        with pytest.raises(curate.CurateError):
            curate.reject(s, MOD, p.id, "  ")
        curate.reject(s, MOD, p.id, "Not a ketamine provider")
        s.commit()
        assert s.get(Provider, p.id).reject_reason == "Not a ketamine provider"
        assert audit.entries(s)[0].reason == "Not a ketamine provider"


@pytest.mark.parametrize(("field", "raw", "expected"), [
    ("phones", "(512) 555-0199, 512.555.0100", ["+15125550199", "+15125550100"]),
    ("modalities", "iv_infusion, esketamine_nasal", ["iv_infusion", "esketamine_nasal"]),
    ("telehealth", "yes", True), ("region", "tx", "TX"), ("postal_code", "78701-1234", "78701"),
    ("npi", "1234567893", "1234567893"), ("website", "https://calm.example?utm_source=x", "https://calm.example/"),
])
def test_parse_field_value_normalises(field: str, raw: str, expected: object) -> None:
    assert curate.parse_field_value(field, raw) == expected


@pytest.mark.parametrize(("field", "raw"), [
    ("modalities", "magic_mushrooms"), ("npi", "1234567890"), ("phones", "call us"), ("region", "XX"),
    ("website", "javascript:alert(1)"), ("email", "a@b"), ("name", ""), ("price", "1"), ("telehealth", "maybe"),
])
def test_parse_field_value_refuses_bad_input(field: str, raw: str) -> None:
    with pytest.raises(curate.CurateError):
        curate.parse_field_value(field, raw)


def test_edit_field_overrides_and_replaces_previous_override(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        p, _ = seed(s)
        curate.edit_field(s, MOD, p.id, "phones", "512-555-0111", "called the clinic")
        curate.edit_field(s, MOD, p.id, "phones", "512-555-0122", "called again")
        s.commit()
        active = list(s.scalars(select(Override).where(Override.provider_id == p.id, Override.active.is_(True))))
        assert [o.value for o in active] == [["+15125550122"]]
        assert s.get(Provider, p.id).phones == ["+15125550122"]
        assert [e.action for e in audit.entries(s)] == ["edit", "edit"]
        curate.clear_override(s, MOD, p.id, "phones", "registry is right after all")
        s.commit()
        assert s.scalar(select(func.count()).select_from(Override).where(Override.active.is_(True))) == 0
        with pytest.raises(curate.CurateError):
            curate.clear_override(s, MOD, p.id, "phones", "nothing to clear")


def test_merge_pins_links_and_marks_other(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        keep, _ = seed(s)
        other, obs2 = seed(s, "Calm Ketamine Clinic Austin", key="calm2")
        curate.merge(s, MOD, keep.id, other.id, "same clinic, two pages")
        s.commit()
        other = s.get(Provider, other.id)
        assert (other.status, other.merged_into_id) == ("merged", keep.id)
        assert s.get(Observation, obs2.id).provider_id == keep.id
        links = list(s.scalars(select(MatchLink).where(MatchLink.observation_id == obs2.id)))
        assert [(lk.provider_id, lk.pinned, lk.rule) for lk in links] == [(keep.id, True, "moderator")]
        assert s.scalar(select(func.count()).select_from(Flag).where(Flag.provider_id == keep.id)) == 2
        assert set(outbox_ids(s)) == {keep.id, other.id}
        with pytest.raises(curate.CurateError):
            curate.merge(s, MOD, keep.id, other.id, "again")


def test_split_moves_observations_to_a_new_pinned_provider(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        keep, obs1 = seed(s)
        other, obs2 = seed(s, "Other Wellness", key="other", zip_="78702")
        curate.merge(s, MOD, keep.id, other.id, "looked the same")
        with pytest.raises(curate.CurateError):
            curate.split(s, MOD, keep.id, [obs1.id, obs2.id], "everything")
        new = curate.split(s, MOD, keep.id, [obs2.id], "wrong merge: different clinics")
        s.commit()
        assert new.id not in (keep.id, other.id)
        assert (new.name, new.postal_code, new.status) == ("Other Wellness", "78702", "pending")
        assert s.get(Observation, obs2.id).provider_id == new.id
        link = s.scalar(select(MatchLink).where(MatchLink.observation_id == obs2.id))
        assert (link.provider_id, link.pinned) == (new.id, True)
        ev = s.scalar(select(FieldEvidence).where(FieldEvidence.observation_id == obs2.id))
        assert ev.provider_id == new.id
        assert [e.action for e in audit.entries(s)] == ["split", "merge"]


def test_hide_review_and_resolve_flag(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        p, _ = seed(s)
        review = s.scalar(select(Review))
        flag = s.scalar(select(Flag))
        curate.hide_review(s, MOD, review.id, "names a patient")
        curate.resolve_flag(s, MOD, flag.id, "phone corrected")
        s.commit()
        assert (review.hidden, review.hidden_reason) == (True, "names a patient")
        assert (flag.status, flag.resolution, flag.resolved_by_id) == ("resolved", "phone corrected", 1)
        with pytest.raises(curate.CurateError):
            curate.resolve_flag(s, MOD, flag.id, "twice")
        assert [e.action for e in audit.entries(s)] == ["resolve_flag", "hide_review"]


def test_audit_log_is_append_only_and_exports(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        p, _ = seed(s)
        curate.reject(s, MOD, p.id, "=HYPERLINK(\"http://evil\") spam")
        s.commit()
        with pytest.raises(DBAPIError):
            s.execute(text("UPDATE audit_log SET reason = 'x'"))
            s.commit()
        s.rollback()
        with pytest.raises(DBAPIError):
            s.execute(text("DELETE FROM audit_log"))
            s.commit()
        s.rollback()
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1
        csv_text = "".join(audit.iter_csv(s))
        assert csv_text.splitlines()[0].startswith("id,at,username")
        assert "'=HYPERLINK" in csv_text  # formula neutralised
        lines = "".join(audit.iter_jsonl(s)).splitlines()
        assert len(lines) == 1 and '"action": "reject"' in lines[0]
