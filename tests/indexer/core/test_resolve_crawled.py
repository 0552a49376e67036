"""One record per provider across sources, crawled for real: a small directory and the clinics' own websites,
each on its own loopback address, crawled by the real spiders (directory and clinic_site), indexed for real
(SQLite and PostgreSQL) and verified against a local NPI registry. One directory-plus-website pair per rule
of merging and of keeping apart; each is its own test id."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from crawler.runner import spawn_spider
from indexer.db import Database
from indexer.db.models import Credential, MatchLink, Observation, Provider, Source
from indexer.pipeline import run_index
from indexer.verify.nppes import NppesClient
from kdir.sampleweb.nppes import search
from tests.conftest import _postgres_db
from tests.crawler.conftest import FAST, crawl_settings
from tests.crawler.trapweb import KETAMINE_BLURB, Hit, Reply, TrapSite, clinic_page

# one worker runs this module, so its module-scoped crawl is built once (not once per worker)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("resolve_crawled")]

SOURCES = Path(__file__).parent / "sources"
FIRST_OCTET = 236  # the directory; the clinic sites follow, then the registry


@dataclass(frozen=True)
class Place:
    street: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class Entry:
    """What the directory prints about one provider."""

    name: str
    place: Place
    phone: str | None = None
    kind: str = "Ketamine clinic"
    npi: str | None = None
    link: str | None = None  # path on the pair's website the directory links to ("/" = home)
    director: str | None = None
    team: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    """What the clinic's own website prints."""

    name: str
    place: Place
    phone: str
    npi: str | None = None
    team: tuple[str, ...] = ()
    person: bool = False  # a solo practitioner's own site (schema.org Physician, no organisation)


@dataclass(frozen=True)
class Pair:
    rule: str  # the rule that must join them, "apart", or "person" (the listing joins the person the site names)
    site: Site
    entry: Entry


