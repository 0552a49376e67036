"""Typed facts that the page extractors produce (page in, facts out; no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kdir.common.record import Address, Geo, Practitioner, Price, ProviderFacts, Rating, Review

PageKind = Literal[
    "home", "about", "team", "services", "pricing", "locations", "contact", "reviews", "blog", "other"
]
PAGE_KINDS: tuple[str, ...] = (
    "home", "about", "team", "services", "pricing", "locations", "contact", "reviews", "blog", "other"
)
VocabKind = Literal["modality", "condition", "service"]


@dataclass
class Evidence:
    """One mention of a vocabulary code in a page's text."""

    code: str
    kind: VocabKind
    negated: bool
    snippet: str


@dataclass
class LocatedAddress:
    """An address found on a page, with the label of its location (e.g. "Austin - Downtown") if any."""

    address: Address
    label: str | None = None
    phone: str | None = None  # E.164 phone printed next to this address
    zip_state_ok: bool | None = None  # None: ZIP unknown to the ZIP table
    footer: bool = False  # printed in the page footer (repeated site-wide)


@dataclass
class Link:
    url: str
    text: str


@dataclass
class NameCandidate:
    name: str
    origin: str  # "structured", "og:site_name", "title", "h1", "logo"


@dataclass(kw_only=True)
class StructuredEntity(ProviderFacts):
    """A schema.org organisation or person (one per schema.org location): the provider facts it states, plus
    what only structured data carries."""

    types: list[str]
    price_range: str | None = None
    service_names: list[str] = field(default_factory=list)  # availableService / medicalSpecialty names
    is_person: bool = False


@dataclass
class PageFacts:
    url: str
    page_kind: PageKind = "other"
    title: str | None = None
    names: list[NameCandidate] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164, page order, no fax numbers
    emails: list[str] = field(default_factory=list)
    addresses: list[LocatedAddress] = field(default_factory=list)
    geo: Geo | None = None
    npis: list[str] = field(default_factory=list)
    invalid_npis: list[str] = field(default_factory=list)
    practitioners: list[Practitioner] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    #: Mentions of ketamine/esketamine in a therapy context: (negated, snippet). Unrelated contexts (dental,
    #: veterinary, surgical anaesthesia, news) are left out.
    ketamine_mentions: list[tuple[bool, str]] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    insurance: list[str] = field(default_factory=list)  # payer names accepted
    accepts_insurance: bool | None = None
    telehealth: bool | None = None
    rating: Rating | None = None
    reviews: list[Review] = field(default_factory=list)
    entities: list[StructuredEntity] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: first-person singular phrases ("I offer", "my practice"): a solo practitioner's voice
    first_person: int = 0
    #: an empty single-page-app shell: a browser must run its script before anything can be read
    app_shell: bool = False
    #: the page's menu is built by script (see ``scriptnav.NavSignals``): a browser must run it to show the links;
    #: the value is what the page shares with the other pages of its template (render one of them), else None
    script_nav: str | None = None
    error: str | None = None  # set when the page could not be parsed at all

    @property
    def positive_ketamine(self) -> bool:
        return any(not neg for neg, _ in self.ketamine_mentions)
