"""The single-page-app clinic sites: empty shells over HTTP, facts only in the browser, render-failure modes."""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.robotparser
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import requests

from kdir.sampleweb.ground_truth import get_truth
from kdir.sampleweb.http import SLOW_SCRIPT_SECONDS
from kdir.sampleweb.server import SampleWeb
from kdir.sampleweb.sites import page_paths, sites_root, spa_sites
from kdir.sampleweb.truth import Truth

from .conftest import browser_page, digits

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route

BUNDLE = re.compile(r'<script type="module" crossorigin src="(/assets/index-[0-9a-f]{8}\.js)"></script>')
STYLES = re.compile(r'<link rel="stylesheet" href="/assets/index-[0-9a-f]{8}\.css">')
#: aurora's Vite-style chunks: the vendor chunk (Vue + vue-router) is preloaded, the pricing view loaded lazily
VENDOR = re.compile(r'<link rel="modulepreload" crossorigin href="(/assets/vendor-[0-9a-f]{8}\.js)">')
LAZY_PRICING = re.compile(r'import\("(/assets/pricing-[0-9a-f]{8}\.js)"\)')
CHUNK = re.compile(r"\A(index|vendor|pricing)-([0-9a-f]{8})\.js\Z")


@pytest.fixture(scope="module")
def truth(web: SampleWeb) -> Truth:
    return get_truth(web)


@pytest.fixture(scope="module")
def own() -> Iterator[SampleWeb]:
    """An instance of its own, so switching failure modes cannot disturb tests sharing the session server."""
    with SampleWeb(first_octet=200) as w:
        yield w


def bundle_path(base: str) -> str:
    m = BUNDLE.search(requests.get(base + "/", timeout=5).text)
    assert m, base
    return m.group(1)


def test_spa_specs_routes_and_page_paths() -> None:
    specs = {s.name: s for s in spa_sites()}
    assert specs["aurora"].app == "hash" and specs["tidewater"].app == "history"
    for spec in specs.values():
        assert spec.routes[0] == "/" and set(spec.routes) <= set(page_paths(spec.name))
    assert "/#/team" in specs["aurora"].routes and "/fees" in specs["tidewater"].routes


def test_raw_shell_holds_no_facts(web: SampleWeb, http: requests.Session, truth: Truth) -> None:
    for spec in spa_sites():
        base = web.sites[spec.name]
        routes = list(spec.routes) + (["/nonexistent"] if spec.app == "history" else [])
        for route in routes:
            r = http.get(base + route, timeout=5)
            assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), (spec.name, route)
            text = r.text
            assert text.startswith("<!DOCTYPE html>")
            assert ('<div id="app"></div>' if spec.app == "hash" else '<div id="root"></div>') in text
            assert "<noscript>You need to enable JavaScript to run this app.</noscript>" in text
            assert BUNDLE.search(text) and STYLES.search(text)
            assert "ld+json" not in text and "__STATE__" not in text and "<nav" not in text
            for x in truth.sites[spec.name].listings:
                assert f"<title>{x.name.replace('&', '&amp;')}</title>" in text
                assert all(p[2:] not in digits(text) for p in x.phones), route
                assert x.address.street.split(",")[0] not in text and x.address.postal_code not in text
                assert x.email and x.email not in text
                assert all(p.name not in text for p in x.practitioners)


def test_history_fallback_and_assets(web: SampleWeb, http: requests.Session) -> None:
    base = web.sites["tidewater"]
    shell = http.get(base + "/", timeout=5).text
    for path in ("/providers", "/providers/", "/fees", "/contact", "/nonexistent", "/a/b/c"):
        r = http.get(base + path, allow_redirects=False, timeout=5)
        assert r.status_code == 200 and r.text == shell, path
    assert http.get(base + "/assets/x.js", timeout=5).status_code == 404
    assert http.get(base + "/api/missing.json", timeout=5).status_code == 404
    types = {bundle_path(base): "application/javascript", "/assets/index-5a0d3e91.css": "text/css",
             "/api/clinic.json": "application/json", "/assets/hero.jpg": "image/jpeg"}
    for path, ctype in types.items():
        r = http.get(base + path, timeout=5)
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == ctype, path
    assert http.get(base + "/assets/hero.jpg", timeout=5).content.startswith(b"\xff\xd8\xff")
    data = http.get(base + "/api/clinic.json", timeout=5).json()
    assert data["phone"] == "(843) 555-0132" and len(data["providers"]) == 2
    assert http.post(base + "/analytics/collect", data="{}", timeout=5).status_code == 204
    # the hash-routed app is a plain static host: no fallback
    aurora = web.sites["aurora"]
    assert http.get(aurora + "/team", timeout=5).status_code == 404
    r = http.get(aurora + bundle_path(aurora), timeout=5)
    assert r.headers["Content-Type"].startswith("application/javascript") and "{{" not in r.text


