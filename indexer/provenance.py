"""Field-level provenance: every candidate value with its source, and the conflict policy that selects one.

Policy (docs/indexing.md): an active moderator Override always wins. Otherwise the highest-ranked source wins,
ranked per field: for identity and credential facts (``IDENTITY_FIELDS``: npi, credentials) the registry first,
then the clinic's own site, then directories / OSM (the source tier); for presentation and contact facts (every
other field: name, website, phones, email, address, geo, modalities, services, prices ...) the clinic's own site
first, then directories / OSM, then the registry as a last resort (its legal name then shown in title case
without legal suffixes). Within the winning rank the most recently seen value wins (ties: the newest
observation). List fields take the union of the values of the winning rank's sources, so a lower rank can
never add to or remove from what a higher one says.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from indexer.change_policy import PENDING_PRIORITY_STEP, is_material
from indexer.db.models import Provider
from kdir.common.names import match_name, person_match_name, registry_display_name

LIST_FIELDS = frozenset({"phones", "modalities", "conditions", "services", "insurance", "credentials"})
SCALAR_COLUMNS = ("name", "website", "email", "npi", "telehealth", "price")
LIST_COLUMNS = ("phones", "modalities", "conditions", "services", "insurance")
ADDRESS_COLUMNS = ("street", "city", "region", "postal_code", "country")
GEO_COLUMNS = ("lat", "lon", "geo_source")
#: Every field a moderator Override may set (evidence fields plus their single columns).
OVERRIDABLE = frozenset({*SCALAR_COLUMNS, *LIST_COLUMNS, *ADDRESS_COLUMNS, "lat", "lon", "address", "geo"})
#: Fields where the registry is authoritative (the source tier ranks: registry 3 > site 2 > directory / OSM 1).
IDENTITY_FIELDS = frozenset({"npi", "credentials"})
REGISTRY_KIND = "registry"


def field_rank(field: str, tier: int, kind: str) -> int:
    """The rank of a source for one field (higher wins): the registry ranks last for presentation fields."""
    if field in IDENTITY_FIELDS or kind != REGISTRY_KIND:
        return tier
    return 0


def value_hash(value: Any) -> str:
    """Stable hash of an evidence value (JSON with sorted keys; plain strings skip the encoder). Flat dicts of
    scalars (addresses, geo points, prices: realistic data repeats them) are memoised."""
    if isinstance(value, dict) and all(v is None or type(v) in (str, int, float, bool) for v in value.values()):
        # The type is part of the key: 1 == 1.0 == True would otherwise share an entry (and their JSON differs).
        return _flat_dict_hash(tuple(sorted((k, type(v), v) for k, v in value.items())))
    return _value_hash(value)


@lru_cache(maxsize=16384)
def _flat_dict_hash(items: tuple[tuple[str, type, Any], ...]) -> str:
    return _value_hash({k: v for k, _t, v in items})


def _value_hash(value: Any) -> str:
    if isinstance(value, str):
        blob = "s" + value
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        blob = "l" + "\x1f".join(value)
    else:
        blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class Candidate:
    """One value of one field as one observation gave it."""

    field: str
    value: Any
    source_id: int
    observation_id: int
    url: str | None
    tier: int
    seen: datetime
    vh: str = ""
    kind: str = ""  # the source's kind (registry | clinic_site | directory | osm)
    rank: int = -1  # field_rank(); computed when not given

    def __post_init__(self) -> None:
        if not self.vh:
            self.vh = value_hash(self.value)
        if self.rank < 0:
            self.rank = field_rank(self.field, self.tier, self.kind)


@dataclass
class Selected:
    value: Any
    winners: list[Candidate]


def select_values(cands: list[Candidate]) -> dict[str, Selected]:
    """Apply the conflict policy to every field."""
    by_field: dict[str, list[Candidate]] = {}
    for c in cands:
        by_field.setdefault(c.field, []).append(c)
    out: dict[str, Selected] = {}
    for name, group in by_field.items():
        top = max(c.rank for c in group)
        tier_group = [c for c in group if c.rank == top]
        if name in LIST_FIELDS:
            union: set[str] = set()
            for c in tier_group:
                union.update(v for v in c.value if isinstance(v, str))
            out[name] = Selected(sorted(union), tier_group)
        else:
            best = max(tier_group, key=lambda c: (c.seen, c.observation_id))
            same = [c for c in tier_group if c.vh == best.vh]
            value = best.value
            if name == "name" and best.kind == REGISTRY_KIND and isinstance(value, str):
                value = registry_display_name(value)
            out[name] = Selected(value, same)
    return out


def live_values(p: Provider) -> dict[str, Any]:
    """The provider's current values in evidence-field form."""
    out: dict[str, Any] = {c: getattr(p, c) for c in SCALAR_COLUMNS}
    out.update({c: list(getattr(p, c) or []) for c in LIST_COLUMNS})
    out["address"] = {c: getattr(p, c) for c in ADDRESS_COLUMNS}
    out["geo"] = {"lat": p.lat, "lon": p.lon, "geo_source": p.geo_source} if p.lat is not None else None
    return out


