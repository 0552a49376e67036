"""The match rules a ``MatchLink`` records, in words for the people who review them."""

from __future__ import annotations

RULE_LABELS: dict[str, str] = {
    "new": "First listing of this provider",
    "npi": "Same NPI",
    "npi_verified": "NPI found by verification",
    "phone_zip": "Same phone in the same ZIP",
    "website": "Same website",
    "website_name": "Same website and a similar name in the same state, another ZIP printed",
    "name_address": "Same name at the same address",
    "name_state": "Same name and licence in the same state",
    "name_zip": "Same person's name in the same ZIP",
    "name_area": "Same distinctive name in the same ZIP or city (one address without a street)",
    "solo_practice": "A solo practitioner's own practice",
    "moderator": "Moderator's decision",
}