PAIRS: dict[str, Pair] = {
    # The website the directory links to, under another (trading) name and no phone.
    "website": Pair("website", Site("Bayou Mind Ketamine Clinic", Place("4400 Westheimer Road, Suite 300", "Houston",
                                                                         "TX", "77027"), "(713) 555-0140"),
                    Entry("Neuro Renewal Partners, LLC", Place("4400 Westheimer Rd Ste 300", "Houston", "TX", "77027"),
                          link="/houston/")),
    # The same phone in the same ZIP; the directory prints no street.
    "phone": Pair("phone_zip", Site("Cascade Mind Ketamine Clinic", Place("812 SW Washington St., Suite 300",
                                                                           "Portland", "OR", "97205"), "503-555-0103"),
                  Entry("Cascade Mind Ketamine", Place("", "Portland", "OR", "97205"), phone="503.555.0103")),
    # The same NPI, another phone, the legal name; the directory names the medical director.
    "npi": Pair("npi", Site("Stillwater Ketamine Clinic", Place("1100 Congress Ave, Suite 210", "Austin", "TX",
                                                                "78701"), "512-555-0101", npi="1488277165"),
                Entry("Stillwater Ketamine & Wellness, PLLC", Place("1100 Congress Avenue Ste 210", "Austin", "TX",
                                                                     "78701"),
                      phone="512-555-0199", npi="1488277165", director="Dr. Helen Park, MD")),
    # The same address spelt differently (Street/St, Suite/#), no phone, no link.
    "address": Pair("name_address", Site("Mile High Ketamine Wellness", Place("1600 Stout Street, Suite 1400",
                                                                              "Denver", "CO", "80202"),
                                         "303-555-0102"),
                    Entry("Mile High Ketamine & Wellness", Place("1600 Stout St #1400", "Denver", "CO", "80202"))),
    # The legal name ("..., LLC", "Centers") against the trading name ("Center"), Road/Rd.
    "legal_name": Pair("name_address", Site("Gulf Coast Ketamine Center", Place("3001 Gandy Boulevard, Suite 2",
                                                                                "Tampa", "FL", "33611"),
                                            "813-555-0110"),
                       Entry("Gulf Coast Ketamine Centers, LLC", Place("3001 Gandy Blvd Ste 2", "Tampa", "FL",
                                                                       "33611"))),
    # A solo practitioner listed as an individual; the website is the practice, naming that person.
    "solo": Pair("solo_practice", Site("Blue Ridge Ketamine Psychotherapy", Place("56 College Street, Suite 4",
                                                                                  "Asheville", "NC", "28801"),
                                       "828-555-0106",
                                       team=("Sam Patel, PMHNP-BC \u2013 Founder and Psychiatric Nurse Practitioner",)),
                 Entry("Sam Patel, PMHNP-BC", Place("56 College St Ste 4", "Asheville", "NC", "28801"),
                       phone="(828) 555-0106", kind="Individual provider")),
    # The same name where the directory prints no street (nor phone, nor link).
    "no_street": Pair("name_area", Site("Harborview Psychiatry, PLLC", Place("720 Third Ave, Suite 1100", "Seattle",
                                                                            "WA", "98104"), "206-555-0108"),
                      Entry("Harborview Psychiatry", Place("", "Seattle", "WA", "98104"))),
    # A person listed at a group practice (same phone and street): the person, never the practice.
    "group_member": Pair("person", Site("Lakeview Ketamine Group", Place("300 S 4th Street, Suite 1200", "Las Vegas",
                                                                        "NV", "89101"), "702-555-0112",
                                        team=("Dr. Jane Roe, MD – Medical Director", "Ann Lee, LCSW",
                                              "Tom Fox, CRNA")),
                         Entry("Jane Roe, MD", Place("300 S 4th St Ste 1200", "Las Vegas", "NV", "89101"),
                               phone="702-555-0112", kind="Individual provider")),
    # The other way round: the directory lists the practice and links to the practitioner's own website.
    "own_site": Pair("solo_practice", Site("Dr. Maya Lind, MD", Place("1200 N Lake Shore Drive, Suite 5", "Chicago",
                                                                      "IL", "60610"), "312-555-0170", person=True),
                     Entry("Northshore Ketamine Psychiatry", Place("1200 N Lake Shore Dr Ste 5", "Chicago", "IL",
                                                                   "60610"), phone="(312) 555-0170", link="/")),
    # The same name in another state: a look-alike.
    "other_state": Pair("apart", Site("Lakeside Ketamine Clinic", Place("210 Main Street", "Madison", "WI", "53703"),
                                      "608-555-0150"),
                        Entry("Lakeside Ketamine Clinic", Place("9800 Winter Gardens Blvd", "Lakeside", "CA", "92040"),
                              phone="619-555-0150")),
    # Another branch of a chain: same brand, same website domain, same central phone, another street.
    "chain_branch": Pair("apart", Site("Evergreen Ketamine Centers", Place("45 Tremont Street, Suite 600", "Boston",
                                                                           "MA", "02108"), "617-555-0105"),
                         Entry("Evergreen Ketamine Centers \u2013 Park Plaza",
                               Place("10 Park Plaza, Suite 300", "Boston", "MA", "02108"), phone="617-555-0105",
                               link="/locations/park-plaza/")),
    # The directory prints a neighbouring ZIP: the website it links to still finds the clinic, across ZIPs.
    "wrong_zip": Pair("website_name", Site("Piedmont Ketamine Clinic", Place("1800 Peachtree Street NW, Suite 400",
                                                                              "Atlanta", "GA", "30309"),
                                           "404-555-0121"),
                      Entry("Piedmont Ketamine Clinic, LLC", Place("1800 Peachtree St NW Ste 400", "Atlanta", "GA",
                                                                    "30308"), link="/")),
    # A chain's branch in another ZIP, linking to the same website and printing the central phone.
    "chain_elsewhere": Pair("apart", Site("Summit Ketamine Centers", Place("200 Lincoln Street, Suite 5", "Denver",
                                                                           "CO", "80203"), "303-555-0160"),
                            Entry("Summit Ketamine Centers \u2013 Cherry Creek",
                                  Place("3000 E 1st Ave, Suite 200", "Denver", "CO", "80206"), phone="303-555-0160",
                                  link="/locations/cherry-creek/")),
    # Two independent clinics of one city under the trade's words; the directory prints no street.
    "generic_name": Pair("apart", Site("Ketamine Wellness Center", Place("1500 Main Street", "Kansas City", "MO",
                                                                         "64105"), "816-555-0130"),
                         Entry("Ketamine Wellness Center", Place("", "Kansas City", "MO", "64105"),
                               phone="816-555-0188")),
}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _site_routes(site: Site) -> dict[str, str]:
    p = site.place
    ld = {"@context": "https://schema.org", "@type": "Physician" if site.person else "MedicalClinic",
          "name": site.name, "telephone": site.phone,
          "address": {"@type": "PostalAddress", "streetAddress": p.street, "addressLocality": p.city,
                      "addressRegion": p.state, "postalCode": p.zip}}
    team = "".join(f"<p>{_esc(x)}</p>" for x in site.team)
    body = (f'<script type="application/ld+json">{json.dumps(ld)}</script><h1>{_esc(site.name)}</h1>'
            f"{KETAMINE_BLURB}<p>{_esc(p.street)}, {_esc(p.city)}, {p.state} {p.zip}</p>"
            f'<p>Call <a href="tel:{site.phone}">{_esc(site.phone)}</a></p>'
            + (f"<p>Organization NPI: {site.npi}</p>" if site.npi else "")
            + (f"<h2>Our team</h2>{team}" if team else ""))
    return {"/": clinic_page(site.name, body)}


