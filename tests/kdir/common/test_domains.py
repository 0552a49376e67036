"""Registered domains, offline."""

from __future__ import annotations

import pytest

from kdir.common.domains import registered_domain


@pytest.mark.parametrize(("url", "domain"), [
    ("https://www.bayoumind.com/houston", "bayoumind.com"),
    ("http://book.bayoumind.com", "bayoumind.com"),
    ("https://clinic.example.co.uk/a", "example.co.uk"),
    ("https://calm.wixsite.com/k", "calm.wixsite.com"),  # a private suffix: each site is its own
    ("https://facebook.com/calm", None),  # shared by many providers
    ("http://127.0.0.12:8000/", "127.0.0.12"),
    ("javascript:alert(1)", None), ("mailto:a@b.com", None), ("", None), (None, None),
])
def test_registered_domain(url: str | None, domain: str | None) -> None:
    assert registered_domain(url) == domain