def test_robots_of_tidewater_disallow_analytics(web: SampleWeb, http: requests.Session, truth: Truth) -> None:
    base = web.sites["tidewater"]
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(http.get(base + "/robots.txt", timeout=5).text.splitlines())
    assert not rp.can_fetch("kdir", base + "/analytics/collect")
    assert rp.can_fetch("kdir", base + "/providers") and rp.can_fetch("kdir", base + "/assets/hero.jpg")
    assert truth.sites["tidewater"].robots_disallow == ("/analytics/",)


def test_script_error_mode_breaks_only_spa_bundles(own: SampleWeb) -> None:
    stillwater = own.sites["stillwater"]
    try:
        for name in ("aurora", "tidewater", "stillwater", "lumen"):
            own.set_mode(name, "script_error")
        for name in ("aurora", "tidewater"):
            base = own.sites[name]
            assert requests.get(base + bundle_path(base), timeout=5).text.startswith('throw new Error("boom");')
        chunks = [p for p in page_paths("aurora") if p.endswith(".js")]
        assert len(chunks) == 3  # entry, vendor and lazy pricing chunk: every one of them throws
        for path in chunks:
            assert requests.get(own.sites["aurora"] + path, timeout=5).text.startswith('throw new Error("boom");')
        assert "Stillwater" in requests.get(stillwater + "/", timeout=5).text  # non-SPA: normal
        lumen_js = requests.get(own.sites["lumen"] + "/static/app.js", timeout=5).text
        assert "boom" not in lumen_js and "__STATE__" in lumen_js
    finally:
        for name in ("aurora", "tidewater", "stillwater", "lumen"):
            own.set_mode(name, "normal")
    base = own.sites["tidewater"]
    assert "boom" not in requests.get(base + bundle_path(base), timeout=5).text


def test_slow_script_mode_delays_only_the_bundle(own: SampleWeb) -> None:
    assert SLOW_SCRIPT_SECONDS == 20
    base = own.sites["tidewater"]
    bundle = bundle_path(base)
    try:
        own.set_mode("tidewater", "slow_script", slow_seconds=1.0)
        own.set_mode("stillwater", "slow_script", slow_seconds=1.0)
        started = time.monotonic()
        assert requests.get(base + "/providers", timeout=5).status_code == 200
        assert requests.get(own.sites["stillwater"] + "/", timeout=5).status_code == 200
        assert time.monotonic() - started < 0.8  # the shell and static sites are not delayed
        started = time.monotonic()
        r = requests.get(base + bundle, timeout=5)
        assert r.status_code == 200 and "history.pushState" in r.text
        assert 1.0 <= time.monotonic() - started < 4
        with pytest.raises(requests.Timeout):
            requests.get(base + bundle, timeout=0.3)
    finally:
        own.set_mode("tidewater", "normal")
        own.set_mode("stillwater", "normal")


@pytest.mark.browser
def test_script_error_renders_nothing_in_the_browser(own: SampleWeb, browser: Browser) -> None:
    try:
        for spec in spa_sites():
            own.set_mode(spec.name, "script_error")
            with browser_page(browser) as page:
                errors: list[str] = []
                page.on("pageerror", lambda exc, seen=errors: seen.append(str(exc)))
                page.goto(own.sites[spec.name] + spec.routes[-1], wait_until="load")
                page.wait_for_timeout(300)
                mount = "#app" if spec.app == "hash" else "#root"
                assert page.inner_html(mount) == "", spec.name
                assert page.locator("footer").count() == 0
                assert any("boom" in e for e in errors), errors
    finally:
        for spec in spa_sites():
            own.set_mode(spec.name, "normal")


@pytest.mark.browser
def test_slow_script_times_out_a_page_load(own: SampleWeb, browser: Browser) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        own.set_mode("aurora", "slow_script", slow_seconds=3.0)
        with browser_page(browser) as page:
            started = time.monotonic()
            with pytest.raises(PlaywrightTimeout):
                page.goto(own.sites["aurora"] + "/#/team", wait_until="load", timeout=1000)
            assert time.monotonic() - started < 2.5
            assert "Ingrid Solberg" not in page.content()
    finally:
        own.set_mode("aurora", "normal")


