from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from kdir.sampleweb.server import SampleWeb


@pytest.fixture()
def fresh() -> Iterator[SampleWeb]:
    # its own instance, so switching modes cannot disturb tests sharing the session server
    with SampleWeb(first_octet=180) as w:
        yield w


def test_down_and_empty_modes(fresh: SampleWeb) -> None:
    base = fresh.sites["stillwater"]
    fresh.set_mode("stillwater", "down")
    r = requests.get(base + "/", timeout=5)
    assert r.status_code == 503 and r.headers["Retry-After"] == "120"
    fresh.set_mode("stillwater", "empty")
    r = requests.get(base + "/", timeout=5)
    assert r.status_code == 200 and "Stillwater" not in r.text
    assert "Sitemap:" in requests.get(base + "/robots.txt", timeout=5).text
    fresh.set_mode("directory", "empty")
    assert "/clinic/" not in requests.get(fresh.directory_url + "/clinics?page=1", timeout=5).text
    fresh.set_mode("stillwater", "normal")
    assert "Stillwater" in requests.get(base + "/", timeout=5).text
    with pytest.raises(ValueError):
        fresh.set_mode("stillwater", "sideways")
    with pytest.raises(KeyError):
        fresh.set_mode("nosuchsite", "down")


def test_trap_endpoints(web: SampleWeb, http: requests.Session) -> None:
    base = web.sites["cascade"]
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        http.get(base + "/trap/slow/?n=3", timeout=0.5)
    assert time.monotonic() - started < 2
    r = http.get(base + "/trap/huge/?n=300", timeout=10)
    assert r.status_code == 200 and len(r.content) >= 300 * 1024
    r = http.get(base + "/trap/loop/", allow_redirects=False, timeout=5)
    assert r.status_code == 302 and r.headers["Location"] == "/trap/loop/?n=1"
    with pytest.raises(requests.TooManyRedirects):
        http.get(base + "/trap/loop/", timeout=5)
    assert http.get(base + "/trap/other/", timeout=5).status_code == 404


def test_no_page_links_to_the_robustness_traps(web: SampleWeb, http: requests.Session) -> None:
    for base in web.sites.values():
        assert "/trap/" not in http.get(base + "/", timeout=5).text
