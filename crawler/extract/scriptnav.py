"""Navigation built by script: links behind ``onclick`` handlers and ``data-href`` attributes, and pages whose menu
only a browser can show (pure functions on a parsed tree).

Many small clinic sites inject their nav bar and footer with a little script (``nav.js``, a jQuery
``$("#header").load("header.html")``, a ``w3-include-html`` partial, a web component) or build their menu from
``<button onclick="location.href='/team/'">`` entries with no ``<a href>``. A plain crawl then sees a home page with
almost no links, and the contact, pricing and team pages stay invisible.

* :func:`script_links` reads what can be read without a browser: ``location`` assignments in ``onclick``
  handlers (``location.href='/fees/'``, ``window.location = "/team/"``, ``location.assign('/contact/')``), a
  quoted path handed to a function (``go('/faq/')``), ``data-href`` and, on clickable elements, ``data-url``.
* :class:`NavSignals` (filled by ``extract_page`` from :func:`same_site_count`, :func:`empty_parts` and
  :func:`loaders`) says whether the page's navigation is built by script (:attr:`NavSignals.needs_render`):
  handlers whose target cannot be read, or a page with very few same-site links whose nav/header/footer
  containers are empty while it loads a nav-like script or include. The site crawl then renders that page once
  and harvests the links of the rendered DOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html

#: below this many distinct same-site links a page with empty nav containers is suspected of a script-built menu
FEW_LINKS = 5
#: this many navigation handlers whose target we cannot read make a script-built menu on their own
MENU_HANDLERS = 2
_MAX_LINKS = 500

#: ``location.href = '/x'``, ``window.location='/x'``, ``document.location.href="/x"``, ``top.location = ...``
_LOCATION_SET = re.compile(
    r"""\blocation(?:\.href)?\s*=\s*(?P<q>['"`])(?P<url>[^'"`\s]{1,2000})(?P=q)""")
#: ``location.assign('/x')``, ``location.replace("/x")``, ``window.open('/x', '_self')``
_LOCATION_CALL = re.compile(
    r"""\b(?:location\.(?:assign|replace)|window\.open)\s*\(\s*(?P<q>['"`])(?P<url>[^'"`\s]{1,2000})(?P=q)""")
#: a quoted argument that looks like a page address (``go('/faq/')``, ``openPage("team.html")``)
_QUOTED_PATH = re.compile(r"""(?P<q>['"`])(?P<url>(?:/|\./|https?://)[^'"`\s]{0,2000}|[\w./-]{1,200}\.(?:html?|php|aspx?))"""
                          r"""(?P=q)""")
#: a handler that navigates somewhere (its target may be out of reach: ``go('team')``, ``showPage(3)``)
_NAVISH = re.compile(r"(?i:\b(?:location|navigat\w*|go(?:to)?|route\w*|redirect\w*|open(?:page|link)|load(?:page)?|"
                     r"show(?:page|section)|page|href|url)\b)|\bgo[A-Z]\w*")
_NOT_NAV = re.compile(r"\b(?:reload|print|history\.back|scrollTo|preventDefault)\b")
#: elements on which ``data-url`` names a page (elsewhere it is often an API endpoint or a share target)
_CLICKABLE = frozenset({"a", "button", "li", "span", "div"})
_CLICK_ROLES = frozenset({"link", "button", "menuitem", "tab", "option"})
_XPATH = "//*[@onclick or @data-href or @data-url or @role='menuitem' or @role='link']"

#: nav-like ids and classes: nav, navbar, main-menu, site-header, footer-placeholder, header-slot, ...
_NAV_NAME = re.compile(
    r"^(?:site|main|primary|top|global|page|header|footer)?[-_]?(?:nav|navbar|navigation|menu|menubar|header|"
    r"footer|masthead)(?:[-_]?(?:placeholder|container|wrapper|wrap|area|holder|slot|root|inner|include|"
    r"target|mount|here))?$", re.I)
_CONTAINER_TAGS = ("div", "section", "ul", "aside")
_PART_WORD = re.compile(r"nav|menu|header|footer", re.I)
#: include attributes of HTML-include libraries (w3.js, csi.js, htmx, home-grown ``data-include``)
_INCLUDE_ATTRS = ("w3-include-html", "data-include", "data-include-html", "include-html", "data-load", "hx-get")
#: script file names of a nav or footer injector: nav.js, site-menu.min.js, header-footer.js, include.js
_NAV_SCRIPT = re.compile(r"(?:^|[-_./])(?:nav|navbar|navigation|menus?|header|footer|includes?|partials?|"
                         r"layout)(?:[-_.]|$)", re.I)
#: an inline script that loads a partial: $("#nav").load("nav.html"), fetch('/partials/footer.html')
_INLINE_LOADER = re.compile(r"""(?:\.load|fetch|\.get|includeHTML)\s*\(\s*['"`][^'"`]{0,200}"""
                            r"""(?:nav|menu|header|footer|partial|include)""", re.I)
_EMPTY_TEXT = 30


@dataclass(frozen=True)
class NavSignals:
    """What a page says about how its navigation is built."""

    site_links: int  #: distinct same-site pages linked by ``<a href>`` (the page itself excluded)
    script_links: int  #: links read from handlers and ``data-href``/``data-url`` without a browser
    unresolved: tuple[str, ...] = ()  #: navigation handlers (or href-less menu items) whose target is unreadable
    empty_parts: tuple[str, ...] = ()  #: empty nav/header/footer containers ("nav", "div#site-nav", "site-header")
    loaders: tuple[str, ...] = ()  #: nav-like scripts and include partials the page loads
    scripts: int = 0  #: external scripts the page loads (any name)

    @property
    def needs_render(self) -> bool:
        """The page's menu exists only once a browser has run its scripts."""
        if len(self.unresolved) >= MENU_HANDLERS:
            return True
        links = self.site_links + self.script_links
        if links < FEW_LINKS and self.empty_parts and self.loaders:
            return True
        # no nav-like script name (main.js), but a page with no way on whose header, nav and footer are empty
        return links <= 1 and len(self.empty_parts) >= 2 and self.scripts > 0

    @property
    def signature(self) -> str:
        """What the page shares with the other pages of its template: rendering one of them is enough."""
        return "|".join((*sorted(self.loaders), *sorted(self.empty_parts), *sorted(self.unresolved)))


def _target(el: lxml.html.HtmlElement) -> tuple[str | None, bool]:
    """(address the element navigates to, whether it is a navigation at all)."""
    onclick = (el.get("onclick") or "").strip()
    if onclick:
        m = _LOCATION_SET.search(onclick) or _LOCATION_CALL.search(onclick)
        if m:
            return m.group("url"), True
        navish = bool(_NAVISH.search(onclick)) and not _NOT_NAV.search(onclick)
        m = _QUOTED_PATH.search(onclick) if navish else None
        if m:
            return m.group("url"), True
        if navish:
            return None, True
    value = el.get("data-href")
    if value:
        return value, True
    value = el.get("data-url")
    if value and (el.tag in _CLICKABLE or (el.get("role") or "").lower() in _CLICK_ROLES):
        return value, True
    if (el.get("role") or "").lower() in ("menuitem", "link") and not el.get("href") and \
            el.find(".//a[@href]") is None and not onclick:
        return None, True  # a menu item whose click handler was attached by script
    return None, False


def static_target(el: lxml.html.HtmlElement) -> str | None:
    """Where a clickable element navigates, as far as its attributes say (``onclick``, ``data-href``,
    ``data-url``); None when they do not."""
    return _target(el)[0]


def _absolute(target: str, base: str) -> str | None:
    target = target.strip()
    if not target or target.startswith("#") or target[:11].lower().startswith(("javascript:", "data:", "mailto:",
                                                                               "tel:")):
        return None
    try:
        url = urljoin(base, target)
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url.split("#", 1)[0] if scheme in ("http", "https") else None


def _text(el: lxml.html.HtmlElement) -> str:
    text = " ".join("".join(el.itertext()).split())[:200]
    return text or (el.get("aria-label") or el.get("title") or "")[:200]


def script_links(tree: lxml.html.HtmlElement, page_url: str,
                 unresolved: list[str] | None = None) -> list[tuple[str, str]]:
    """(absolute URL, text) of the navigations a page makes by script that can be read without running it:
    ``onclick`` location assignments and calls with a quoted path, ``data-href``, ``data-url`` on clickable
    elements. Anchors with an ``href`` are left to the ordinary link reader. ``unresolved`` receives the
    handlers (and href-less menu items) that navigate somewhere this cannot tell."""
    base = page_url
    base_el = tree.find(".//base[@href]")
    if base_el is not None:
        try:
            base = urljoin(page_url, (base_el.get("href") or "").strip())
        except ValueError:
            base = page_url
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for el in tree.xpath(_XPATH):
        if el.tag == "a" and el.get("href") and not el.get("href", "").lstrip().lower().startswith(
                ("javascript:", "#")):
            continue  # a real link: read by the page's link extraction
        target, navigates = _target(el)
        if not navigates:
            continue
        url = _absolute(target, base) if target else None
        if url is None:
            if unresolved is not None and len(unresolved) < 50:
                unresolved.append((el.get("onclick") or el.get("role") or el.tag).strip()[:80])
            continue
        if url not in seen and len(out) < _MAX_LINKS:
            seen.add(url)
            out.append((url, _text(el)))
    return out


def _site(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def same_site_count(page_url: str, urls: list[str], stop: int | None = None) -> int:
    """Distinct pages of the page's own site among ``urls`` (the page itself excluded; fragments dropped),
    counted up to ``stop``."""
    site = _site(page_url)
    me = page_url.split("#", 1)[0].rstrip("/")
    found: set[str] = set()
    for u in urls:
        key = u.split("#", 1)[0].rstrip("/")
        if key != me and key not in found and _site(u) == site:
            found.add(key)
            if stop is not None and len(found) >= stop:
                break
    return len(found)


def _is_empty(el: lxml.html.HtmlElement) -> bool:
    if el.find(".//a[@href]") is not None:
        return False
    return len("".join(el.itertext()).strip()) <= _EMPTY_TEXT


def empty_parts(tree: lxml.html.HtmlElement, limit: int = 10) -> list[str]:
    """Empty containers where a nav bar, header or footer belongs: ``<nav>``, ``<header>``, ``<footer>``,
    containers with a nav-like id or class (``#site-nav``, ``.navbar-placeholder``) and custom elements named
    like a site part (``<site-header>``). Call before the tree's text is reshaped (``text.page_lines``)."""
    out: list[str] = []
    for el in tree.iter("nav", "header", "footer", *_CONTAINER_TAGS):
        if len(out) >= limit:
            break
        tag = el.tag
        if tag in ("nav", "header", "footer"):
            name = tag
        else:
            ident = el.get("id") or ""
            classes = (el.get("class") or "").split()
            named = ident if ident and _NAV_NAME.match(ident) else next((c for c in classes if _NAV_NAME.match(c)),
                                                                        None)
            if not named:
                continue
            name = f"{tag}#{named}" if named == ident else f"{tag}.{named}"
        if _is_empty(el):
            out.append(name)
    for el in tree.xpath("//*[contains(name(), '-')]"):
        tag = el.tag if isinstance(el.tag, str) else ""
        if len(out) < limit and _PART_WORD.search(tag) and _is_empty(el):
            out.append(tag)
    return out


def loaders(tree: lxml.html.HtmlElement, scripts: list[lxml.html.HtmlElement]) -> list[str]:
    """Scripts and includes that bring a nav, header or footer in: nav-like script files (``nav.js``,
    ``header-footer.js``, ``include.js``), inline loaders of partials (``$("#nav").load("nav.html")``) and
    include attributes (``w3-include-html="footer.html"``)."""
    out: list[str] = []
    for el in scripts:
        if el.tag != "script":
            continue
        src = el.get("src")
        if src:
            try:
                path = urlsplit(src.strip()).path
            except ValueError:
                continue
            name = path.rsplit("/", 1)[-1]
            if _NAV_SCRIPT.search(name) or _NAV_SCRIPT.search(path.rsplit("/", 2)[-2] if path.count("/") > 1 else ""):
                out.append(name[:80])
        elif el.text and len(el.text) < 20_000:
            m = _INLINE_LOADER.search(el.text)
            if m:
                out.append("inline:" + m.group(0)[:60])
    for attr in _INCLUDE_ATTRS:
        for el in tree.xpath(f"//*[@{attr}]")[:5]:
            out.append(f"{attr}={(el.get(attr) or '')[:60]}")
    return out
