"""E-mail addresses: the one pattern and the one acceptance rule of the project (extraction finds candidates in
page text, the normaliser, moderation edits, exports and the report form all accept addresses with these)."""

from __future__ import annotations

import re
from urllib.parse import unquote

#: A plain address inside text (group 1); the look-arounds keep it from starting or ending inside a word.
EMAIL_IN_TEXT = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24})(?![\w-])"
)
#: image names ("logo@2x.png") and error-tracking endpoints that look like addresses in page source
_BAD_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "css", "js", "ico", "bmp", "tif", "tiff", "avif"})
_BAD_DOMAINS = ("sentry.io", "sentry-next.wixpress.com", "wixpress.com", "sentry.wixpress.com")
MAX_EMAIL = 254


def accept_email(addr: str) -> str | None:
    """The lower-cased address when it is a real one (not an image name, a tracker, a malformed local part)."""
    addr = addr.lower().strip(".")
    local, _, domain = addr.rpartition("@")
    if not local or ".." in addr or local.startswith(".") or local.endswith(".") or len(addr) > MAX_EMAIL:
        return None
    tld = domain.rsplit(".", 1)[-1]
    if tld in _BAD_TLDS or "@2x" in addr or "@3x" in addr:
        return None
    if any(domain == d or domain.endswith("." + d) for d in _BAD_DOMAINS):
        return None
    return addr


def normalize_email(raw: object) -> str | None:
    """Lower-cased address from a plain or ``mailto:`` string, or None when it is not an e-mail address."""
    if not isinstance(raw, str):
        return None
    s = raw.strip()
    if s.lower().startswith("mailto:"):
        s = unquote(s[7:]).split("?", 1)[0].strip()
    if len(s) > MAX_EMAIL or not EMAIL_IN_TEXT.fullmatch(s):
        return None
    return accept_email(s)
