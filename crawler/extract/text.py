"""HTML to clean text: one lxml parse per page, block-aware text lines, fragment cleaning.

``parse_html`` builds the single tree a page's extractors share. ``page_lines`` turns it into visible text
lines (one per block element or ``<br>``), without scripts, styles or hidden templates.
``clean_fragment`` uses BeautifulSoup (lxml parser) for small messy HTML fragments found inside structured
data (a JSON-LD ``description`` holding markup, for instance).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NL = re.compile(r"\s*\n\s*")
_SPLIT_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# private-use characters (stripped from input) that mark block boundaries and heading lines in flattened text
_BR = "\ue000"
_MARK = "\ue001"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "section", "article", "header", "footer", "nav", "aside", "main", "address", "blockquote",
    "figcaption", "figure", "form", "fieldset", "legend", "label", "option", "button", "pre", "hr", "br",
    "title", "summary", "details",
)
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head")


def norm_space(text: str) -> str:
    """Collapse whitespace (including non-breaking and zero-width spaces) to single spaces."""
    return _WS.sub(" ", _CTRL.sub("", text)).strip()


def decode_body(body: bytes | str, encoding: str | None = None) -> str:
    """Decode a page body: the given encoding, else a <meta charset>, else UTF-8, never raising."""
    if isinstance(body, str):
        return body
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body.decode("utf-16", "replace")
    if body[:3] == b"\xef\xbb\xbf":
        return body[3:].decode("utf-8", "replace")
    candidates: list[str] = []
    if encoding:
        candidates.append(encoding)
    m = _CHARSET.search(body[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


_LOCAL = threading.local()
_XML_DECL = re.compile(r"\s*<\?xml")


def _parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, but every element is a plain HtmlElement picked by a C-level class lookup: the
    default lookup is a Python call per element proxy (a quarter of a parse on menu-heavy pages), only to pick
    form-control classes the extractors never use. One per thread (lxml parsers are not thread-safe)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser()
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity))
        _LOCAL.parser = parser
    return parser


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a whole document with lxml; None if there is nothing parseable."""
    # lxml rejects str input carrying an XML encoding declaration; strip it.
    if _XML_DECL.match(html):
        html = html.split("?>", 1)[-1]
    # control characters are left in: lxml keeps them in text, and page_lines strips them only where a text
    # node must be rewritten (a whole-document regex pass costs half a parse)
    html = html.replace(_BR, "").replace(_MARK, "").replace("\x00", "")
    if not html or html.isspace():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_parser())
    except (etree.ParserError, ValueError):
        return None


@dataclass
class Line:
    text: str
    heading: int  # 1-6 for a heading line, else 0
    footer: bool  # inside <footer> (or a footer-ish container)




_ALT_NOISE = re.compile(r"\s*\b(?:logo(?:type)?|badge|icon|seal|emblem|image|img|graphic|png|jpe?g|svg)\b\s*", re.I)


def image_facts(tree: lxml.html.HtmlElement, keep: Callable[[str], bool], limit: int = 300) -> list[str]:
    """Alt texts of images that state a fact (``keep``: an insurer's logo, a credential badge) become lines
    of their own where the image sits, so a row of logos reads like a list. Call before :func:`page_lines`."""
    out: list[str] = []
    for img in tree.iter("img"):
        if len(out) >= limit:
            break
        alt = img.get("alt")
        if not alt or len(alt) > 160:
            continue
        alt = norm_space(_ALT_NOISE.sub(" ", alt)).strip(" -|,:")
        if len(alt) >= 2 and keep(alt):
            _set(img, "tail", f"{_BR}{alt}{_BR}{img.tail or ''}")
            out.append(alt)
    return out


