"""Is this page an app shell? (a single-page app's HTML before its script runs: nothing a patient reads yet)

A shell has almost no visible text, loads script bundles, carries no structured data or data blobs (those are
read as they are, see ``structured.py``), and usually holds an empty mount element (``<div id="root">``). Such a
page is worth fetching again through a browser; any other page is not. Pure functions on a parsed tree.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html

#: ids of the elements front-end frameworks mount into (React, Vue, Next, Nuxt, Svelte, Quasar, Ember, ...)
MOUNT_IDS = ("root", "app", "__next", "__nuxt", "svelte", "q-app", "main", "application", "ember-app", "react-root")
#: custom elements used as mount points (Angular's ``app-root`` and friends)
MOUNT_TAGS = ("app-root", "my-app", "ng-app")
#: below this many visible characters a page with a script bundle and no data may be a shell
SHELL_MAX_TEXT = 500
#: a mount element holding more text than this has already rendered (server-side rendering)
_MOUNT_MAX_TEXT = 80
_JS_NEEDED = re.compile(r"\b(?:enable|requires?|turn on)\b.{0,40}\bjavascript\b|\bjavascript\b.{0,30}\b(?:required|"
                        r"disabled|enabled)\b", re.I | re.S)
#: attributes that client-side routers use for links on elements other than ``<a href>``
ROUTER_ATTRS = ("routerlink", "ng-reflect-router-link", "data-href", "data-to", "data-route", "data-link-to", "to")
_ROUTER_XPATH = "|".join(f"//*[@{a}]" for a in ROUTER_ATTRS)


def has_script_bundle(scripts: list[lxml.html.HtmlElement]) -> bool:
    """Whether any of the page's ``<script>`` elements loads an external script."""
    return any(el.tag == "script" and el.get("src") for el in scripts)


def js_required_notice(elements: list[lxml.html.HtmlElement]) -> bool:
    """Whether one of the page's ``<noscript>`` elements says the page needs JavaScript."""
    notices = [el for el in elements if el.tag == "noscript"][:5]
    return any(_JS_NEEDED.search(el.text_content() or "") for el in notices)


def _mount_is_empty(tree: lxml.html.HtmlElement) -> bool | None:
    """Whether the framework mount point is (still) empty; None when the page has none."""
    for mount_id in MOUNT_IDS:
        found = tree.xpath(f'//*[@id="{mount_id}"]')
        if found:
            return len((found[0].text_content() or "").strip()) <= _MOUNT_MAX_TEXT
    for tag in MOUNT_TAGS:
        el = tree.find(f".//{tag}")
        if el is not None:
            return len((el.text_content() or "").strip()) <= _MOUNT_MAX_TEXT
    return None


def is_app_shell(tree: lxml.html.HtmlElement, *, visible_chars: int, has_bundle: bool, has_data: bool,
                 noscript_notice: bool = False) -> bool:
    """True when the page is an empty single-page-app shell: a browser must run its script to read it.

    ``visible_chars``: length of the page's visible text; ``has_bundle``: it loads an external script;
    ``has_data``: structured data or a script data blob was found (then it is read as is, never rendered).
    """
    if has_data or not has_bundle or visible_chars > SHELL_MAX_TEXT:
        return False
    empty_mount = _mount_is_empty(tree)
    if empty_mount is not None:  # a rendered app keeps its <noscript> notice: the mount point decides
        return empty_mount
    return noscript_notice or visible_chars < 100


def route_links(tree: lxml.html.HtmlElement, page_url: str, limit: int = 500) -> list[tuple[str, str]]:
    """(absolute URL, text) of a rendered app's client-side routes: hash routes (``href="#/team"``,
    ``#!/team``) and router links on elements other than anchors (``<button data-href="/fees">``).

    Hash routes keep their fragment (it is the page); plain in-page anchors (``#top``) are not routes.
    """
    base = page_url.split("#", 1)[0]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(target: str, el: lxml.html.HtmlElement) -> None:
        target = target.strip()
        if not target or len(target) > 2000 or len(out) >= limit:
            return
        if target.startswith(("#/", "#!/")):
            url = base + target
        elif target.startswith("#") or target[:11].lower().startswith(("javascript:", "data:", "mailto:", "tel:")):
            return
        else:
            try:
                url = urljoin(base, target)
                scheme = urlsplit(url).scheme
            except ValueError:
                return
            if scheme not in ("http", "https"):
                return
        if url in seen:
            return
        seen.add(url)
        text = " ".join("".join(el.itertext()).split())[:200] or (el.get("aria-label") or el.get("title") or "")[:200]
        out.append((url, text))

    for a in tree.iter("a"):
        href = a.get("href") or ""
        if href.startswith(("#/", "#!/")):
            add(href, a)
    for el in tree.xpath(_ROUTER_XPATH):
        if el.tag == "a" and el.get("href"):
            continue  # an anchor's href is the link (read by the page's link extraction)
        for attr in ROUTER_ATTRS:
            value = el.get(attr)
            if value and (value.startswith(("/", "#/", "#!/", "http://", "https://")) or attr == "routerlink"):
                add(value, el)
                break
    return out
