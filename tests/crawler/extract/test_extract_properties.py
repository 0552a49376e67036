"""Property tests: the extractors never raise on arbitrary or malformed input."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import combine_site, extract_page
from crawler.extract.addresses import find_addresses, parse_address
from crawler.extract.emails import find_emails
from crawler.extract.insurance import find_insurance
from crawler.extract.npi import find_npis
from crawler.extract.phones import find_phones, normalize_phone
from crawler.extract.practitioners import find_practitioners, practitioner_from_parts
from crawler.extract.prices import find_prices
from crawler.extract.schema_map import entities_from_blobs, entities_from_nodes
from crawler.extract.text import clean_fragment
from crawler.extract.vocab import find_evidence, sentences
from kdir.common.emails import normalize_email
from kdir.common.npi import is_valid_npi

#: KDIR_FUZZ_EXAMPLES=2000 for a deeper local run; the default keeps the suite quick
FAST = settings(max_examples=int(os.environ.get("KDIR_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_WORDS = st.sampled_from([
    "ketamine", "not", "no", "IV", "infusion", "Dr.", "MD", "M.D.", ",", "NPI", "1234567893", "$", "450", "per",
    "session", "Austin", "TX", "78703", "Suite", "100", "Main", "St", "(512)", "555-0134", "at", "[at]", "[dot]",
    "insurance", "Aetna", "we", "do", "offer", "Spravato", "\u201c", "\u201d", "—", "\n", "<br>", "<p>", "</p>",
    "<h2>", "</h2>", "&amp;", "é", "\x00", "\ufeff", "<script>", "</script>", "{", "}", "@type", ":",
])
_TEXTISH = st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=80).map(" ".join))
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(
        st.sampled_from(["@type", "name", "address", "telephone", "geo", "employee", "review", "aggregateRating",
                         "ratingValue", "latitude", "longitude", "usNPI", "streetAddress", "postalCode", "@id",
                         "@graph", "location", "phone", "city", "zip", "lat", "lng", "x"]),
        children, max_size=6),
    max_leaves=30,
)


@FAST
@given(_TEXTISH)
def test_text_extractors_never_raise(text: str) -> None:
    lines = text.split("\n")
    find_phones(text)
    normalize_phone(text)
    find_emails(text)
    normalize_email(text)
    find_npis(text)
    is_valid_npi(text)
    find_addresses(lines)
    parse_address(text)
    find_practitioners(lines, team_page=True)
    practitioner_from_parts(text, suffix=text, job_title=text)
    sents = sentences(lines)
    find_evidence(sents)
    find_prices(sents)
    find_insurance(sents)
    clean_fragment(text)


@FAST
@given(st.one_of(st.binary(max_size=400), _TEXTISH), st.sampled_from([None, "utf-8", "latin-1", "bogus-enc"]))
def test_extract_page_never_raises(body: bytes | str, encoding: str | None) -> None:
    facts = extract_page(body, "https://example.test/services", encoding=encoding)
    assert facts.url == "https://example.test/services"
    combine_site([facts], source="web", site_url="https://example.test/", fetched_at=datetime.now(UTC))


@FAST
@given(_JSON)
def test_structured_mapping_never_raises(data: object) -> None:
    nodes = [data] if isinstance(data, dict) else [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
    entities_from_nodes([{"@type": "MedicalClinic", **n} for n in nodes], page_url="https://example.test/")
    entities_from_blobs([data], page_url="https://example.test/")


@FAST
@given(_JSON)
def test_jsonld_in_a_page_never_raises(data: object) -> None:
    import json

    try:
        blob = json.dumps(data)
    except ValueError:
        blob = "{"
    html = (f'<html><head><script type="application/ld+json">{blob}</script>'
            f'<script>window.__STATE__ = {blob};</script></head><body itemscope itemtype="https://schema.org/Thing">'
            f'<span itemprop="name">x</span></body></html>')
    extract_page(html, "https://example.test/")


@FAST
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_urls_never_raise(page_url: str, site_url: str) -> None:
    facts = extract_page(f'<p>We offer ketamine infusions.</p><a href="{page_url}">x</a>', page_url)
    combine_site([facts], source="web", site_url=site_url, fetched_at=datetime.now(UTC))
