"""Moderator operations on the data: approve, reject, override a field, merge, split, hide a review, resolve
a flag.

Each function works inside the caller's session and never commits: the change, its audit entry
(:mod:`indexer.audit`) and its search-outbox entry (:func:`indexer.outbox.enqueue`) are committed together or
not at all. Input (field values typed by a moderator, reasons) is validated here; a bad value raises
:class:`CurateError` with a message fit for the moderator and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from indexer.audit import Actor, record
from indexer.db.models import (
    Affiliation,
    Credential,
    FieldEvidence,
    Flag,
    MatchLink,
    Observation,
    Override,
    Provider,
    RatingSummary,
    Review,
    utcnow,
)
from indexer.outbox import enqueue
from indexer.provenance import live_values
from indexer.recompute import accept_pending_changes, recompute_provider
from indexer.resolve.split_person import listing_person
from kdir.common.address import normalize_zip
from kdir.common.emails import normalize_email
from kdir.common.fields import BY_NAME
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phone
from kdir.common.urls import clean_url
from kdir.common.us_states import state_code

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: A typed value's clean form (None when it is not one), and what the moderator is told then; the same rules
#: as the crawler's normaliser.
_SCALAR_PARSERS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "url": (clean_url, "website must be an http(s) URL"),
    "email": (normalize_email, "not an email address"),
    "state": (state_code, "region must be a US state (two-letter code or name)"),
    "zip": (normalize_zip, "postal code must be 5 digits (or ZIP+4)"),
    "npi": (lambda text: text if is_valid_npi(text) else None,
            "not a valid NPI (10 digits with a correct check digit)"),
}


class CurateError(Exception):
    """The moderator asked for something impossible or gave a bad value; nothing was changed."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


# -- values ------------------------------------------------------------------------------------------------------
def _clean(text: str, limit: int) -> str:
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > limit:
        raise CurateError(f"value too long ({len(text)} characters, {limit} at most)")
    return text




def parse_field_value(field: str, raw: str) -> Any:
    """Turn a moderator's typed text into the stored value of ``field`` (None or [] clears it)."""
    spec = BY_NAME.get(field)
    if spec is None or not spec.editable:
        raise CurateError(f"field {field!r} cannot be edited")
    text = _clean(raw or "", 4000)
    if spec.is_list:
        items = [_clean(p, 300) for p in re.split(r"[,\n;]", text) if p.strip()]
        if spec.kind == "codes":
            bad = [i for i in items if i not in spec.vocabulary]
            if bad:
                raise CurateError(f"unknown {field} code(s): {', '.join(bad)}; use {', '.join(spec.vocabulary)}")
        if spec.kind == "phones":
            phones = [(item, normalize_phone(item)) for item in items]
            bad = [item for item, phone in phones if phone is None]
            if bad:
                raise CurateError(f"not a phone number: {bad[0]!r}")
            items = [phone for _item, phone in phones if phone]
        return list(dict.fromkeys(items))
    if spec.kind == "yesno":
        low = text.lower()
        if low in ("", "unknown"):
            return None
        if low in ("yes", "true", "1"):
            return True
        if low in ("no", "false", "0"):
            return False
        raise CurateError("telehealth must be yes, no or empty")
    if not text:
        if field == "name":
            raise CurateError("a provider needs a name")
        return None
    parse = _SCALAR_PARSERS.get(spec.kind)
    if parse is not None:
        value = parse[0](text)
        if value is None:
            raise CurateError(parse[1])
        return value
    return text[:300]


def snapshot(p: Provider) -> dict[str, Any]:
    """The live listing in evidence-field form (the indexer's ``live_values``: address and geo grouped)."""
    return live_values(p)


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldChange]:
    old = old or {}
    keys = list(new) + [k for k in old if k not in new]
    return [FieldChange(f, old.get(f), new.get(f)) for f in keys if old.get(f) != new.get(f)]


def evidence_field(field: str) -> str:
    """The evidence field an overridable column belongs to (street -> address, lat -> geo)."""
    if field in ("street", "city", "region", "postal_code", "country"):
        return "address"
    return "geo" if field in ("lat", "lon") else field


# -- helpers -----------------------------------------------------------------------------------------------------
def _provider(session: Session, provider_id: int) -> Provider:
    """Load and lock the provider row (FOR UPDATE on PostgreSQL): a concurrent index run that locks it too
    either finishes first or waits for this action, so the action's result is never overwritten."""
    p = session.get(Provider, provider_id, with_for_update=True, populate_existing=True)
    if p is None:
        raise CurateError(f"no provider #{provider_id}")
    return p


