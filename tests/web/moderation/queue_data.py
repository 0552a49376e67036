"""A first crawl's worth of queue work on top of the standard seeded data set (tests/web/seed.py): new listings
with verified practitioners, one with an open patient report, credentials the registry did not confirm (not
found, ambiguous, does not match) and a published listing with a material change waiting.

``add_queue_work(db) -> dict[str, int]`` returns the provider ids by key."""

from __future__ import annotations

from indexer.db import Database
from indexer.db.models import Flag
from tests.web.seed import PSYCHIATRY, PractitionerSpec, add_provider


def _clinic(s, name: str, *, region: str = "TX", phones: tuple[str, ...] = (), outcome: str | None = "verified",
            npi: str = "1234567893", status: str = "pending") -> int:  # type: ignore[no-untyped-def]
    practitioners = [PractitionerSpec(f"{name} Doctor", "MD", npi, outcome=outcome, role="Medical Director",
                                      taxonomy=PSYCHIATRY, license_states=[region])] if outcome else []
    city = {"TX": "Austin", "CO": "Denver", "OR": "Portland"}[region]
    zipcode = {"TX": "78702", "CO": "80203", "OR": "97206"}[region]
    return add_provider(s, name, status=status, city=city, region=region, postal_code=zipcode,
                        phones=list(phones), modalities=["iv_infusion"], practitioners=practitioners).id


def add_queue_work(db: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with db.session() as s:
        ids["verified_a"] = _clinic(s, "Verified New Clinic A", phones=("+15125550301",))
        ids["verified_b"] = _clinic(s, "Verified New Clinic B", phones=("+15125550302",))
        ids["verified_co"] = _clinic(s, "Verified New Clinic Denver", region="CO")
        ids["flagged"] = _clinic(s, "Reported New Clinic", phones=("+15125550303",))
        ids["not_found"] = _clinic(s, "Unregistered Doctor Clinic", outcome="not_found")
        ids["ambiguous"] = _clinic(s, "Common Name Clinic", outcome="ambiguous")
        ids["mismatch"] = _clinic(s, "Wrong Licence Clinic", region="OR", outcome="mismatch")
        ids["unchecked"] = _clinic(s, "Unchecked New Clinic", region="CO", outcome=None)
        ids["changed"] = _clinic(s, "Moved Clinic", status="published")
        s.add(Flag(provider_id=ids["flagged"], category="unsafe", message="Gives ketamine without a screening"))
        from indexer.db.models import Provider

        s.get_one(Provider, ids["changed"]).pending_changes = {
            "address": {"old": {"city": "Austin"}, "new": {"city": "Round Rock"}, "source": "clinic_site",
                        "url": "https://moved.example/contact"}}
        s.commit()
    return ids
