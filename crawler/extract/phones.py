"""Phone numbers: find candidates in text, normalise to E.164 (US default region)."""

from __future__ import annotations

import re

from kdir.common.phones import normalize_phone

_CANDIDATE = re.compile(
    r"(?<![\w/=.-])(?:\+?1[\s.\-\u2010-\u2015]?)?(?:\(\s*\d{3}\s*\)|\d{3})[\s.\-\u2010-\u2015]?\d{3}"
    r"[\s.\-\u2010-\u2015]?\d{4}(?![\w/-])"
)
_FAX = re.compile(r"\bfax\b|\bfacsimile\b|\bf:\s*$", re.I)
#: national crisis lines often printed on mental-health sites (988 itself is too short to match)
CRISIS_LINES = frozenset({"+18002738255", "+18006624357", "+18009848273", "+18007997233", "+18006564673"})
_CRISIS = re.compile(r"\bcrisis\b|\bsuicid|\bhotline\b|\blifeline\b|\bemergenc|\b911\b|\bSAMHSA\b", re.I)
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_DIGIT = re.compile(r"\d")
_BARE_DIGITS = re.compile(r"^\+?\d+$")


def find_phones(text: str, *, limit: int = 50) -> list[tuple[str, bool]]:
    """(E.164, is_fax) for each phone printed in ``text``, in order, duplicates removed.

    Runs of bare digits (no separators) are skipped: they are mostly NPIs, IDs or tracking numbers."""
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for m in _CANDIDATE.finditer(text):
        if len(out) >= limit:
            break
        cand = m.group(0)
        if _BARE_DIGITS.match(cand):
            continue
        e164 = normalize_phone(cand)
        if e164 is None or e164 in seen:
            continue
        seen.add(e164)
        lead = _SENTENCE_END.split(text[max(0, m.start() - 80): m.start()])[-1]
        if e164 in CRISIS_LINES or _CRISIS.search(lead):
            continue  # "in crisis? call 1-800-273-8255": not the clinic's number
        before = text[max(0, m.start() - 14): m.start()]
        out.append((e164, bool(_FAX.search(before))))
    return out
