"""The provider page in a real browser (Debian chromium through Playwright): one status per clinician, the
evidence collapsed, the map and its words when the tiles cannot load, "Back to search" to the same search, the
report form (an empty report refused, the confirmation where the patient looks, with the focus), 390 px phones
without sideways scrolling, and axe-core clean."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import axe_violations, make_app, serve_in_thread
from tests.web.public.test_provider_statuses import add_status_clinic

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def _csp_errors(page: Any) -> list[str]:
    return [e for e in page.kdir_console_errors if "Content Security Policy" in e or "Refused to" in e]


def test_one_status_per_clinician_and_evidence_collapsed(live_server: Any, page: Any) -> None:
    clinic = add_status_clinic(live_server.db)
    page.goto(f"{live_server.url}/providers/{clinic}")
    statuses = {p.get_attribute("data-person"): p.locator(".credential-status").get_attribute("data-status")
                for p in page.locator("li.person").all()}
    assert statuses == {"Vera Verified": "verified", "Mark Mismatch": "mismatch", "Nora Notfound": "not_found",
                        "Dana Deactivated": "deactivated", "Ian Invalid": "invalid_number"}
    for person in page.locator("li.person").all():
        assert person.locator(".status .badge").count() == 1  # ONE status each
    verified = page.locator("li.person[data-person='Vera Verified']")
    assert verified.locator(".badge").inner_text() == "Verified in the NPI registry"
    assert verified.get_by_role("link", name="NPI Registry record").get_attribute("href") == \
        "https://npiregistry.cms.hhs.gov/provider-view/1234567893"
    assert "Psychiatry & Neurology, Psychiatry" in verified.inner_text()
    mismatch = page.locator("li.person[data-person='Mark Mismatch']")
    assert "The registry lists this NPI under another name: MARCUS SMITH." in mismatch.inner_text()
    for name in ("Nora Notfound", "Dana Deactivated"):
        text = page.locator(f"li.person[data-person='{name}']").inner_text()
        assert "NPI Registry record" not in text and "Name in the registry" not in text, text
    assert "NPI deactivated in the NPI registry" in page.locator("li.person[data-person='Dana Deactivated']").inner_text()

    evidence = page.locator("details#evidence")
    assert evidence.get_attribute("open") is None
    first_item = evidence.locator("ul.evidence li").first
    assert not first_item.is_visible()
    page.locator("details#evidence > summary").click()
    assert first_item.is_visible() and "from the clinic's website" in first_item.inner_text()
    assert axe_violations(page) == []
    assert _csp_errors(page) == [] and page.kdir_dialogs == []


#: A 1x1 grey PNG: a stand-in map tile.
TILE = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da6378f1e2"
                     "0500057402b9e73f14c90000000049454e44ae426082")


class _Tiles(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_map_says_in_words_when_tiles_cannot_load(live_server: Any, page: Any) -> None:
    """KDIR_TILE_URL points at a closed port in the tests: the map steps aside and says so; the address stays."""
    pid = live_server.seeded["sunrise"]
    page.goto(f"{live_server.url}/providers/{pid}")
    status = page.locator(".provider-map .map-status")
    status.wait_for(state="visible")
    assert status.get_attribute("role") == "status"
    assert "The map could not be loaded" in status.inner_text()
    assert "100 Congress Ave" in page.locator("#h-contact + .facts-grid").inner_text()
    # The search page: the list stays the main view, the map says why it is blank.
    page.goto(f"{live_server.url}/search?near=78701")
    page.locator(".map-panel .map-status").wait_for(state="visible")
    assert "The list of results is complete without it" in page.locator(".map-panel .map-status").inner_text()
    assert page.locator("li.card").count() >= 2 and page.locator("li.card").first.is_visible()
    assert _csp_errors(page) == []


def test_the_map_shows_the_place_when_tiles_load(sqlite_db: Any, tmp_path: Any, page: Any) -> None:
    """The same page with a reachable tile server: a map with one marker and no failure words."""
    from tests.web.conftest import make_settings, open_search
    from tests.web.seed import publish, seed_directory

    tiles = ThreadingHTTPServer(("127.0.0.111", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    settings = make_settings(sqlite_db, tmp_path,
                             tile_url=f"http://127.0.0.111:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png")
    backend = open_search(settings)
    ids = seed_directory(sqlite_db)
    publish(sqlite_db, backend)
    server, thread = serve_in_thread(make_app(settings, sqlite_db, backend), "127.0.0.112")
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    try:
        page.goto(f"http://127.0.0.112:{server.server_port}/providers/{ids['sunrise']}")
        page.locator("#map .leaflet-marker-icon").wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        assert page.locator("#map .leaflet-marker-icon").count() == 1
        assert page.locator("#map").is_visible() and page.locator(".map-status").count() == 0
        assert _Tiles.hits > 0
        # No request leaves for anywhere but the site itself and the configured tile server.
        assert hosts == {f"127.0.0.112:{server.server_port}", f"127.0.0.111:{tiles.server_address[1]}"}, hosts
        assert _csp_errors(page) == []
    finally:
        server.shutdown()
        thread.join(5)
        tiles.shutdown()
        backend.close()


def test_back_to_search_returns_to_the_same_search(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/search?q=Sunrise&near=78701&radius=25")
    page.locator("li.card a").first.click()
    page.wait_for_url("**/providers/*")
    back = page.get_by_role("link", name="Back to search")
    assert back.get_attribute("href") == "/search?q=Sunrise&near=78701&radius=25"
    back.click()
    page.wait_for_url("**/search?*")
    parts = urlsplit(page.url)
    assert parts.path == "/search" and parts.query == "q=Sunrise&near=78701&radius=25"
    assert page.locator("#q").input_value() == "Sunrise" and page.locator("#near").input_value() == "78701"
    # Straight to a provider page (no search before it): back to an empty search.
    page.goto(f"{live_server.url}/providers/{live_server.seeded['sunrise']}")
    assert page.get_by_role("link", name="Back to search").get_attribute("href") == "/search"


def test_report_form_refuses_an_empty_report_then_confirms_where_the_patient_looks(live_server: Any,
                                                                                      page: Any) -> None:
    pid = live_server.seeded["rose_city"]
    page.goto(f"{live_server.url}/search?q=Rose")
    page.locator("li.card a").first.click()
    page.wait_for_url(f"**/providers/{pid}")
    page.select_option("select[name=category]", "closed")
    page.locator("form[action*='/report'] button[type=submit]").click()
    summary = page.locator("#report-errors")
    summary.wait_for(state="visible")
    assert "Please describe the problem: the report is empty." in summary.inner_text()
    # the page's script moves the focus to the summary once it has run (after the element is already visible)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'report-errors'")
    assert page.locator("select[name=category]").input_value() == "closed"  # re-filled
    assert page.locator("textarea[name=message]").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.fill("textarea[name=message]", "They moved to another street last month.")
    page.locator("form[action*='/report'] button[type=submit]").click()
    confirmation = page.locator("#report-confirmation")
    confirmation.wait_for(state="visible")
    assert confirmation.get_attribute("role") == "status"
    assert "Thank you, your report was sent." in confirmation.inner_text()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'report-confirmation'")
    box, height = confirmation.bounding_box(), page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height  # on screen, not at the top of a scrolled-away page
    assert page.locator("form[action*='/report']").count() == 0
    assert page.locator(".flashes").count() == 0
    # The search is still one click away.
    assert page.get_by_role("link", name="Back to search").get_attribute("href") == "/search?q=Rose"
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/search", "/search?q=ketamine", "/providers/{sunrise}", "/providers/{patel}",
                                  "/providers/{hostile}", "/guide", "/api/", "/providers/2147483647"])
def test_public_pages_fit_a_390px_phone(live_server: Any, browser: Any, path: str) -> None:
    context = browser.new_context(viewport=PHONE)
    context.route("**/*", lambda route: route.abort() if not urlsplit(route.request.url).hostname.startswith(
        "127.") else route.continue_())
    page = context.new_page()
    try:
        page.goto(live_server.url + path.format(**live_server.seeded.ids))
        page.wait_for_load_state("networkidle")
        if page.locator("details#evidence").count():
            page.locator("details#evidence > summary").click()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => !e.closest('.leaflet-container'))  // map tiles are clipped by the map itself
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
        assert wide == [], (path, wide)
    finally:
        context.close()


@pytest.mark.parametrize(("path", "is_error"), [("/api/", False), ("/guide", False),
                                              ("/providers/2147483647", True), ("/no-such-page", True)])
def test_other_public_pages_are_axe_clean(live_server: Any, page: Any, path: str, is_error: bool) -> None:
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    if is_error:
        assert page.inner_text("h1") == "We could not find this page"
        assert page.get_by_role("link", name="Go to the search page").get_attribute("href") == "/search"
