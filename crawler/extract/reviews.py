"""schema.org Review / AggregateRating to Rating / Review; testimonials without a rating keep rating None.

:func:`is_patient_review` drops what only looks like a patient's review: template placeholders ("Lorem ipsum",
"Client Name"), the founder's or a clinician's own statement, and quotes from famous people.
"""

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


_PLACEHOLDER = re.compile(
    r"\blorem ipsum\b|\bdolor sit amet\b|\bconsectetur adipiscing\b|\b(?:client|customer|patient|person|author) name\b"
    r"|\b(?:john|jane) doe\b|\byour name\b|\bname surname\b|\bfull name\b|\btestimonial (?:text|here|goes here)\b"
    r"|\badd (?:your|a) (?:testimonial|review|quote)\b|\bthis is (?:a|your) (?:testimonial|review|quote)\b"
    r"|\bwrite (?:a|your) (?:testimonial|review|quote) here\b|\b(?:position|job title),? company\b"
    r"|\bcompany name\b|\bclick (?:here )?to edit\b|\bsample (?:text|testimonial|review)\b", re.I)
#: the clinic speaking about itself: founder, owner, a clinician, "our patients"
_STAFF_AUTHOR = re.compile(
    r"\b(?:co-?founder|founder|founding|ceo|owner|president|(?:medical|clinical|executive) director|director|"
    r"our team|the team|staff|management|dr\.?|md|do|np|pmhnp(?:-bc)?|phd|psyd|lcsw|lmft|crna)\b", re.I)
_STAFF_TEXT = re.compile(
    r"\bour (?:patients|clients|clinic|practice|mission|team|providers|staff)\b|\bI founded\b|\bwe founded\b"
    r"|\bI (?:started|opened) (?:this|the|our) (?:clinic|practice)\b|\bas (?:a|the|your) (?:founder|physician|"
    r"doctor|provider|clinician|psychiatrist)\b|\bwhen I founded\b|\bwelcome to\b", re.I)
#: a patient's words name the care (English and Spanish); famous quotes speak of life in general
_EXPERIENCE = re.compile(
    r"\b(?:clinic|staff|team|doctor|dr|nurses?|providers?|practitioner|treatments?|infusions?|ketamine|spravato|"
    r"esketamine|sessions?|therap\w*|office|appointments?|visits?|recommend\w*|depression|anxiety|ptsd|symptoms|"
    r"medications?|antidepressants?|clinicians?|psychiatrist|integration|dose|parking|wait|cl[ií]nica|infusi[oó]n|"
    r"tratamiento|equipo|doctora?|sesi[oó]n)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I\u2019m|I\u2019ve)\b|\b(?:my|me|myself|mine|mi|yo)\b", re.I)
#: "Albert Einstein", "Maya Angelou": a public figure's full name (a patient signs "Jamie R.", "K.L.", "Anonymous")
_FULL_NAME = re.compile(r"^[A-Z][a-z'\u2019-]+(?: [A-Z][a-z'\u2019-]+){1,2}$")
_FAMOUS_AUTHOR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})\b|\b(?:author|poet|philosopher|writer|novelist|"
                            r"president|saint|st\.|proverb|unknown|anonymous quote)\b", re.I)
_MONONYM = re.compile(r"^[A-Z][a-z]+$")


def is_patient_review(review: Review, *, staff_names: Sequence[str] = ()) -> bool:
    """Whether a review may be a patient's: not a placeholder, not the clinic's own voice (its founder,
    one of ``staff_names``), and, for a testimonial without a rating, not a famous person's quote."""
    text, author = review.text or "", (review.author or "").strip()
    if _PLACEHOLDER.search(text) or _PLACEHOLDER.search(author):
        return False
    if author and (_STAFF_AUTHOR.search(author) or any(n and n.casefold() in author.casefold()
                                                         for n in staff_names)):
        return False
    if _STAFF_TEXT.search(text):
        return False
    if review.rating is not None or _EXPERIENCE.search(text):
        return True
    famous_author = bool(author) and (bool(_FAMOUS_AUTHOR.search(author)) or bool(_FULL_NAME.match(author))
                                      or bool(_MONONYM.match(author)) and author.casefold() != "anonymous")
    return bool(_FIRST_PERSON.search(text)) and not famous_author
