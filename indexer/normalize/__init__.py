"""Normalisation of scraped values: names, phones, addresses and coordinates.

Every function takes hostile text and returns a clean value or ``None``; none of them raises on bad input.
"""

from indexer.normalize.address import NormAddress, normalize_address, normalize_street, street_key
from indexer.normalize.geo import GeoResult, resolve_geo, state_bbox, zip_centroid
from indexer.normalize.names import display_name, match_name, person_match_name
from indexer.normalize.phones import normalize_phone, normalize_phones

__all__ = [
    "GeoResult", "NormAddress", "display_name", "match_name", "normalize_address", "normalize_phone",
    "normalize_phones", "normalize_street", "person_match_name", "resolve_geo", "state_bbox", "street_key",
    "zip_centroid",
]
