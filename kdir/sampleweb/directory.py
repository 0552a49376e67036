"""The fictional directory "KetamineFinder Sample": paginated list pages and one detail page per listing.

Listings overlap the clinic sites with slightly different formatting ("Ste 210" vs "Suite 210", phone styles),
so the indexer can merge them; three exist only here. Links to clinic websites carry live base URLs.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

from kdir.sampleweb.http import Request, Response, render

PAGE_SIZE = 5


@dataclass(frozen=True)
class DirReview:
    author: str
    rating: int
    date: str  # ISO date
    text: str
    on_site: bool = False  # the same text is also published on the clinic's own site


@dataclass(frozen=True)
class DirListing:
    slug: str
    name: str
    street: str
    city: str
    state: str
    postal_code: str
    phone: str  # as printed by the directory
    rating: float | None
    review_count: int
    modalities: tuple[str, ...]  # vocabulary codes
    site: str | None = None  # clinic site name when the clinic has a sample website
    site_path: str = "/"  # page of that site the directory links to
    reviews: tuple[DirReview, ...] = ()
    kind_label: str = "Ketamine clinic"  # the directory's own word for the listing's kind
    medical_director: str | None = None  # as printed: "Dr. Helen Park, MD"
    people: tuple[str, ...] = ()  # other providers, as printed: "Jordan Ellis, CRNA"
    #: an individual provider's listing: the person (name, credentials) a crawl reads from the printed name
    person: tuple[str, tuple[str, ...]] | None = None


LISTINGS: tuple[DirListing, ...] = (
    DirListing("stillwater-ketamine-clinic-austin", "Stillwater Ketamine Clinic", "1100 Congress Ave, Ste 210",
               "Austin", "TX", "78701", "(512) 555-0101", 4.5, 12, ("iv_infusion", "im_injection"), "stillwater",
               medical_director="Dr. Helen Park, MD", people=("Jordan Ellis, CRNA",),
               reviews=(DirReview("Tom B.", 5, "2026-05-20", "Professional and calm environment. Dr. Park explained "
                                  "every step.", on_site=True),
                        DirReview("Sandra K.", 4, "2026-06-02", "Helped my depression, but expensive."))),
    DirListing("gulf-coast-ketamine-institute-tampa", "Gulf Coast Ketamine Institute",
               "401 E Jackson St, Suite 2340", "Tampa", "FL", "33602", "813.555.0110", 4.7, 41,
               ("iv_infusion", "esketamine_nasal"), kind_label="Infusion center",
               reviews=(DirReview("Luis", 5, "2026-02-14", "Life-changing treatment for my PTSD."),
                        DirReview("Kim T.", 4, "2026-03-30", "Good staff; the waiting room was busy."))),
    DirListing("mile-high-ketamine-wellness-denver", "Mile High Ketamine & Wellness", "1600 Stout Street, #1400",
               "Denver", "CO", "80202", "303-555-0102", 4.3, 9, ("iv_infusion", "im_injection"), "milehigh",
               medical_director="Marcus Webb, D.O."),
    DirListing("cascade-mind-ketamine-clinic-portland", "Cascade Mind Ketamine Clinic",
               "812 SW Washington St., Ste. 300", "Portland", "OR", "97205", "(503) 555 0103", 4.9, 15,
               ("iv_infusion", "im_injection"), "cascade",
               medical_director="Alan Reyes, DO", people=("Maria Chen, LCSW",)),
    DirListing("lumen-ketamine-therapy-phoenix", "Lumen Ketamine Therapy", "2 N. Central Ave, Suite 1800",
               "Phoenix", "AZ", "85004", "+1 602 555 0104", 4.6, 20, ("iv_infusion",), "lumen", medical_director="Dr. Priya Natarajan, MD",
               reviews=(DirReview("Greg", 5, "2026-07-31", "Clean, quiet, professional. Worth the drive from Mesa.",
                                  on_site=True),)),
    DirListing("twin-cities-ketamine-clinic-minneapolis", "Twin Cities Ketamine Clinic", "80 S 8th St, Suite 900",
               "Minneapolis", "MN", "55402", "612-555-0111", 4.4, 18, ("iv_infusion", "esketamine_nasal")),
    DirListing("evergreen-ketamine-centers-boston", "Evergreen Ketamine Centers \u2013 Boston",
               "45 Tremont St, Ste 600", "Boston", "MA", "02108", "(617) 555-0105", 4.6, 25,
               ("iv_infusion", "im_injection"), "evergreen", "/locations/boston/"),
    DirListing("evergreen-ketamine-centers-providence", "Evergreen Ketamine Centers - Providence",
               "100 Westminster St, Suite 350", "Providence", "RI", "02903", "401-555-0125", None, 0,
               ("iv_infusion",), "evergreen", "/locations/providence/", people=("Sofia Alvarez, MD",)),
    DirListing("blue-ridge-ketamine-psychotherapy-asheville", "Sam Patel, PMHNP-BC \u2014 Blue Ridge Ketamine Psychotherapy",
               "56 College St, Ste 4", "Asheville", "NC", "28801", "828-555-0106", 5.0, 7,
               ("oral_sublingual", "at_home"), "patel", kind_label="Individual provider",
               person=("Sam Patel", ("PMHNP-BC",))),
    DirListing("desert-bloom-ketamine-infusions-las-vegas", "Desert Bloom Ketamine Infusions",
               "300 S 4th St, Suite 1200", "Las Vegas", "NV", "89101", "702-555-0112", 3.9, 11, ("iv_infusion",)),
    DirListing("harborview-psychiatry-seattle", "Harborview Psychiatry", "720 Third Ave, Suite 1100", "Seattle",
               "WA", "98104", "206.555.0108", 4.2, 30, ("esketamine_nasal",), "harborview",
               kind_label="Psychiatric practice", medical_director="Rebecca Stone, M.D."),
    DirListing("clinica-serenidad-ketamine-center-albuquerque", "Clinica Serenidad Ketamine Center",
               "315 Marquette Ave NW, Ste 500", "Albuquerque", "NM", "87102", "(505) 555-0109", 4.8, 6,
               ("iv_infusion", "im_injection"), "serenidad",
               medical_director="Dr. Jos\u00e9 N\u00fa\u00f1ez, M.D.", people=("Bego\u00f1a Ib\u00e1\u00f1ez, LPCC",)),
    DirListing("tidewater-ketamine-spravato-center-charleston", "Tidewater Ketamine & Spravato Center",
               "180 Meeting St, Ste 200", "Charleston", "SC", "29401", "843-555-0132", 4.7, 14,
               ("esketamine_nasal", "iv_infusion"), "tidewater",
               medical_director="Caroline Ashby, MD", people=("Thomas Grimke, PMHNP-BC",)),
)

_LABEL = {"iv_infusion": "IV Infusion", "im_injection": "IM Injection", "esketamine_nasal": "Spravato\u00ae (esketamine)",
          "oral_sublingual": "Oral / Sublingual", "at_home": "At-home program"}

_LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | KetamineFinder Sample</title>
<link rel="canonical" href="https://ketaminefinder.example{path}"></head>
<body><header><a href="/">KetamineFinder <small>Sample</small></a>
<nav><a href="/clinics?page=1">Browse clinics</a> <a href="/search">Search</a> <a href="/about/">About</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<main>{body}</main>
<footer><p>&copy; 2026 KetamineFinder Sample. Listings are provided by clinics and may be out of date.
KetamineFinder does not provide medical advice.</p></footer></body></html>"""

