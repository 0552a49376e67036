"""Security headers and the Jinja helpers that keep scraped (hostile) text inert.

Every provider fact comes from the open web: names, addresses, review texts and URLs may carry markup or
``javascript:`` links. Templates autoescape; these helpers cover what autoescaping cannot: which URLs may become
links, search highlights (escape first, then mark), and JSON inside ``<script type="application/ld+json">``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from markupsafe import Markup, escape

from indexer.search.base import HL_END, HL_START

OUTBOUND_REL = "nofollow noopener ugc"
_SENTINELS = re.compile(f"({re.escape(HL_START)}|{re.escape(HL_END)})")
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()")
#: Sent only on a secure request (HTTPS direct, or behind KDIR_TRUSTED_PROXIES saying X-Forwarded-Proto: https):
#: a browser ignores it over plain HTTP, and a local demo must stay reachable over http://.
HSTS = "max-age=31536000; includeSubDomains"


def tile_origin(tile_url: str) -> str:
    """The scheme://host[:port] of the map tile template, for img-src ("{s}." subdomains become "*.")."""
    parts = urlsplit(tile_url.replace("{s}.", "subdomain-placeholder."))
    netloc = parts.netloc.replace("subdomain-placeholder.", "*.")
    return f"{parts.scheme}://{netloc}"


def content_security_policy(tile_url: str) -> str:
    """No inline script, no third party except map tiles (images only)."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {tile_origin(tile_url)}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_app(app: Flask, tile_url: str) -> None:
    csp = content_security_policy(tile_url)

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", csp)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")  # a clinic never learns what a patient searched
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            h.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")  # searches are health data: keep them out of caches
        return response

    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["json_ld"] = json_ld
    app.jinja_env.globals["outbound_link"] = outbound_link


def safe_url(value: Any) -> str | None:
    """The URL when it is an absolute http(s) URL with a host and no control characters, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > 2000 or any(ord(c) < 32 or c in "\\<>\"'`" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def outbound_link(url: Any, text: Any = None) -> Markup:
    """An escaped outbound link with rel="nofollow noopener ugc"; plain escaped text when the URL is unsafe."""
    label = url if text is None else text
    href = safe_url(url)
    if href is None:
        return Markup("<span>%s</span>") % ("" if label is None else label)
    return Markup('<a href="%s" rel="%s" target="_blank">%s</a>') % (href, OUTBOUND_REL, label)


def highlight(value: Any) -> Markup:
    """Search highlight: escape the text FIRST, then turn the sentinels into <mark> tags (always balanced)."""
    text = str(escape("" if value is None else value))
    if HL_START not in text and HL_END not in text:
        return Markup(text)
    out: list[str] = []
    open_ = False
    for part in _SENTINELS.split(text):
        if part == HL_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == HL_END:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(part)
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def strip_highlight(value: Any) -> str:
    return str(value or "").replace(HL_START, "").replace(HL_END, "")


def json_ld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: <, >, & and line separators are \\u-escaped so
    scraped text containing ``</script>`` cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)
