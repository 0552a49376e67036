"""Which changes to a published (approved) provider need a moderator's review before they go live.

The one place to change the set: a field in ``MATERIAL_FIELDS`` is held in ``provider.pending_changes``;
every other field (phones formatting, hours, rating, ...) applies directly."""

from __future__ import annotations

MATERIAL_FIELDS: frozenset[str] = frozenset({"name", "address", "npi", "modalities", "credentials"})

#: Added to ``review_priority`` each time a material change is held for review.
PENDING_PRIORITY_STEP = 10


def is_material(field: str) -> bool:
    return field in MATERIAL_FIELDS
