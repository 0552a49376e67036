"""Clicking a rendered page's menu entries to learn where they lead, without letting the browser go there.

Runs after the page was read (its HTML is already the response), on pages rendered for a menu built by script
(``render_meta(..., clicks=True)``). :func:`discover` lists the clickable entries of the page's nav bars,
headers, footers and menus (an ``onclick``, a click listener -- seen by :data:`LISTENER_SCRIPT`, installed before
the page's own scripts --, a link/menu/button role, a ``<button>``, a pointer cursor), lets the pure
``crawler.extract.clicktargets.choose_clicks`` keep the few worth clicking, and clicks them one by one while

* a navigation the page starts (``location.href = ...``, ``location.assign``, ``history.pushState``, a hash
  change) is recorded and cancelled as it starts, through the Navigation API's ``navigate`` event;
  ``window.open`` records its address instead of opening anything;
* every request the page still makes is aborted: a navigation of the main frame that got past the above is
  recorded first (``net::ERR_ABORTED`` leaves the page where it is); nothing a click sets off reaches the site.

The addresses go back to the site crawl, which fetches them as ordinary requests (robots.txt, Crawl-delay, the
host's slot). The whole step has a time budget; a click that hangs the page ends it, and what was found so far
is kept. The caller closes the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.extract.clicktargets import MAX_CLICKS, MenuEntry, choose_clicks

if TYPE_CHECKING:
    from playwright.async_api import Page, Request, Route

logger = logging.getLogger(__name__)

#: meta key of a render request whose menu is to be clicked: ``{"cap": int, "budget": float}``
CLICK_KEY = "kdir_nav_clicks"
#: meta key of what the clicks found (:meth:`ClickReport.as_meta`)
CLICK_REPORT = "kdir_nav_click_report"
#: seconds one click may take (its handler runs synchronously inside it)
CLICK_SECONDS = 2.0
#: seconds to wait after a click for a navigation its handler starts later (a timer, a promise)
AFTER_CLICK = 0.25
#: elements of the navigation looked at, and clickable entries listed, per page at most
MAX_SCAN = 3000
MAX_ENTRIES = 300

#: Installed before the page's scripts: remembers the elements given a click-like listener.
LISTENER_SCRIPT = """(() => {
  const key = Symbol.for('kdir.clickListeners');
  if (window[key]) return;
  const marked = new WeakSet();
  Object.defineProperty(window, key, {value: marked});
  const kinds = new Set(['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'touchstart', 'touchend']);
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (kinds.has(type) && this instanceof Element) marked.add(this);
    return add.call(this, type, listener, options);
  };
})();"""

#: The clickable, labelled elements inside the page's navigation (innermost ones), in page order.
_COLLECT = """([maxScan, maxFound]) => {
  const listeners = window[Symbol.for('kdir.clickListeners')];
  const REGION = 'nav, header, footer, [role=navigation], [role=menu], [role=menubar], [role=banner], ' +
                 '[role=contentinfo]';
  const NAMED = '[id*=nav i], [class*=nav i], [id*=menu i], [class*=menu i], [id*=header i], [class*=header i], ' +
                '[id*=footer i], [class*=footer i]';
  const WORD = /(?:^|[-_])(?:nav|navbar|navigation|menu|menubar|header|footer|masthead)(?:$|[-_])/i;
  const named = (el) => WORD.test(el.id || '') || Array.from(el.classList || []).some((c) => WORD.test(c));
  const roots = [];
  for (const el of document.querySelectorAll(REGION + ', ' + NAMED)) {
    if ((el.matches(REGION) || named(el)) && !roots.some((r) => r.contains(el))) roots.push(el);
  }
  const ROLES = new Set(['link', 'menuitem', 'button', 'tab']);
  const realHref = (el) => {
    const h = (el.getAttribute('href') || '').trim().toLowerCase();
    return h !== '' && !h.startsWith('#') && !h.startsWith('javascript:');
  };
  const pointerOrigin = (el) => {
    if (getComputedStyle(el).cursor !== 'pointer') return false;
    const p = el.parentElement;
    return !p || getComputedStyle(p).cursor !== 'pointer';
  };
  const clickable = (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'a' && realHref(el)) return false;  // a link: read by the extraction
    if (el.hasAttribute('onclick') || typeof el.onclick === 'function') return true;
    if (listeners && listeners.has(el)) return true;
    if (ROLES.has((el.getAttribute('role') || '').toLowerCase())) return true;
    if (tag === 'button' || tag === 'a') return true;
    return pointerOrigin(el);
  };
  const found = [];
  let scanned = 0;
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (++scanned > maxScan || found.length >= maxFound) break;
      if (clickable(el)) found.push(el);
    }
  }
  // an unlabelled icon inside an entry does not hide the entry; of nested labelled ones, the innermost is clicked
  const label = (el) => (el.innerText || el.textContent || '').trim() || el.getAttribute('aria-label') ||
                        el.getAttribute('title');
  const labelled = found.filter(label);
  return labelled.filter((el) => !labelled.some((o) => o !== el && el.contains(o)));
}"""

#: What the pure side needs to know of each element.
_DESCRIBE = """(els) => els.map((el) => {
  const attrs = {};
  for (const a of Array.from(el.attributes).slice(0, 30)) attrs[a.name] = a.value.slice(0, 500);
  const text = (el.innerText || el.textContent || '').trim().slice(0, 200);
  return {tag: el.tagName.toLowerCase(), text: text || el.getAttribute('aria-label') || el.getAttribute('title') || '',
          attrs, form: !!el.closest('form')};
})"""

#: Navigations record their address instead of happening: the Navigation API's ``navigate`` event (fired at
#: once, within the click, for ``location`` changes, ``pushState`` and hash changes) is cancelled; where it is
#: missing, ``pushState``/``replaceState`` are replaced; ``window.open`` always is.
_TRAP = """() => {
  const key = Symbol.for('kdir.navigations');
  if (window[key]) return;
  const found = [];
  Object.defineProperty(window, key, {value: found});
  const abs = (u) => { try { return new URL(String(u), document.baseURI).href; } catch (e) { return null; } };
  const note = (u) => { if (u !== undefined && u !== null && u !== '') { const a = abs(u); if (a) found.push(a); } };
  history.pushState = function (state, title, url) { note(url); };
  history.replaceState = function (state, title, url) { note(url); };
  window.open = function (url) { note(url); return null; };
  if (window.navigation && typeof navigation.addEventListener === 'function') {
    navigation.addEventListener('navigate', (e) => {
      if (e.cancelable && e.navigationType !== 'traverse') { note(e.destination.url); e.preventDefault(); }
    });
  }
}"""

#: click element ``i`` and hand back what the trapped functions recorded meanwhile
_CLICK = """([els, i]) => {
  els[i].click();
  return window[Symbol.for('kdir.navigations')].splice(0);
}"""
#: wait up to ``ms`` for a navigation a handler starts later (a timer, a promise); hand back what was recorded
_WAIT = """(ms) => new Promise((resolve) => {
  const found = window[Symbol.for('kdir.navigations')];
  const end = Date.now() + ms;
  const tick = () => { if (found.length || Date.now() >= end) resolve(found.splice(0)); else setTimeout(tick, 20); };
  tick();
})"""


@dataclass
class ClickReport:
    """What clicking a page's menu found."""

    entries: int = 0  #: clickable entries seen in its navigation
    clicked: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)  #: (address, label of the entry clicked)
    cut_short: str | None = None  #: "budget", "hung" or an error: the clicks stopped early
    seconds: float = 0.0

    def as_meta(self) -> dict[str, Any]:
        return {"entries": self.entries, "clicked": self.clicked, "found": list(self.found),
                "cut_short": self.cut_short, "seconds": round(self.seconds, 3)}