def page_lines(tree: lxml.html.HtmlElement, dropped: list[lxml.html.HtmlElement] | None = None) -> list[Line]:
    """Visible text lines of a parsed page. Mutates ``tree`` (drops scripts, adds newlines): extract
    structured data and links before calling this. ``dropped`` receives the ``<script>`` and ``<noscript>``
    elements taken out (the app-shell check looks at them without walking the tree again)."""
    for el in list(tree.iter(*DROP_TAGS)):
        parent = el.getparent()
        if dropped is not None and el.tag in ("script", "noscript"):
            dropped.append(el)
        if parent is not None:
            tail = el.tail
            prev = el.getprevious() if tail else None
            parent.remove(el)
            if tail:
                # keep the tail text where it was (removing an element drops its tail): after the previous
                # sibling, else at the start of the parent's text
                if prev is None:
                    _set(parent, "text", (parent.text or "") + tail)
                else:
                    _set(prev, "tail", (prev.tail or "") + tail)
    for el in tree.iter(etree.Comment, etree.ProcessingInstruction):
        el.text = ""
    for el in tree.iter(*BLOCK_TAGS):
        tag = el.tag
        text = (f"{_BR}{_MARK}{tag[1]}" if tag in HEADING_TAGS else _BR) + (el.text or "")
        tail = _BR + (el.tail or "")
        try:
            el.text = text
            el.tail = tail
        except ValueError:  # control characters: strip them (rare, so not checked up front)
            _set(el, "text", text)
            _set(el, "tail", tail)
    body = tree.find("body")
    root = body if body is not None else tree
    footers = _footers(root)
    lines: list[Line] = []
    main_text = _text_without(root, footers)
    lines.extend(_split(main_text, footer=False))
    for f in footers:
        lines.extend(_split(f.text_content(), footer=True))
    return lines


def _set(el: lxml.html.HtmlElement, attr: str, value: str) -> None:
    """Set ``el.text``/``el.tail``; lxml refuses control characters, so strip them only when present."""
    try:
        setattr(el, attr, value)
    except ValueError:
        setattr(el, attr, _CTRL.sub("", value))


_COND = ("[contains(@class,'footer') or contains(@id,'footer') or contains(@class,'Footer')"
         " or contains(@id,'Footer')]")
# footers sit near the top of the tree: looking 4 levels down is enough and much cheaper than everywhere;
# compiled once (compiling per call cost as much as evaluating)
_FOOTER_XPATH = etree.XPath(f"descendant::footer | ./*{_COND} | ./*/*{_COND} | ./*/*/*{_COND} | ./*/*/*/*{_COND}")


def _footers(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Outermost <footer> elements or containers whose class/id names a footer."""
    result = _FOOTER_XPATH(root)
    found = [f for f in result if isinstance(f, lxml.html.HtmlElement)] if isinstance(result, list) else []
    ids = {id(f) for f in found}
    out = []
    for f in found:
        if f.tag in ("body", "html", "main"):
            continue
        if any(id(a) in ids for a in f.iterancestors()):
            continue
        out.append(f)
    return out


def _text_without(root: lxml.html.HtmlElement, footers: list[lxml.html.HtmlElement]) -> str:
    if not footers:
        return str(root.text_content())
    saved = []
    for f in footers:
        parent = f.getparent()
        if parent is None:
            continue
        saved.append((parent, parent.index(f), f))
    for parent, _idx, f in saved:
        tail = f.tail
        f.tail = None
        placeholder = etree.Element("span")
        if tail:
            _set(placeholder, "tail", tail)
        parent.replace(f, placeholder)
    try:
        return str(root.text_content())
    finally:
        for parent, idx, f in saved:
            placeholder = parent[idx]
            if placeholder.tail:
                _set(f, "tail", placeholder.tail)
            parent.replace(placeholder, f)


def _split(text: str, *, footer: bool) -> list[Line]:
    out: list[Line] = []
    # one whitespace pass over the whole text (the markers are not whitespace, so lines stay apart)
    for raw in _SPLIT_WS.sub(" ", _CTRL.sub("", text)).split(_BR):
        if raw == " " or not raw:
            continue  # nested blocks leave many empty pieces
        heading = 0
        if raw.startswith(_MARK):
            raw = raw.lstrip(_MARK)
        elif raw[:1] == " " and raw[1:2] == _MARK:
            raw = raw[2:]
        else:
            raw = raw.replace(_MARK, "")
            t = raw.strip()
            if t:
                out.append(Line(t, 0, footer))
            continue
        if raw[:1].isdigit():
            heading = int(raw[0])
            raw = raw[1:]
        t = raw.replace(_MARK, "").strip()
        if t:
            out.append(Line(t, heading, footer))
    return out


def clean_fragment(fragment: str) -> str:
    """Clean text of a small, possibly broken HTML fragment (entities decoded, tags and scripts removed)."""
    if "<" not in fragment and "&" not in fragment:
        return norm_space(fragment)
    soup = BeautifulSoup(fragment, "lxml")
    for bad in soup(["script", "style", "noscript", "template"]):
        bad.decompose()
    return norm_space(soup.get_text(" "))
