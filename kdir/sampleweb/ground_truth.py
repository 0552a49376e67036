"""The sample web's ground truth with live URLs filled in (the data is in ``truth_data``, ``directory`` and
``overpass``; its shape in ``truth``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kdir.common.record import Address, Practitioner, Review
from kdir.sampleweb.directory import LISTINGS
from kdir.sampleweb.overpass import ELEMENTS
from kdir.sampleweb.truth import (
    ExpectedDirectoryListing,
    ExpectedOsmElement,
    SiteTruth,
    Truth,
    e164,
)
from kdir.sampleweb.truth_data import OSM_KEEP, SITES


def get_truth(urls: Mapping[str, str] | object | None = None) -> Truth:
    """The truth with live URLs: pass a running ``SampleWeb`` or its ``urls`` mapping.

    Without URLs, URLs stay as ``{{site:NAME}}/path`` placeholders (handy for unit tests of the data itself).
    """
    live: dict[str, str] = dict(getattr(urls, "urls", urls) or {})  # type: ignore[call-overload]

    def base(name: str) -> str:
        return live.get(name, "{{site:" + name + "}}")

    sites: dict[str, SiteTruth] = {}
    for s in SITES:
        b = base(s.name)
        sites[s.name] = replace(s, base_url=b, listings=tuple(replace(x, website=b + x.website) for x in s.listings))

    directory = []
    d = base("directory")
    for item in LISTINGS:
        slug = "main"
        if item.site and item.site_path.startswith("/locations/"):
            slug = item.site_path.strip("/").split("/")[-1]
        directory.append(ExpectedDirectoryListing(
            url=f"{d}/clinic/{item.slug}/", name=item.person[0] if item.person else item.name, phone=e164(item.phone),
            address=Address(item.street, item.city, item.state, item.postal_code),
            rating_value=item.rating, rating_count=item.review_count, modalities=item.modalities,
            website=base(item.site) + item.site_path if item.site else None,
            same_as=(item.site, slug) if item.site else None,
            reviews=tuple(Review(r.text, float(r.rating), r.date, r.author) for r in item.reviews),
            shared_review_texts=tuple(r.text for r in item.reviews if r.on_site),
            kind="practitioner" if item.person else "clinic", printed_name=item.name,
            credentials=item.person[1] if item.person else (),
            practitioners=_DIRECTORY_PEOPLE.get(item.slug, ())))

    osm = []
    for etype, eid, _lat, _lon, tags in ELEMENTS:
        keep = OSM_KEEP.get(eid)
        osm.append(ExpectedOsmElement(f"{etype}/{eid}", tags.get("name"), keep is not None,
                                      keep if keep else None))
    return Truth(sites=sites, directory=tuple(directory), osm=tuple(osm), urls=live)


_MD = "Medical Director"
#: The people each directory listing names, as a crawl should read them (listing slug -> people).
_DIRECTORY_PEOPLE: dict[str, tuple[Practitioner, ...]] = {
    "stillwater-ketamine-clinic-austin": (Practitioner("Helen Park", ["MD"], _MD),
                                          Practitioner("Jordan Ellis", ["CRNA"])),
    "mile-high-ketamine-wellness-denver": (Practitioner("Marcus Webb", ["DO"], _MD),),
    "cascade-mind-ketamine-clinic-portland": (Practitioner("Alan Reyes", ["DO"], _MD),
                                              Practitioner("Maria Chen", ["LCSW"])),
    "lumen-ketamine-therapy-phoenix": (Practitioner("Priya Natarajan", ["MD"], _MD),),
    "evergreen-ketamine-centers-providence": (Practitioner("Sofia Alvarez", ["MD"]),),
    "harborview-psychiatry-seattle": (Practitioner("Rebecca Stone", ["MD"], _MD),),
    "clinica-serenidad-ketamine-center-albuquerque": (
        Practitioner("Jos\u00e9 N\u00fa\u00f1ez", ["MD"], _MD), Practitioner("Bego\u00f1a Ib\u00e1\u00f1ez", ["LPCC"])),
    "tidewater-ketamine-spravato-center-charleston": (Practitioner("Caroline Ashby", ["MD"], _MD),
                                                      Practitioner("Thomas Grimke", ["PMHNP-BC"])),
}
