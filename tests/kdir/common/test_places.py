"""The place splitter and type-ahead, against the real offline ZIP/city table."""

from __future__ import annotations

import time

import pytest

from kdir.common.geo import cities, zip_info
from kdir.common.places import BARE_CITY_MIN_ZIPS, SMALL_CITY_MIN_ZIPS, split_place, suggest_places


@pytest.mark.parametrize(("typed", "text", "label", "certain"), [
    ("spravato austin", "spravato", "Austin, TX", False),
    ("ketamine near 78701", "ketamine", "78701 (Austin, TX)", True),
    ("ketamine clinics in Denver, CO", "ketamine clinics", "Denver, CO", True),
    ("IV ketamine 80202", "IV ketamine", "80202 (Denver, CO)", True),
    ("Austn, TX", "", "Austin, TX", True),  # one typo, with a state
    ("ketamine austn tx", "ketamine", "Austin, TX", True),
    ("Austin", "", "Austin, TX", False),
    ("ketamine St. Paul, MN", "ketamine", "Saint Paul, MN", True),
    ("ketamine new york ny", "ketamine", "New York, NY", True),
    ("ketamine round rock", "ketamine", "Round Rock, TX", False),  # several words: not a clinic-name word
    ("Austin, TX 78701", "", "78701 (Austin, TX)", True),
    ("ptsd in denvr", "ptsd", "Denver, CO", True),
    ("ketamine near portland, oregon", "ketamine", "Portland, OR", True),
])
def test_places_inside_the_text(typed: str, text: str, label: str, certain: bool) -> None:
    found = split_place(typed)
    assert found is not None
    assert (found.text, found.label, found.certain) == (text, label, certain)


def test_coordinates_come_from_the_table() -> None:
    found = split_place("ketamine near 78701")
    info = zip_info("78701")
    assert found is not None and info is not None
    assert (found.lat, found.lon) == (info.lat, info.lon)
    city = split_place("Denver, CO")
    assert city is not None and (city.lat, city.lon) == (cities()[("DENVER", "CO")].lat,
                                                         cities()[("DENVER", "CO")].lon)


def test_a_bare_city_is_the_largest_namesake_with_the_others_as_alternatives() -> None:
    found = split_place("spravato austin")
    assert found is not None
    namesakes = sorted((c for (k, _), c in cities().items() if k == "AUSTIN"), key=lambda c: (-c.zips, c.state))
    assert found.place.state == namesakes[0].state
    assert [a.state for a in found.alternatives] == [c.state for c in namesakes[1:6]]
    assert found.typed == "austin"


@pytest.mark.parametrize("typed", [
    "IV infusion, PTSD, Sunrise",  # the search box's example: Sunrise is a clinic here, not Sunrise, FL
    "Stillwater", "ketamine infusion center", "12345 main",  # small towns' names; a street number
    "Alan Reyes MD", "dr reyes", "ketamine", "ketamine in Texas", "therapy in spanish", "", "   ",
    "ketamine near me", "clinic in home", "ketamine new hope", "Sam Patel, PA", "ketamine or spravato",
])
def test_no_place_understood_keeps_the_text(typed: str) -> None:
    assert split_place(typed) is None


def test_small_towns_need_a_state_or_in() -> None:
    assert SMALL_CITY_MIN_ZIPS <= cities()[("SUNRISE", "FL")].zips < BARE_CITY_MIN_ZIPS
    assert split_place("ketamine in sunrise") is not None
    assert cities()[("HOME", "KS")].zips < SMALL_CITY_MIN_ZIPS
    found = split_place("ketamine in home, ks")
    assert found is not None and found.label == "Home, KS"
    found = split_place("ketamine Sunrise, FL")
    assert found is not None and found.label == "Sunrise, FL" and found.text == "ketamine"


def test_suggest_places() -> None:
    assert [p.label for p in suggest_places("aus", 3)][0] == "Austin, TX"
    assert [p.label for p in suggest_places("austin, t")] == ["Austin, TX"]
    assert [p.label for p in suggest_places("Austin TX")] == ["Austin, TX"]
    assert suggest_places("st pa", 1)[0].label == "Saint Paul, MN"
    zips = suggest_places("787", 4)
    assert [p.label.split()[0] for p in zips] == ["78701", "78702", "78703", "78704"]
    assert all(p.kind == "zip" for p in zips)
    assert suggest_places("", 5) == [] and suggest_places("zzzzqq", 5) == []
    assert len(suggest_places("a", 7)) == 7
    sizes = [cities()[(p.label.split(",")[0].upper(), p.state)].zips for p in suggest_places("spring", 8)]
    assert sizes == sorted(sizes, reverse=True)  # largest first


def test_suggest_places_is_fast_after_warm_up() -> None:
    prefixes = ["a", "s", "aus", "new y", "st pa", "787", "8", "denver, c", "san", "port"]
    for p in prefixes:
        suggest_places(p)
    started = time.process_time()
    for _ in range(20):
        for p in prefixes:
            suggest_places(p)
    per_call_ms = (time.process_time() - started) * 1000 / (20 * len(prefixes))
    assert per_call_ms < 5
