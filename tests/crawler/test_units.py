"""Pure units of the crawler: URLs and traps, seeds, directory definitions, record mapping, pipelines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import navigation as nav
from crawler.middlewares import retry_after_seconds
from crawler.pipelines.fieldstats import FieldStatsPipeline, field_stats
from crawler.pipelines.normalise import NormalisePipeline
from crawler.pipelines.validate import ValidatePipeline
from crawler.spiders import nppes, osm
from crawler.spiders._ledger import SiteLedger
from crawler.spiders._seeds import SeedError, seed_urls
from crawler.spiders._sources import SourceError, load_source, parse_source
from kdir.common.npi import is_valid_npi
from kdir.common.record import Address, Geo, Issue, Practitioner, ProviderItem, Rating

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def test_clean_url_drops_tracking_session_and_fragment() -> None:
    url = nav.clean_url("/Team/?utm_source=x&b=2&a=1&fbclid=z&PHPSESSID=9#top", "HTTP://WWW.Clinic.Example:80/x")
    assert url == "http://www.clinic.example/Team/?a=1&b=2"
    assert nav.clean_url("/a;jsessionid=ABC123/b", "https://c.example/") == "https://c.example/a/b"
    assert nav.clean_url("javascript:alert(1)") is None
    assert nav.clean_url("ftp://c.example/") is None
    assert nav.clean_url("http://[::1") is None
    assert nav.clean_url("x" * 5000) is None


def test_client_side_routes_are_pages_only_when_asked() -> None:
    assert nav.clean_url("https://c.example/#/team?utm_source=x") == "https://c.example/"
    assert nav.clean_url("https://c.example/#/team", keep_route=True) == "https://c.example/#/team"
    assert nav.clean_url("https://c.example/x#!/team", keep_route=True) == "https://c.example/x#!/team"
    assert nav.clean_url("https://c.example/#/", keep_route=True) == "https://c.example/"  # the app's home
    assert nav.clean_url("https://c.example/#top", keep_route=True) == "https://c.example/"  # an in-page anchor
    assert nav.categorize("https://c.example/#/our-team") == "team"
    assert nav.categorize("https://c.example/#!/fees") == "pricing"
    assert nav.pattern_key("https://c.example/#/events/2026/11") == "/events/#/#"
    assert nav.trap_reason("https://c.example/#/a/b/a/b/a") == "repeated path segment"


def test_trap_reasons_and_patterns() -> None:
    assert nav.trap_reason("https://c.example/" + "a" * 400) == "url too long"
    assert nav.trap_reason("https://c.example/?a=1&b=2&c=3&d=4&e=5") == "too many query parameters"
    assert nav.trap_reason("https://c.example/a/b/a/b/a/x") == "repeated path segment"
    assert nav.trap_reason("https://c.example/brochure.PDF") == "not a page"
    assert nav.trap_reason("https://c.example/team/") is None
    assert nav.pattern_key("https://c.example/events/2026/11/?view=week") == \
        nav.pattern_key("https://c.example/events/2031/1/") == "/events/#/#"


@pytest.mark.parametrize(("url", "text", "category"), [
    ("https://c.example/", "", "home"),
    ("https://c.example/our-team/", "", "team"),
    ("https://c.example/p/12", "Meet our providers", "team"),
    ("https://c.example/ketamine-infusion/", "", "services"),
    ("https://c.example/fees", "", "pricing"),
    ("https://c.example/locations/boston/", "", "locations"),
    ("https://c.example/contact-us", "", "contact"),
    ("https://c.example/testimonials/", "", "reviews"),
    ("https://c.example/blog/2024/post", "Read more", "other"),
])
def test_categorize(url: str, text: str, category: str) -> None:
    assert nav.categorize(url, text) == category


def test_extract_links_hostile_html() -> None:
    body = (b"<html><base href='/sub/'><a href='team/'>Team</a><a href='mailto:x@y.z'>m</a>"
            b"<a href='page?utm_medium=1#f'>P</a><a rel='nofollow' href='/login'>L</a><a href='team/'>dup</a>"
            b"<a href='\x00\xff'>bad</a><area href='/map' alt='Map'>")
    links = nav.extract_links(body, "https://c.example/index.html")
    urls = [x.url for x in links]
    assert urls[:2] == ["https://c.example/sub/team/", "https://c.example/sub/page"]
    assert urls[-1] == "https://c.example/map" and links[0].text == "Team" and links[-1].text == "Map"
    assert len(urls) == 4 and all(u.startswith("https://c.example/") for u in urls)  # mailto/nofollow/dup gone
    assert nav.extract_links(b"", "https://c.example/") == []
    assert nav.extract_links(b"\x00\x01", "https://c.example/") == []


def test_seeds(tmp_path: Path) -> None:
    plain = tmp_path / "seeds.txt"
    plain.write_text("# clinics\nhttps://a.example\n\nhttps://b.example\nhttps://a.example\n")
    csv = tmp_path / "seeds.csv"
    csv.write_text("name,URL\nA,https://c.example\nB,\n")
    assert seed_urls("https://z.example, https://a.example", str(plain)) == \
        ["https://z.example", "https://a.example", "https://b.example"]
    assert seed_urls(None, str(csv)) == ["https://c.example"]
    with pytest.raises(SeedError, match="cannot read seeds file"):
        seed_urls(None, str(tmp_path / "missing.txt"))


def test_directory_definitions(tmp_path: Path) -> None:
    src = load_source("sample", base_url="http://127.0.0.9:1234")
    assert src.key == "directory:sample"
    assert src.absolute_start_urls() == ["http://127.0.0.9:1234/clinics?page=1"]
    good = {"name": "x", "base_url": "https://d.example", "start_urls": ["/"], "listing": {"links": {"css": "a"}},
            "detail": {"name": {"css": "h1::text"}}}
    assert parse_source(good).name == "x"
    assert parse_source(good).render and src.render
    assert not parse_source({**good, "render": False}).render
    for broken, message in [
        ({**good, "name": "Bad Name"}, "name must be"),
        ({**good, "base_url": "file:///etc"}, "base_url"),
        ({**good, "detail": {"name": {"css": "a", "xpath": "//a"}}}, "exactly one of css or xpath"),
        ({**good, "detail": {"nme": {"css": "a"}}}, "unknown detail fields"),
        ({**good, "extra": 1}, "unknown keys"),
        ({**good, "max_pages": 0}, "max_pages"),
        ({**good, "render": "sometimes"}, "render must be"),
        ({**good, "kind_labels": {"Clinic": "office"}}, "kind_labels must map"),
        ({**good, "default_kind": "person"}, "default_kind must be"),
        ([1, 2], "a mapping"),
    ]:
        with pytest.raises(SourceError, match=message):
            parse_source(broken)
    labelled = parse_source({**good, "kind_labels": {"Provider": "practitioner", "Provider group": "clinic"},
                             "detail": {"name": {"css": "h1::text"}, "kind": {"css": ".kind::text"},
                                        "practitioners": {"css": "li::text", "all": True}}})
    assert labelled.kind_of("Provider group") == "clinic"  # the longest label first
    assert labelled.kind_of("Featured provider") == "practitioner"
    assert labelled.kind_of("Psychiatrist") == "practitioner" and labelled.kind_of("Infusion Center") == "clinic"
    assert labelled.kind_of("Listing") == "clinic" and labelled.kind_of(None) == "clinic"
    assert parse_source({**good, "default_kind": "practitioner"}).kind_of("Listing") == "practitioner"
    (tmp_path / "bad.yaml").write_text("name: [unclosed")
    with pytest.raises(SourceError, match="not valid YAML"):
        load_source("bad", directory=tmp_path)
    with pytest.raises(SourceError, match="definition name"):
        load_source("../etc/passwd")


def _record(**over: object) -> dict:
    rec = {
        "number": 1234567893, "enumeration_type": "NPI-1",
        "basic": {"first_name": "JANE", "last_name": "ROE", "credential": "M.D., Ph.D.", "status": "A"},
        "addresses": [{"address_purpose": "MAILING", "address_1": "PO BOX 1", "city": "AUSTIN", "state": "TX",
                       "postal_code": "787010000", "telephone_number": "512-555-0199"},
                      {"address_purpose": "LOCATION", "address_1": "1 MAIN ST", "address_2": "STE 2",
                       "city": "AUSTIN", "state": "TX", "postal_code": "787010000",
                       "telephone_number": "512-555-0100"}],
        "taxonomies": [{"code": "2084P0800X", "desc": "Psychiatry & Neurology, Psychiatry", "primary": True}],
    }
    rec.update(over)
    return rec


def test_nppes_record_mapping() -> None:
    item = nppes.to_item(_record(), "http://r.example/api/?x=1", NOW)
    assert item is not None and item.kind == "practitioner" and item.npi == "1234567893"
    assert item.name == "Jane Roe" and item.phones == ["512-555-0100"]
    assert item.address == Address("1 MAIN ST STE 2", "Austin", "TX", "787010000", "US")
    assert item.practitioners[0].credentials == ["MD", "PHD"]
    assert item.source_url == "http://r.example/api/?version=2.1&number=1234567893"
    assert nppes.to_item(_record(basic={"status": "D", "first_name": "X"}), "http://r/", NOW) is None
    assert nppes.to_item(_record(taxonomies=[{"code": "122300000X"}]), "http://r/", NOW) is None
    assert nppes.to_item(_record(number="12ab"), "http://r/", NOW) is None
    assert nppes.to_item("garbage", "http://r/", NOW) is None
    org = nppes.to_item(_record(enumeration_type="NPI-2", basic={"organization_name": "KETA LLC"}), "http://r/", NOW)
    assert org is not None and org.kind == "clinic" and org.practitioners == []


def test_nppes_slices_split_by_name_prefix() -> None:
    spider = nppes.NppesSpider(api="http://r.example/api/", states="TX", taxonomies="2084P0800X")
    spider.crawler = get_crawler(nppes.NppesSpider)
    first = list(spider.split({"state": "TX", "taxonomy_description": "Psychiatry"}))
    assert len(first) == 2 * 26 * 26
    assert "last_name=AA%2A" in first[0].url and "organization_name=AA%2A" in first[676].url
    deeper = list(spider.split({"state": "TX", "taxonomy_description": "Psychiatry", "last_name": "AB*"}))
    assert len(deeper) == 26 and "last_name=ABA%2A" in deeper[0].url
    with pytest.raises(ValueError, match="unknown state"):
        nppes.NppesSpider(api="http://r.example/api/", states="ZZ")


def test_osm_element_mapping() -> None:
    node = {"type": "node", "id": 7, "lat": 30.1, "lon": -97.2,
            "tags": {"name": "Calm Ketamine Clinic", "healthcare": "clinic", "addr:housenumber": "5",
                     "addr:street": "Oak St", "addr:unit": "3", "addr:city": "Austin", "addr:state": "TX",
                     "addr:postcode": "78701", "phone": "+1 512 555 0100;+1 512 555 0101",
                     "website": "javascript:x"}}
    item = osm.to_item(node, NOW)
    assert item is not None and item.geo == Geo(30.1, -97.2) and item.location_key == "osm:node/7"
    assert item.address is not None and item.address.street == "5 Oak St Suite 3"
    assert item.phones == ["+1 512 555 0100", "+1 512 555 0101"] and item.website is None
    way = {"type": "way", "id": 8, "center": {"lat": 1.0, "lon": 2.0}, "tags": {"name": "Spravato Center"}}
    assert osm.to_item(way, NOW).geo == Geo(1.0, 2.0)  # type: ignore[union-attr]
    assert osm.to_item({"type": "node", "id": 9, "tags": {"name": "Dental", "amenity": "dentist",
                                                         "description": "ketamine sedation"}}, NOW) is None
    assert osm.to_item({"type": "node", "id": 10, "tags": {"name": "Urgent Care"}}, NOW) is None
    assert osm.to_item({"type": "node", "id": "x", "tags": {"name": "Ketamine"}}, NOW) is None
    assert 'area["ISO3166-2"="US-TX"]' in osm.build_query("US-TX")
    assert "(30,-98,31,-97)" in osm.build_query(bbox="30,-98,31,-97")
    with pytest.raises(ValueError):
        osm.build_query(area='US"];out;')


def test_retry_after() -> None:
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_ledger_checkpoint(tmp_path: Path) -> None:
    ledger = SiteLedger(str(tmp_path))
    assert ledger.claim("a.example") and not ledger.claim("a.example")
    ledger.mark_done("a.example")
    again = SiteLedger(str(tmp_path))  # a resumed process
    assert again.is_done("a.example") and not again.claim("a.example") and again.claim("b.example")


def _pipe() -> tuple[object, ValidatePipeline, NormalisePipeline, FieldStatsPipeline]:
    crawler = get_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return crawler, ValidatePipeline(crawler), NormalisePipeline(crawler), FieldStatsPipeline(crawler)


def test_pipeline_normalises_and_counts() -> None:
    crawler, validate, normalise, fields = _pipe()
    item = ProviderItem(
        source="clinic_site", source_url="https://c.example/", fetched_at=NOW, name="  Calm \n Clinic ",
        website="https://c.example/?utm_source=x", phones=["(512) 555-0100", "512.555.0100", "call us", "12"],
        email="INFO@C.EXAMPLE", address=Address("1 Main St", "Austin", "Texas", "787010000"),
        geo=Geo(95.0, 1.0), npi="1234567890", modalities=["iv_infusion", "magic", "iv_infusion"],
        practitioners=[Practitioner(" Jane Roe ", ["md", "M.D.!!"], None, "1234567893"), Practitioner("")],
        rating=Rating(7.5, 3))
    out = fields.process_item(normalise.process_item(validate.process_item(item.to_dict())))
    assert out.name == "Calm Clinic" and out.website == "https://c.example/"
    assert out.phones == ["+15125550100"] and out.email == "info@c.example"
    assert out.address == Address("1 Main St", "Austin", "TX", "78701", "US")
    assert out.geo is None and out.modalities == ["iv_infusion"]
    # a printed NPI with a bad check digit is kept as printed, with its reason: verification reports it
    assert out.npi == "1234567890"
    assert Issue("npi", "1234567890", "the NPI check digit is wrong") in out.issues
    assert out.practitioners == [Practitioner("Jane Roe", ["MD"], None, "1234567893")]
    assert out.rating is None and out.location_key == "https://c.example/"
    assert {i.field for i in out.issues} == {"phones", "npi", "geo", "modalities", "practitioners", "rating"}
    stats = field_stats(crawler.stats.get_stats())  # type: ignore[union-attr]
    assert stats["phones"] == {"missing": 0, "invalid": 2}
    assert stats["npi"] == {"missing": 0, "invalid": 1}
    assert stats["geo"] == {"missing": 1, "invalid": 1} and stats["modalities"]["invalid"] == 1
    assert normalise.process_item(out) is out  # normalised once: the same rules never run twice
    assert is_valid_npi("1234567893") and not is_valid_npi("1234567890")


@pytest.mark.parametrize(("item", "reason"), [
    ({"source": "x"}, "malformed"),
    (ProviderItem(source="", source_url="https://c.example/", fetched_at=NOW, name="n"), "no source"),
    (ProviderItem(source="s", source_url="javascript:1", fetched_at=NOW, name="n"), "bad source_url"),
    (ProviderItem(source="s", source_url="https://c.example/", fetched_at=NOW), "no identity"),
    (ProviderItem(source="s", source_url="https://c.example/", fetched_at=NOW, name="n", kind="robot"),  # type: ignore[arg-type]
     "bad kind"),
    ("not an item", "malformed"),
])
def test_validate_drops_with_a_reason(item: object, reason: str) -> None:
    _crawler, validate, _n, _f = _pipe()
    with pytest.raises(DropItem, match=reason):
        validate.process_item(item)


def test_addon_switches_cache_and_distributed_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from scrapy.settings import Settings as ScrapySettings

    from crawler.middlewares import KdirAddon

    monkeypatch.delenv("KDIR_REDIS_URL", raising=False)
    monkeypatch.delenv("KDIR_HTTPCACHE", raising=False)
    monkeypatch.setenv("KDIR_VAR_DIR", str(tmp_path))
    plain = ScrapySettings({"SCHEDULER": "scrapy.core.scheduler.Scheduler"})
    KdirAddon().update_settings(plain)
    assert not plain.getbool("HTTPCACHE_ENABLED") and plain["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert plain["HTTPCACHE_DIR"] == str(tmp_path.resolve() / "httpcache")

    monkeypatch.setenv("KDIR_HTTPCACHE", "1")
    monkeypatch.setenv("KDIR_REDIS_URL", "redis://127.0.0.1:6379/15")
    dist = ScrapySettings({"KDIR_CRAWL_ID": "42"})
    KdirAddon().update_settings(dist)
    assert dist.getbool("HTTPCACHE_ENABLED")
    assert dist["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert dist["SCHEDULER_QUEUE_KEY"] == "kdir:crawl:42:%(spider)s:requests"
    assert dist["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"

    off = ScrapySettings()
    off.set("KDIR_DISTRIBUTED", False, priority="cmdline")
    KdirAddon().update_settings(off)
    assert not off.getbool("KDIR_DISTRIBUTED_ACTIVE")
