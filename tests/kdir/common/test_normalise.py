from __future__ import annotations

import pytest

from indexer.observation import BadObservation, read_observation, valid_npi
from kdir.common.address import normalize_address, normalize_street
from kdir.common.geo import resolve_geo
from kdir.common.names import match_name, person_match_name
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phone, normalize_phones
from kdir.common.record import Geo
from tests.indexer.core.conftest import addr, item


@pytest.mark.parametrize("raw", ["Sunrise Ketamine Clinic, PLLC", "SUNRISE KETAMINE CLINIC LLC",
                                 "The Sunrise Ketamine Clinic, P.L.L.C.", "Sunrise Ketamine Clinic MD PA",
                                 "  Sunrise   Ketamine Clinic, Inc. "])
def test_match_name_drops_legal_suffixes_and_punctuation(raw: str) -> None:
    assert match_name(raw) == "sunrise ketamine clinic"


def test_match_name_keeps_meaningful_words() -> None:
    assert match_name("Mind & Body Wellness PC") == "mind and body wellness"
    assert match_name("PA Ketamine") == "pa ketamine"  # a leading "PA" is not a suffix
    assert match_name(None) == "" and match_name("   ") == ""


def test_person_match_name() -> None:
    assert person_match_name("Dr. Jane Q. Doe, M.D.") == "jane q doe"
    assert person_match_name("Sam Patel, PMHNP-BC") == "sam patel"
    assert person_match_name("José Núñez MD") == "jose nunez"


@pytest.mark.parametrize("raw", ["(512) 555-0100", "512.555.0100", "+1 512 555 0100", "1-512-555-0100",
                                 "512-555-0100 ext. 3"])
def test_phones_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+15125550100"


def test_bad_phones_dropped_and_duplicates_merged() -> None:
    assert normalize_phone("555-0100") is None
    assert normalize_phone("call us!") is None
    assert normalize_phone("x" * 500) is None
    assert normalize_phones(["(512) 555-0100", "512.555.0100", 42, None, "+1 303 555 0199"]) == [
        "+15125550100", "+13035550199"]


@pytest.mark.parametrize("raw", ["123 North Main Street, Suite 210", "123 N. Main St. Ste 210",
                                 "123 N Main St #210", "123 north main street # 210", "123 N MAIN ST STE 210"])
def test_street_unit_designators_and_usps_abbreviations(raw: str) -> None:
    assert normalize_street(raw) == "123 N Main St Ste 210"


def test_address_states_zip_and_one_line_split() -> None:
    a = normalize_address(addr("1100 Congress Avenue", "austin", "Texas", "78701-1234"))
    assert a is not None and (a.street, a.city, a.region, a.postal_code) == ("1100 Congress Ave", "Austin", "TX",
                                                                             "78701")
    one = normalize_address({"street": "1100 Congress Avenue Suite 210, Austin, TX 78701-1234"})
    assert one is not None and (one.street, one.city, one.region, one.postal_code) == (
        "1100 Congress Ave Ste 210", "Austin", "TX", "78701")
    assert normalize_address({"street": None, "city": None, "postal_code": "abc"}) is None
    assert normalize_address("1100 Congress") is None  # not a dict: hostile input, no crash
    assert normalize_address(addr("1 Main St", "Austin", "Narnia", "7870")).region is None


def test_geo_rules() -> None:
    good = resolve_geo(Geo(30.2672, -97.7431), "TX", "78701")
    assert good is not None and good.source == "source" and good.lat == 30.2672
    for bad in (Geo(0, 0), Geo(-97.7431, 30.2672), Geo(40.71, -74.0), Geo(float("nan"), 1.0), Geo(95, -97), None):
        fallback = resolve_geo(bad, "TX", "78701")
        assert fallback is not None and fallback.source == "zip_centroid", bad
        assert 30.0 < fallback.lat < 30.5 and -98.0 < fallback.lon < -97.5
    assert resolve_geo(None, None, None) is None
    assert resolve_geo(Geo(0, 0), "TX", "00000") is None


def test_npi_check_digit() -> None:
    assert is_valid_npi("1234567893") and not is_valid_npi("1234567890")
    assert valid_npi("1234567893") == "1234567893" and valid_npi("1234567890") is None
    assert valid_npi(1234567893) is None  # stored NPIs are strings; the normaliser turns printed numbers into them
    assert valid_npi("12345") is None and valid_npi(True) is None


def test_normalize_item_is_defensive() -> None:
    rec = read_observation(item(
        name="  Calm <b>Clinic</b>\x00 ", phones=["(512) 555-0100", {"evil": 1}], modalities=["iv_infusion", "magic"],
        services="telehealth", telehealth=True, website="javascript:alert(1)", email="not-an-email",
        price={"min": "-5", "max": 400}, rating={"value": 9, "best": 5, "count": 3},
        practitioners=[{"name": "Dr. A"}, {"name": "Jane Doe", "credentials": ["M.D.", "<script>"], "npi": "123"},
                       "junk"],
        reviews=[{"text": "Good", "rating": 11}, {"text": None, "rating": None}, {"text": "ok", "rating": 4}]))
    assert rec.name == "Calm <b>Clinic</b>" and rec.match_name == "calm b clinic b"
    assert rec.phones == ["+15125550100"] and rec.modalities == ["iv_infusion"]
    assert rec.services == ["telehealth"] and rec.website is None and rec.email is None
    assert rec.price is None and rec.rating is None
    assert [(p.name, p.credentials, p.npi) for p in rec.practitioners] == [("Jane Doe", ["MD"], None)]
    assert [(r.text, r.rating) for r in rec.reviews] == [("Good", None), ("ok", 4.0)]
    with pytest.raises(BadObservation):
        read_observation(item(name="  "))
    with pytest.raises(BadObservation):
        read_observation(["not", "a", "dict"])  # type: ignore[arg-type]


def test_values_fit_the_columns() -> None:
    long = "x" * 5000
    rec = read_observation(item(name=long, email="a" * 64 + "@" + "b" * 253 + ".com", insurance=[long, "Aetna"],
                              address=addr(long, long, "TX", "78701"),
                              practitioners=[{"name": "Jane " + long, "role": long, "credentials": ["MD" * 20]}]))
    assert len(rec.name) <= 300 and rec.email is None and rec.insurance == ["Aetna"]
    assert len(rec.address.street) <= 300 and len(rec.address.city) <= 120
    assert len(rec.practitioners[0].name) <= 300 and len(rec.practitioners[0].role) <= 200
    assert rec.practitioners[0].credentials == []
