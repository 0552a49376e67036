"""extract_page on whole realistic pages."""

from __future__ import annotations

from crawler.extract import extract_page
from kdir.common.record import Address, Geo, Practitioner, Price, Review

from . import samples


def test_yoast_home_page() -> None:
    f = extract_page(samples.YOAST_HOME.encode("utf-8"), "https://serenity.example/")
    assert f.error is None
    assert f.page_kind == "home"
    assert f.names[0].name == "Serenity Ketamine Clinic" and f.names[0].origin == "structured"
    assert f.phones == ["+15125550134"]  # the fax number is left out
    assert set(f.emails) == {"hello@serenity.example", "info@serenity.example"}
    [addr] = f.addresses
    assert addr.address == Address("1200 W. Sixth Street, Suite 300", "Austin", "TX", "78703", "US")
    assert addr.phone == "+15125550134" and addr.zip_state_ok is True
    assert f.geo == Geo(30.2711, -97.756)
    assert f.npis == ["1234567893"]
    assert f.practitioners == [Practitioner("Alan Reyes", ["DO"], "Medical Director", "1234567893")]
    ev = {(e.code, e.negated) for e in f.evidence}
    assert {("iv_infusion", False), ("esketamine_nasal", False), ("treatment_resistant_depression", False),
            ("anxiety", False), ("ptsd", False), ("at_home", True), ("medical_screening", False),
            ("integration_therapy", False), ("telehealth", False)} <= ev
    assert f.positive_ketamine
    assert f.telehealth is True
    assert Price(400.0, 600.0, "USD", None) in f.prices
    assert f.rating is not None and f.rating.value == 4.8
    assert f.reviews[0].rating == 5.0
    urls = [link.url for link in f.links]
    assert "https://serenity.example/services/" in urls and "https://serenity.example/blog/" in urls
    assert all(not u.startswith("tel:") for u in urls)
    assert ("https://serenity.example/our-team/", "Our Team") in [(x.url, x.text) for x in f.links]


def test_squarespace_prose_services_page() -> None:
    f = extract_page(samples.SQUARESPACE_SERVICES, "https://junipermind.example/services")
    assert f.page_kind == "services"
    ev = {(e.code, e.negated) for e in f.evidence}
    assert {("ketamine_assisted_psychotherapy", False), ("oral_sublingual", False), ("im_injection", False),
            ("iv_infusion", True), ("depression", False), ("postpartum_depression", False), ("ocd", False),
            ("eating_disorders", False)} <= ev
    assert Price(350.0, 350.0, "USD", "session") in f.prices
    assert Price(975.0, 975.0, "USD", "series") in f.prices
    assert f.accepts_insurance is False
    assert f.addresses[0].address == Address("410 NE Alberta St", "Portland", "OR", "97211", "US")
    assert f.phones == ["+15035550110"] and f.emails == ["care@junipermind.example"]
    assert f.names[0].name == "Juniper Mind Wellness"


def test_team_page() -> None:
    f = extract_page(samples.TEAM_PAGE, "https://junipermind.example/team/")
    assert f.page_kind == "team"
    assert f.practitioners == [
        Practitioner("Omar Haddad", ["MD"], "Medical Director & Psychiatrist", "1234567893"),
        Practitioner("Maria Chen", ["LCSW"], None),
        Practitioner("Sam Patel", ["PMHNP-BC"], "Psychiatric Nurse Practitioner"),
        Practitioner("José Núñez", ["MD"], "Consulting Anesthesiologist"),
        Practitioner("Lee Grant", ["LPC"], None, "1234567890"),
    ]
    assert f.npis == ["1234567893"]
    assert f.invalid_npis == ["1234567890"]


def test_blog_post_is_blog_and_dental_context_gives_no_ketamine_evidence() -> None:
    f = extract_page(samples.BLOG_DENTAL, "https://brightsmile.example/2024/05/sedation")
    assert f.page_kind == "blog"
    assert f.ketamine_mentions == []


def test_map_embed_gives_geo() -> None:
    f = extract_page(samples.CHAIN_LOCATION, "https://lumina.example/locations/colorado-springs")
    assert f.page_kind == "locations"
    assert f.geo == Geo(38.8339, -104.8214)
    assert f.addresses[0].address.city == "Colorado Springs"
    assert f.addresses[0].phone == "+17195550103"


def test_encoding_from_meta_charset_and_explicit() -> None:
    html = '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head><body><p>Jos\xe9 N\xfa\xf1ez, M.D.</p></body></html>'
    body = html.encode("cp1252")
    f = extract_page(body, "https://a.example/")
    assert f.title == "Caf\u00e9"
    assert f.practitioners == [Practitioner("Jos\u00e9 N\u00fa\u00f1ez", ["MD"], None)]
    assert extract_page(body, "https://a.example/", encoding="cp1252").title == "Caf\u00e9"


def test_empty_and_garbage_pages_report_an_error_without_raising() -> None:
    assert extract_page(b"", "https://a.example/").error is not None
    assert extract_page("   ", "https://a.example/").error is not None
    f = extract_page(b"\x00\xff\xfe<<<>>>", "https://a.example/")
    assert f.url == "https://a.example/"


def test_xml_declaration_and_deep_nesting() -> None:
    f = extract_page('<?xml version="1.0" encoding="utf-8"?><html><body><p>Call 212-555-0100</p></body></html>',
                     "https://a.example/contact")
    assert f.phones == ["+12125550100"] and f.page_kind == "contact"
    deep = "<div>" * 5000 + "ketamine infusions" + "</div>" * 5000
    extract_page(deep, "https://a.example/")


def test_testimonials_on_reviews_page() -> None:
    html = """<html><body><h1>Patient Stories</h1><blockquote><p>“I finally feel like myself again after six
    infusions.”</p></blockquote><p>– Chris P.</p></body></html>"""
    f = extract_page(html, "https://a.example/testimonials")
    assert f.page_kind == "reviews"
    assert f.reviews == [Review("I finally feel like myself again after six infusions.", None, None, "Chris P.",
                                "https://a.example/testimonials", self_published=True)]


def test_wordpress_post_signals_make_a_blog_page() -> None:
    html = """<html><head><meta property="article:published_time" content="2024-01-01T00:00:00+00:00">
    <title>Ketamine and OCD</title></head><body class="post-template-default single single-post">
    <p>We offer ketamine infusions.</p></body></html>"""
    assert extract_page(html, "https://a.example/ketamine-and-ocd/").page_kind == "blog"
    html = '<html><body class="page-template-default page"><p>We offer ketamine infusions.</p></body></html>'
    assert extract_page(html, "https://a.example/ketamine-infusions/").page_kind == "services"


def test_byte_order_marks() -> None:
    html = "<html><body><p>Jos\u00e9 N\u00fa\u00f1ez, M.D.</p></body></html>"
    for body in (html.encode("utf-16"), b"\xef\xbb\xbf" + html.encode("utf-8")):
        assert extract_page(body, "https://a.example/").practitioners[0].name == "Jos\u00e9 N\u00fa\u00f1ez"
