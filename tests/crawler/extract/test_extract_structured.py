"""Structured data: JSON-LD @graph/@id, microdata, RDFa, script blobs, reviews."""

from __future__ import annotations

from crawler.extract import reviews as reviews_mod
from crawler.extract.page import extract_page
from crawler.extract.reviews import rating_from, review_from
from kdir.common.record import Address, Geo, Practitioner, Rating, Review

from . import samples


def test_yoast_graph_resolves_id_references() -> None:
    facts = extract_page(samples.YOAST_HOME, "https://serenity.example/")
    clinics = [e for e in facts.entities if "MedicalClinic" in e.types]
    assert len(clinics) == 1
    c = clinics[0]
    assert c.name == "Serenity Ketamine Clinic"
    assert c.address == Address("1200 W. Sixth Street, Suite 300", "Austin", "TX", "78703", "US")
    assert c.phones == ["+15125550134"]
    assert c.email == "hello@serenity.example"
    assert c.geo == Geo(30.2711, -97.756)
    assert c.rating == Rating(4.8, 37, 5.0)
    assert c.reviews == [Review("Kind staff, and my depression finally lifted.", 5.0, "2025-03-14", "Jamie R.",
                                "https://serenity.example/", self_published=True)]
    assert c.practitioners == [Practitioner("Alan Reyes", ["DO"], "Medical Director", "1234567893")]
    assert c.service_names == ["IV Ketamine Infusion", "Spravato (esketamine) nasal spray"]
    assert c.price_range == "$400 - $600"


def test_microdata() -> None:
    facts = extract_page(samples.MICRODATA_PAGE, "https://harbor.example/contact")
    [e] = facts.entities
    assert e.name == "Harbor Light Ketamine"
    assert e.address == Address("77 Harbor Way", "Seattle", "WA", "98101", "US")
    assert e.phones == ["+12065550190"]
    assert e.rating == Rating(4.6, 12, 5.0)


def test_rdfa() -> None:
    facts = extract_page(samples.RDFA_PAGE, "https://cedar.example/about")
    [e] = [x for x in facts.entities if x.name]
    assert e.name == "Cedar Ketamine Institute"
    assert e.address == Address("9 Cedar Ln", "Boise", "ID", "83702", "US")
    assert e.phones == ["+12085550150"]


def test_script_blobs_next_data_and_window_state() -> None:
    facts = extract_page(samples.NEXT_DATA_PAGE, "https://mesa.example/locations")
    by_name = {e.name: e for e in facts.entities}
    phx = by_name["Mesa Ketamine - Phoenix"]
    assert phx.address == Address("400 N 7th St", "Phoenix", "AZ", "85004", "US")
    assert phx.phones == ["+16025550141"]
    assert phx.geo == Geo(33.45, -112.06)
    tempe = by_name["Mesa Ketamine - Tempe"]
    assert tempe.address == Address("10 E University Dr", "Tempe", "AZ", "85281", "US")


def test_jsonld_location_list_gives_one_entity_per_location() -> None:
    html = """<script type="application/ld+json">{"@context":"https://schema.org","@type":"MedicalOrganization",
    "name":"Sunrise Ketamine","location":[
      {"@type":"MedicalClinic","name":"Sunrise Tampa","address":{"streetAddress":"1 Bay St","addressLocality":"Tampa",
       "addressRegion":"FL","postalCode":"33602"}},
      {"@type":"Place","address":"22 Palm Ave, Orlando, FL 32801"}]}</script>"""
    facts = extract_page(html, "https://sunrise.example/")
    addrs = {(e.name, e.address.city) for e in facts.entities if e.address}
    assert ("Sunrise Tampa", "Tampa") in addrs
    assert ("Sunrise Ketamine", "Orlando") in addrs


def test_broken_jsonld_is_skipped_and_js_style_jsonld_is_read() -> None:
    html = """<script type="application/ld+json">{"@type": "MedicalClinic", "name": </script>
    <script type="application/ld+json">{'@type': 'MedicalClinic', name: 'Loose JSON Clinic', telephone: '212-555-0100',}
    </script>"""
    facts = extract_page(html, "https://loose.example/")
    assert [e.name for e in facts.entities] == ["Loose JSON Clinic"]


def test_rating_and_review_mapping_guards() -> None:
    assert rating_from({"ratingValue": "4,5", "ratingCount": 10}) == Rating(4.5, 10, 5.0)
    assert rating_from({"ratingValue": "9", "bestRating": "5"}) is None
    assert rating_from({"ratingValue": "8", "bestRating": "10"}) == Rating(8.0, None, 10.0)
    assert rating_from("4.5") is None
    r = review_from({"reviewBody": "Great", "reviewRating": {"ratingValue": 8, "bestRating": 10}})
    assert r == Review("Great", 4.0, None, None, None)
    assert review_from({"author": "X"}) is None


def test_testimonial_without_rating_is_kept() -> None:
    lines = ["\u201cThe infusions gave me my life back, truly.\u201d", "\u2014 Jamie R.", "Short \u201cquote\u201d"]
    assert reviews_mod.testimonials(lines, url="https://a.example/") == [
        Review("The infusions gave me my life back, truly.", None, None, "Jamie R.", "https://a.example/")]
