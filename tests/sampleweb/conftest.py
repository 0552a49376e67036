from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
import requests

from kdir.sampleweb.server import SampleWeb

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session")
def web() -> Iterator[SampleWeb]:
    # first_octet 60+ keeps clear of the CLI default (10+) and of other engineers' fixtures.
    with SampleWeb(first_octet=60, port=0) as w:
        yield w


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["User-Agent"] = "kdir-sampleweb-tests"
        yield s


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)




@contextmanager
def browser_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context; requests leaving loopback are aborted (tests never touch the internet)."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.route(re.compile(r"^https?://(?!127\.)"), lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def rendered_text(page: Page, url: str) -> str:
    """Load ``url`` afresh, wait until the network is idle (a lazily loaded route chunk has arrived) and the
    single-page app has rendered its footer; the DOM's HTML (unescaped) and text."""
    page.goto("about:blank")  # a hash route opened in place would be a same-document navigation
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("footer")
    markup = page.evaluate("document.documentElement.outerHTML")
    text = page.evaluate("document.body.innerText")
    return html.unescape(markup) + "\n" + text
