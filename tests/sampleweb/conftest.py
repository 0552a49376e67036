from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from kdir.sampleweb.server import SampleWeb


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
