"""Which entries of a rendered menu are worth a click, and which addresses those clicks found are pages of the
site (pure functions; the browser side is ``crawler.render.clicks``).

Some menus never show where they lead, not even rendered: ``<li onclick="go('team')">`` where ``go`` builds the
address at run time, or a ``<button>`` whose click listener calls ``history.pushState`` or ``location.assign``.
The browser lists the clickable entries of a page's nav bars, headers, footers and menus (:class:`MenuEntry`);
:func:`choose_clicks` keeps the few worth clicking -- not the ones whose target the extraction reads anyway, not
forms, toggles, log-ins, carts or phone numbers -- and :func:`clicked_links` turns what the clicks tried to open
into links of the site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html

from crawler.extract.scriptnav import same_site_count, static_target

#: entries clicked per page at most
MAX_CLICKS = 12
#: a menu entry's label is short; a longer text is a block of content with a click handler
MAX_LABEL = 60
#: entries whose click does something other than show a page of the site
_RISKY = re.compile(
    r"(?i)\b(?:log\s*-?\s*(?:in|out|on)|sign\s*-?\s*(?:in|out|up|on)|register|account|cart|basket|bag|checkout|"
    r"buy|order|pay|payment|donate|subscribe|newsletter|unsubscribe|delete|remove|cancel|search|print|share|"
    r"cookies?|accept|decline|reject|consent|language|translate|close|dismiss)\b")
_PHONE = re.compile(r"(?:\+?\d[\s().-]*){7,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
#: attributes of a toggle that opens a submenu, a drawer or a dialog (it goes nowhere itself)
_TOGGLE_ATTRS = ("aria-haspopup", "aria-expanded", "aria-controls", "data-toggle", "data-bs-toggle")
_FIELD_TAGS = frozenset({"input", "select", "textarea", "option", "label", "form"})
_MAX_FOUND = 100


@dataclass(frozen=True)
class MenuEntry:
    """A clickable element of a rendered page's navigation, as the browser saw it."""

    tag: str
    text: str  #: its visible text (the browser falls back to ``aria-label`` or ``title``)
    attrs: Mapping[str, str] = field(default_factory=dict)
    in_form: bool = False

    @property
    def label(self) -> str:
        return self.text or self.attrs.get("aria-label", "").strip() or self.attrs.get("title", "").strip()

    @classmethod
    def from_browser(cls, data: Mapping[str, object]) -> MenuEntry:
        attrs = data.get("attrs")
        return cls(tag=str(data.get("tag") or "").lower()[:40], text=" ".join(str(data.get("text") or "").split()),
                   attrs={str(k).lower(): str(v) for k, v in attrs.items()} if isinstance(attrs, Mapping) else {},
                   in_form=bool(data.get("form")))


def _readable(entry: MenuEntry) -> bool:
    """The extraction of the rendered page already reads where this entry goes (``scriptnav.script_links``)."""
    href = entry.attrs.get("href", "").strip().lower()
    if entry.tag == "a" and href and not href.startswith(("#", "javascript:")):
        return True
    try:
        el = lxml.html.Element(entry.tag if re.fullmatch(r"[a-z][a-z0-9-]*", entry.tag) else "div",
                               {k: v for k, v in entry.attrs.items() if re.fullmatch(r"[a-z_:][-\w:.]*", k)})
    except (TypeError, ValueError):
        return False
    return static_target(el) is not None


def skip_reason(entry: MenuEntry) -> str | None:
    """Why this entry is not clicked (None: click it)."""
    if entry.tag in _FIELD_TAGS or entry.in_form or entry.attrs.get("type", "").lower() in ("submit", "reset"):
        return "form"
    label = entry.label
    if not label or len(label) > MAX_LABEL:
        return "label"
    if any(a in entry.attrs for a in _TOGGLE_ATTRS):
        return "toggle"
    joined = " ".join((label, entry.attrs.get("onclick", ""), entry.attrs.get("class", ""),
                       entry.attrs.get("id", ""), entry.attrs.get("href", "")))
    if re.search(r"(?i)\b(?:tel|mailto|sms):", joined) or _PHONE.search(label) or _EMAIL.search(label):
        return "contact"
    if _readable(entry):
        return "readable"
    if _RISKY.search(label):
        return "risky"
    return None


def choose_clicks(entries: Iterable[MenuEntry], cap: int = MAX_CLICKS) -> list[int]:
    """Indexes (into ``entries``, in page order) of the entries to click: at most ``cap``, one per label (the
    same "Contact" in the header and the footer is clicked once)."""
    chosen: list[int] = []
    labels: set[str] = set()
    for i, entry in enumerate(entries):
        if len(chosen) >= cap:
            break
        label = entry.label.casefold()
        if label in labels or skip_reason(entry) is not None:
            continue
        labels.add(label)
        chosen.append(i)
    return chosen


def clicked_links(page_url: str, found: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(URL, label of the entry clicked) of the pages of ``page_url``'s site that clicks tried to open: http(s),
    the page itself and fragments dropped, each once."""
    me = page_url.split("#", 1)[0]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for url, text in found:
        try:
            scheme = urlsplit(url).scheme
        except ValueError:
            continue
        url = url.split("#", 1)[0]
        if scheme not in ("http", "https") or url in seen or url.rstrip("/") == me.rstrip("/"):
            continue
        if same_site_count(page_url, [url]) != 1:
            continue
        seen.add(url)
        out.append((url, text[:200]))
        if len(out) >= _MAX_FOUND:
            break
    return out
