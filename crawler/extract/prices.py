"""Prices printed in prose: "$450 per infusion", "$2,400 for a series of six", "from $350", "$400-$600"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from price_parser import Price as ParsedPrice

from kdir.common.record import Price

_AMOUNT = r"\$\s?\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\$\s?\d+(?:\.\d{2})?|\d{1,3}(?:,\d{3})*(?:\.\d{2})?\s?(?:USD|dollars)"
_PRICE = re.compile(
    rf"(?P<lead>(?:starting (?:at|from)|starts? at|from|as low as|only)\s+)?(?P<a>{_AMOUNT})"
    rf"(?:\s*(?:-|\u2013|\u2014|to)\s*(?P<b>{_AMOUNT}|\d{{1,3}}(?:,\d{{3}})*(?:\.\d{{2}})?))?(?P<plus>\+)?",
    re.I,
)
_UNITS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("series", re.compile(r"\b(?:series|package|bundle|course|set) of\b|\bseries\b|\bpackage\b|\bbundle\b"
                          r"|\bprogram(?:me)?\b|\bprotocol\b|\b(?:\w+|\d+)[- ]weeks?\b"
                          r"|\b(?:six|6|four|4|eight|8)[- ](?:infusions|sessions|treatments)\b", re.I)),
    ("consultation", re.compile(r"\bconsult(?:ation)?s?\b|\bevaluation\b|\bassessment\b|\bintake\b", re.I)),
    ("session", re.compile(r"\bper (?:infusion|session|treatment|visit|dose)\b|\b/\s?(?:infusion|session|treatment)\b"
                           r"|\beach (?:infusion|session|treatment)\b|\b(?:an?|one|single|individual) "
                           r"(?:infusion|session|treatment)\b|\binfusions? (?:cost|are|is)\b", re.I)),
    ("month", re.compile(r"\bper month\b|\b/\s?mo(?:nth)?\b|\bmonthly\b", re.I)),
)
_NOT_PRICE = re.compile(r"\b(?:save|saved|saves|saving|savings|off|discount|deposit|refund|fee waived|gift card|"
                        r"cancel\w*|no[- ]show|late fee|missed|worth|market|revenue|raised|funding|valued|valuation|"
                        r"industry|spent|spend|spending|economy|economic|grants?|salary|income|earn\w*|donat\w*|"
                        r"invest\w*)\b", re.I)
#: "$3 billion", "$2M": a sum of money, not what a visit costs
_MAGNITUDE = re.compile(r"^\s*(?:(?:million|billion|trillion|thousand)s?\b|[MBK]\b|mn\b|bn\b)", re.I)
#: words that make an amount the price of a service (in its sentence or the line above: a heading or label)
_SERVICE = re.compile(
    r"\b(?:infusions?|sessions?|treatments?|consult\w*|evaluations?|assessments?|intake|ketamine|spravato|"
    r"esketamine|therap(?:y|ies)|visits?|appointments?|dos(?:e|es|ing)|packages?|series|programs?|protocols?|"
    r"fees?|pric(?:e|es|ed|ing)|costs?|rates?|self[- ]pay|per|membership|lozenges?|troches?|injections?|"
    r"boosters?|follow[- ]ups?|month(?:ly)?|psychotherapy|integration|kap|nasal spray|shots?|investment|"
    r"tuition|out[- ]of[- ]pocket|copay|paid|pay|payment)\b", re.I)


def _amount(raw: str | None) -> float | None:
    if not raw:
        return None
    parsed = ParsedPrice.fromstring(raw.replace(" ", ""))
    if parsed.amount is None:
        return None
    value = float(parsed.amount)
    return value if 0 < value < 1_000_000 else None


def _nearest_unit(sent: str, start: int, end: int) -> str | None:
    """Unit whose cue sits nearest the amount (cues after the amount win ties: "$450 per infusion")."""
    after = sent[end: end + 50]
    before = sent[max(0, start - 50): start]
    best: tuple[int, str] | None = None
    for name, rx in _UNITS:
        for m in rx.finditer(after):
            d = m.start()
            if best is None or d < best[0]:
                best = (d, name)
            break
        for m in rx.finditer(before):
            d = len(before) - m.end() + 1
            if best is None or d < best[0]:
                best = (d, name)
    return best[1] if best else None


def find_prices(sents: Iterable[str], *, structured: Iterable[str] = ()) -> list[Price]:
    """Prices with their unit ("session", "series", "consultation", "month" or None), in page order.

    A printed amount is a price when a service is named in its sentence or the one before (a heading, a label):
    "a market worth billions" or "saved patients $2 million" are not prices. ``structured``: schema.org
    ``priceRange`` texts, prices by definition."""
    out: list[Price] = []
    prev = ""
    items = [(s, False) for s in sents] + [(s, True) for s in structured]
    for sent, trusted in items:
        before, prev = prev, sent
        if "$" not in sent and "usd" not in sent.lower() and "dollar" not in sent.lower():
            continue
        if not trusted and not _SERVICE.search(sent) and not _SERVICE.search(before[-200:]):
            continue
        for m in _PRICE.finditer(sent[:5000]):
            lo = _amount(m.group("a"))
            if lo is None:
                continue
            hi = _amount(m.group("b")) if m.group("b") else None
            if hi is not None and hi < lo:
                hi = None
            window = sent[max(0, m.start() - 60): m.end() + 60]
            near = sent[max(0, m.start() - 25): m.end() + 25]
            if _NOT_PRICE.search(near) or _MAGNITUDE.match(sent[m.end(): m.end() + 12]):
                continue
            unit = _nearest_unit(sent, m.start(), m.end())
            if unit is None and re.search(r"\b(?:infusions?|sessions?|treatments?)\b", window, re.I):
                unit = "session"
            starting = bool(m.group("lead") and m.group("lead").lower().strip() != "only") or bool(m.group("plus"))
            price = Price(min=lo, max=hi if hi is not None else (None if starting else lo), currency="USD", unit=unit)
            if price not in out:
                out.append(price)
    return out


def best_price(prices: Iterable[Price]) -> Price | None:
    """The price range a listing shows: from the lowest to the highest printed price (a per-session price and
    a series price give "$450 - $2,400"); the unit is that of the lowest price."""
    found = [p for p in prices if p.min is not None]
    if not found:
        return None
    low = min(found, key=lambda p: (p.min or 0, {"session": 0, "series": 1}.get(p.unit or "", 2)))
    highs = [p.max for p in found if p.max is not None]
    high = max(highs) if highs else None
    if high is not None and low.min is not None and high < low.min:
        high = None
    return Price(min=low.min, max=high, currency="USD", unit=low.unit)
