"""Browser tests: the real app on loopback driven by Debian chromium (Playwright)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db.models import Flag
from tests.web.conftest import axe_violations, follow
from tests.web.seed import XSS_NAME

pytestmark = pytest.mark.browser


def _names(page: Any) -> list[str]:
    return page.locator("#results .card-title a").all_inner_texts()


def _csp_errors(page: Any) -> list[str]:
    return [e for e in page.kdir_console_errors if "Content Security Policy" in e or "Refused" in e]


def test_search_live_update_filter_and_sort(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.fill("#q", "sunrise")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=sunrise"))
    page.wait_for_function("() => document.querySelector('#result-count').textContent.includes('found')")
    assert _names(page)[0] == "Sunrise Ketamine Clinic"
    assert page.locator("#results mark").first.inner_text() == "Sunrise"
    # a filter updates the results, the live count and the facet counts without a page load
    page.fill("#q", "")
    page.check("input[name=modality][value=esketamine_nasal]")
    page.wait_for_function("() => document.querySelector('#results').textContent.includes('Rose City') && "
                           "document.querySelector('#result-count').textContent.startsWith('1 provider')")
    page.wait_for_load_state("networkidle")
    assert _names(page) == ["Rose City Spravato Psychiatry"]
    assert page.inner_text("#result-count").startswith("1 provider found")
    assert page.inner_text("#fc-modalities-esketamine_nasal") == "1"
    assert "modality=esketamine_nasal" in page.url
    page.uncheck("input[name=modality][value=esketamine_nasal]")
    # place + distance sort
    page.fill("#near", "78701")
    page.select_option("#sort", "distance")
    page.check("input[name=verified]")
    page.wait_for_function("() => document.querySelector('#results .distance') !== null")
    page.wait_for_function("() => !document.querySelector('#results').textContent.includes('Rose City')")
    assert _names(page)[0] == "Sunrise Ketamine Clinic"
    assert "sort=distance" in page.url and "near=78701" in page.url
    # the map got a marker per located result, labelled with the name
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.is_visible("#map")
    assert page.locator(".leaflet-marker-icon").first.get_attribute("alt")
    assert page.kdir_dialogs == [] and _csp_errors(page) == []


def test_open_provider_and_report_a_problem(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/search?q=blue+ridge")
    page.click("text=Blue Ridge KAP Collective")
    page.wait_for_url(re.compile(r"/providers/\d+$"))
    assert page.inner_text("h1") == "Blue Ridge KAP Collective"
    page.select_option("#category", "unsafe")
    page.fill("#message", "They promise a cure in one session.")
    page.click("button:has-text('Send report')")
    page.wait_for_selector("text=A moderator will look at your report")
    with live_server.db.session() as s:
        flags = [(f.provider_id, f.category, f.message) for f in s.scalars(select(Flag))]
    assert flags == [(live_server.seeded["blue_ridge"], "unsafe", "They promise a cure in one session.")]
    assert page.kdir_dialogs == [] and _csp_errors(page) == []


def test_keyboard_only_search_and_open(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "q":
            break
    assert page.evaluate("() => document.activeElement.id") == "q"
    page.keyboard.type("rose city")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#results .card').length >= 1 && "
                           "document.querySelector('#results').textContent.includes('Rose City')")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('#results .card-title')"):
            break
    assert page.evaluate("() => document.activeElement.textContent") == "Rose City Spravato Psychiatry"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/providers/\d+$"))
    assert page.inner_text("h1") == "Rose City Spravato Psychiatry"


def test_hostile_payloads_never_execute(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/providers/{live_server.seeded['hostile']}")
    assert page.inner_text("h1") == XSS_NAME
    assert page.locator("img[src=x]").count() == 0 and page.locator("svg[onload]").count() == 0
    page.goto(live_server.url + "/search?q=evil")
    page.wait_for_selector("#results .card")
    assert XSS_NAME in _names(page)
    page.wait_for_selector(".leaflet-marker-icon")
    page.locator(".leaflet-marker-icon").first.click()
    page.wait_for_selector(".leaflet-popup-content a")
    assert page.inner_text(".leaflet-popup-content a") == XSS_NAME
    page.fill("#q", "<img src=x onerror=alert(9)>")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=%3Cimg"))
    page.wait_for_timeout(300)
    assert page.kdir_dialogs == []
    assert page.locator("img[src=x]").count() == 0


def test_works_without_javascript(live_server: Any, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.fill("#q", "denver")
        page.check("input[name=service][value=accepts_insurance]")
        page.click("button:has-text('Search')")
        page.wait_for_url(re.compile(r"q=denver"))
        assert "service=accepts_insurance" in page.url
        assert page.locator("#results .card-title a").all_inner_texts() == ["Mile High Infusion Center"]
        assert not page.is_visible("#map")  # no empty map without JavaScript
        follow(page, "text=Mile High Infusion Center")
        assert page.inner_text("h1") == "Mile High Infusion Center"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/search?q=sunrise&near=78701", "/providers/{sunrise}",
                                  "/providers/{patel}", "/guide"])
def test_accessibility_axe(live_server: Any, page: Any, path: str) -> None:
    page.goto(live_server.url + path.format(**live_server.seeded.ids))
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert violations == []


def test_bad_place_is_explained_with_javascript(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/")
    page.fill("#near", "Atlantis, XX")
    page.press("#near", "Enter")
    page.wait_for_selector("#results [role=alert]")
    assert "ZIP code" in page.inner_text("#results [role=alert]")
    assert page.kdir_dialogs == [] and _csp_errors(page) == []


def test_back_button_restores_search_and_map(live_server: Any, page: Any) -> None:
    page.goto(live_server.url + "/search?q=sunrise")
    page.wait_for_selector(".leaflet-marker-icon")
    page.check("input[name=modality][value=esketamine_nasal]")
    page.wait_for_function("() => document.querySelector('#results').textContent.includes('No providers match')")
    assert "esketamine_nasal" in page.url
    page.go_back()
    page.wait_for_function("() => !location.search.includes('esketamine')")
    page.wait_for_function("() => document.querySelector('#results').textContent.includes('Sunrise')")
    page.wait_for_selector(".leaflet-marker-icon")
    assert not page.is_checked("input[name=modality][value=esketamine_nasal]")
    assert page.kdir_dialogs == [] and _csp_errors(page) == []
