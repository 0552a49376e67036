"""Security headers, no inline script, escaping of hostile provider data, safe outbound links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import Markup

from tests.web.seed import XSS_NAME, XSS_REVIEW
from web.security import OUTBOUND_REL, highlight, json_ld, outbound_link, safe_url

PAGES = ("/", "/search?q=sunrise&near=78701", "/guide", "/api/", "/providers/{sunrise}", "/providers/{hostile}",
         "/providers/{patel}", "/providers/99999")


@pytest.fixture
def web_db(sqlite_db: Any) -> Any:
    """Search-only tests: SQLite is enough (the database is not their subject)."""
    return sqlite_db


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"{tag} {k}" for k, _v in attrs if k.lower().startswith("on")]
        self.handlers += [f"{tag} {k}={v}" for k, v in attrs
                          if k in ("href", "src", "action") and (v or "").strip().lower().startswith("javascript:")]


def _event_handler_attributes(html: str) -> list[str]:
    parser = _Attrs()
    parser.feed(html)
    return parser.handlers


def _csp(value: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in value.split(";") if d.strip()}


def test_security_headers_on_every_kind_of_response(client: Any, seeded: Any) -> None:
    urls = [u.format(**seeded.ids) for u in PAGES] + ["/api/v1/providers", "/api/v1/openapi.json",
                                                       "/static/css/site.css", "/api/v1/providers/abc"]
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, url
        h = r.headers
        csp = _csp(h["Content-Security-Policy"])
        assert csp["script-src"] == "'self'", url
        assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert "geolocation=()" in h["Permissions-Policy"] and "camera=()" in h["Permissions-Policy"]
        assert h["X-Frame-Options"] == "DENY"


def test_csp_allows_only_configured_tile_host(client: Any, seeded: Any) -> None:
    csp = _csp(client.get("/").headers["Content-Security-Policy"])
    assert csp["img-src"] == "'self' data: http://127.0.0.1:9"
    assert csp["connect-src"] == "'self'" and csp["default-src"] == "'self'"


def test_no_inline_script_and_no_third_party(client: Any, seeded: Any) -> None:
    for url in [u.format(**seeded.ids) for u in PAGES]:
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert 'src="/static/' in tag or 'type="application/ld+json"' in tag, (url, tag)
        assert _event_handler_attributes(html) == [], url
        for src in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            assert "npiregistry.cms.hhs.gov" in src or ".example" in src or "schema.org" in src, (url, src)


def test_hostile_provider_is_escaped_everywhere(client: Any, seeded: Any) -> None:
    pid = seeded["hostile"]
    html = client.get(f"/providers/{pid}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;review&#34;)" in html
    assert 'href="javascript:' not in html.lower() and "javascript:alert(&#39;website&#39;)" in html
    # JSON-LD: data, and scraped text cannot close the element
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert block and "<" not in block.group(1) and ">" not in block.group(1)
    assert json.loads(block.group(1))["name"] == XSS_NAME
    search = client.get("/search?q=evil").get_data(as_text=True)
    assert "Evil Clinic" in search and "<script>alert" not in search and "<img src=x" not in search
    assert 'data-name="&lt;script&gt;' in search


def test_outbound_links_are_http_only_with_rel(client: Any, seeded: Any) -> None:
    html = client.get(f"/providers/{seeded['sunrise']}").get_data(as_text=True)
    links = re.findall(r'<a href="(https?://[^"]+)"([^>]*)>', html)
    assert links
    for _href, attrs in links:
        assert f'rel="{OUTBOUND_REL}"' in attrs


@pytest.mark.parametrize(("url", "ok"), [
    ("https://clinic.example/", True), ("http://clinic.example/a?b=c", True), ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False), (" javascript:alert(1)", False), ("data:text/html,<script>", False),
    ("vbscript:x", False), ("//evil.example/", False), ("/relative", False), ("https://", False),
    ("https://a.example/\"onmouseover=x", False), ("https://a.example/\nx", False), ("ftp://a.example/", False),
    (None, False), (42, False), ("https://a.example/<script>", False), ("http://[::1", False),
])
def test_safe_url(url: Any, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_tile_origin_for_csp() -> None:
    from web.security import tile_origin

    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin("http://127.0.0.1:8080/t/{z}/{x}/{y}.png") == "http://127.0.0.1:8080"


def test_outbound_link_macro() -> None:
    assert outbound_link("https://a.example/?x=1&y=2", "<b>A</b>") == Markup(
        '<a href="https://a.example/?x=1&amp;y=2" rel="nofollow noopener ugc" target="_blank">&lt;b&gt;A&lt;/b&gt;</a>')
    assert outbound_link("javascript:alert(1)") == Markup("<span>javascript:alert(1)</span>")


def test_highlight_escapes_first() -> None:
    assert highlight("\x02<b>Sun</b>\x03rise") == Markup("<mark>&lt;b&gt;Sun&lt;/b&gt;</mark>rise")
    assert highlight("\x02open") == Markup("<mark>open</mark>")
    assert highlight("close\x03 \x03x\x02") == Markup("close x<mark></mark>")
    assert highlight(None) == Markup("")


def test_json_ld_cannot_break_out() -> None:
    out = str(json_ld({"name": XSS_REVIEW, "amp": "a&b", "ls": "\u2028"}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"name": XSS_REVIEW, "amp": "a&b", "ls": "\u2028"}


def test_no_search_is_logged(client: Any, seeded: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    client.get("/search?q=my+private+diagnosis&near=78701")
    client.get("/api/v1/providers?q=my+private+diagnosis")
    assert "private diagnosis" not in caplog.text and "private+diagnosis" not in caplog.text
    r = client.get("/search?q=x")
    assert r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers  # no session, no tracking cookie for a plain search



def test_trusted_proxy_sets_client_address(tmp_path) -> None:
    """Behind a reverse proxy, rate limits must see the patient's address, not the proxy's."""
    import dataclasses

    from flask import request

    from kdir.common.config import Settings
    from web import create_app

    base = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp_path),
                              "KDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    for proxies, expected in ((0, "10.0.0.1"), (1, "203.0.113.7")):
        app = create_app(dataclasses.replace(base, trusted_proxies=proxies))
        seen: list[str | None] = []

        @app.after_request
        def remember(resp, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(request.remote_addr)
            return resp

        resp = app.test_client().get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                     headers={"X-Forwarded-For": "203.0.113.7"})
        assert resp.status_code == 200
        assert seen == [expected]
