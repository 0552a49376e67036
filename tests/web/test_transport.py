"""HTTPS: Strict-Transport-Security is sent on a secure request only -- HTTPS direct, or behind a trusted
proxy (KDIR_TRUSTED_PROXIES) that says X-Forwarded-Proto: https. A client cannot fake it without that setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indexer.db import Database
from tests.web.conftest import make_app, make_settings
from web.security import HSTS


def _hsts(db: Database, tmp_path: Path, proxies: int, **request: Any) -> str | None:
    app = make_app(make_settings(db, tmp_path, trusted_proxies=proxies), db, None)
    res = app.test_client().get("/guide", **request)
    assert res.status_code == 200
    return res.headers.get("Strict-Transport-Security")  # type: ignore[no-any-return]


@pytest.mark.parametrize(("proxies", "request_kwargs", "expected"), [
    (1, {"headers": {"X-Forwarded-Proto": "https"}}, HSTS),  # the documented proxy set-up
    (1, {}, None),  # plain HTTP behind the proxy: a browser ignores HSTS over http anyway
    (0, {"headers": {"X-Forwarded-Proto": "https"}}, None),  # untrusted header: no effect
    (0, {"base_url": "https://kdir.example"}, HSTS),  # TLS straight to the app
])
def test_hsts_only_on_secure_requests(sqlite_db: Database, tmp_path: Path, proxies: int,
                                      request_kwargs: dict[str, Any], expected: str | None) -> None:
    assert _hsts(sqlite_db, tmp_path, proxies, **request_kwargs) == expected