class _Hung(Exception):
    """A click did not return: the page's script is stuck."""


def click_options(cap: int, budget: float) -> dict[str, Any]:
    """The ``CLICK_KEY`` meta value."""
    return {"cap": max(0, min(cap, MAX_CLICKS)), "budget": max(0.5, budget)}


async def watch_listeners(page: Page) -> None:
    """Before the page loads: remember which elements its scripts give a click listener."""
    await page.add_init_script(LISTENER_SCRIPT)


async def discover(page: Page, cap: int = MAX_CLICKS, budget: float = 6.0) -> ClickReport:
    """Click up to ``cap`` menu entries of ``page`` within ``budget`` seconds; never raises."""
    from playwright.async_api import Error as PlaywrightError

    report = ClickReport()
    started = time.monotonic()
    try:
        await asyncio.wait_for(_click_menu(page, cap, report), budget)
    except TimeoutError:
        report.cut_short = "budget"
    except _Hung:
        report.cut_short = "hung"
    except PlaywrightError as exc:
        report.cut_short = "error"
        logger.info("clicking the menu of %s stopped: %s", page.url, str(exc).split("\n")[0][:200])
    report.seconds = time.monotonic() - started
    return report


async def _click_menu(page: Page, cap: int, report: ClickReport) -> None:
    elements = await page.evaluate_handle(_COLLECT, [MAX_SCAN, MAX_ENTRIES])
    described = await elements.evaluate(_DESCRIBE)
    entries = [MenuEntry.from_browser(d) for d in described if isinstance(d, dict)]
    report.entries = len(entries)
    chosen = choose_clicks(entries, cap)
    if not chosen:
        return
    navigations: list[str] = []

    async def record(route: Route, request: Request) -> None:
        with contextlib.suppress(Exception):  # a worker's request has no frame
            if request.is_navigation_request() and request.frame.parent_frame is None:
                navigations.append(request.url)
        await route.abort("aborted")

    # registered last, so it answers before the crawl's own route (which would let requests through)
    await page.route("**", record)
    await page.evaluate(_TRAP)
    home = page.url
    for i in chosen:
        label = entries[i].label
        before = len(navigations)
        report.clicked += 1
        trapped = await _evaluate(page, _CLICK, [elements, i])
        if not trapped and len(navigations) == before:
            trapped = await _evaluate(page, _WAIT, AFTER_CLICK * 1000)
        report.found.extend((url, label) for url in [*navigations[before:], *(trapped or [])] if isinstance(url, str))
        if page.url != home:  # a route change we did not trap (a router holding the original pushState)
            report.found.append((page.url, label))
            if page.url.split("#", 1)[0] != home.split("#", 1)[0]:
                break  # the page is no longer the one listed


async def _evaluate(page: Page, script: str, arg: Any = None) -> Any:
    """Run ``script`` in the page; :class:`_Hung` when it does not return within ``CLICK_SECONDS``."""
    try:
        return await asyncio.wait_for(page.evaluate(script, arg), CLICK_SECONDS)
    except TimeoutError:
        raise _Hung from None