def _entry_page(entry: Entry, site_url: str) -> str:
    p = entry.place
    parts = [f'<article><p class="type">{_esc(entry.kind)}</p><h1>{_esc(entry.name)}</h1>',
             '<div class="addr">' + (f'<span class="street">{_esc(p.street)}</span>, ' if p.street else "")
             + f'<span class="city">{_esc(p.city)}</span>, <span class="state">{p.state}</span> '
             f'<span class="zip">{p.zip}</span></div>']
    if entry.phone:
        parts.append(f'<p><a class="tel" href="tel:{entry.phone}">{_esc(entry.phone)}</a></p>')
    if entry.npi:
        parts.append(f'<p>NPI <span class="npi">{entry.npi}</span></p>')
    if entry.link:
        parts.append(f'<p><a class="web" href="{site_url}{entry.link}">Website</a></p>')
    if entry.director:
        parts.append(f'<p class="director">Medical director: <b>{_esc(entry.director)}</b></p>')
    if entry.team:
        parts.append('<ul class="team">' + "".join(f"<li>{_esc(x)}</li>" for x in entry.team) + "</ul>")
    return f"<html><body>{''.join(parts)}</article></body></html>"


def _registry(hit: Hit) -> Reply:
    """The sample NPI registry's answers (kdir.sampleweb.nppes), served on its own address."""
    params = dict(parse_qsl(urlsplit(hit.path).query))
    return Reply(body=json.dumps(search(params)).encode(), content_type="application/json")


@dataclass
class World:
    directory: TrapSite
    sites: dict[str, TrapSite]
    registry: TrapSite
    all: list[TrapSite] = field(default_factory=list)

    def entry_url(self, key: str) -> str:
        return f"{self.directory.url}/p/{key}"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    sites = {key: TrapSite(f"127.0.0.{FIRST_OCTET + 1 + i}", _site_routes(pair.site))  # type: ignore[arg-type]
             for i, (key, pair) in enumerate(PAIRS.items())}
    routes: dict[str, str] = {"/providers": "<html><body><ol class=hits>" + "".join(
        f'<li><a class="entry" href="/p/{key}">{_esc(p.entry.name)}</a></li>' for key, p in PAIRS.items())
        + "</ol></body></html>"}
    routes.update({f"/p/{key}": _entry_page(p.entry, sites[key].url) for key, p in PAIRS.items()})
    directory = TrapSite(f"127.0.0.{FIRST_OCTET}", routes)  # type: ignore[arg-type]
    registry = TrapSite(f"127.0.0.{FIRST_OCTET + 1 + len(PAIRS)}", {"/api/": _registry})
    everything = [directory, registry, *sites.values()]
    for s in everything:
        s.start()
    yield World(directory, sites, registry, everything)
    for s in everything:
        s.stop()


@dataclass
class Indexed:
    world: World
    db: Database
    #: observation id -> (provider id, rule) of the listing itself
    decisions: dict[int, tuple[int, str]]
    by_url: dict[str, int]  # source URL -> observation id


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def indexed(request: pytest.FixtureRequest, world: World, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Indexed]:
    var = tmp_path_factory.mktemp(f"pairs-{request.param}")
    pg = _postgres_db() if request.param == "postgres" else None
    url = next(pg).url if pg is not None else None
    settings = crawl_settings(var, database_url=str(url) if url else None,
                              KDIR_NPPES_URL=f"{world.registry.url}/api/")
    jobs = {"directory": {"source": "pairs", "base_url": world.directory.url, "sources_dir": str(SOURCES)},
            "clinic_site": {"urls": ",".join(s.url for s in world.sites.values())}}
    procs = {name: spawn_spider(name, args, settings=settings, extra_settings=FAST) for name, args in jobs.items()}
    for name, proc in procs.items():
        assert proc.wait(timeout=180) == 0, (name, "\n".join(proc.tail))
    db = Database.connect(settings.database_url)
    client = NppesClient(f"{world.registry.url}/api/", pause_s=0.0, backoff_s=0.0)
    run_index(db, settings, verify=True, registry=client)
    with db.session() as s:
        by_url = {u: oid for oid, u in s.execute(select(Observation.id, Observation.source_url)
                                                 .where(Observation.superseded.is_(False)))}
        decisions = {o: (p, r) for o, p, r in s.execute(select(MatchLink.observation_id, MatchLink.provider_id,
                                                                MatchLink.rule)
                                                         .where(MatchLink.mention_key.is_(None)))}
    yield Indexed(world, db, decisions, by_url)
    db.dispose()
    if pg is not None:
        next(pg, None)


