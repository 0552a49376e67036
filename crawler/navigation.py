"""Link helpers for site crawls: canonical URLs, trap detection, page categories, link extraction.

Everything here is pure (no I/O) and treats its input as hostile: a URL or anchor text may be any string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree, html

from kdir.common.urls import clean_url, route_fragment, site_key

_SKIP_EXT = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|webp|svg|ico|bmp|tiff?|avif|mp[34]|mov|avi|wmv|webm|zip|gz|tgz|rar|7z|exe|dmg|"
    r"docx?|xlsx?|pptx?|css|js|json|rss|atom|woff2?|ttf|eot|ics|vcf)$", re.I)

#: Page categories, most useful first. Each: (category, URL path words, anchor text words).
CATEGORIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("team", ("team", "staff", "providers", "provider", "doctors", "physicians", "clinicians", "our-people",
              "meet", "bio", "leadership", "medical-director"),
     ("team", "staff", "providers", "our doctors", "physicians", "clinicians", "meet", "leadership", "bio")),
    ("services", ("services", "service", "treatments", "treatment", "therapies", "therapy", "ketamine",
                  "spravato", "esketamine", "infusion", "infusions", "conditions", "what-we-treat", "kap"),
     ("services", "treatment", "therap", "ketamine", "spravato", "esketamine", "infusion", "conditions",
      "what we treat")),
    ("pricing", ("pricing", "prices", "price", "fees", "fee", "cost", "costs", "rates", "insurance", "payment",
                 "financing"),
     ("pricing", "price", "fees", "cost", "rates", "insurance", "payment", "financing")),
    ("locations", ("locations", "location", "offices", "office", "find-us", "directions", "clinics"),
     ("locations", "location", "offices", "directions", "find us", "clinics")),
    ("contact", ("contact", "contact-us", "appointment", "book", "schedule", "visit"),
     ("contact", "appointment", "book", "visit us", "get in touch")),
    ("about", ("about", "about-us", "who-we-are", "our-story", "mission", "faq", "faqs"),
     ("about", "who we are", "our story", "mission", "faq")),
    ("reviews", ("reviews", "review", "testimonials", "testimonial", "patient-stories", "stories"),
     ("reviews", "testimonials", "patient stories", "what patients say")),
)
#: Lower is fetched earlier.
PRIORITY = {"home": 0, "team": 1, "services": 1, "pricing": 2, "locations": 1, "contact": 2, "about": 3,
            "reviews": 3, "other": 9}
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
#: anchor texts of buttons that lead to a page's details ("Learn more" under a treatment)
_PROMISING_TEXT = re.compile(
    r"\b(?:learn more|read more|more info(?:rmation)?|details|find out|discover|explore|see (?:more|how|if)|"
    r"how it works|what to expect|get started|our approach|is it right for me|who we help|costs?|insurance|"
    r"meet)\b", re.I)
#: pages whose links are worth following further (their "Learn more" buttons lead to treatments, prices, team)
_PROMISING_FROM = frozenset({"home", "services", "pricing", "team", "about", "locations", "promising"})
#: a page fetched at this priority or better is itself promising: its own "Learn more" links are too
PROMISING = 7


def worth_following(category: str, from_kind: str, depth: int) -> bool:
    """Whether a link is queued at all: a page of a known category, or any page linked from a promising one,
    at any depth (the budget bounds them); an unpromising chain (calendar, archive) is not followed."""
    return category != "other" or from_kind in _PROMISING_FROM or from_kind == "sitemap" or depth <= 1


def link_priority(category: str, text: str = "", from_kind: str = "other", depth: int = 1) -> int:
    """Fetch order of a link within a site's page budget (lower first): the category of the page it points
    to (its URL and anchor text), then for other pages how promising its anchor text and the page it sits on
    are ("Learn more" on a services page beats a blog archive link; ``from_kind`` "promising" is a page that
    was itself reached by a promising link), a little later the deeper it sits.
    No link is dropped for its depth: the per-site page budget bounds the crawl."""
    if category != "other":
        return PRIORITY.get(category, 9) + (depth > 2)
    promising_from = from_kind in _PROMISING_FROM
    if promising_from and _PROMISING_TEXT.search(str(text)[:200]):
        return 4 + min(depth, 3)
    return (7 if promising_from or from_kind == "sitemap" else 10) + min(depth, 5)


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def same_site(url: str, key: str) -> bool:
    return site_key(url) == key


def _path_of(url: str) -> tuple[str, str]:
    """(path, query) of a URL; for a client-side route (``/#/team?x=1``) those of the route."""
    parts = urlsplit(url)
    if route_fragment(parts.fragment):
        route, _, query = parts.fragment.lstrip("!").partition("?")
        return route, query
    return parts.path, parts.query


def pattern_key(url: str) -> str:
    """The URL's shape: its path with digits masked, query dropped. Many pages of one shape = a calendar."""
    return re.sub(r"\d+", "#", _path_of(url)[0].rstrip("/")) or "/"


def trap_reason(url: str, *, max_length: int = 300, max_query_params: int = 4, max_segments: int = 8) -> str | None:
    """Why a URL looks like a crawler trap (too long, too deep, repeated segments, file type), or None."""
    if len(url) > max_length:
        return "url too long"
    path, query = _path_of(url)
    if _SKIP_EXT.search(path):
        return "not a page"
    params = parse_qsl(query, keep_blank_values=True)
    if len(params) > max_query_params:
        return "too many query parameters"
    segments = [s for s in path.split("/") if s]
    if len(segments) > max_segments:
        return "path too deep"
    seen: dict[str, int] = {}
    for seg in segments:
        seen[seg] = seen.get(seg, 0) + 1
        if seen[seg] > 2:
            return "repeated path segment"
    return None


def categorize(url: str, text: str = "") -> str:
    """The category of the page a link points to (``home``, ``team``, ``services``, ... or ``other``)."""
    path, query = _path_of(url)
    path = path.lower().strip("/")
    if not path and not query:
        return "home"
    words = set(_WORD_SPLIT.split(path))
    slug_parts = path.split("/")
    anchor = " ".join(str(text).lower().split())[:200]
    for category, url_words, _text_words in CATEGORIES:
        if words & set(url_words) or any(s in url_words for s in slug_parts):
            return category
    for category, _url_words, text_words in CATEGORIES:
        if anchor and any(w in anchor for w in text_words):
            return category
    return "other"


def extract_links(body: bytes | str, base_url: str, *, encoding: str | None = None, limit: int = 2000) -> list[Link]:
    """``<a href>`` links of an HTML page (absolute, cleaned, deduplicated, in document order)."""
    if not body:
        return []
    try:
        parser = html.HTMLParser(encoding=encoding) if isinstance(body, bytes) and encoding else None
        doc = html.document_fromstring(body, parser=parser, base_url=base_url)
    except (etree.ParserError, ValueError, LookupError):
        return []
    base = base_url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(base_url, base_el.get("href", "")) or base_url
    out: list[Link] = []
    seen: set[str] = set()
    for a in doc.iter("a", "area"):
        href = a.get("href")
        if not href or href.strip().lower().startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
            continue
        rel = (a.get("rel") or "").lower()
        if "nofollow" in rel.split():
            continue
        url = clean_url(href, base)
        if url is None or url in seen:
            continue
        seen.add(url)
        text = " ".join(a.text_content().split())[:200] if a.tag == "a" else (a.get("alt") or "")
        out.append(Link(url, text))
        if len(out) >= limit:
            break
    return out