@pytest.mark.browser
def test_tidewater_in_the_browser(own: SampleWeb, browser: Browser) -> None:
    base = own.sites["tidewater"]
    with browser_page(browser) as page:
        page.goto(base + "/")
        page.wait_for_selector("footer")
        ld = json.loads(page.eval_on_selector('head script[type="application/ld+json"]', "e => e.textContent"))
        assert ld["@type"] == "MedicalClinic" and ld["name"] == "Tidewater Ketamine & Spravato Center"
        assert ld["telephone"] == "+18435550132" and ld["url"] == "https://tidewaterketamine.example/"
        assert ld["address"]["streetAddress"] == "180 Meeting St, Suite 200"
        assert ld["address"]["postalCode"] == "29401"
        # /fees: only a button leads there, no anchor
        assert page.locator('a[href*="fees"]').count() == 0
        assert "$2,700" not in page.inner_text("body")
        shells_before = sum(1 for r in own.requests_to("tidewater") if r.path in ("/fees", "/providers"))
        page.click('button[data-href="/fees"]')
        page.wait_for_url(base + "/fees")
        assert "$2,700" in page.inner_text("main") and "$495" in page.inner_text("main")
        # client-side routing: neither the button nor data-link anchors reload the shell
        page.click('a[href="/providers"][data-link]')
        page.wait_for_url(base + "/providers")
        assert "Caroline Ashby, MD" in page.inner_text("main")
        assert sum(1 for r in own.requests_to("tidewater") if r.path in ("/fees", "/providers")) == shells_before
        page.go_back()
        page.wait_for_url(base + "/fees")
        assert "$2,700" in page.inner_text("main")
        assert page.locator('head script[type="application/ld+json"]').count() == 1
        page.goto(base + "/nonexistent")
        page.wait_for_selector("footer")
        assert page.inner_text("h1") == "Page not found"
    log = own.requests_to("tidewater")
    assert any(r.method == "POST" and r.path == "/analytics/collect" for r in log)
    assert any(r.path == "/assets/hero.jpg" for r in log)


@pytest.mark.browser
def test_blocking_analytics_and_images_leaves_no_trace(own: SampleWeb, browser: Browser) -> None:
    """What the crawler's browser must do: abort robots-disallowed URLs and images; the log then shows none."""
    base = own.sites["tidewater"]
    with browser_page(browser) as page:
        page.route(re.compile(r"/analytics/|\.(jpg|png|gif|webp)$"), lambda route: route.abort())
        mark = len(own.requests_to("tidewater"))
        page.goto(base + "/providers")
        page.wait_for_selector("footer")
        page.wait_for_timeout(200)
    paths = [r.path for r in own.requests_to("tidewater")[mark:]]
    assert "/providers" in paths and "/api/clinic.json" in paths
    assert not any(p.startswith("/analytics/") or p.endswith(".jpg") for p in paths)