def required_text(text: str, what: str = "reason") -> str:
    text = _clean(text or "", 2000)
    if len(text) < 3:
        raise CurateError(f"a {what} is required")
    return text


def _active_override_fields(session: Session, provider_id: int) -> set[str]:
    return set(session.scalars(select(Override.field).where(Override.provider_id == provider_id,
                                                            Override.active.is_(True))))


def recompute(session: Session, provider_id: int) -> bool:
    """Re-select the provider's fields from evidence and overrides (indexer-core's provenance module).

    """
    session.flush()
    return bool(recompute_provider(session, provider_id))


# -- actions -----------------------------------------------------------------------------------------------------
def approve(session: Session, actor: Actor, provider_id: int, note: str = "", *,
            bulk: dict[str, Any] | None = None) -> Provider:
    """Publish the provider, apply its pending material changes (unless overridden) and snapshot it.
    ``bulk``: the filter of a bulk approval this one is part of (kept in the audit entry)."""
    p = _provider(session, provider_id)
    if p.status == "merged":
        raise CurateError(f"provider #{p.id} was merged into #{p.merged_into_id}; review that one")

    overridden = {evidence_field(f) for f in _active_override_fields(session, p.id)}
    held = [f for f, ch in (p.pending_changes or {}).items() if isinstance(ch, dict) and "new" in ch]
    applied = accept_pending_changes(session, p.id, [f for f in held if f not in overridden]) if held else []
    previous = p.status
    p.status = "published"
    p.approved_at = utcnow()
    p.pending_changes = None
    p.reject_reason = None
    p.review_priority = 0
    p.approved_snapshot = snapshot(p)
    enqueue(session, p.id)
    record(session, actor, "approve", provider_id=p.id, reason=_clean(note or "", 2000),
           details={"previous_status": previous, "applied_changes": applied, **({"bulk": bulk} if bulk else {})})
    return p


def reject(session: Session, actor: Actor, provider_id: int, reason: str, *,
           bulk: dict[str, Any] | None = None) -> Provider:
    """Reject with a remembered reason; the indexer never brings a rejected provider back."""
    reason = required_text(reason)
    p = _provider(session, provider_id)
    if p.status == "merged":
        raise CurateError(f"provider #{p.id} was merged into #{p.merged_into_id}")
    previous = p.status
    p.status = "rejected"
    p.reject_reason = reason
    p.review_priority = 0
    enqueue(session, p.id)
    record(session, actor, "reject", provider_id=p.id, reason=reason,
           details={"previous_status": previous, **({"bulk": bulk} if bulk else {})})
    return p


def edit_field(session: Session, actor: Actor, provider_id: int, field: str, raw_value: str, note: str) -> Override:
    """Override one field: the value wins over every crawled value, now and after every later crawl."""
    note = required_text(note, "note")
    value = parse_field_value(field, raw_value)
    p = _provider(session, provider_id)
    old = getattr(p, field)
    session.execute(update(Override).where(Override.provider_id == p.id, Override.field == field,
                                           Override.active.is_(True)).values(active=False))
    ov = Override(provider_id=p.id, field=field, value=value, note=note, user_id=actor.user_id, active=True)
    session.add(ov)
    setattr(p, field, value)
    held = evidence_field(field)
    if p.pending_changes and held in p.pending_changes:
        p.pending_changes = {k: v for k, v in p.pending_changes.items() if k != held} or None
    recompute(session, p.id)
    enqueue(session, p.id)
    record(session, actor, "edit", provider_id=p.id, reason=note,
           details={"field": field, "old": old, "new": value})
    return ov


def clear_override(session: Session, actor: Actor, provider_id: int, field: str, note: str) -> int:
    """Deactivate the field's override (crawled evidence decides again). Returns how many were active."""
    note = required_text(note, "note")
    p = _provider(session, provider_id)
    res = session.execute(update(Override).where(Override.provider_id == p.id, Override.field == field,
                                                 Override.active.is_(True)).values(active=False))
    count = int(res.rowcount or 0)  # type: ignore[attr-defined]
    if not count:
        raise CurateError(f"no active override of {field!r}")
    recompute(session, p.id)
    enqueue(session, p.id)
    record(session, actor, "clear_override", provider_id=p.id, reason=note, details={"field": field})
    return count


