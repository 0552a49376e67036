"""Stored values in words (web/public/words.py): links named for what they open, prices, reasons, sources."""

from __future__ import annotations

import pytest

from web.public.views import local_search_url
from web.public.words import link_text, price_text, public_url, reason_text, source_label, value_text


@pytest.mark.parametrize(("url", "kind", "field", "words"), [
    ("https://npiregistry.cms.hhs.gov/provider-view/1234567893", "registry", None, "NPI Registry record"),
    ("https://www.openstreetmap.org/node/42", "osm", None, "OpenStreetMap entry"),
    ("https://clinic.example/", "clinic_site", "name", "the clinic's home page"),
    ("https://clinic.example/index.html", "clinic_site", "name", "the clinic's home page"),
    ("https://clinic.example/treatments", "clinic_site", "modalities", "the clinic's page about treatments"),
    ("https://clinic.example/our-team/", "clinic_site", "credentials", "the clinic's page about our team"),
    ("https://clinic.example/p/12345", "clinic_site", "price", "the clinic's page about prices"),
    ("https://clinic.example/?page_id=9", "clinic_site", None, "the clinic's home page"),
    ("https://dir.example/listing/7", "directory", None, "listing on KetamineFinder"),
    ("javascript:alert(1)", "clinic_site", None, None),
    (None, "clinic_site", None, None),
])
def test_links_are_named_for_what_they_open(url: str | None, kind: str, field: str | None,
                                            words: str | None) -> None:
    source = "KetamineFinder" if kind == "directory" else "x"
    assert link_text(url, kind, source, field) == words


def test_registry_answers_link_to_the_registry_page() -> None:
    assert public_url("http://127.0.0.5:8000/api/?version=2.1&number=1234567893", "registry") == \
        "https://npiregistry.cms.hhs.gov/provider-view/1234567893"
    assert public_url("http://127.0.0.5:8000/api/?number=1234567890", "registry") == \
        "http://127.0.0.5:8000/api/?number=1234567890"  # not a valid NPI: no registry page
    assert public_url("https://clinic.example/?number=1234567893", "clinic_site") == \
        "https://clinic.example/?number=1234567893"


def test_sources_in_words() -> None:
    assert source_label("directory:sample", "directory", "directory:sample") == "an online directory"
    assert source_label("KetamineFinder Sample", "directory", "directory:sample") == "KetamineFinder Sample"
    assert source_label("clinic_site", "clinic_site", "clinic_site") == "the clinic's website"
    assert source_label("nppes", "registry", "nppes") == "NPI Registry"
    assert source_label("osm", "osm", "osm") == "OpenStreetMap"
    assert source_label("weird", "unknown_kind", "weird") == "another public source"


def test_prices_and_values_in_words() -> None:
    assert price_text({"min": 400, "max": 2200, "currency": "USD", "unit": "session"}) == \
        "$400 to $2,200 per session"
    assert price_text({"min": 450.5, "max": None, "currency": "USD", "unit": None}) == "From $450.50"
    assert price_text({"min": None, "max": 900, "currency": "EUR", "unit": "series"}) == "Up to 900 EUR per series"
    assert price_text({"min": "free"}) is None and price_text(None) is None and price_text({"min": True}) is None
    assert value_text("modalities", ["iv_infusion", "esketamine_nasal"]) == \
        "IV infusion, Spravato (esketamine) nasal spray"
    assert value_text("phones", ["+16025550104"]) == "(602) 555-0104"
    assert value_text("telehealth", True) == "yes"


@pytest.mark.parametrize(("reason", "words"), [
    ("name differs: registry says 'JANE DOE'", "The registry lists this NPI under another name: JANE DOE."),
    ("state differs: registry lists TX, OK",
     "The registry lists this clinician in TX, OK, not in the state of this listing."),
    ("MD claimed but registry taxonomy is Nurse Practitioner, Psych/Mental Health",
     "The listing says MD, but the registry lists: Nurse Practitioner, Psych/Mental Health."),
    ("3 registry entries match this name in TX",
     "3 registry entries match this name in TX, so we cannot tell which one it is."),
    ("something new", "Something new."),
    (None, None),
])
def test_reasons_in_words(reason: str | None, words: str | None) -> None:
    assert reason_text(reason) == words


@pytest.mark.parametrize(("value", "local"), [
    ("/search?q=PTSD&near=78701", "/search?q=PTSD&near=78701"),
    ("/?q=a+b", "/search?q=a+b"),
    ("/search", "/search"),
    ("/search?q=%3Cscript%3E", "/search?q=%3Cscript%3E"),
    ("https://evil.example/search", None),
    ("//evil.example/search", None),
    ("/\\evil.example/search", None),
    ("/search/../moderation", None),
    ("/moderation", None),
    ("javascript:alert(1)", None),
    ("/search\nx", None),
    ("", None),
    (None, None),
    ("/search?" + "q=x&" * 600, None),
])
def test_back_to_search_accepts_only_local_search_urls(value: str | None, local: str | None) -> None:
    assert local_search_url(value) == local