@pytest.mark.browser
def test_aurora_hash_routes_in_the_browser(own: SampleWeb, browser: Browser) -> None:
    base = own.sites["aurora"]

    def shows(heading: str) -> None:  # vue-router updates the URL first, the view right after
        page.wait_for_function("h => document.querySelector('main h1')?.textContent === h", arg=heading)

    with browser_page(browser) as page:
        page.goto(base + "/")
        page.wait_for_selector("footer")
        hrefs = page.eval_on_selector_all("nav a", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs == ["#/", "#/treatments", "#/team", "#/pricing", "#/contact"]
        assert page.title() == "Aurora Ketamine Institute"
        page.click('nav a[href="#/team"]')
        page.wait_for_function("location.hash === '#/team'")
        shows("Our team")
        main = page.inner_text("main")
        assert "Ingrid Solberg, MD" in main and "NPI: 1742036589" in main and "Hannah Voss, RN" in main
        assert page.title() == "Our Team | Aurora Ketamine Institute"
        assert page.get_attribute('nav a[href="#/team"]', "class") == "router-link-active active"
        assert page.get_attribute('footer a[href^="tel:"]', "href") == "tel:+16125550131"
        page.click('nav a[href="#/pricing"]')
        page.wait_for_function("location.hash === '#/pricing'")
        shows("Pricing")
        assert "$2,550" in page.inner_text("main") and "730 Hennepin Ave" in page.inner_text("footer")
        page.go_back()
        page.wait_for_function("location.hash === '#/team'")
        shows("Our team")
        assert "Nora Bergstrom" in page.inner_text("main")
        page.goto(base + "/#/nope")
        page.wait_for_selector("footer")
        shows("Page not found")


def test_aurora_chunks_are_content_hashed_and_licensed(web: SampleWeb, http: requests.Session) -> None:
    assets = sites_root() / "aurora" / "assets"
    chunks = {f.name: CHUNK.match(f.name) for f in assets.iterdir() if f.name.endswith(".js")}
    assert sorted(m.group(1) for m in chunks.values() if m) == ["index", "pricing", "vendor"], chunks
    for name, m in chunks.items():  # named like Vite's output: <chunk>-<hash of the content>.js
        digest = hashlib.sha256((assets / name).read_bytes()).hexdigest()[:8]
        assert m and m.group(2) == digest, f"{name}: run kdir/sampleweb/sites/aurora/_build.py"
    base = web.sites["aurora"]
    shell = http.get(base + "/", timeout=5).text
    entry, vendor = bundle_path(base), VENDOR.search(shell)
    assert vendor, shell
    index_js = http.get(base + entry, timeout=5).text
    assert f'from "{vendor.group(1)}"' in index_js and "createWebHashHistory()" in index_js
    lazy = LAZY_PRICING.search(index_js)
    assert lazy and "$2,550" not in index_js  # the prices travel in the pricing chunk only
    pricing_js = http.get(base + lazy.group(1), timeout=5).text
    assert "export default" in pricing_js and "$2,550" in pricing_js
    vendor_js = http.get(base + vendor.group(1), timeout=5).text
    vue = re.search(r"\* vue v(3\.\d+\.\d+)\n", vendor_js)
    router = re.search(r"\* vue-router v(4\.\d+\.\d+)\n", vendor_js)
    assert vue and router and vendor_js.rstrip().endswith("export { Vue, VueRouter };")
    licences = http.get(base + "/assets/vendor-LICENSES.txt", timeout=5)
    assert licences.headers["Content-Type"].startswith("text/plain")
    assert f"== vue {vue.group(1)} " in licences.text and f"== vue-router {router.group(1)} " in licences.text
    assert licences.text.count("The MIT License") == 2 and vendor.group(1) in licences.text


@pytest.mark.browser
def test_aurora_runs_vue_and_loads_the_pricing_chunk_on_demand(own: SampleWeb, browser: Browser) -> None:
    base = own.sites["aurora"]
    pricing = LAZY_PRICING.search(requests.get(base + bundle_path(base), timeout=5).text)
    assert pricing
    with browser_page(browser) as page:
        paths: list[str] = []
        page.on("request", lambda r: paths.append(urlsplit(r.url).path))
        page.goto(base + "/#/team")
        page.wait_for_selector("footer")
        page.wait_for_selector("main .practitioner")
        vue = page.evaluate("""() => {
          const app = document.querySelector('#app').__vue_app__;
          const router = app.config.globalProperties.$router;
          return {version: app.version, route: router.currentRoute.value.fullPath,
                  mounted: document.querySelector('#app').hasAttribute('data-v-app')};
        }""")
        assert vue["version"].startswith("3.") and vue["route"] == "/team" and vue["mounted"], vue
        for route in ("#/", "#/treatments", "#/contact"):
            page.click(f'nav a[href="{route}"]')
            page.wait_for_function("r => location.hash === r", arg=route)
        assert pricing.group(1) not in paths, paths
        with page.expect_response(lambda r: r.url.endswith(pricing.group(1))) as chunk:
            page.click('nav a[href="#/pricing"]')
        assert chunk.value.status == 200
        page.wait_for_function("document.querySelector('main h1')?.textContent === 'Pricing'")
        assert "$2,550" in page.inner_text("main") and "Series of six IV infusions" in page.inner_text("main")
        page.click('nav a[href="#/team"]')
        page.click('nav a[href="#/pricing"]')
        page.wait_for_function("document.querySelector('main h1')?.textContent === 'Pricing'")
        assert paths.count(pricing.group(1)) == 1 and paths.count("/") == 1, paths  # no reloads, one chunk
    with browser_page(browser) as page:  # opened directly, the route waits for its chunk
        page.goto(base + "/#/pricing")
        page.wait_for_selector("main td.price")
        assert page.inner_text("main td.price >> nth=2") == "$2,550"


@pytest.mark.browser
def test_a_throwing_vendor_chunk_alone_renders_nothing(own: SampleWeb, browser: Browser) -> None:
    base = own.sites["aurora"]
    with browser_page(browser) as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def broken(route: Route) -> None:
            route.fulfill(response=(resp := route.fetch()), body='throw new Error("vendor");\n' + resp.text())

        page.route(re.compile(r"/assets/vendor-[0-9a-f]{8}\.js$"), broken)
        page.goto(base + "/#/team", wait_until="load")
        page.wait_for_timeout(300)
        assert page.inner_html("#app") == "" and page.locator("footer").count() == 0
        assert any("vendor" in e for e in errors), errors
