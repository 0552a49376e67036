"""The queue at the scale of a first crawl, through the real app (test client) on SQLite and PostgreSQL: reasons
in words, counts that agree with /ops and `kdir demo`, filters, bulk approve/reject with confirmation, CSRF."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import escape
from sqlalchemy import select

from indexer.bulk_review import BULK_RULE
from indexer.db.models import AuditEntry, Flag, Provider
from indexer.review_queue import REASON_LABELS, queue_counts
from tests.web.moderation.queue_data import add_queue_work
from tests.web.moderation.staff import csrf_token, login, post
from web.moderation.views import BULK_LIMIT


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-provider="(\d+)"', html)]


def _status(db: Any, pid: int) -> str:
    with db.session() as s:
        return s.get_one(Provider, pid).status


def test_queue_rows_say_their_reasons_in_words_with_warning_colours(staff_client: Any, db: Any) -> None:
    work = add_queue_work(db)
    login(staff_client, "mia")
    html = staff_client.get("/moderation").get_data(as_text=True)
    row = html[html.index(f'<tr data-provider="{work["not_found"]}"'):]
    row = row[:row.index("</tr>")]
    assert REASON_LABELS["not_found"] in row and REASON_LABELS["new"] in row
    assert 'class="reason reason-not_found badge badge-warning"' in row  # a warning colour, not the green
    assert 'class="reason reason-new badge badge-neutral"' in row
    assert "badge-positive" not in html
    flagged = html[html.index(f'<tr data-provider="{work["flagged"]}"'):]
    assert "Patient report (1 open)" in flagged[:flagged.index("</tr>")]
    changed = html[html.index(f'<tr data-provider="{work["changed"]}"'):]
    assert REASON_LABELS["changes"] in changed[:changed.index("</tr>")]
    assert str(escape(BULK_RULE)) in html  # the rule is stated on the page


def test_queue_ops_and_demo_counts_agree(staff_app: Any, db: Any) -> None:
    from kdir.cli.demo import queue_summary

    add_queue_work(db)
    with db.session() as s:
        counts = queue_counts(s)
    assert counts.total > 10
    mod = staff_app.test_client()
    login(mod, "mia")
    queue_html = mod.get("/moderation").get_data(as_text=True)
    admin = staff_app.test_client()
    login(admin, "root")
    ops_html = admin.get("/ops").get_data(as_text=True)
    demo_line = queue_summary(db)
    sentence = counts.sentence()
    assert f'data-total="{counts.total}"' in queue_html and f'data-total="{counts.total}"' in ops_html
    assert sentence in queue_html and sentence in ops_html and sentence in demo_line
    assert len(_rows(queue_html)) == counts.total  # the page lists as many rows as it counts
    assert demo_line.startswith(f"Moderation queue: {counts.total} listings waiting for review: ")
    # credentials in words on /ops, overall and per source, never outcome codes
    from sqlalchemy import func

    from indexer.db.models import Credential
    from indexer.summaries import credentials_sentence

    with db.session() as s:
        outcomes = {k: n for k, n in s.execute(select(Credential.outcome, func.count()).group_by(Credential.outcome))}
    assert credentials_sentence(outcomes) in ops_html and "not found" in credentials_sentence(outcomes)
    site = ops_html[ops_html.index('data-source="clinic_site"'):]
    assert f"({credentials_sentence(outcomes)})" in site[:site.index("</section>")]  # every seeded one is from there
    assert "not_found" not in re.sub(r"<[^>]+>", " ", ops_html)


def test_filtered_bulk_approve_confirms_then_refuses_flagged_items(staff_client: Any, db: Any) -> None:
    work = add_queue_work(db)
    login(staff_client, "mia")
    html = staff_client.get("/moderation?state=TX&source=directory:sample&reason=new").get_data(as_text=True)
    shown = set(_rows(html))
    assert shown == {work["verified_a"], work["verified_b"], work["flagged"]}
    assert 'data-matching="3"' in html
    page = "/moderation?state=TX&source=directory:sample&reason=new"
    res = post(staff_client, "/moderation/bulk", page, state="TX", source="directory:sample", reason="new",
               action="approve")
    confirm = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "Approve 2 listings?" in confirm and 'data-refused="1"' in confirm
    assert "1 with an open patient report" in confirm
    ids = re.search(r'name="ids" type="hidden" value="([^"]+)"', confirm).group(1)  # type: ignore[union-attr]
    assert sorted(int(x) for x in ids.split(",")) == sorted([work["verified_a"], work["verified_b"]])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)  # type: ignore[union-attr]
    # The flagged listing is refused even if someone slips its id into the confirmed list.
    res = staff_client.post("/moderation/bulk/confirm", data={
        "csrf_token": token, "ids": f"{ids},{work['flagged']}", "action": "approve", "note": "first crawl, TX",
        "selection": '{"reason": "new", "state": "TX"}'})
    assert res.status_code == 302 and "reason=new" in res.headers["Location"]
    flash = staff_client.get(res.headers["Location"]).get_data(as_text=True)
    assert "Approved 2 listings. Refused 1 listing: 1 with an open patient report." in flash
    assert _status(db, work["verified_a"]) == _status(db, work["verified_b"]) == "published"
    assert _status(db, work["flagged"]) == "pending"
    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "approve")))
    assert sorted(e.provider_id for e in entries) == sorted([work["verified_a"], work["verified_b"]])
    assert all(e.username == "mia" and e.reason == "first crawl, TX" and e.details["bulk"]["selection"] ==
               {"reason": "new", "state": "TX"} for e in entries)


def test_bulk_reject_needs_a_reason_and_posts_need_csrf(staff_client: Any, db: Any) -> None:
    work = add_queue_work(db)
    login(staff_client, "mia")
    assert staff_client.post("/moderation/bulk", data={"action": "approve"}).status_code == 400
    assert staff_client.post("/moderation/bulk/confirm",
                             data={"ids": str(work["verified_a"]), "action": "approve"}).status_code == 400
    res = post(staff_client, "/moderation/bulk", "/moderation", state="CO", action="reject")
    html = res.get_data(as_text=True)
    assert "Reject 3 listings?" in html and "data-refused" not in html  # rejecting refuses nothing in the queue
    ids = re.search(r'name="ids" type="hidden" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    res = post(staff_client, "/moderation/bulk/confirm", "/moderation", ids=ids, action="reject", reject_reason="")
    assert res.status_code == 302 and _status(db, work["unchecked"]) == "pending"  # no reason: nothing done
    res = post(staff_client, "/moderation/bulk/confirm", "/moderation", ids=ids, action="reject",
               reject_reason="Not ketamine providers")
    assert _status(db, work["unchecked"]) == "rejected"
    with db.session() as s:
        assert s.get_one(Provider, work["verified_co"]).reject_reason == "Not ketamine providers"
    for bad in ("1,x", "0", "99999999999", ",".join(["1"] * (BULK_LIMIT + 1))):
        res = post(staff_client, "/moderation/bulk/confirm", "/moderation", ids=bad, action="approve")
        assert res.status_code == 400, bad


def test_empty_queue_says_so(staff_client: Any, db: Any) -> None:
    from indexer import bulk_review, curate
    from indexer.audit import Actor
    from indexer.review_queue import queue_items

    login(staff_client, "mia")
    assert "No listing waiting for review matches this filter." in \
        staff_client.get("/moderation?reason=ambiguous").get_data(as_text=True)
    with db.session() as s:
        for flag in s.scalars(select(Flag).where(Flag.status == "open")):
            curate.resolve_flag(s, Actor("mia"), flag.id, "checked")
        bulk_review.bulk_reject(s, Actor("mia"), [i.provider.id for i in queue_items(s)], "test clean-up")
        s.commit()
    html = staff_client.get("/moderation").get_data(as_text=True)
    assert "Nothing waiting for review." in html and "<table" not in html


def test_a_clinics_review_shows_the_credentials_behind_its_reasons(staff_client: Any, db: Any) -> None:
    from kdir.common.vocabulary import OUTCOME_LABELS

    work = add_queue_work(db)
    login(staff_client, "mia")
    html = staff_client.get(f"/moderation/provider/{work['not_found']}").get_data(as_text=True)
    why = html[html.index('class="why-here"'):]
    assert REASON_LABELS["not_found"] in why[:why.index("</div>")]
    creds = html[html.index('<section class="credentials">'):]
    creds = creds[:creds.index("</section>")]
    # the practitioner working there, the NPI printed and the outcome in words
    assert "Unregistered Doctor Clinic Doctor" in creds and "works here" in creds
    assert 'data-label="NPI printed">1234567893<' in creds and OUTCOME_LABELS["not_found"] in creds
    assert "Not approved in bulk: decide this one here." in html


def test_ticked_rows_narrow_a_bulk_action(staff_client: Any, db: Any) -> None:
    work = add_queue_work(db)
    login(staff_client, "mia")
    res = staff_client.post("/moderation/bulk", data={
        "csrf_token": csrf_token(staff_client, "/moderation"), "action": "approve", "state": "TX",
        "pick": [str(work["verified_a"]), str(work["flagged"]), str(work["verified_co"]), "x", "0"]})
    html = res.get_data(as_text=True)
    # verified_co is ticked but not in TX: the filter still holds; hostile picks are ignored
    assert "Approve 1 listing?" in html and 'data-refused="1"' in html and "the ticked listings of in TX" in html
    ids = re.search(r'name="ids" type="hidden" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert ids == str(work["verified_a"])
