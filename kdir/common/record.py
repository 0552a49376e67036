"""The typed item every spider yields: what one source said about one provider location.

Field by field documentation: docs/items.md. Vocabulary codes (modalities, conditions, services) are those of
``kdir.common.vocabulary``. Items convert to plain JSON-able dicts with :meth:`ProviderItem.to_dict` for storage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["clinic", "practitioner"]


@dataclass
class Address:
    street: str | None = None
    city: str | None = None
    region: str | None = None  # two-letter US state code
    postal_code: str | None = None
    country: str | None = "US"


@dataclass
class Geo:
    lat: float
    lon: float


@dataclass
class Practitioner:
    name: str
    credentials: list[str] = field(default_factory=list)  # normalised codes: "MD", "DO", "PMHNP-BC", "LCSW", ...
    role: str | None = None  # "Medical Director", "Therapist", ...
    npi: str | None = None


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


@dataclass
class ProviderItem:
    source: str
    source_url: str
    fetched_at: datetime
    kind: Kind = "clinic"
    name: str | None = None
    website: str | None = None
    phones: list[str] = field(default_factory=list)  # E.164
    email: str | None = None
    address: Address | None = None
    geo: Geo | None = None
    npi: str | None = None
    modalities: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    practitioners: list[Practitioner] = field(default_factory=list)
    rating: Rating | None = None
    reviews: list[Review] = field(default_factory=list)
    price: Price | None = None
    insurance: list[str] = field(default_factory=list)
    telehealth: bool | None = None
    #: Stable key of this location within its source (e.g. website host + location slug); the storage layer
    #: uses it to recognise the same listing across runs. Defaults to source_url.
    location_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fetched_at"] = self.fetched_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProviderItem:
        d = dict(data)
        fetched = d.get("fetched_at")
        d["fetched_at"] = datetime.fromisoformat(fetched) if isinstance(fetched, str) else fetched
        if d.get("address") is not None:
            d["address"] = Address(**d["address"])
        if d.get("geo") is not None:
            d["geo"] = Geo(**d["geo"])
        d["practitioners"] = [Practitioner(**p) for p in d.get("practitioners") or []]
        if d.get("rating") is not None:
            d["rating"] = Rating(**d["rating"])
        d["reviews"] = [Review(**r) for r in d.get("reviews") or []]
        if d.get("price") is not None:
            d["price"] = Price(**d["price"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})
