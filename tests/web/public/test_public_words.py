"""Human words on every public page: no vocabulary code, source key or internal term in what a patient reads.

The data is the demo's: the bundled sample web served on loopback, crawled by the real spiders, indexed,
verified against the sample registry and published (``kdir demo``'s own steps). Then every public page is walked
over HTTP -- the search page (empty and with results), every provider page, the guide, the API page and the
error pages -- and the visible text and the text of every link is checked against the words a patient must never
see. A browser pass renders a sample of them (with scripts: the map and its fallback text) and checks the
rendered text too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import Provider, Source
from kdir.common.config import Settings
from kdir.common.vocabulary import CONDITIONS, MODALITIES, SERVICES
from tests.demo_build import DEMO_GROUP, DemoData
from tests.web.conftest import make_app, open_search, serve_in_thread

pytestmark = [pytest.mark.slow, DEMO_GROUP]

#: Internal terms of the data model and the pipeline.
INTERNAL_TERMS = ("zip_centroid", "geo_source", "clinic_site", "directory:", "nppes", "osm", "not_found",
                  "invalid_number", "unchecked", "mismatch", "registry_npi", "NPI-1", "NPI-2", "source page",
                  "None", "null", "undefined", "self_published", "rating_bayes", "tier")
#: Link texts that say nothing about what they open.
VAGUE_LINKS = ("link", "source", "source page", "here", "click here", "original", "see at source", "more")


@dataclass
class DemoSite:
    client: Any
    db: Database
    settings: Settings
    app: Any
    provider_ids: list[int]
    source_keys: list[str]


@pytest.fixture(scope="module")
def demo_site(demo_data: DemoData) -> Iterator[DemoSite]:
    """The demo's data (``demo_data``: sample web -> real spiders -> index -> publish) behind the app."""
    settings, db = demo_data.settings, demo_data.db
    backend = open_search(settings)
    app = make_app(settings, db, backend, RATELIMIT_ENABLED=False)  # counters live in the shared DB
    with db.session() as s:
        ids = sorted(s.scalars(select(Provider.id).where(Provider.status == "published")))
        keys = sorted(s.scalars(select(Source.key)))
    try:
        yield DemoSite(app.test_client(), db, settings, app, ids, keys)
    finally:
        backend.close()


class _Text(HTMLParser):
    """The visible text of a page (no script, style or hidden template), and each link's text."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._skip = 0
        self._link: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "a":
            self._link, self._href = [], dict(attrs).get("href") or ""
        for name, value in attrs:  # words a patient reads or hears: labels, titles, alternative text
            if name in ("aria-label", "title", "alt", "placeholder", "data-fallback") and value:
                self.text.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._link is not None:
            self._link.append(data)


def forbidden_words(source_keys: list[str]) -> list[str]:
    codes = [c for c in (*MODALITIES, *CONDITIONS, *SERVICES) if "_" in c]  # "ptsd" is also a word
    return sorted({*codes, *source_keys, *INTERNAL_TERMS})


def problems_in(html: str, forbidden: list[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(" ".join(parser.text).split())
    found = [f"text says {w!r}" for w in forbidden if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    for href, words in parser.links:
        if not words:
            found.append(f"a link to {href} has no words")
        elif words.lower().strip(" ()") in VAGUE_LINKS:
            found.append(f"a link to {href} is called {words!r}")
    return found


def test_the_forbidden_words_are_found_where_they_appear() -> None:
    """The checker itself: it sees codes, keys and vague links in text and links, not in scripts."""
    bad = '<p>Offers iv_infusion</p><a href="/x">link</a><script>var clinic_site = 1;</script><p>from osm</p>'
    assert problems_in(bad, forbidden_words(["clinic_site", "osm"])) == [
        "text says 'iv_infusion'", "text says 'osm'", "a link to /x is called 'link'"]
    assert problems_in("<p>IV infusion</p><a href='/x'>NPI Registry record</a>", forbidden_words([])) == []


def _pages(site: DemoSite) -> list[tuple[str, int]]:
    pages = [("/", 200), ("/search", 200), ("/search?q=ketamine", 200), ("/search?near=78701&radius=250", 200),
             ("/search?q=PTSD&sort=rating", 200), ("/search?modality=iv_infusion", 200),
             ("/search?near=nowhere-at-all", 200), ("/guide", 200), ("/api/", 200),
             ("/providers/2147483647", 404), ("/providers/99999999999", 404), ("/no-such-page", 404),
             ("/providers/1/report", None)]
    pages += [(f"/providers/{pid}", 200) for pid in site.provider_ids]
    return pages  # type: ignore[return-value]


def test_every_public_page_speaks_in_words(demo_site: DemoSite) -> None:
    assert len(demo_site.provider_ids) >= 10, "the demo data should publish the sample web's listings"
    assert {"clinic_site", "nppes", "osm"} <= set(demo_site.source_keys)
    forbidden = forbidden_words(demo_site.source_keys)
    report: dict[str, list[str]] = {}
    for path, status in _pages(demo_site):
        r = demo_site.client.get(path, follow_redirects=True)
        if status is not None:
            assert r.status_code == status, path
        problems = problems_in(r.get_data(as_text=True), forbidden)
        if problems:
            report[path] = problems
    assert not report, "\n".join(f"{p}: {x}" for p, xs in report.items() for x in xs)


def test_provider_pages_of_the_demo_name_sources_and_links_for_people(demo_site: DemoSite) -> None:
    """What the walk above cannot see by absence: the words that must be there."""
    pages = [demo_site.client.get(f"/providers/{pid}").get_data(as_text=True) for pid in demo_site.provider_ids]
    joined = "\n".join(pages)
    assert "the clinic&#39;s website" in joined
    assert "KetamineFinder Sample" in joined  # a directory by its own title (its definition's title)
    assert ">NPI Registry record</a>" in joined
    assert re.search(r">the clinic&#39;s (home page|page about [a-z ]+)</a>", joined)
    assert re.search(r'<a href="tel:\+1\d{10}">\(\d{3}\) \d{3}-\d{4}</a>', joined)
    assert "<details class=\"evidence-panel\" id=\"evidence\">" in joined  # collapsed: no "open" attribute
    assert 'class="evidence-panel" id="evidence" open' not in joined


def test_rendered_pages_speak_in_words_in_the_browser(demo_site: DemoSite, page: Any) -> None:
    """With scripts running (map, htmx), the rendered text has no codes or keys either."""
    server, thread = serve_in_thread(demo_site.app, "127.0.0.119")
    base = f"http://127.0.0.119:{server.server_port}"
    forbidden = forbidden_words(demo_site.source_keys)
    try:
        for path in ["/search?q=ketamine", "/guide", "/api/",
                     *[f"/providers/{pid}" for pid in demo_site.provider_ids[:6]]]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            text = page.evaluate("() => document.body.innerText")
            found = [w for w in forbidden if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
            assert not found, (path, found)
    finally:
        server.shutdown()
        thread.join(5)

