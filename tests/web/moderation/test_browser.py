"""Whole moderation workflows in the real browser (Debian chromium via Playwright) against the live app.

login -> queue -> review screen -> approve (appears in public search) -> reject with a reason (leaves search)
-> edit a field (shown publicly, survives a re-index) -> hide a review -> a patient's report is resolved ->
the audit log shows every action.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import Flag, Override, Provider
from tests.web.conftest import follow
from tests.web.moderation.staff import add_staff, browser_login
from web.moderation.labels import ACTION_LABELS, STATUS_LABELS

pytestmark = pytest.mark.browser


def _csp_errors(page: Any) -> list[str]:
    """Console errors caused by our pages breaking the Content Security Policy (e.g. an inline script)."""
    return [e for e in page.kdir_console_errors if "Content Security Policy" in e or "Refused to" in e]


def _search_ids(page: Any, base: str, text: str) -> list[str]:
    page.goto(f"{base}/search?q={text.replace(' ', '+')}")
    return [c.get_attribute("data-id") for c in page.locator("li.card").all()]


def test_moderation_workflow_in_the_browser(live_server: Any, page: Any) -> None:
    base, ids, db = live_server.url, live_server.seeded, live_server.db
    add_staff(db)
    pending, rejectee, sunrise = ids["pending"], ids["austin_wellness"], ids["sunrise"]
    assert str(pending) not in _search_ids(page, base, "Hidden Pending Clinic")

    # A patient reports a problem on a public page (no account).
    page.goto(f"{base}/providers/{sunrise}")
    page.select_option("select[name=category]", "wrong_info")
    page.fill("textarea[name=message]", "The phone number rings a pizza place")
    follow(page, "form[action*='/report'] button[type=submit]")

    browser_login(page, base, "mia")
    assert page.url.endswith("/moderation")
    rows = page.locator("table.queue tbody tr")
    queue = [rows.nth(i).get_attribute("data-provider") for i in range(rows.count())]
    assert queue.index(str(sunrise)) < queue.index(str(pending))  # open flag before a new listing

    # Approve the new listing: it appears in public search.
    follow(page, f"tr[data-provider='{pending}'] a")
    assert page.locator("#provider-status").inner_text() == STATUS_LABELS["pending"]
    page.fill("form.approve input[name=note]", "website and registry agree")
    follow(page, "form.approve button[type=submit]")
    assert page.locator("#provider-status").inner_text() == STATUS_LABELS["published"]
    assert str(pending) in _search_ids(page, base, "Hidden Pending Clinic")

    # Reject with a reason: it leaves public search, the reason is shown to moderators.
    page.goto(f"{base}/moderation/provider/{rejectee}")
    page.fill("form.reject textarea[name=reason]", "Clinic closed permanently (called)")
    follow(page, "form.reject button[type=submit]")
    assert page.locator("#provider-status").inner_text() == STATUS_LABELS["rejected"]
    assert "Clinic closed permanently" in page.locator(".reject-reason").inner_text()
    assert str(rejectee) not in _search_ids(page, base, "Austin Ketamine Wellness")

    # Edit a field: an override with a note, shown publicly.
    page.goto(f"{base}/moderation/provider/{sunrise}")
    page.select_option("form.edit-field select[name=field]", "phones")
    page.fill("form.edit-field textarea[name=value]", "(512) 555-0177")
    page.fill("form.edit-field textarea[name=note]", "Front desk confirmed the new number")
    follow(page, "form.edit-field button[type=submit]")
    assert "override" in page.locator("tr.field-phones").inner_text()
    page.goto(f"{base}/providers/{sunrise}")
    assert "+15125550177" in page.content()

    # Hide a review that leaks health details.
    page.goto(f"{base}/providers/{sunrise}")
    assert "Caring staff, thorough screening" in page.content()
    page.goto(f"{base}/moderation/provider/{sunrise}")
    item = page.locator("div.review-item", has_text="Caring staff, thorough screening")
    item.locator("input[name=reason]").fill("Names the patient's diagnosis")
    item.locator("button[type=submit]").click()
    page.goto(f"{base}/providers/{sunrise}")
    assert "Caring staff, thorough screening" not in page.content()

    # Resolve the patient's flag.
    page.goto(f"{base}/moderation/provider/{sunrise}")
    flag = page.locator("div.flag-open", has_text="pizza place")
    flag.locator("input[name=resolution]").fill("Phone corrected by override")
    flag.locator("button[type=submit]").click()
    assert page.locator("div.flag-open").count() == 0

    # The audit log shows each action, with who and why.
    page.goto(f"{base}/moderation/audit")
    log = page.locator("table.audit-log tbody").inner_text()
    for action, why in (("approve", "website and registry agree"), ("reject", "Clinic closed permanently"),
                        ("edit", "Front desk confirmed"), ("hide_review", "Names the patient's diagnosis"),
                        ("resolve_flag", "Phone corrected by override")):
        words = re.escape(ACTION_LABELS[action])  # the action in words, never its code
        assert re.search(rf"mia\s+{words}\s.*{re.escape(why)}", log), action
    assert page.kdir_dialogs == [] and _csp_errors(page) == []

    # The override survives a re-index (crawled evidence never beats a moderator's value).
    pipeline = pytest.importorskip("indexer.pipeline")
    pipeline.run_index(db, live_server.settings, verify=False)  # no registry calls
    with db.session() as s:
        assert s.get(Provider, sunrise).phones == ["+15125550177"]
        assert s.scalar(select(Override.active).where(Override.provider_id == sunrise))
        assert s.scalar(select(Flag.status).where(Flag.provider_id == sunrise)) == "resolved"
    page.goto(f"{base}/providers/{sunrise}")
    assert "+15125550177" in page.content()


def test_staff_pages_are_accessible_and_logout_is_a_post(live_server: Any, page: Any) -> None:
    from tests.web.conftest import axe_violations

    base, ids = live_server.url, live_server.seeded
    add_staff(live_server.db)
    page.goto(f"{base}/moderation")
    assert "/login" in page.url
    assert axe_violations(page) == []
    browser_login(page, base, "root")
    assert page.url.endswith("/ops")
    assert page.locator("h1").inner_text() == "Operations"
    for path in ("/ops", "/moderation", f"/moderation/provider/{ids['sunrise']}",
                 f"/moderation/provider/{ids['hostile']}", "/moderation/audit"):
        page.goto(f"{base}{path}")
        assert axe_violations(page) == [], path
    assert page.kdir_dialogs == []  # the hostile listing's payloads stayed text
    page.locator("form[action='/logout'] button").first.click()
    page.goto(f"{base}/ops")
    assert "/login" in page.url
    assert _csp_errors(page) == []