def _empty_address() -> dict[str, Any]:
    return {"street": None, "city": None, "region": None, "postal_code": None, "country": "US"}


def target_values(selected: dict[str, Selected], overrides: list[tuple[str, Any]]) -> tuple[dict[str, Any], set[str]]:
    """Selected values with overrides applied (in order, latest last); returns values and overridden fields."""
    values: dict[str, Any] = {c: None for c in SCALAR_COLUMNS}
    values.update({c: [] for c in LIST_COLUMNS})
    values["address"] = _empty_address()
    values["geo"] = None
    for name, sel in selected.items():
        if name in values:
            values[name] = sel.value
    overridden: set[str] = set()
    for name, value in overrides:
        if name in ADDRESS_COLUMNS:
            values["address"] = {**(values["address"] or _empty_address()), name: value}
            overridden.add("address")
        elif name in ("lat", "lon"):
            geo = dict(values["geo"] or {"lat": None, "lon": None})
            geo[name] = value
            geo["geo_source"] = "moderator"
            values["geo"] = geo
            overridden.add("geo")
        elif name in values:
            values[name] = list(value or []) if name in LIST_COLUMNS else value
            overridden.add(name)
    return values, overridden


def _write(p: Provider, name: str, value: Any) -> None:
    if name == "address":
        addr = value or _empty_address()
        for c in ADDRESS_COLUMNS:
            setattr(p, c, addr.get(c) if c != "country" else (addr.get(c) or "US"))
    elif name == "geo":
        geo = value or {}
        p.lat, p.lon, p.geo_source = geo.get("lat"), geo.get("lon"), geo.get("geo_source")
    elif name == "name":
        p.name = value or p.name or "(unnamed)"
        p.match_name = (person_match_name if p.kind == "practitioner" else match_name)(p.name)[:300]
    else:
        setattr(p, name, value)


def apply_values(p: Provider, values: dict[str, Any], overridden: set[str],
                 selected: dict[str, Selected], source_keys: dict[int, str]) -> bool:
    """Write target values to the provider. For a published provider, material changes not made by a
    moderator are held in ``pending_changes`` instead. Returns True when a live value changed."""
    live = live_values(p)
    pending = dict(p.pending_changes or {})
    gated = p.status == "published"
    changed = False
    pending_touched = False
    for name, new in values.items():
        old = live.get(name)
        if name in ("address",) and old == _empty_address() and new == _empty_address():
            continue
        if old == new:
            if name in pending:
                del pending[name]
                pending_touched = True
            continue
        if gated and is_material(name) and name not in overridden:
            winner = selected[name].winners[0] if name in selected and selected[name].winners else None
            entry = {"old": old, "new": new, "source": source_keys.get(winner.source_id) if winner else None,
                     "url": winner.url if winner else None}
            if pending.get(name) != entry:
                if (pending.get(name) or {}).get("new") != new:
                    p.review_priority = (p.review_priority or 0) + PENDING_PRIORITY_STEP
                pending[name] = entry
                pending_touched = True
            continue
        if name in pending:
            del pending[name]
            pending_touched = True
        _write(p, name, new)
        changed = True
    if pending_touched:
        p.pending_changes = pending or None
    return changed or pending_touched


def apply_pending_changes(p: Provider, fields: list[str] | None = None) -> list[str]:
    """A moderator accepted held changes: write them to the live record. Returns the fields applied."""
    pending = dict(p.pending_changes or {})
    applied = []
    for name in list(pending):
        if fields is None or name in fields:
            if name != "credentials":
                _write(p, name, pending[name]["new"])
            applied.append(name)
            del pending[name]
    p.pending_changes = pending or None
    return applied
