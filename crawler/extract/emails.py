"""E-mail addresses printed in page text, including obfuscated forms ("info [at] clinic [dot] com"); what
counts as an address is :mod:`kdir.common.emails`."""

from __future__ import annotations

import re
from bisect import bisect_right

from kdir.common.emails import EMAIL_IN_TEXT, accept_email, normalize_email

_AT = r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>|\s+at\s+(?=[\w-]+\s*(?:\[|\(|\{)\s*dot))\s*"
_DOT = r"\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*"
_OBFUSCATED = re.compile(
    rf"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{{0,63}}){_AT}((?:[A-Za-z0-9-]+(?:{_DOT}|\.))+)([A-Za-z]{{2,24}})\b",
    re.I,
)
_DOT_SPLIT = re.compile(_DOT, re.I)
_OBF_HINT = re.compile(r"[\[({<]\s*at\s*[\])}>]", re.I)


_MARKER = re.compile(r"[\[({<]\s*(?:at|dot)", re.I)


def _obfuscated(text: str) -> list[re.Match[str]]:
    """Matches of the obfuscated pattern, run only on the lines around an "[at"/"[dot" marker.

    Every match holds a bracketed "at" or "dot" and only crosses line breaks in the whitespace around a marker
    or, in the "info at clinic [dot] com" form, in the three gaps before "[dot": three non-blank lines up and one
    down hold it."""
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    wanted: set[int] = set()
    for m in _MARKER.finditer(text):
        i = bisect_right(starts, m.start()) - 1
        wanted.add(i)
        for step, count in ((-1, 3), (1, 1)):  # blank lines in between do not count
            j = i + step
            while 0 <= j < len(lines) and count:
                wanted.add(j)
                count -= bool(lines[j].strip())
                j += step
    out: list[re.Match[str]] = []
    run: list[int] = []
    for i in sorted(k for k in wanted if 0 <= k < len(lines)) + [-2]:
        if run and i != run[-1] + 1:
            out.extend(_OBFUSCATED.finditer("\n".join(lines[run[0]: run[-1] + 1])))
            run = []
        run.append(i)
    return out


def find_emails(text: str) -> list[str]:
    """E-mail addresses in ``text`` (plain and obfuscated), lower-cased, in order, without duplicates."""
    out: list[str] = []
    # the e-mail pattern only runs in a small window around each "@" (scanning the whole page is slow)
    pos = text.find("@")
    while pos != -1 and len(out) < 100:
        lo = max(0, pos - 70)
        window = text[lo: pos + 260]
        nxt = -1
        for m in EMAIL_IN_TEXT.finditer(window):
            if m.start(1) + lo <= pos < m.end(1) + lo:
                e = accept_email(m.group(1))
                if e and e not in out:
                    out.append(e)
                nxt = m.end(1) + lo
                break
        pos = text.find("@", max(pos + 1, nxt))
    if _OBF_HINT.search(text):
        for m in _obfuscated(text):
            domain = _DOT_SPLIT.sub(".", m.group(2))
            cand = f"{m.group(1)}@{domain}{m.group(3)}"
            if ("[" in m.group(0) or "(" in m.group(0) or "{" in m.group(0) or "<" in m.group(0)) and (
                e := normalize_email(cand)
            ) and e not in out:
                out.append(e)
    return out
