"""The endpoint of an API-backed spider (registry, Overpass): the -a api argument or the configured default."""

from __future__ import annotations

from urllib.parse import urlsplit

from kdir.common.config import Settings


def api_endpoint(api: str | None, setting: str) -> str:
    """``api`` when given, else ``Settings.<setting>``; only http(s) URLs are accepted."""
    if api is None:
        api = str(getattr(Settings.from_env(), setting))
    if urlsplit(api).scheme not in ("http", "https"):
        raise ValueError(f"api must be an http(s) URL, got {api!r}")
    return api
