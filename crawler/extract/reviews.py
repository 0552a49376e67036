"""schema.org Review / AggregateRating to Rating / Review; testimonials without a rating keep rating None."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kdir.common.record import Rating, Review

_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_QUOTE_LINE = re.compile(
    r"^[\"\u201c\u201e'\u2018](?P<text>.{20,1200})[\"\u201d'\u2019]\s*"
    r"(?:[-\u2013\u2014~]\s*(?P<who>[^\d\n\"\u201c]{1,60}))?$", re.S)
_ATTRIB = re.compile(r"^(?:[-\u2013\u2014~]\s*)(?P<who>[^\d\n]{1,60})$")


def number(value: Any) -> float | None:
    """A finite float from a schema.org number (int, float, "4.8", "4,8", {"@value": ...})."""
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        f = float(value)
    elif isinstance(value, str):
        m = _NUM.search(value)
        if not m:
            return None
        f = float(m.group(0).replace(",", "."))
    else:
        return None
    return f if f == f and abs(f) != float("inf") else None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, str):
        t = " ".join(value.split())
        return t[:4000] or None
    return None


def rating_from(node: Any) -> Rating | None:
    """Rating from an AggregateRating node; None unless value lies within [worst, best]."""
    if not isinstance(node, dict):
        return None
    value = number(node.get("ratingValue"))
    if value is None:
        return None
    best = number(node.get("bestRating")) or 5.0
    worst = number(node.get("worstRating"))
    if worst is None:
        worst = 0.0
    if best <= 0 or not worst <= value <= best:
        return None
    count_f = number(node.get("reviewCount")) or number(node.get("ratingCount"))
    count = int(count_f) if count_f is not None and count_f >= 0 else None
    return Rating(value=value, count=count, best=best)


def review_from(node: Any, *, url: str | None = None) -> Review | None:
    """Review from a schema.org Review node (rating None when it carries none)."""
    if not isinstance(node, dict):
        return None
    text = _text(node.get("reviewBody")) or _text(node.get("description")) or _text(node.get("text"))
    rating = None
    rr = node.get("reviewRating")
    if isinstance(rr, dict):
        value = number(rr.get("ratingValue"))
        best = number(rr.get("bestRating")) or 5.0
        if value is not None and 0 <= value <= best and best > 0:
            rating = value if best == 5.0 else round(value * 5.0 / best, 2)
    author = _text(node.get("author"))
    date = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
    date = date[:10] if date and _DATE.match(date) else None
    if text is None and rating is None:
        return None
    return Review(text=text, rating=rating, date=date, author=author, url=url)


def testimonials(lines: Sequence[str], *, url: str | None = None) -> list[Review]:
    """Quoted testimonials in text lines ("“Life-changing care.”" / "— Jamie R."), kept without a rating."""
    out: list[Review] = []
    for i, line in enumerate(lines):
        m = _QUOTE_LINE.match(line)
        if not m:
            continue
        author = m.group("who").strip() if m.group("who") else None
        if author is None and i + 1 < len(lines):
            a = _ATTRIB.match(lines[i + 1])
            if a:
                author = a.group("who").strip()
        out.append(Review(text=m.group("text").strip(), rating=None, author=author, url=url))
        if len(out) >= 50:
            break
    return out


_ATTRIBUTION_TAIL = re.compile(r"\s+[-\u2013\u2014~]\s*(?P<who>[^\d\n]{1,60})$")


def blockquotes(texts: Sequence[str], *, url: str | None = None) -> list[Review]:
    """Testimonials in <blockquote> elements ("Text ... — K.L."), kept without a rating."""
    out: list[Review] = []
    for t in texts:
        t = t.strip().strip("\"\u201c\u201d")
        if len(t) < 20:
            continue
        m = _ATTRIBUTION_TAIL.search(t)
        author = m.group("who").strip() if m else None
        text = t[: m.start()].strip().strip("\"\u201c\u201d") if m else t
        if len(text) >= 20:
            out.append(Review(text=text[:4000], rating=None, author=author, url=url))
    return out