_ROBOTS = "User-agent: *\nDisallow: /search\n\nSitemap: {{base}}/sitemap.xml\n"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _pages() -> int:
    return (len(LISTINGS) + PAGE_SIZE - 1) // PAGE_SIZE


class DirectorySite:
    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = urls

    def _html(self, title: str, path: str, body: str, status: int = 200) -> Response:
        text = _LAYOUT.format(title=_esc(title), path=_esc(path), body=body)
        return Response(status, render(text, self.urls, "directory").encode("utf-8"), "text/html; charset=utf-8")

    def _list(self, page_arg: str | None) -> Response:
        page = int(page_arg) if page_arg and page_arg.isdigit() else 1
        if not 1 <= page <= _pages():
            return self._html("No results", "/clinics", "<h1>No more clinics</h1><p>This page does not exist.</p>", 404)
        rows = []
        for item in LISTINGS[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
            stars = f'<span class="stars">{item.rating:.1f} &#9733;</span> ({item.review_count})' if item.rating else \
                "<span class=\"stars\">No reviews yet</span>"
            rows.append(f'<li class="result"><h2><a href="/clinic/{item.slug}/">{_esc(item.name)}</a></h2>'
                        f'<p>{_esc(item.city)}, {item.state} &middot; {stars}</p></li>')
        nav = []
        if page > 1:
            nav.append(f'<a rel="prev" href="/clinics?page={page - 1}">&lsaquo; Previous</a>')
        nav.append(f"<span>Page {page} of {_pages()}</span>")
        if page < _pages():
            nav.append(f'<a rel="next" class="next" href="/clinics?page={page + 1}">Next &rsaquo;</a>')
        body = (f"<h1>Ketamine clinics</h1><ul class=\"results\">{''.join(rows)}</ul>"
                f"<nav class=\"pagination\">{' '.join(nav)}</nav>")
        return self._html(f"Ketamine clinics - page {page}", f"/clinics?page={page}", body)

    def _detail(self, slug: str) -> Response:
        item = next((x for x in LISTINGS if x.slug == slug), None)
        if item is None:
            return self._html("Not found", f"/clinic/{slug}/", "<h1>Listing not found</h1>", 404)
        rating = (f'<p class="rating" data-rating="{item.rating}">Rated <b>{item.rating:.1f}</b> out of 5 '
                  f'from <span class="review-count">{item.review_count}</span> reviews</p>'
                  if item.rating else '<p class="rating">No reviews yet</p>')
        mods = "".join(f'<li data-code="{m}">{_esc(_LABEL[m])}</li>' for m in item.modalities)
        website = ""
        if item.site:
            website = (f'<p><a class="website" rel="nofollow" href="{{{{site:{item.site}}}}}{item.site_path}">'
                       "Visit website</a></p>")
        reviews = "".join(
            f'<div class="review" data-rating="{r.rating}"><p class="review-text">{_esc(r.text)}</p>'
            f'<p class="review-meta">{"&#9733;" * r.rating} by <span class="author">{_esc(r.author)}</span> on '
            f'<time datetime="{r.date}">{r.date}</time></p></div>' for r in item.reviews)
        if reviews:
            reviews = f'<section class="reviews"><h2>Recent reviews</h2>{reviews}</section>'
        digits = "".join(ch for ch in item.phone if ch.isdigit())[-10:]
        people = ""
        if item.medical_director:
            people += (f'<p class="medical-director">Medical director: <span class="person">'
                       f'{_esc(item.medical_director)}</span></p>')
        if item.people:
            people += ('<h2>Providers</h2><ul class="providers">'
                       + "".join(f'<li class="provider">{_esc(x)}</li>' for x in item.people) + "</ul>")
        if people:
            people = f'<section class="team">{people}</section>'
        body = (f'<article class="listing"><p class="listing-kind">{_esc(item.kind_label)}</p>'
                f'<h1 class="listing-name">{_esc(item.name)}</h1>{rating}'
                f'<div class="address"><span class="street-address">{_esc(item.street)}</span><br>'
                f'<span class="locality">{_esc(item.city)}</span>, <span class="region">{item.state}</span> '
                f'<span class="postal-code">{item.postal_code}</span></div>'
                f'<p>Call: <a class="phone" href="tel:+1{digits}">{_esc(item.phone)}</a></p>'
                f'<h2>Treatments offered</h2><ul class="modalities">{mods}</ul>{people}{website}{reviews}'
                '<p class="claim"><a href="/claim">Is this your clinic? Claim this listing</a></p></article>')
        return self._html(item.name, f"/clinic/{slug}/", body)

    def __call__(self, req: Request) -> Response:
        path = req.path
        if path == "/robots.txt":
            return Response(200, render(_ROBOTS, self.urls, "directory").encode(), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            locs = [f"{{{{base}}}}/clinics?page={p}" for p in range(1, _pages() + 1)]
            locs += [f"{{{{base}}}}/clinic/{x.slug}/" for x in LISTINGS]
            xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                   'sitemap/0.9">' + "".join(f"<url><loc>{u.replace('&', '&amp;')}</loc></url>" for u in locs)
                   + "</urlset>\n")
            return Response(200, render(xml, self.urls, "directory").encode(), "application/xml")
        if path == "/":
            return self._html("Find a ketamine clinic", "/", '<h1>Find a ketamine clinic near you</h1>'
                              '<p><a href="/clinics?page=1">Browse all clinics</a></p>')
        if path in ("/clinics", "/clinics/"):
            return self._list(req.arg("page"))
        if path.startswith("/clinic/"):
            slug = path[len("/clinic/"):].strip("/")
            return self._detail(slug)
        if path == "/about/":
            return self._html("About", path, "<h1>About KetamineFinder Sample</h1><p>A fictional directory.</p>")
        if path == "/search":
            return self._html("Search", path, "<h1>Search</h1><form><input name=q></form>")
        return self._html("Not found", path, "<h1>Page not found</h1>", 404)