def _move_unique(session: Session, model: Any, fk: str, src: int, dst: int, key: tuple[str, ...]) -> None:
    """Repoint ``model`` rows from provider ``src`` to ``dst`` unless ``dst`` already has the same key."""
    taken = {tuple(r) for r in session.execute(select(*[getattr(model, k) for k in key])
                                               .where(getattr(model, fk) == dst))}
    for row in session.scalars(select(model).where(getattr(model, fk) == src)):
        if tuple(getattr(row, k) for k in key) not in taken:
            setattr(row, fk, dst)
            taken.add(tuple(getattr(row, k) for k in key))


def merge(session: Session, actor: Actor, keep_id: int, other_id: int, reason: str) -> Provider:
    """Fold ``other`` into ``keep``: its observations are pinned to ``keep``; ``other`` becomes "merged"."""
    reason = required_text(reason)
    if keep_id == other_id:
        raise CurateError("cannot merge a provider with itself")
    locked = {pid: _provider(session, pid) for pid in sorted((keep_id, other_id))}  # one lock order: no deadlock
    keep, other = locked[keep_id], locked[other_id]
    for p in (keep, other):
        if p.status == "merged":
            raise CurateError(f"provider #{p.id} is already merged into #{p.merged_into_id}")
    obs_ids = list(session.scalars(select(Observation.id).where(Observation.provider_id == other.id)))
    linked = set(session.scalars(select(MatchLink.observation_id).where(MatchLink.provider_id == other.id)))
    session.execute(update(MatchLink).where(MatchLink.provider_id == other.id)
                    .values(provider_id=keep.id, pinned=True, rule="moderator", matched_provider_id=other.id))
    for obs in session.scalars(select(Observation).where(Observation.id.in_(obs_ids))):
        if obs.id not in linked:
            session.add(MatchLink(provider_id=keep.id, observation_id=obs.id, source_id=obs.source_id,
                                  location_key=obs.location_key, rule="moderator", score=1.0,
                                  matched_provider_id=other.id, pinned=True))
        obs.provider_id = keep.id
    _move_unique(session, FieldEvidence, "provider_id", other.id, keep.id, ("field", "source_id", "value_hash"))
    _move_unique(session, Review, "provider_id", other.id, keep.id, ("source_id", "text_hash"))
    _move_unique(session, RatingSummary, "provider_id", other.id, keep.id, ("source_id",))
    _move_unique(session, Affiliation, "clinic_id", other.id, keep.id, ("practitioner_id",))
    _move_unique(session, Affiliation, "practitioner_id", other.id, keep.id, ("clinic_id",))
    for model in (Credential, Flag):
        session.execute(update(model).where(model.provider_id == other.id).values(provider_id=keep.id))
    keep_fields = _active_override_fields(session, keep.id)
    for ov in session.scalars(select(Override).where(Override.provider_id == other.id, Override.active.is_(True))):
        if ov.field not in keep_fields:
            ov.provider_id = keep.id
    session.execute(update(Provider).where(Provider.merged_into_id == other.id).values(merged_into_id=keep.id))
    previous = other.status
    other.status = "merged"
    other.merged_into_id = keep.id
    session.flush()
    recompute(session, keep.id)
    enqueue(session, [keep.id, other.id])
    record(session, actor, "merge", provider_id=keep.id, reason=reason,
           details={"merged_id": other.id, "merged_name": other.name, "merged_status": previous,
                    "observations": obs_ids})
    return keep


def _fill_from_payload(p: Provider, payload: dict[str, Any]) -> None:
    """Initial values of a split-off provider from its first observation (the indexer re-selects later)."""
    addr = payload.get("address") or {}
    p.website = payload.get("website") if isinstance(payload.get("website"), str) else None
    p.email = payload.get("email") if isinstance(payload.get("email"), str) else None
    p.npi = payload.get("npi") if isinstance(payload.get("npi"), str) and len(payload["npi"]) == 10 else None
    for f in ("phones", "modalities", "conditions", "services"):
        v = payload.get(f)
        setattr(p, f, [str(x)[:300] for x in v] if isinstance(v, list) else [])
    if isinstance(addr, dict):
        p.street = str(addr.get("street") or "")[:300] or None
        p.city = str(addr.get("city") or "")[:120] or None
        p.region = str(addr.get("region") or "")[:2] or None
        p.postal_code = str(addr.get("postal_code") or "")[:10] or None


