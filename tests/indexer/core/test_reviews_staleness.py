from __future__ import annotations

from sqlalchemy import select

from indexer.db import Database
from indexer.db.models import OutboxEntry, Provider, RatingSummary, Review
from indexer.recompute import recompute_provider
from indexer.reviews import bayesian, combine
from tests.indexer.core.conftest import addr, crawl, item, providers

AUSTIN = addr("1100 Congress Ave Ste 210", "Austin", "TX", "78701")


def listing(url: str, name: str = "Sunrise Ketamine Clinic", phone: str = "(512) 555-0100", **kw):  # type: ignore[no-untyped-def]
    return item(source_url=url, name=name, phones=[phone], address=AUSTIN, **kw)


def test_bayesian_prior_and_weighted_combination() -> None:
    assert combine([(5.0, 2), (4.0, 8)]) == (4.2, 10)
    assert combine([]) == (None, 0)
    assert bayesian(5.0, 2) < bayesian(4.8, 200)  # two perfect reviews do not outrank two hundred 4.8s
    assert bayesian(5.0, 2) == round((10 * 4.0 + 2 * 5.0) / 12, 4)
    assert bayesian(None, 0) is None


def test_reviews_duplicates_hidden_and_summaries(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    crawl(db, "clinic_site", [listing("https://sunrise.test/", rating={"value": 9.0, "best": 10, "count": 30},
                                      reviews=[{"text": "Life-changing care!", "rating": 5, "author": "A."}])])
    crawl(db, "directory:a", [listing("https://dir.test/1", reviews=[
        {"text": "life changing   care", "rating": 5, "author": "A"},
        {"text": "Rushed and pricey.", "rating": 2},
        {"text": "Kind staff.", "rating": 4},
        {"text": "Thank you!", "rating": None}])])
    index()
    (p,) = providers(db)
    with db.session() as s:
        reviews = s.scalars(select(Review).order_by(Review.id)).all()
        assert len(reviews) == 5
        dups = [r for r in reviews if r.duplicate_of_id]
        assert len(dups) == 1 and dups[0].text == "life changing   care"
        summaries = {s_.source.key: (s_.value, s_.count) for s_ in s.scalars(select(RatingSummary))}
        assert summaries == {"clinic_site": (4.5, 30), "directory:a": (3.0, 2)}
    # The clinic's own website is self-published: kept as a summary, never in the combined figure.
    assert (p.rating_value, p.rating_count) == (3.0, 2)
    assert p.rating_bayes == bayesian(p.rating_value, 2)
    with db.session() as s:  # a moderator hides a review: it no longer counts
        bad = s.scalars(select(Review).where(Review.text == "Rushed and pricey.")).one()
        bad.hidden, bad.hidden_reason = True, "health details"
        s.flush()
        assert recompute_provider(s, p.id)
        s.commit()
        assert s.get(Provider, p.id).rating_count == 1
        assert {x.source.key: x.value for x in s.scalars(select(RatingSummary))}["directory:a"] == 4.0
    index(full=True)
    with db.session() as s:  # a later crawl neither duplicates reviews nor un-hides them
        assert len(s.scalars(select(Review)).all()) == 5
        assert s.scalars(select(Review).where(Review.text == "Rushed and pricey.")).one().hidden


def test_staleness_counts_only_good_runs_of_every_source(db: Database, index) -> None:  # type: ignore[no-untyped-def]
    a, b = listing("https://sunrise.test/"), listing("https://lotus.test/", "Lotus Infusion", "(512) 555-0177")
    d = listing("https://dir.test/1")
    crawl(db, "clinic_site", [a, b])
    crawl(db, "directory:a", [d])
    index()
    sunrise, lotus = sorted(providers(db), key=lambda p: p.name)[::-1]
    # Lotus disappears from the clinic site; Sunrise too, but the directory keeps listing it.
    crawl(db, "clinic_site", [], status="suspect")  # suspect runs never count
    crawl(db, "clinic_site", [], status="failed")
    crawl(db, "clinic_site", [a.copy() | {"source_url": "https://other.test/", "name": "Other", "phones": []}])
    crawl(db, "directory:a", [d])
    index()
    assert not any(p.stale for p in providers(db))  # one good run only (N = 2)
    crawl(db, "clinic_site", [a.copy() | {"source_url": "https://other.test/", "name": "Other", "phones": []}])
    report = index()
    state = {p.id: p for p in providers(db)}
    assert state[lotus.id].stale and state[lotus.id].stale_since is not None
    assert not state[sunrise.id].stale  # the directory still lists it
    assert report.stale_marked == 1
    with db.session() as s:
        assert s.scalars(select(OutboxEntry).where(OutboxEntry.provider_id == lotus.id)).first() is not None
    crawl(db, "clinic_site", [b])  # seen again
    index()
    assert not {p.id: p for p in providers(db)}[lotus.id].stale
