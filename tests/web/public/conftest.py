"""The demo's data, built once per test worker for the modules that read it (``xdist_group("demo")``).

The bundled sample web is served on loopback, crawled by the real spiders, indexed, verified against the sample
registry and published -- ``kdir demo``'s own steps -- about a minute of work, so the modules share one build.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from indexer.db import Database
from kdir.common.config import Settings
from kdir.sampleweb import SampleWeb, get_truth
from kdir.sampleweb.truth import Truth

#: Mark of every module reading ``demo_data``: all their tests run in one worker, which builds the data once.
DEMO_GROUP = pytest.mark.xdist_group("demo")


@dataclasses.dataclass
class DemoData:
    settings: Settings  # map tiles point at a closed port: the map's fallback is what a test sees
    db: Database
    truth: Truth


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoData]:
    from kdir.cli.demo import crawl_sample_web, index_and_publish

    tmp = tmp_path_factory.mktemp("demo")
    base = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp / "var"),
                              "KDIR_DATABASE_URL": f"sqlite:///{tmp}/kdir.sqlite3",
                              "KDIR_SEARCH_PATH": str(tmp / "search.sqlite3"),
                              "KDIR_SECRET_KEY": "test-secret-key-0123456789",
                              "KDIR_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"})
    with SampleWeb(first_octet=120, port=0) as web:
        settings = dataclasses.replace(base, nppes_url=web.nppes_url, overpass_url=web.overpass_url)
        db = Database.connect(settings.database_url, migrate=True)
        crawl_sample_web(settings, db, web, echo=lambda *_a, **_k: None)
        counts = index_and_publish(settings, db, echo=lambda *_a, **_k: None)
        assert counts["indexed"] > 20
        truth = get_truth(web)
    try:
        yield DemoData(settings, db, truth)
    finally:
        db.dispose()
