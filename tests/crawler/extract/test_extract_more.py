"""App shells, RDFa nesting, solo practices in prose, NPI attribution, page kinds."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract import combine_site, extract_page
from crawler.extract.pagekind import guess_page_kind
from crawler.extract.structured import blob_texts, rdfa_items
from crawler.extract.text import page_lines, parse_html
from kdir.common.record import Address, Practitioner, Rating

from . import samples

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_app_shell_content_in_script_state() -> None:
    f = extract_page(samples.APP_SHELL, "https://aurora.example/")
    [e] = f.entities
    assert e.name == "Aurora Ketamine"
    assert e.address == Address("33 E Congress St, Suite 5", "Tucson", "AZ", "85701", "US")
    assert e.rating == Rating(4.7, 19, 5.0)
    assert f.positive_ketamine
    [item] = combine_site([f], source="web", site_url="https://aurora.example/", fetched_at=NOW)
    assert item.modalities == ["iv_infusion"]
    assert item.conditions == ["depression", "ptsd"]
    assert item.services == ["integration_therapy", "medical_screening"]
    assert item.phones == ["+15205550161"]


def test_blob_texts_skip_urls_and_markup_and_unslug() -> None:
    blobs = [{"a": "https://x.example/", "b": "<b>bold</b>", "c": ["iv-infusion", "Real sentence here."],
              "d": 42, "e": "1234"}]
    assert blob_texts(blobs) == ["iv infusion", "Real sentence here."]


def test_rdfa_lite_nested_items() -> None:
    tree = parse_html("""<div vocab="https://schema.org/" typeof="MedicalClinic"><span property="name">A</span>
      <div property="employee" typeof="Person"><span property="name">Kim Lee</span>
      <span property="honorificSuffix">LCSW</span></div><a property="url" href="https://a.example/">site</a></div>""")
    assert tree is not None
    assert rdfa_items(tree) == [{"@type": ["MedicalClinic"], "name": "A", "url": "https://a.example/",
                                 "employee": {"@type": ["Person"], "name": "Kim Lee", "honorificSuffix": "LCSW"}}]


def test_solo_practice_written_in_first_person() -> None:
    f = extract_page(samples.SOLO_PROSE, "https://quietharbor.example/")
    [item] = combine_site([f], source="web", site_url="https://quietharbor.example/", fetched_at=NOW)
    assert item.kind == "practitioner"
    assert item.name == "Quiet Harbor Counseling"
    assert item.npi == "1234567893"
    assert item.practitioners == [
        Practitioner("Jamie Rivera", ["PMHNP-BC"], "Psychiatric Nurse Practitioner", "1234567893")]
    assert item.modalities == ["oral_sublingual", "at_home"]
    assert item.telehealth is True


def test_npi_goes_to_the_nearest_preceding_person() -> None:
    html = """<ul><li><b>Ann Lowe, MD</b> - Medical Director. Board-certified psychiatrist.</li>
    <li><b>Ben Cruz, MD</b> - Anesthesiologist. NPI 1234567893.</li>
    <li><b>Cara Diaz, NP</b> - NPI: 123456789</li></ul>"""
    f = extract_page(html, "https://a.example/team")
    assert [(p.name, p.npi) for p in f.practitioners] == [
        ("Ann Lowe", None), ("Ben Cruz", "1234567893"), ("Cara Diaz", "123456789")]
    assert f.npis == ["1234567893"] and f.invalid_npis == ["123456789"]


def test_role_stops_at_a_middle_dot() -> None:
    f = extract_page("<p>Rebecca Stone, MD \u00b7 Medical Director \u00b7 Board-certified psychiatrist</p>",
                     "https://a.example/")
    assert f.practitioners == [Practitioner("Rebecca Stone", ["MD"], "Medical Director")]


def test_page_kinds_from_url_headings_and_title() -> None:
    assert guess_page_kind("https://a.example/patient-stories/") == "reviews"
    assert guess_page_kind("https://a.example/equipo/") == "team"
    assert guess_page_kind("https://a.example/p/123", headings=["Our Treatments"]) == "services"
    assert guess_page_kind("https://a.example/privacy", title="Privacy | Stillwater Ketamine Clinic") == "other"
    assert guess_page_kind("https://a.example/page", structured_types=["BlogPosting"]) == "blog"
    assert guess_page_kind("not a url at all") == "other"


def test_page_lines_keep_blocks_apart_and_mark_headings_and_footer() -> None:
    tree = parse_html("""<html><body><h2>Visit   us</h2><p>Line one<br>line
    two</p><script>var x = "hidden";</script>tail text<footer class="x"><p>Footer line</p></footer></body></html>""")
    assert tree is not None
    lines = page_lines(tree)
    assert [(ln.text, ln.heading, ln.footer) for ln in lines] == [
        ("Visit us", 2, False), ("Line one", 0, False), ("line two", 0, False), ("tail text", 0, False),
        ("Footer line", 0, True)]


def test_role_from_prose_and_blockquote_testimonials() -> None:
    html = """<html><body><h1>Kind words</h1><p><b>Ann Lowe, LCSW</b></p>
    <p>Ann is a licensed integration therapist who leads our groups.</p>
    <blockquote>Ann listened more than any provider I have seen. &mdash; K.L.</blockquote>
    <blockquote>Short one.</blockquote></body></html>"""
    f = extract_page(html, "https://a.example/kind-words/")
    assert f.practitioners == [Practitioner("Ann Lowe", ["LCSW"], "Integration Therapist")]
    assert [(r.text, r.author, r.rating) for r in f.reviews] == [
        ("Ann listened more than any provider I have seen.", "K.L.", None)]
