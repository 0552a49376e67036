"""Registered domains of websites ("https://www.clinic.example.com/a" -> "example.com"), offline: the public
suffix list snapshot bundled with ``tldextract`` (private suffixes such as wixsite.com count as suffixes, so two
sites hosted there stay apart). Platforms that host many providers' pages are never an identity."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
#: Domains shared by many providers (social networks, directories, booking and page builders).
SHARED_PLATFORMS = frozenset({
    "facebook.com", "instagram.com", "linkedin.com", "twitter.com", "x.com", "youtube.com", "tiktok.com",
    "google.com", "goo.gl", "yelp.com", "psychologytoday.com", "healthgrades.com", "zocdoc.com", "linktr.ee",
    "squarespace.com", "wix.com", "godaddysites.com", "business.site", "square.site", "carrd.co",
    "janeapp.com", "simplepractice.com", "calendly.com", "wordpress.com",
})


@lru_cache(maxsize=32768)
def registered_domain(url: str | None) -> str | None:
    """The registered domain of an http(s) URL, the host itself for an IP or a name without a public suffix,
    None for anything else or a shared platform."""
    if not url or ("//" not in url and ":" in url):  # "javascript:...", "mailto:..."
        return None
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        if parts.scheme not in ("", "http", "https"):
            return None
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    ext = _EXTRACT(host)
    domain = f"{ext.domain}.{ext.suffix}" if ext.domain and ext.suffix else host
    return None if domain in SHARED_PLATFORMS else domain
