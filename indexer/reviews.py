"""Reviews and ratings: Review rows per source, RatingSummary per source, combined and Bayesian ratings.

- The same review text at several sources counts once: later copies get ``duplicate_of_id``.
- A source's summary is its own schema.org AggregateRating when it publishes one, else the mean of its
  rated, visible, non-duplicate reviews. All values are on a 5-point scale.
- Combined rating = count-weighted mean of the source summaries (never a mean of means) of independent sources
  only: ratings and testimonials a clinic publishes on its own website (sources of kind ``clinic_site``) are
  self-published -- the clinic chose them -- so they are kept and shown apart, never counted.
- Ranking uses a Bayesian average ``(C*m + n*v) / (C + n)`` with prior mean m = 4.0 and weight C = 10 reviews:
  a clinic with two 5-star reviews does not outrank one with two hundred 4.8s. Rankings are never for sale.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from indexer.db.fastwrite import ids_in
from indexer.db.models import Provider, RatingSummary, Review, Source
from kdir.common.record import Review as ReviewRecord

#: Kinds of source whose ratings the provider publishes about itself (kept, shown apart, never combined).
SELF_PUBLISHED_KINDS = frozenset({"clinic_site"})
PRIOR_MEAN = 4.0
PRIOR_WEIGHT = 10
_NON_WORD = re.compile(r"[^\w]+")


def review_hash(review: ReviewRecord) -> str:
    """Hash of the normalised text (case, punctuation, accents and spacing ignored); rating-only reviews hash
    their author, date and rating instead."""
    if review.text:
        text = unicodedata.normalize("NFKD", review.text)
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
        key = " ".join(_NON_WORD.sub(" ", text).split())
    else:
        key = f"\x00{review.author or ''}|{review.date or ''}|{review.rating}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def bayesian(value: float | None, count: int, m: float = PRIOR_MEAN, c: int = PRIOR_WEIGHT) -> float | None:
    if value is None or count <= 0:
        return None
    return round((c * m + count * value) / (c + count), 4)


def combine(summaries: Iterable[tuple[float, int]]) -> tuple[float | None, int]:
    """Count-weighted mean of (value, count) pairs."""
    total = 0
    weighted = 0.0
    for value, count in summaries:
        if count > 0:
            total += count
            weighted += value * count
    return (round(weighted / total, 3) if total else None), total


@dataclass
class ReviewInput:
    provider_id: int
    source_id: int
    observation_id: int
    review: ReviewRecord
    seen: datetime


@dataclass
class AggregateInput:
    provider_id: int
    source_id: int
    value: float
    count: int
    url: str | None


def sync_reviews(session: Session, provider_ids: set[int], reviews: list[ReviewInput],
                 aggregates: list[AggregateInput], working: dict[int, Provider] | None = None) -> None:
    """Store new reviews, mark cross-source duplicates, refresh every rating figure of ``provider_ids``."""
    if not provider_ids:
        return
    ids = sorted(provider_ids)
    existing = {(r.provider_id, r.source_id, r.text_hash) for r in session.execute(
        select(Review.provider_id, Review.source_id, Review.text_hash).where(ids_in(Review.provider_id, ids)))}
    rows = []
    for ri in reviews:
        key = (ri.provider_id, ri.source_id, review_hash(ri.review))
        if key in existing:
            continue
        existing.add(key)
        r = ri.review
        rows.append({"provider_id": ri.provider_id, "source_id": ri.source_id, "observation_id": ri.observation_id,
                     "author": (r.author or None) and r.author[:200], "rating": r.rating, "best": 5.0,
                     "date": r.date, "text": r.text, "text_hash": key[2], "url": r.url, "first_seen": ri.seen,
                     "hidden": False})
    if rows:
        session.execute(Review.__table__.insert(), rows)
    refresh_ratings(session, provider_ids, aggregates, working)


def refresh_ratings(session: Session, provider_ids: set[int], aggregates: list[AggregateInput],
                    working: dict[int, Provider] | None = None) -> None:
    """Duplicates, per-source summaries and the provider's combined and Bayesian ratings. ``working``: provider
    objects to update instead of loading them (the recompute engine's working copies)."""
    ids = sorted(provider_ids)
    all_reviews = session.execute(
        select(Review.id, Review.provider_id, Review.source_id, Review.text_hash, Review.rating, Review.hidden,
               Review.duplicate_of_id, Review.url).where(ids_in(Review.provider_id, ids)).order_by(Review.id)).all()
    first: dict[tuple[int, str], int] = {}
    per_source: dict[tuple[int, int], list[float]] = defaultdict(list)
    dup_updates = []
    for rid, pid, sid, th, rating, hidden, dup, _url in all_reviews:
        original = first.setdefault((pid, th), rid)
        want = None if original == rid else original
        if want != dup:
            dup_updates.append({"rid": rid, "dup": want})
        if want is None and not hidden and rating is not None:
            per_source[(pid, sid)].append(float(rating))
    if dup_updates:
        for u in dup_updates:
            session.execute(update(Review).where(Review.id == u["rid"]).values(duplicate_of_id=u["dup"]))
    agg = {(a.provider_id, a.source_id): a for a in aggregates}
    summaries: dict[tuple[int, int], tuple[float, int, str | None]] = {}
    for key, vals in per_source.items():
        summaries[key] = (round(sum(vals) / len(vals), 3), len(vals), None)
    for key, a in agg.items():
        count = a.count or len(per_source.get(key, ())) or 1
        summaries[key] = (a.value, count, a.url)
    session.execute(delete(RatingSummary).where(ids_in(RatingSummary.provider_id, ids)))
    if summaries:
        session.execute(RatingSummary.__table__.insert(), [
            {"provider_id": pid, "source_id": sid, "value": v, "count": n, "url": url}
            for (pid, sid), (v, n, url) in summaries.items()])
    self_published = set(session.scalars(select(Source.id).where(Source.kind.in_(SELF_PUBLISHED_KINDS))))
    by_provider: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (pid, sid), (v, n, _u) in summaries.items():
        if sid not in self_published:
            by_provider[pid].append((v, n))
    targets = working.values() if working is not None else session.execute(
        select(Provider).where(Provider.id.in_(ids))).scalars()
    for p in targets:
        if p.id not in provider_ids:
            continue
        value, count = combine(by_provider.get(p.id, []))
        bayes = bayesian(value, count)
        if (p.rating_value, p.rating_count, p.rating_bayes) != (value, count, bayes):
            p.rating_value, p.rating_count, p.rating_bayes = value, count, bayes
