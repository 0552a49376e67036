"""Name candidates of a site's page: structured data, og:site_name, the logo's alt text, the title's brand
part, the first heading and the footer's copyright holder. Generic headings and slogans ("Welcome", "Home",
"Safe, supervised care") are never candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence

import lxml.html

from crawler.extract.facts import NameCandidate, StructuredEntity
from crawler.extract.insurance import is_payer
from crawler.extract.schema_map import ORG_TYPES, text_of
from crawler.extract.text import Line, norm_space

_TITLE_SPLIT = re.compile(r"\s+[|\u2013\u2014\-:\u00b7\u2022]\s+")
_GENERIC = re.compile(
    r"^(?:home(?: ?page)?|welcome(?: to)?(?: our| the)?(?: (?:clinic|practice|website|site))?|about(?: us)?|"
    r"contact(?: us)?|blog|news|services|treatments|our (?:team|services|story|providers)|team|providers|"
    r"pricing|fees|insurance|testimonials|reviews|kind words|patient stories|resources|learn|locations?|faqs?|"
    r"untitled|index|main|menu|page not found|coming soon|book (?:now|online)|get started|learn more|"
    r"hope starts here|you are not alone)\W*$", re.I)
#: words that make a phrase a clinic's name rather than a slogan
_BRAND_WORDS = re.compile(
    r"\b(?:clinic|center|centre|institute|wellness|health|ketamine|infusions?|psychiatry|psychiatric|therapy|"
    r"therapeutics|medical|medicine|associates|group|practice|llc|pllc|inc|md|pc|spa|counsel\w*|"
    r"behavioral|collective)\b", re.I)
_COPYRIGHT = re.compile(
    r"(?:\u00a9|&copy;|\(c\)|copyright)\s*(?:\u00a9\s*)?(?:(?:19|20)\d{2}(?:\s*[-\u2013]\s*(?:19|20)?\d{2,4})?\s*)?"
    r"[,.]?\s*(?P<name>[^.|\u00b7\u2022]{3,80}?)\s*(?:[,.|\u00b7\u2022]|all rights|$)", re.I)
_LEGAL_TAIL = re.compile(r",?\s+(?:llc|pllc|inc|p\.?c|p\.?a|ltd|corp)\.?$", re.I)
#: an image that is the site's logo: classed or id'd as one, or inside the header's brand/logo/home link (an
#: image merely stored under /logos/, such as an insurer's, is not); logos sit near the top of the page
_LOGO_FIRST_IMAGES = 30
_BRAND_CLASS = ("logo", "brand", "site-title")


def _own_logo(img: lxml.html.HtmlElement) -> bool:
    """Classed or id'd as a logo, or the image of the site's home link."""
    if "logo" in f"{img.get('class') or ''} {img.get('id') or ''}".lower():
        return True
    parent = img.getparent()
    return parent is not None and parent.tag == "a" and (parent.get("rel") or "").lower() == "home"


def _brand_in(img: lxml.html.HtmlElement, header: lxml.html.HtmlElement) -> bool:
    """Inside a brand/logo/site-title container or the home link, below ``header``."""
    for el in img.iterancestors():
        if el is header:
            return False
        if el.tag == "a" and (el.get("rel") or "").lower() == "home":
            return True
        if any(k in (el.get("class") or "").lower() for k in _BRAND_CLASS):
            return True
    return False


_LOGO_WORD = re.compile(r"\s*\b(?:logo(?:type)?|icon|image|header|home(?:page)?|link)\b\s*", re.I)


def is_generic(name: str) -> bool:
    """A heading or title that names no one: "Welcome", "Home", or a slogan in sentence case without a
    clinic word ("Safe, supervised care", "Feel like yourself again")."""
    if _GENERIC.match(name):
        return True
    words = name.split()
    if len(words) < 2 or _BRAND_WORDS.search(name):
        return False
    lower = sum(1 for w in words[1:] if w[:1].islower() and w.lower() not in ("of", "and", "&", "the", "for"))
    return lower >= max(1, (len(words) - 1) / 2) or name.rstrip().endswith((".", "!", "?"))


def _logo_names(tree: lxml.html.HtmlElement) -> list[str]:
    imgs = [img for header in tree.iter("header") for img in header.iter("img")
            if img.get("alt") and (_own_logo(img) or _brand_in(img, header))]
    if not imgs:  # no <header>: a logo is classed as one or is the home link's image, near the top
        imgs = [img for _, img in zip(range(_LOGO_FIRST_IMAGES), tree.iter("img"), strict=False)
                if img.get("alt") and _own_logo(img)]
    out: list[str] = []
    for img in imgs[:5]:
        alt = norm_space(_LOGO_WORD.sub(" ", img.get("alt") or "")).strip(" -|,")
        if len(alt) >= 3 and alt not in out and not is_payer(alt):
            out.append(alt)
    return out


def copyright_holder(lines: Sequence[Line]) -> str | None:
    """"© 2025 Calm Ketamine Clinic, LLC. All rights reserved." -> "Calm Ketamine Clinic" (footer lines)."""
    for ln in reversed(lines):
        if not ln.footer or not ("\u00a9" in ln.text or "opyright" in ln.text or "(c)" in ln.text.lower()):
            continue
        m = _COPYRIGHT.search(ln.text)
        if m:
            name = _LEGAL_TAIL.sub("", m.group("name").strip(" -,"))
            if len(name) >= 3 and not any(ch.isdigit() for ch in name) and not _GENERIC.match(name):
                return name
    return None


def name_candidates(entities: list[StructuredEntity], meta: dict[str, str], title: str | None,
                    lines: list[Line], tree: lxml.html.HtmlElement) -> list[NameCandidate]:
    """Candidates in order of trust, each with its origin."""
    out: list[NameCandidate] = []

    def add(name: str | None, origin: str, *, check: bool = False) -> None:
        if not name:
            return
        name = norm_space(name)[:200]
        if name and not _GENERIC.match(name) and not (check and is_generic(name)) \
                and all(c.name != name for c in out):
            out.append(NameCandidate(name=name, origin=origin))

    for e in entities:
        person_like = "Physician" in e.types and e.practitioners and e.practitioners[0].name in (e.name or "")
        if not e.is_person and not person_like and set(e.types) & ORG_TYPES:
            add(e.name, "structured")
    add(text_of(meta.get("og:site_name")), "og:site_name")
    add(text_of(meta.get("application-name")), "og:site_name")
    for alt in _logo_names(tree):
        add(alt, "logo", check=True)
    if title:
        for p in (p for p in _TITLE_SPLIT.split(title) if p.strip()):
            add(p, "title", check=True)
    h1 = next((ln.text for ln in lines if ln.heading == 1), None)
    add(h1 if h1 and len(h1) <= 100 else None, "h1", check=True)
    add(copyright_holder(lines), "copyright")
    return out
