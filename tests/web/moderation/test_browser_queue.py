"""The moderator's screens in the real browser (Debian chromium via Playwright) against the live app: queue
reasons, bulk approval by filter refusing a reported listing, keyboard navigation, a 390 px phone, axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.db.models import Provider
from indexer.review_queue import REASON_LABELS
from tests.web.conftest import axe_violations, follow
from tests.web.moderation.queue_data import add_queue_work
from tests.web.moderation.staff import add_staff, browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_server(live_server: Any) -> Any:
    add_staff(live_server.db)
    live_server.work = add_queue_work(live_server.db)
    return live_server


def test_queue_reasons_and_bulk_approve_by_filter(queue_server: Any, page: Any) -> None:
    base, work, db = queue_server.url, queue_server.work, queue_server.db
    browser_login(page, base, "mia")
    row = page.locator(f"tr[data-provider='{work['not_found']}']")
    assert REASON_LABELS["not_found"] in row.inner_text() and REASON_LABELS["new"] in row.inner_text()
    # the reason badge is in a warning colour, distinct from the positive green
    colours = page.evaluate("""id => { const el = document.querySelector(`tr[data-provider='${id}'] .reason-not_found`);
        return getComputedStyle(el).backgroundColor; }""", work["not_found"])
    assert colours not in ("rgba(0, 0, 0, 0)", "rgb(230, 240, 230)", "rgb(255, 255, 255)"), colours

    page.select_option("#f-state", "TX")
    page.select_option("#f-reason", "new")
    page.select_option("#f-source", "directory:sample")
    follow(page, "form.filters button[type=submit]")
    shown = {int(r.get_attribute("data-provider")) for r in page.locator("table.queue tbody tr").all()}
    assert shown == {work["verified_a"], work["verified_b"], work["flagged"]}
    page.select_option("#bulk-action", "approve")
    follow(page, "form.bulk button[type=submit]")
    assert page.locator("h1").inner_text() == "Approve 2 listings?"
    assert "1 with an open patient report" in page.locator("#bulk-refused").inner_text()
    assert axe_violations(page) == []
    page.fill("#note", "first crawl")
    follow(page, "#bulk-confirm")
    assert "Approved 2 listings. Refused 1 listing: 1 with an open patient report." in \
        page.locator(".flashes").inner_text()
    shown = {int(r.get_attribute("data-provider")) for r in page.locator("table.queue tbody tr").all()}
    assert shown == {work["flagged"]}  # still waiting, with its reason
    with db.session() as s:
        assert s.get_one(Provider, work["verified_a"]).status == "published"
        assert s.get_one(Provider, work["flagged"]).status == "pending"
    page.goto(f"{base}/moderation/audit")
    assert page.locator("table.audit-log tbody tr").count() == 2
    assert page.kdir_dialogs == []


def test_keyboard_moves_through_the_queue(queue_server: Any, page: Any) -> None:
    base = queue_server.url
    browser_login(page, base, "mia")
    assert page.locator(".kbd-help").is_visible()  # shown only when the script runs
    ids = [r.get_attribute("data-provider") for r in page.locator("table.queue tbody tr").all()]
    page.locator("body").press("j")
    assert page.evaluate("document.activeElement.closest('tr').dataset.provider") == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.closest('tr').dataset.provider") == ids[1]
    current = page.locator("tr.is-current")
    assert current.count() == 1 and current.get_attribute("data-provider") == ids[1]
    outline = page.evaluate("getComputedStyle(document.querySelector('tr.is-current')).outlineStyle")
    assert outline == "solid"  # a visible focus
    page.keyboard.press("x")  # tick it for a bulk action, then move on and tick the next one too
    page.keyboard.press("j")
    page.keyboard.press("x")
    ticked = [b.get_attribute("value") for b in page.locator("input[name=pick]:checked").all()]
    assert ticked == ids[1:3]
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/moderation/provider/{ids[1]}")
    assert page.locator("#provider-status").is_visible()


def test_queue_works_without_javascript(queue_server: Any, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, queue_server.url, "mia")
        assert not page.locator(".kbd-help").is_visible()
        page.select_option("#f-reason", "changes")
        follow(page, "form.filters button[type=submit]")
        assert page.locator("table.queue tbody tr").count() == 1
        follow(page, "table.queue tbody tr a")
        assert "/moderation/provider/" in page.url
    finally:
        context.close()


def test_staff_pages_fit_a_phone_and_stay_accessible(queue_server: Any, browser: Any) -> None:
    base, work = queue_server.url, queue_server.work
    ids = queue_server.seeded
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        checked: list[str] = []

        def check(path: str) -> None:
            page.goto(f"{base}{path}")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways ({width}px)"
            assert axe_violations(page) == [], path
            checked.append(path)

        check("/login")
        browser_login(page, base, "root")
        for path in ("/moderation", "/moderation?reason=new", f"/moderation/provider/{work['not_found']}",
                     f"/moderation/provider/{ids['sunrise']}", f"/moderation/provider/{ids['hostile']}",
                     f"/moderation/provider/{work['changed']}", "/moderation/audit", "/ops"):
            check(path)
        # the bulk confirmation page too
        page.goto(f"{base}/moderation?state=TX")
        follow(page, "form.bulk button[type=submit]")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert axe_violations(page) == []
        assert len(checked) == 9
    finally:
        context.close()
