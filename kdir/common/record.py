"""The provider record: what one source said about one provider location, from extraction to the indexer.

One typed shape for the whole data flow: spiders yield it, the normaliser (:mod:`kdir.common.normalise`) cleans
it once, the crawler stores it as an observation, the indexer reads it back. Field by field documentation:
docs/items.md. Vocabulary codes (modalities, conditions, services) are those of :mod:`kdir.common.vocabulary`.

A value that was printed but cannot be used (a bad NPI check digit, a malformed ZIP) is never silently lost: the
normaliser keeps printed NPIs as printed and lists every problem in :attr:`ProviderItem.issues` with its reason,
for verification, crawl statistics and moderators.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from kdir.common.names import match_name, person_match_name

Kind = Literal["clinic", "practitioner"]
KINDS: tuple[str, ...] = ("clinic", "practitioner")


@dataclass
class Address:
    street: str | None = None
    city: str | None = None
    region: str | None = None  # two-letter US state code
    postal_code: str | None = None  # five-digit ZIP once normalised
    country: str | None = "US"

    def as_dict(self) -> dict[str, str | None]:
        # a literal, not dataclasses.asdict: the indexer calls this for every observation it reads
        return {"street": self.street, "city": self.city, "region": self.region, "postal_code": self.postal_code,
                "country": self.country}


@dataclass
class Geo:
    lat: float
    lon: float
    #: "source": the point the source published; "zip_centroid": the centre of its ZIP code (set by the indexer)
    source: str = "source"


@dataclass
class Practitioner:
    name: str
    credentials: list[str] = field(default_factory=list)  # normalised codes: "MD", "DO", "PMHNP-BC", "LCSW", ...
    role: str | None = None  # "Medical Director", "Therapist", ...
    npi: str | None = None  # as printed (10 digits); its check digit is verified later, never assumed

    @property
    def key(self) -> str:
        """Match form of the person's name ("Dr. Jane Q. Doe, MD" -> "jane q doe")."""
        return person_match_name(self.name)


@dataclass
class Rating:
    value: float
    count: int | None = None
    best: float = 5.0


@dataclass
class Review:
    text: str | None = None
    rating: float | None = None  # None for a testimonial without a rating
    date: str | None = None  # ISO 8601 date
    author: str | None = None
    url: str | None = None
    #: True when the provider published it on its own site (a testimonial it chose), None when not known
    self_published: bool | None = None


@dataclass
class Price:
    min: float | None = None
    max: float | None = None
    currency: str | None = "USD"
    unit: str | None = None  # "session", "series", "consultation", ...


@dataclass(frozen=True)
class Issue:
    """A printed value the normaliser could not use as it is, and why (kept for moderators and statistics)."""

    field: str  # the record field ("npi", "phones", "address", "practitioners", ...)
    value: str  # the value as printed, cut to 200 characters
    reason: str  # plain words: "the NPI check digit is wrong", "not a US ZIP code", ...


@dataclass(kw_only=True)
class ProviderFacts:
    """The facts one page or one source gives about a provider; shared by every shape that carries them."""

    name: str | None = None
    website: str | None = None
    phones: list[str] = field(default_factory=list)  # E.164
    email: str | None = None
    address: Address | None = None
    geo: Geo | None = None
    npi: str | None = None  # as printed (10 digits)
    modalities: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    practitioners: list[Practitioner] = field(default_factory=list)
    rating: Rating | None = None
    reviews: list[Review] = field(default_factory=list)
    price: Price | None = None
    insurance: list[str] = field(default_factory=list)
    telehealth: bool | None = None


@dataclass(kw_only=True)
class ProviderItem(ProviderFacts):
    """One source's record of one provider location (a Scrapy item, an observation's payload)."""

    source: str
    source_url: str
    fetched_at: datetime
    kind: Kind = "clinic"
    #: a practitioner listing's own credentials (the person the listing is about)
    credentials: list[str] = field(default_factory=list)
    #: Stable key of this location within its source (e.g. website host + location slug); the storage layer
    #: uses it to recognise the same listing across runs. Defaults to source_url.
    location_key: str | None = None
    #: printed values the normaliser could not use as they are
    issues: list[Issue] = field(default_factory=list)
    #: version of the normalisation rules applied (None: not normalised yet)
    normalised: int | None = None

    @property
    def zip(self) -> str | None:
        return self.address.postal_code if self.address else None

    @property
    def match_name(self) -> str:
        """Match form of the listing's name (a person's form for a practitioner listing)."""
        return (person_match_name if self.kind == "practitioner" else match_name)(self.name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fetched_at"] = self.fetched_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProviderItem:
        """The typed record of a stored payload. Nested values of the wrong shape raise TypeError/ValueError
        (callers treat the payload as malformed); field values are cleaned by the normaliser, not here."""
        d = {k: v for k, v in data.items() if k in _FIELDS}
        fetched = d.get("fetched_at")
        d["fetched_at"] = datetime.fromisoformat(fetched) if isinstance(fetched, str) else fetched
        nested: tuple[tuple[str, type[Any]], ...] = (
            ("address", Address), ("geo", Geo), ("rating", Rating), ("price", Price))
        for key, kind in nested:
            d[key] = _nested(kind, d.get(key))
        listed: tuple[tuple[str, type[Any]], ...] = (
            ("practitioners", Practitioner), ("reviews", Review), ("issues", Issue))
        for key, kind in listed:
            if isinstance(d.get(key), list):
                d[key] = [_nested(kind, x) for x in d[key]]
        return cls(**d)


def _nested(kind: type[Any], value: Any) -> Any:
    """A nested dataclass from its dict form; a value of another shape is passed on as it is (the normaliser
    reports it as an issue instead of the whole record failing)."""
    if not isinstance(value, dict):
        return value
    try:
        return kind(**{k: v for k, v in value.items() if k in kind.__dataclass_fields__})
    except TypeError:
        return value


_FIELDS = frozenset(ProviderItem.__dataclass_fields__)