def split(session: Session, actor: Actor, provider_id: int, observation_ids: list[int], reason: str) -> Provider:
    """Undo a wrong merge: move the chosen observations to a new provider, pinned there -- or, for a
    practitioner's listing split out of the practice it had joined, to the record of the person it named
    (:mod:`indexer.resolve.split_person`): one record for that person, never two."""
    reason = required_text(reason)
    p = _provider(session, provider_id)
    chosen = set(observation_ids)
    all_obs = list(session.scalars(select(Observation).where(Observation.provider_id == p.id)
                                   .order_by(Observation.id)))
    picked = [o for o in all_obs if o.id in chosen]
    if not picked or len(picked) != len(chosen):
        raise CurateError("choose observations that belong to this provider")
    # A listing is (source, location key): its older and newer contents move with it.
    listings = {(o.source_id, o.location_key) for o in picked}
    if listings == {(o.source_id, o.location_key) for o in all_obs}:
        raise CurateError("that would move every listing; leave at least one")
    moving = [o for src, key in listings for o in session.scalars(
        select(Observation).where(Observation.source_id == src, Observation.location_key == key))]
    moving.sort(key=lambda o: (o.superseded, -o.id))  # the current content first: it names the new provider
    first = moving[0].payload or {}
    ids = [o.id for o in moving]
    person = listing_person(session, ids, first) if p.kind == "clinic" else None
    if person is not None:
        new = person[0]
        # The listing is the person now, no longer a mention of them (its evidence moves by recomputing).
        session.execute(delete(MatchLink).where(MatchLink.observation_id.in_(ids), MatchLink.mention_key == person[1]))
    else:
        new = Provider(kind=str(first.get("kind") or p.kind)[:16], status="pending",
                       name=_clean(str(first.get("name") or f"Split from #{p.id}"), 300),
                       match_name=p.match_name, country=p.country)
        _fill_from_payload(new, first)
        session.add(new)
        session.flush()
    own = (MatchLink.observation_id.in_(ids), MatchLink.mention_key.is_(None))  # not practitioner mentions
    linked = set(session.scalars(select(MatchLink.observation_id).where(*own)))
    session.execute(update(MatchLink).where(*own)
                    .values(provider_id=new.id, pinned=True, rule="moderator", matched_provider_id=p.id))
    for obs in moving:
        if obs.id not in linked:
            session.add(MatchLink(provider_id=new.id, observation_id=obs.id, source_id=obs.source_id,
                                  location_key=obs.location_key, rule="moderator", score=1.0,
                                  matched_provider_id=p.id, pinned=True))
        obs.provider_id = new.id
    # Pin the observations that stay, too: the indexer must not fold them back together.
    session.execute(update(MatchLink).where(MatchLink.provider_id == p.id).values(pinned=True))
    if person is None:
        session.execute(update(FieldEvidence).where(FieldEvidence.provider_id == p.id,
                                                    FieldEvidence.observation_id.in_(ids)).values(provider_id=new.id))
    session.execute(update(Review).where(Review.provider_id == p.id, Review.observation_id.in_(ids))
                    .values(provider_id=new.id))
    session.flush()
    recompute(session, p.id)
    recompute(session, new.id)
    enqueue(session, [p.id, new.id])
    record(session, actor, "split", provider_id=p.id, reason=reason,
           details={"new_provider_id": new.id, "observations": ids, "joined_person": person is not None})
    return new


def hide_review(session: Session, actor: Actor, review_id: int, reason: str, hidden: bool = True) -> Review:
    """Hide (or show again) a review; hidden reviews are never shown nor counted in ratings."""
    reason = required_text(reason)
    review = session.get(Review, review_id)
    if review is None:
        raise CurateError(f"no review #{review_id}")
    review.hidden = hidden
    review.hidden_reason = reason if hidden else None
    recompute(session, review.provider_id)
    enqueue(session, review.provider_id)
    record(session, actor, "hide_review" if hidden else "unhide_review", provider_id=review.provider_id,
           reason=reason, details={"review_id": review.id})
    return review


def resolve_flag(session: Session, actor: Actor, flag_id: int, resolution: str) -> Flag:
    resolution = required_text(resolution, "resolution")
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise CurateError(f"no flag #{flag_id}")
    if flag.status == "resolved":
        raise CurateError(f"flag #{flag_id} is already resolved")
    flag.status = "resolved"
    flag.resolved_at = utcnow()
    flag.resolved_by_id = actor.user_id
    flag.resolution = resolution
    record(session, actor, "resolve_flag", provider_id=flag.provider_id, reason=resolution,
           details={"flag_id": flag.id, "category": flag.category})
    return flag
