"""The moderation workflow through the real app (test client) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from indexer.db.models import AuditEntry, Credential, Flag, OutboxEntry, Override, Provider, Review
from kdir.common.vocabulary import OUTCOME_LABELS
from tests.web.moderation.staff import login, post
from tests.web.seed import XSS_NAME, add_provider


def _audit(db: Any) -> list[tuple[str, int | None]]:
    with db.session() as s:
        return [(e.action, e.provider_id) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_queue_is_ordered_by_priority(staff_app: Any, staff_client: Any, seeded_ids: Any, db: Any) -> None:
    with db.session() as s:
        s.add(Flag(provider_id=seeded_ids["austin_wellness"], category="closed", message="closed in March"))
        s.get(Provider, seeded_ids["rose_city"]).pending_changes = {
            "phones": {"old": ["+15035550104"], "new": ["+15035550199"], "source": "clinic_site",
                       "url": "https://rosecity-psych.example/contact"}}
        mismatch_pid = s.scalar(select(Credential.provider_id).where(Credential.outcome == "invalid_number"))
        s.commit()
    login(staff_client, "mia")
    html = staff_client.get("/moderation").get_data(as_text=True)
    order = [html.index(f'data-provider="{pid}"') for pid in (
        seeded_ids["austin_wellness"], mismatch_pid, seeded_ids["rose_city"], seeded_ids["pending"])]
    assert order == sorted(order)
    assert f'data-provider="{seeded_ids["sunrise"]}"' not in html  # nothing to review there
    assert f'data-provider="{seeded_ids["merged"]}"' not in html


def test_review_screen_shows_evidence_credentials_changes_and_duplicates(staff_client: Any, seeded_ids: Any,
                                                                        db: Any) -> None:
    with db.session() as s:
        dup = add_provider(s, "Sunrise Ketamine Clinic of Austin", status="pending", city="Austin", region="TX",
                           postal_code="78701", phones=["+15125550999"])
        sunrise = s.get(Provider, seeded_ids["sunrise"])
        from indexer.curate import snapshot

        sunrise.approved_snapshot = {**snapshot(sunrise), "name": "Sunrise Ketamine"}
        sunrise.pending_changes = {"website": {"old": sunrise.website, "new": "https://new-sunrise.example/",
                                               "source": "clinic_site", "url": "https://new-sunrise.example/"}}
        s.commit()
    login(staff_client, "mia")
    html = staff_client.get(f"/moderation/provider/{seeded_ids['sunrise']}").get_data(as_text=True)
    assert "Clinic websites" in html and "https://sunrise-ketamine.example/" in html  # evidence + source
    assert 'class="pending-website"' in html and "https://new-sunrise.example/" in html
    assert 'class="diff-name"' in html  # approved "Sunrise Ketamine" vs now
    assert f'data-provider="{dup.id}"' in html and "name" in html  # likely duplicate, same ZIP
    # practitioners' credentials are on their own screens
    with db.session() as s:
        cred = s.scalar(select(Credential).where(Credential.outcome == "invalid_number"))
    html = staff_client.get(f"/moderation/provider/{cred.provider_id}").get_data(as_text=True)
    # the outcome in words (never its code), with the number printed and the verifier's reason
    assert OUTCOME_LABELS["invalid_number"] in html and "NPI check digit is wrong" in html
    assert cred.npi and f'data-label="NPI printed">{cred.npi}<' in html
    text = re.sub(r"<[^>]+>", " ", html)  # what a moderator reads (codes may remain in class names only)
    assert "invalid_number" not in text and "invalid number" not in text.replace("not a valid number", "")
    with db.session() as s:  # a verified credential names its registry record and links to it
        cred = s.scalar(select(Credential).where(Credential.outcome == "verified"))
        cred.registry_candidates = [{"npi": "1234567893", "name": "ALAN <b>REYES</b>", "states": ["OR"],
                                     "taxonomy": "Psychiatry"}]
        s.commit()
        npi = cred.registry_npi
    html = staff_client.get(f"/moderation/provider/{cred.provider_id}").get_data(as_text=True)
    assert f'href="https://npiregistry.cms.hhs.gov/provider-view/{npi}"' in html and "NPI Registry record" in html
    assert "(person, active, updated " in html
    assert "candidate: NPI 1234567893 ALAN &lt;b&gt;REYES&lt;/b&gt; Psychiatry OR" in html
    assert staff_client.get("/moderation/provider/999999").status_code == 404


def test_hostile_text_is_escaped_on_staff_pages(staff_client: Any, seeded_ids: Any) -> None:
    login(staff_client, "mia")
    html = staff_client.get(f"/moderation/provider/{seeded_ids['hostile']}").get_data(as_text=True)
    assert XSS_NAME not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_actions_change_data_audit_and_enqueue(staff_client: Any, seeded_ids: Any, db: Any) -> None:
    login(staff_client, "mia")
    pending, sunrise = seeded_ids["pending"], seeded_ids["sunrise"]
    page = f"/moderation/provider/{pending}"
    assert post(staff_client, f"{page}/approve", page, note="checked website").status_code == 302
    page_s = f"/moderation/provider/{sunrise}"
    res = post(staff_client, f"{page_s}/edit", page_s, field="phones", value="(512) 555-0177",
               note="clinic confirmed by phone")
    assert res.status_code == 302
    res = post(staff_client, f"{page_s}/edit", page_s, field="modalities", value="lsd", note="bad value")
    assert res.status_code == 302  # refused with a message, nothing changed
    page_a = f"/moderation/provider/{seeded_ids['austin_wellness']}"
    assert post(staff_client, f"{page_a}/reject", page_a, reason="Closed permanently").status_code == 302
    with db.session() as s:
        review = s.scalar(select(Review).where(Review.provider_id == sunrise, Review.hidden.is_(False)))
        flag = Flag(provider_id=sunrise, category="wrong_info", message="old phone")
        s.add(flag)
        s.commit()
    assert post(staff_client, f"/moderation/review/{review.id}/hide", page_s,
                reason="mentions a diagnosis").status_code == 302
    assert post(staff_client, f"/moderation/flag/{flag.id}/resolve", page_s,
                resolution="phone updated").status_code == 302
    with db.session() as s:
        assert s.get(Provider, pending).status == "published"
        assert s.get(Provider, sunrise).phones == ["+15125550177"]
        assert s.get(Provider, sunrise).modalities == ["iv_infusion", "im_injection"]
        ov = s.scalar(select(Override).where(Override.provider_id == sunrise))
        assert (ov.field, ov.note, ov.active) == ("phones", "clinic confirmed by phone", True)
        rej = s.get(Provider, seeded_ids["austin_wellness"])
        assert (rej.status, rej.reject_reason) == ("rejected", "Closed permanently")
        assert s.get(Review, review.id).hidden and s.get(Flag, flag.id).status == "resolved"
        queued = set(s.scalars(select(OutboxEntry.provider_id)))
        assert {pending, sunrise, seeded_ids["austin_wellness"]} <= queued
    assert _audit(db) == [("approve", pending), ("edit", sunrise), ("reject", seeded_ids["austin_wellness"]),
                          ("hide_review", sunrise), ("resolve_flag", sunrise)]
    html = staff_client.get("/moderation/audit").get_data(as_text=True)
    for text in ("checked website", "clinic confirmed by phone", "Closed permanently", "mentions a diagnosis",
                 "phone updated"):
        assert text in html
    csv_res = staff_client.get("/moderation/audit.csv")
    assert csv_res.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert "attachment" in csv_res.headers["Content-Disposition"]
    assert staff_client.get("/moderation/audit.jsonl").headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert len(csv_res.get_data(as_text=True).strip().splitlines()) == 6
    lines = staff_client.get("/moderation/audit.jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(ln)["action"] for ln in lines] == ["approve", "edit", "reject", "hide_review",
                                                          "resolve_flag"]
    assert all(json.loads(ln)["username"] == "mia" for ln in lines)


def test_merge_and_split_through_the_screens(staff_client: Any, seeded_ids: Any, db: Any) -> None:
    from indexer.db.models import Observation, Source, utcnow

    with db.session() as s:
        src = s.scalar(select(Source).where(Source.key == "clinic_site"))
        ids = []
        for key, pid in (("a", seeded_ids["sunrise"]), ("b", seeded_ids["austin_wellness"])):
            obs = Observation(source_id=src.id, location_key=key, source_url=f"https://{key}.example/",
                              fetched_at=utcnow(), content_hash=key * 8, payload={"name": f"Clinic {key}"},
                              provider_id=pid)
            s.add(obs)
            s.flush()
            ids.append(obs.id)
        s.commit()
    login(staff_client, "mia")
    page = f"/moderation/provider/{seeded_ids['sunrise']}"
    res = post(staff_client, f"{page}/merge", page, other_id=seeded_ids["austin_wellness"], reason="same clinic")
    assert res.status_code == 302
    assert f"observation {ids[1]}" in staff_client.get(page).get_data(as_text=True)
    res = post(staff_client, f"{page}/split", page, observations=[ids[1]], reason="different clinics after all")
    assert res.status_code == 302
    with db.session() as s:
        assert s.get(Provider, seeded_ids["austin_wellness"]).status == "merged"
        new_pid = s.get(Observation, ids[1]).provider_id
        assert new_pid not in (seeded_ids["sunrise"], seeded_ids["austin_wellness"])
        assert s.get(Provider, new_pid).name == "Clinic b"
    assert [a for a, _ in _audit(db)] == ["merge", "split"]
    split_page = staff_client.get(f"/moderation/provider/{new_pid}").get_data(as_text=True)
    assert "Moderator&#39;s decision (score 1.00)" in split_page  # the rule in words, never its code


def test_posts_need_csrf_and_a_moderator(staff_app: Any, staff_client: Any, seeded_ids: Any, db: Any) -> None:
    pid = seeded_ids["pending"]
    assert staff_client.post(f"/moderation/provider/{pid}/approve").status_code == 400  # no token
    res = post(staff_client, f"/moderation/provider/{pid}/approve", "/login")  # token, but anonymous
    assert res.status_code == 302 and "/login" in res.headers["Location"]
    login(staff_client, "mia")
    assert staff_client.post(f"/moderation/provider/{pid}/approve").status_code == 400  # no token
    with db.session() as s:
        assert s.get(Provider, pid).status == "pending"
    assert _audit(db) == []
