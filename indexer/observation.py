"""The indexer's door: a stored observation's payload back to the typed provider record.

The payload is what the crawler stored (``ProviderItem.to_dict()``, normalised by :mod:`kdir.common.normalise`).
A payload stored under older normalisation rules, or by a path that did not normalise, is normalised here with
the same rules; nothing is cleaned twice under one version. The listing's point is placed here (the source's
own when plausible, else its ZIP's centroid).
"""

from __future__ import annotations

from typing import Any

from kdir.common.geo import resolve_geo
from kdir.common.normalise import normalise
from kdir.common.npi import is_valid_npi
from kdir.common.record import ProviderItem

_ROW_FIELDS: dict[str, Any] = {"source": "", "source_url": "", "fetched_at": None}


class BadObservation(ValueError):
    """The payload cannot become a provider (malformed, or no usable name); the message says why."""


def read_observation(payload: object) -> ProviderItem:
    """The record of one stored payload; raise :class:`BadObservation` when it cannot be a provider."""
    if not isinstance(payload, dict):
        raise BadObservation("payload is not an object")
    try:  # where it was fetched from is the observation row's business: a payload may leave it out
        rec = normalise(ProviderItem.from_dict({**_ROW_FIELDS, **payload}))
    except (TypeError, ValueError, KeyError) as exc:
        raise BadObservation(f"malformed payload: {exc}") from None
    if not rec.name or not rec.match_name:
        raise BadObservation("no usable name")
    rec.geo = resolve_geo(rec.geo, rec.address.region if rec.address else None, rec.zip)
    return rec


def valid_npi(value: object) -> str | None:
    """The NPI when it is ten digits with a correct check digit, else None (printed NPIs may be invalid)."""
    return value if isinstance(value, str) and is_valid_npi(value) else None


def field_values(rec: ProviderItem) -> dict[str, Any]:
    """The evidence one observation gives, per provider field (empty values left out)."""
    values: dict[str, Any] = {"name": rec.name}
    for key in ("website", "email", "npi", "telehealth"):
        v = getattr(rec, key)
        if v is not None:
            values[key] = v
    if rec.price is not None:
        values["price"] = {"min": rec.price.min, "max": rec.price.max, "currency": rec.price.currency,
                           "unit": rec.price.unit}
    for key in ("phones", "modalities", "conditions", "services", "insurance", "credentials"):
        v = getattr(rec, key)
        if v:
            values[key] = list(v)
    if rec.address:
        values["address"] = rec.address.as_dict()
    if rec.geo:
        values["geo"] = {"lat": rec.geo.lat, "lon": rec.geo.lon, "geo_source": rec.geo.source}
    return values
