"""Ground truth of the sample web: what a perfect crawl + index of each site should produce.

``get_truth(web)`` returns it with live URLs filled in. Conventions:

* one :class:`ExpectedListing` per location; ``name`` is the main name, ``aliases`` other acceptable spellings;
* ``address.street`` is written as on the site's main page ("1100 Congress Ave, Suite 210"); compare streets
  after normalising unit designators (Suite/Ste/#) and case;
* ``website`` is the live loopback URL of the listing (base URL or location page); ``canonical_website`` is the
  ``.example`` URL printed in the content -- either is acceptable as the listing's website;
* codes are those of ``kdir.common.vocabulary``; ``negated_modalities`` are explicitly denied on the site and must
  not be extracted;
* a practitioner's ``verification`` is the expected registry outcome (``indexer.db.models.VERIFICATION_OUTCOMES``):
  by number when the site prints an NPI, else by name and state;
* ``needs_browser`` sites are single-page apps: plain HTTP fetches yield an empty shell, the listing is what a
  crawl rendering each view in a browser yields;
* sites with ``provider=False`` must yield no listing at all; ``forbidden_phones`` appear only on pages
  disallowed by robots.txt and must never show up in a crawl; ``fax_numbers`` are not phones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from kdir.common.record import Address, Practitioner, Price, ProviderItem, Rating, Review

Outcome = Literal["verified", "mismatch", "not_found", "ambiguous", "invalid_number"]


@dataclass(frozen=True)
class ExpectedPractitioner:
    name: str  # without title or credentials
    credentials: tuple[str, ...]  # normalised, as claimed on the site
    role: str | None
    npi: str | None  # as printed on the site (may be malformed)
    state: str  # state of the practice location, for name look-ups
    verification: Outcome
    registry_npi: str | None = None  # the registry record a correct verifier settles on (verified/mismatch)
    trap: str | None = None  # what makes this one tricky


@dataclass(frozen=True)
class ExpectedListing:
    site: str
    slug: str  # location within the site; "main" for single-location sites
    kind: Literal["clinic", "practitioner"]
    name: str
    phones: tuple[str, ...]  # E.164
    address: Address
    website: str  # path at first, live URL after get_truth()
    canonical_website: str | None = None
    aliases: tuple[str, ...] = ()
    npi: str | None = None  # organisation NPI (clinic) or the practitioner's own NPI
    email: str | None = None
    modalities: tuple[str, ...] = ()
    negated_modalities: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    practitioners: tuple[ExpectedPractitioner, ...] = ()
    rating_value: float | None = None
    rating_count: int | None = None
    reviews_with_rating: int = 0  # individual reviews carrying a star rating
    testimonials: int = 0  # reviews/testimonials without a rating
    price_min: float | None = None
    price_max: float | None = None
    telehealth: bool | None = None
    licensed_states: tuple[str, ...] = ()
    insurance: tuple[str, ...] = ()

    def as_item(self, source: str = "truth", fetched_at: datetime | None = None) -> ProviderItem:
        """This listing as the item a perfect spider would yield (reviews omitted: only counts are known)."""
        return ProviderItem(
            source=source, source_url=self.website, fetched_at=fetched_at or datetime.now(UTC), kind=self.kind,
            name=self.name, website=self.website, phones=list(self.phones), email=self.email,
            address=replace(self.address), npi=self.npi, modalities=list(self.modalities),
            conditions=list(self.conditions), services=list(self.services),
            practitioners=[Practitioner(p.name, list(p.credentials), p.role, p.npi) for p in self.practitioners],
            rating=Rating(self.rating_value, self.rating_count) if self.rating_value is not None else None,
            price=Price(self.price_min, self.price_max) if self.price_min is not None else None,
            insurance=list(self.insurance), telehealth=self.telehealth, location_key=f"{self.site}:{self.slug}")


@dataclass(frozen=True)
class SiteTruth:
    name: str
    base_url: str
    provider: bool  # False: the site must yield nothing
    listings: tuple[ExpectedListing, ...]
    robots_disallow: tuple[str, ...] = ()
    crawl_delay: float | None = None
    encoding: str = "utf-8"
    forbidden_phones: tuple[str, ...] = ()
    trap_paths: tuple[str, ...] = ()  # paths generating endless pages
    fax_numbers: tuple[str, ...] = ()  # printed on the site, but not phone numbers of the listing
    needs_browser: bool = False  # a single-page app: the listing appears only after a browser runs the script


@dataclass(frozen=True)
class ExpectedDirectoryListing:
    url: str  # detail page (live after get_truth)
    name: str
    phone: str  # E.164
    address: Address  # street exactly as printed by the directory
    rating_value: float | None
    rating_count: int
    modalities: tuple[str, ...]
    website: str | None  # live URL of the clinic site page it links to
    same_as: tuple[str, str] | None  # (site, slug) of the matching ExpectedListing, None if directory-only
    reviews: tuple[Review, ...] = ()
    #: texts of reviews that the clinic's own site publishes too (the same review seen at two sources)
    shared_review_texts: tuple[str, ...] = ()
    kind: Literal["clinic", "practitioner"] = "clinic"
    #: the name as printed on the detail page (``name`` is what a crawl reads: a person's name for a
    #: practitioner listing, without the credentials that follow it)
    printed_name: str = ""
    credentials: tuple[str, ...] = ()  # a practitioner listing's own credentials
    #: the people the listing names (medical director first, with role "Medical Director")
    practitioners: tuple[Practitioner, ...] = ()


@dataclass(frozen=True)
class ExpectedOsmElement:
    osm_id: str  # "node/9100000001"
    name: str | None
    keep: bool  # a ketamine-therapy candidate (True) or unrelated (False)
    same_as: tuple[str, str] | None = None


@dataclass(frozen=True)
class Truth:
    sites: dict[str, SiteTruth]
    directory: tuple[ExpectedDirectoryListing, ...]
    osm: tuple[ExpectedOsmElement, ...]
    urls: dict[str, str] = field(default_factory=dict)

    def listings(self) -> list[ExpectedListing]:
        """Every expected listing of every clinic site (the dental office contributes none)."""
        return [lst for s in self.sites.values() for lst in s.listings]

    def listing(self, site: str, slug: str = "main") -> ExpectedListing:
        return next(x for x in self.sites[site].listings if x.slug == slug)

    def practitioners(self) -> list[tuple[ExpectedListing, ExpectedPractitioner]]:
        return [(lst, p) for lst in self.listings() for p in lst.practitioners]

    def non_providers(self) -> list[str]:
        return [s.name for s in self.sites.values() if not s.provider]


def e164(phone: str) -> str:
    """'(512) 555-0101' -> '+15125550101' (US numbers only, as in the sample web)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    digits = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(digits) != 10:
        raise ValueError(f"not a US phone number: {phone!r}")
    return "+1" + digits
