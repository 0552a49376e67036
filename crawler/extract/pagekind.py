"""Guess what a page is (home, services, team, blog, ...) from its URL, title and headings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from crawler.extract.facts import PageKind

_TOKEN = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_RULES: tuple[tuple[PageKind, frozenset[str]], ...] = (
    ("blog", _words("blog blogs news article articles post posts press media insights podcast noticias "
                       "podcasts journal newsroom events event")),
    ("pricing", _words("pricing prices price cost costs fees fee rates insurance payment payments financing "
                          "investment precios costos tarifas seguro")),
    ("reviews", _words("reviews review testimonials testimonial success stories testimonios opiniones")),
    ("team", _words("team staff providers provider doctors doctor physicians clinicians people leadership "
                       "bio bios practitioners meet founder founders dr equipo medicos")),
    ("locations", _words("locations location offices office clinics directions ubicaciones")),
    ("contact", _words("contact appointment appointments book booking schedule request consultation "
                          "consult contacto citas")),
    ("about", _words("about who story mission approach philosophy why nosotros")),
    ("services", _words("services service treatments treatment therapies therapy ketamine spravato "
                           "esketamine infusion infusions iv im kap conditions depression anxiety ptsd ocd pain "
                           "programs program process expect faq faqs patients patient integration "
                           "telehealth psychotherapy candidates candidate tratamientos servicios")),
)
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/", "/en", "/en/"})
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}/\d{1,2}/")
_BLOG_TYPES = frozenset({"BlogPosting", "NewsArticle", "Article", "Blog", "SocialMediaPosting", "LiveBlogPosting"})


def _kind_of_tokens(tokens: set[str]) -> PageKind | None:
    for kind, words in _RULES:
        if tokens & words:
            return kind
    return None


def guess_page_kind(url: str, *, title: str | None = None, headings: Iterable[str] = (),
                    structured_types: Iterable[str] = ()) -> PageKind:
    """Page kind from the URL path (last meaningful segment first), then schema.org types, then the title
    and first headings."""
    try:
        path = unquote(urlsplit(url).path or "/").lower()
    except ValueError:
        path = "/"
    if set(structured_types) & _BLOG_TYPES or _DATE_PATH.search(path):
        return "blog"
    if path in _HOME_PATHS:
        return "home"
    segments = [s for s in path.split("/") if s]
    blog_words = _RULES[0][1]
    if any(set(_TOKEN.findall(s)) & blog_words for s in segments[:-1]) and len(segments) > 1:
        return "blog"  # /blog/<slug>, /news/<slug>
    for seg in reversed(segments):
        seg = re.sub(r"\.(?:html?|php|aspx?)$", "", seg)
        kind = _kind_of_tokens(set(_TOKEN.findall(seg)))
        if kind is not None:
            return kind
    # headings first; a title often carries the site name ("... | Stillwater Ketamine"), so a title alone
    # never makes a page a services page
    for text in [*list(headings)[:2], title or ""]:
        kind = _kind_of_tokens(set(_TOKEN.findall(text.lower())))
        if kind is not None and kind != "blog" and not (kind == "services" and text is title):
            return kind
    if len(segments) == 1 and segments[0] in ("index", "home", "default"):
        return "home"
    return "other"
