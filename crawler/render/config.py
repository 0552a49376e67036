"""Is rendering on for this crawl, and with which browser? Sets the Scrapy settings that install it.

``KDIR_RENDER`` (a ``-s`` setting or the environment): ``auto`` (default: on when a Chromium is installed), ``on``
(a crawl without a browser fails at once) or ``off``. ``KDIR_BROWSER_PATH`` names the executable; by default the
first of ``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``. Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from kdir.common.config import ConfigError, parse_render_mode

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HANDLER = "crawler.render.handler.RenderingDownloadHandler"
#: Chromium switches for a crawler: nothing phoning home, few processes. ``--no-sandbox`` is added unless
#: ``KDIR_BROWSER_SANDBOX`` is on: Chromium refuses to run as root with its sandbox, and most containers lack the
#: user namespaces it needs; where they exist, an unprivileged crawler should switch it on.
BROWSER_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--mute-audio", "--renderer-process-limit=2", "--disable-extensions"]


class RenderConfigError(ValueError):
    """A bad KDIR_RENDER / KDIR_BROWSER_PATH value, or ``on`` without a browser. One line, naming the variable."""


def render_mode(value: str | None) -> str:
    try:
        return parse_render_mode(value)
    except ConfigError as exc:
        raise RenderConfigError(str(exc)) from None


def find_browser(explicit: str | None = None) -> str | None:
    """The Chromium executable to drive: ``explicit`` when it is an executable file, else one on ``PATH``."""
    if explicit:
        path = Path(explicit).expanduser()
        found = shutil.which(explicit) if not path.is_absolute() else (str(path) if path.is_file() else None)
        if found is None or not os.access(found, os.X_OK):
            raise RenderConfigError(f"KDIR_BROWSER_PATH {explicit!r} is not an executable file")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def configure(settings: BaseSettings) -> None:
    """Install the rendering download handler when rendering is on and a browser is found.

    Leaves ``KDIR_RENDER_ACTIVE`` (bool) and, when off, ``KDIR_RENDER_OFF_REASON`` for the spider and its stats.
    """
    mode = render_mode(settings.get("KDIR_RENDER") or os.environ.get("KDIR_RENDER"))
    if mode == "off":
        _off(settings, "switched off (KDIR_RENDER=off)")
        return
    browser = find_browser(settings.get("KDIR_BROWSER_PATH") or os.environ.get("KDIR_BROWSER_PATH", "").strip()
                           or None)
    if browser is None:
        if mode == "on":
            raise RenderConfigError("KDIR_RENDER=on but no Chromium was found: install Debian's chromium package "
                                    "or set KDIR_BROWSER_PATH")
        _off(settings, "no Chromium installed (apt-get install chromium, or set KDIR_BROWSER_PATH)")
        return
    prio = "spider"
    timeout_ms = settings.getfloat("KDIR_RENDER_TIMEOUT", 20.0) * 1000
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER},
                 priority=prio)
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority=prio)
    sandbox = settings.getbool("KDIR_BROWSER_SANDBOX", False)
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {
        "executable_path": browser, "headless": True, "chromium_sandbox": sandbox, "timeout": 60_000,
        "args": BROWSER_ARGS if sandbox else ["--no-sandbox", *BROWSER_ARGS]}, priority=prio)
    # One context (one cache for the bundles of a site); its page count is the renderer's own concurrency.
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority=prio)
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", max(1, settings.getint("KDIR_RENDER_CONCURRENCY", 2)),
                 priority=prio)
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, priority=prio)
    settings.set("KDIR_RENDER_ACTIVE", True, priority=prio)
    settings.set("KDIR_BROWSER_EXECUTABLE", browser, priority=prio)


def _off(settings: BaseSettings, reason: str) -> None:
    settings.set("KDIR_RENDER_ACTIVE", False, priority="spider")
    settings.set("KDIR_RENDER_OFF_REASON", reason, priority="spider")
