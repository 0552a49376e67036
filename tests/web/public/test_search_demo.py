"""What patients type, on the demo: the bundled sample web crawled by the real spiders, indexed, verified
against the sample registry and published exactly as ``kdir demo`` does, then searched through the page.

Expected listings come from the sample web's ground truth (``kdir.sampleweb``), never from the index."""

from __future__ import annotations

import dataclasses
import html
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdir.sampleweb.truth import Truth
from tests.demo_build import DEMO_GROUP, DemoData

pytestmark = [pytest.mark.slow, DEMO_GROUP]
ROOT = Path(__file__).resolve().parents[3]


@dataclasses.dataclass
class Demo:
    client: Any
    truth: Truth


@pytest.fixture(scope="module")
def demo(demo_data: DemoData) -> Iterator[Demo]:
    from indexer.search import open_backend
    from tests.web.conftest import make_app

    backend = open_backend(demo_data.settings)
    app = make_app(demo_data.settings, demo_data.db, backend, RATELIMIT_ENABLED=False)
    try:
        yield Demo(app.test_client(), demo_data.truth)
    finally:
        backend.close()


def names(demo: Demo, **args: str) -> list[str]:
    page = demo.client.get("/search", query_string={"per_page": "50", **args}).get_data(as_text=True)
    return [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in
            re.findall(r'<h2 class="card-title"><a href="/providers/\d+">(.*?)</a></h2>', page)]


def name_of(demo: Demo, site: str, slug: str = "main") -> str:
    return demo.truth.listing(site, slug).name


def test_the_search_box_example_finds_providers_on_the_demo(demo: Demo) -> None:
    template = (ROOT / "web/templates/public/search.html").read_text()
    example = re.search(r'id="q"[^>]*placeholder="e\.g\. ([^"]+)"', template, re.S)
    assert example is not None
    found = names(demo, q=example.group(1))
    assert name_of(demo, "stillwater") in found  # IV infusion and PTSD, in Austin


@pytest.mark.parametrize(("typed", "same_as"), [
    ("Spravato", "esketamine"), ("PTSD", "trauma"), ("TRD", "treatment resistant depression"),
    ("KAP", "ketamine assisted psychotherapy"), ("infusions", "infusion"), ("therapists", "therapist"),
])
def test_abbreviations_synonyms_and_plurals_find_the_same(demo: Demo, typed: str, same_as: str) -> None:
    assert sorted(names(demo, q=typed)) == sorted(names(demo, q=same_as)) != []


def test_what_people_type(demo: Demo) -> None:
    spravato = {lst.name for lst in demo.truth.listings() if "esketamine_nasal" in lst.modalities}
    assert spravato <= set(names(demo, q="Spravato"))
    trd = {lst.name for lst in demo.truth.listings() if "treatment_resistant_depression" in lst.conditions}
    assert trd <= set(names(demo, q="TRD"))
    infusion = {lst.name for lst in demo.truth.listings() if "iv_infusion" in lst.modalities}
    assert infusion <= set(names(demo, q="ketamine infusion"))
    # Sam Patel is a psychiatric nurse practitioner (PMHNP-BC)
    assert any("Patel" in n for n in names(demo, q="nurse practitioner"))
    # the sample registry (kdir/sampleweb/nppes_data.py) lists Dr. Alan Reyes (cascade) under psychiatry
    # (2084P0800X) and Dr. Helen Park (stillwater) under anesthesiology (207L00000X)
    psychiatrist = set(names(demo, q="psychiatrist"))
    assert {"Alan Reyes", name_of(demo, "cascade")} <= psychiatrist and "Helen Park" not in psychiatrist


def test_names_partial_misspelled_and_with_a_title(demo: Demo) -> None:
    assert "Helen Park" in names(demo, q="Dr. Park")
    assert "Helen Park" in names(demo, q="Parc")  # one letter wrong
    assert "Marcus Webb" in names(demo, q="Dr Web")  # the start of a surname
    evergreen = {lst.name for lst in demo.truth.sites["evergreen"].listings}
    assert set(names(demo, q="Evergreen")) == evergreen  # the first word of a clinic's name


def test_a_place_inside_the_text(demo: Demo) -> None:
    assert names(demo, q="spravato seattle") == [name_of(demo, "harborview")]
    near = names(demo, q="ketamine near 78701")
    assert name_of(demo, "stillwater") in near and name_of(demo, "milehigh") not in near
    assert name_of(demo, "milehigh") in names(demo, q="ketamine in denvr")  # a typo in the city
    page = demo.client.get("/search", query_string={"q": "spravato austin"}).get_data(as_text=True)
    # nothing near Austin gives Spravato: the page says why and offers the search everywhere, with its count
    assert "No providers match “spravato” within 50 miles of Austin, TX" in " ".join(page.split())
    spravato = sum("esketamine_nasal" in lst.modalities for lst in demo.truth.listings())
    m = re.search(r'<a href="([^"]+)">Search everywhere, not only near Austin, TX</a> <span class="count">'
                  r'\((\d+) providers\)', page)
    assert m and int(m.group(2)) >= spravato
    assert set(names(demo, **dict(urllib.parse.parse_qsl(html.unescape(m.group(1)).split("?", 1)[1])))) >= {
        lst.name for lst in demo.truth.listings() if "esketamine_nasal" in lst.modalities}


def test_place_box_understands_a_city_without_its_state_and_with_a_typo(demo: Demo) -> None:
    for near in ("Austin", "Austn, TX", "78701"):
        found = names(demo, q="ketamine", near=near)
        assert name_of(demo, "stillwater") in found and name_of(demo, "milehigh") not in found, near
