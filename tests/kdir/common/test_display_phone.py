"""Phones as people write them on the provider page."""

from __future__ import annotations

import pytest

from kdir.common.phones import display_phone


@pytest.mark.parametrize(("stored", "shown"), [
    ("+16025550104", "(602) 555-0104"),
    ("+15125550100", "(512) 555-0100"),
    ("(303) 555-0103", "(303) 555-0103"),
    ("+442079460958", "+44 20 7946 0958"),
])
def test_display_phone(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


@pytest.mark.parametrize("bad", [None, "", "12", "not a phone", "+1 000 000 0000", 6025550104])
def test_not_a_phone_is_not_shown(bad: object) -> None:
    assert display_phone(bad) is None
