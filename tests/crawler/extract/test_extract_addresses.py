"""Addresses: anchors, multi-line streets, ZIP/state agreement."""

from __future__ import annotations

from crawler.extract.addresses import find_addresses, parse_address
from kdir.common.geo import zip_matches_state
from kdir.common.record import Address
from kdir.common.us_states import state_code


def test_multi_line_footer_address() -> None:
    lines = ["Visit us", "1200 W. Sixth Street, Suite 300", "Austin, TX 78703", "(512) 555-0134"]
    [(addr, start, end)] = find_addresses(lines)
    assert addr == Address(street="1200 W. Sixth Street, Suite 300", city="Austin", region="TX",
                           postal_code="78703", country="US")
    assert (start, end) == (1, 2)


def test_inline_address_in_prose_with_full_state_name_and_zip4() -> None:
    [(addr, _, _)] = find_addresses(["Our clinic is at 55 Elm Ave, Portland, Oregon 97205-1234 near the park."])
    assert addr.street == "55 Elm Ave"
    assert addr.city == "Portland"
    assert addr.region == "OR"
    assert addr.postal_code == "97205-1234"


def test_several_addresses_on_one_page_are_all_found() -> None:
    lines = ["Denver", "1550 Larimer St, Denver, CO 80202", "Boulder", "2000 Pearl St.", "Boulder, CO 80302"]
    found = [a for a, _, _ in find_addresses(lines)]
    assert [(a.city, a.postal_code) for a in found] == [("Denver", "80202"), ("Boulder", "80302")]


def test_prose_that_only_names_a_city_is_not_an_address() -> None:
    assert find_addresses(["Serving Austin, TX 78703 and beyond"]) == []
    assert find_addresses(["We have treated 1200 patients since 2015."]) == []


def test_city_state_zip_alone_is_kept_when_zip_agrees() -> None:
    [(addr, _, _)] = find_addresses(["Austin, TX 78701"])
    assert addr.street is None and addr.city == "Austin" and addr.region == "TX"


def test_state_codes_and_names() -> None:
    assert state_code("Texas") == "TX"
    assert state_code("tx") == "TX"
    assert state_code("New  York") == "NY"
    assert state_code("Calif.") == "CA"
    assert state_code("Narnia") is None
    assert state_code(None) is None


def test_zip_checked_against_state() -> None:
    assert zip_matches_state("78703", "TX") is True
    assert zip_matches_state("78703", "CA") is False
    assert zip_matches_state("00000", "TX") is None
    assert zip_matches_state(None, "TX") is None


def test_parse_address_rejects_non_addresses() -> None:
    assert parse_address("Hello there, how are you?") is None
    assert parse_address("") is None


def test_po_box() -> None:
    [(addr, _, _)] = find_addresses(["Mail: PO Box 12, Denver, CO 80202"])
    assert addr.street is not None and "Box 12" in addr.street


def test_two_addresses_on_one_line_and_prose_lead_in() -> None:
    found = find_addresses(["Denver: 1550 Larimer St, Denver, CO 80202 | Boulder: 2000 Pearl St, Boulder, CO 80302"])
    assert [(a.street, a.city) for a, _, _ in found] == [("1550 Larimer St", "Denver"), ("2000 Pearl St", "Boulder")]
    found = find_addresses(["We have 2 locations: 123 Main St, Austin, TX 78701 and 9 5th Ave, New York, NY 10003."])
    assert [(a.street, a.postal_code) for a, _, _ in found] == [("123 Main St", "78701"), ("9 5th Ave", "10003")]


def test_building_name_prose_before_the_number_is_dropped() -> None:
    line = ("Our clinic is on the 3rd floor of the Harbor Building, 812 SW Washington St, Suite 300, "
            "Portland, OR 97205.")
    [(addr, _, _)] = find_addresses([line])
    assert addr.street == "812 SW Washington St, Suite 300"


def test_bullet_separated_footer() -> None:
    [(addr, _, _)] = find_addresses(["Calm Clinic \u2022 812 SW Washington St, Suite 300 \u2022 Portland, OR 97205 \u2022 "
                                     "(503) 555-0103"])
    assert (addr.street, addr.city, addr.region) == ("812 SW Washington St, Suite 300", "Portland", "OR")


def test_unit_numbers_and_footer_credits_are_not_streets() -> None:
    found = find_addresses(["812 SW Washington St Suite 300 Portland, OR 97205",
                            "\u00a9 2024 Renew Mind | Website by Acme, 100 Main St, Austin, TX 78701",
                            "Visit 2 Oak St #4 Boise, ID 83702"])
    assert [a.street for a, _, _ in found] == ["812 SW Washington St, Suite 300", "2 Oak St #4"]