def _site_observation(ix: Indexed, key: str) -> int:
    base = ix.world.sites[key].url
    found = [oid for u, oid in ix.by_url.items() if u.startswith(base)]
    assert len(found) == 1, (key, found, sorted(ix.by_url))
    return found[0]


@pytest.mark.parametrize("key", list(PAIRS))
def test_pair(indexed: Indexed, key: str) -> None:
    pair = PAIRS[key]
    entry_obs = indexed.by_url[indexed.world.entry_url(key)]
    site_obs = _site_observation(indexed, key)
    entry_provider, entry_rule = indexed.decisions[entry_obs]
    site_provider, site_rule = indexed.decisions[site_obs]
    if pair.rule == "apart":
        assert entry_provider != site_provider, (key, entry_rule, site_rule)
        assert {entry_rule, site_rule} == {"new"}
    elif pair.rule == "person":  # the listing is the person the practice names, not the practice
        assert entry_provider != site_provider and site_rule == "new", (key, entry_rule, site_rule)
        with indexed.db.session() as s:
            person = s.get(Provider, entry_provider)
            assert person.kind == "practitioner"
            named = s.scalars(select(MatchLink.provider_id).where(MatchLink.observation_id == site_obs,
                                                                  MatchLink.mention_key == f"p:{person.match_name}"))
            assert list(named) == [entry_provider]
    else:
        assert entry_provider == site_provider, (key, entry_rule, site_rule)
        assert {entry_rule, site_rule} == {"new", pair.rule}, key
        with indexed.db.session() as s:
            assert s.get(Provider, site_provider).kind == "clinic"


def test_every_pair_is_one_clinic_or_two(indexed: Indexed) -> None:
    with indexed.db.session() as s:
        clinics = s.scalars(select(Provider.name).where(Provider.kind == "clinic")).all()
    apart = sum(1 for p in PAIRS.values() if p.rule == "apart")
    assert len(clinics) == len(PAIRS) + apart, sorted(clinics)  # a person's listing is no clinic


def _claims(ix: Indexed, name: str) -> list[tuple[str, str | None, str, str | None]]:
    """(source kind, credential, outcome, registry NPI) of the person of that match name."""
    with ix.db.session() as s:
        rows = s.execute(select(Source.kind, Credential.credential, Credential.outcome, Credential.registry_npi)
                         .join(Provider, Provider.id == Credential.provider_id)
                         .join(Source, Source.id == Credential.source_id)
                         .where(Provider.kind == "practitioner", Provider.match_name == name)).all()
    return sorted((k, c, o, n) for k, c, o, n in rows)


def test_the_solo_practitioner_is_verified_as_a_person_of_the_practice(indexed: Indexed) -> None:
    claims = _claims(indexed, "sam patel")
    assert claims and all(o == "verified" and n == "1107483525" for _k, _c, o, n in claims), claims
    with indexed.db.session() as s:
        practice = s.scalar(select(Provider).where(Provider.name == "Blue Ridge Ketamine Psychotherapy"))
        person = s.scalar(select(Provider).where(Provider.kind == "practitioner", Provider.match_name == "sam patel"))
        assert practice is not None and person is not None
        from indexer.db.models import Affiliation
        assert s.scalar(select(Affiliation.id).where(Affiliation.clinic_id == practice.id,
                                                     Affiliation.practitioner_id == person.id)) is not None
        people = s.scalars(select(Provider.id).where(Provider.kind == "practitioner",
                                                     Provider.match_name == "sam patel")).all()
        assert len(people) == 1  # one person, named by the website and listed by the directory


def test_the_directorys_medical_director_is_verified_like_the_websites_people(indexed: Indexed) -> None:
    claims = _claims(indexed, "helen park")
    assert claims == [("directory", "MD", "verified", "1583014422")], claims
    with indexed.db.session() as s:
        from indexer.db.models import Affiliation
        role = s.scalar(select(Affiliation.role).join(Provider, Provider.id == Affiliation.practitioner_id)
                        .where(Provider.match_name == "helen park"))
    assert role == "Medical Director"
