"""Splitting a practitioner listing out of the practice it joined (rule ``solo_practice``): the listing named
its person as a mention (see :func:`indexer.resolve.batch.BatchResolver.resolve`), so the person already has a
record. The split listing becomes that record's own listing -- never a second record for the same person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.db.models import MatchLink, Provider
from indexer.resolve.backing import final_id, merged_map
from indexer.resolve.engine import mention_key
from kdir.common.names import person_match_name


def listing_person(session: Session, observation_ids: list[int], payload: dict[str, Any]
                   ) -> tuple[Provider, str] | None:
    """The person record a practitioner listing (its observations, its current ``payload``) names as its own
    mention, and that mention's key; None for another listing, or when that is not exactly one open record."""
    if payload.get("kind") != "practitioner" or not observation_ids:
        return None
    key = mention_key(person_match_name(payload.get("name")))
    if key == mention_key(""):
        return None
    merged = merged_map(session)
    ids = {final_id(pid, merged) for pid in session.scalars(
        select(MatchLink.provider_id).where(MatchLink.observation_id.in_(observation_ids),
                                            MatchLink.mention_key == key))}
    if len(ids) != 1:
        return None
    person = session.get(Provider, ids.pop(), with_for_update=True, populate_existing=True)
    if person is None or person.kind != "practitioner" or person.status in ("merged", "rejected"):
        return None
    return person, key
