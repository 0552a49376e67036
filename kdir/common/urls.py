"""URLs: the canonical form of an http(s) URL (tracking and session parameters, default ports and fragments
dropped) -- for the crawler's frontier and for every website or review link a record carries. Only http(s)
ever passes: a ``javascript:`` or ``data:`` URL from a page never reaches a link we render."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

#: Query parameters that only track visitors or sessions: dropped before a URL is compared or fetched.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl",
    "igshid", "ref_src", "sid", "sessionid", "session_id", "phpsessid", "jsessionid", "aspsessionid",
    "cfid", "cftoken", "zanpid", "oly_enc_id", "oly_anon_id", "_hsenc", "_hsmi", "hsctatracking",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|sessionid|phpsessid)=[^/?#]*", re.I)
MAX_URL = 4096


def route_fragment(fragment: str) -> bool:
    """A fragment that names a client-side route (``#/team``, ``#!/team``) rather than a place on the page."""
    return fragment.startswith(("/", "!/"))


def clean_url(url: object, base: str | None = None, *, keep_route: bool = False) -> str | None:
    """Absolute http(s) URL without tracking or session parameters and fragment, query sorted; else None.

    ``keep_route``: keep a fragment that is a client-side route (``#/team``): on a single-page app rendered in a
    browser it is a page of its own.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL:
        return None
    try:
        if base:
            url = urljoin(base, url)
        url = safe_url_string(url)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    path = _PATH_SESSION.sub("", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)]
    netloc = parts.netloc.lower()
    if (parts.scheme == "http" and netloc.endswith(":80")) or (parts.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    route = parts.fragment if keep_route and route_fragment(parts.fragment) else ""
    if route.lstrip("!") == "/":
        route = ""  # the app's home route is the page itself
    rebuilt = urlunsplit((parts.scheme, netloc, path, urlencode(query), route))
    try:
        return canonicalize_url(rebuilt, keep_fragments=bool(route))
    except ValueError:
        return None


def site_key(url: str) -> str:
    """The site a URL belongs to: host[:port], lower-case, without a leading ``www.``."""
    netloc = urlsplit(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc
