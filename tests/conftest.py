"""Shared fixtures: real SQLite and real PostgreSQL databases, Redis, and service availability.

PostgreSQL and Redis are used when reachable (``KDIR_TEST_POSTGRES_URL``, ``KDIR_TEST_REDIS_URL``, defaulting
to the local servers) and their tests are skipped with the reason otherwise -- except under ``CI=true``, where
an unreachable service fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.db import Database

POSTGRES_URL = os.environ.get("KDIR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("KDIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Debian's chromium, driven by Playwright (browser tests) and by the crawler (rendering)
CHROMIUM = "/usr/bin/chromium"

_availability: dict[str, str | None] = {}


def _unavailable(name: str) -> str | None:
    """None when the service answers, else the reason (computed once per session)."""
    if name not in _availability:
        try:
            if name == "chromium":
                if not os.access(CHROMIUM, os.X_OK):
                    raise FileNotFoundError(f"{CHROMIUM} is missing (apt-get install chromium)")
            elif name == "postgres":
                from sqlalchemy import create_engine, text

                eng = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
                with eng.connect() as c:
                    c.execute(text("SELECT 1"))
                eng.dispose()
            else:
                import redis

                redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
            _availability[name] = None
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            _availability[name] = f"{name} not reachable ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    return _availability[name]


def require(name: str) -> None:
    """Skip the test (or the module, when called at import) when ``postgres``, ``redis`` or ``chromium`` is
    not available; fail instead under CI=true, where all three are."""
    reason = _unavailable(name)
    if reason:
        if IN_CI:
            pytest.fail(f"{reason}; required under CI=true")
        pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    require("postgres")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    require("redis")
    return REDIS_URL


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "kdir.sqlite3"
    db = Database.connect(f"sqlite:///{path}", migrate=True)
    db.dispose()
    return path


def _sqlite_db(template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "kdir.sqlite3"
    shutil.copy(template, path)
    db = Database.connect(f"sqlite:///{path}")
    yield db
    db.dispose()


def _postgres_db() -> Iterator[Database]:
    """A fresh schema per test, so tests (and parallel test runs) never see each other's rows."""
    from sqlalchemy import create_engine, text

    require("postgres")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    db = Database.connect(url, migrate=True)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, _sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_db(_sqlite_template, tmp_path)
    else:
        yield from _postgres_db()


@pytest.fixture
def sqlite_db(_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database only (for tests whose subject is not the database)."""
    yield from _sqlite_db(_sqlite_template, tmp_path)


@pytest.fixture
def postgres_db() -> Iterator[Database]:
    yield from _postgres_db()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian chromium through Playwright, one launch per test process (skipped without it; failed under CI).
    One fixture for every test module: Playwright's sync API cannot start twice in one thread."""
    require("chromium")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo's data (:mod:`tests.demo_build`): ``kdir demo --no-serve`` run once, for the modules of the
    ``demo`` xdist group."""
    from kdir.common.config import Settings
    from kdir.sampleweb import get_truth
    from tests.demo_build import DemoData, demo_env, free_port, run_demo

    env = demo_env(tmp_path_factory.mktemp("demo"))
    port = free_port()
    first = run_demo(env, port)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    settings = Settings.from_env(env)
    db = Database.connect(settings.database_url)
    try:
        yield DemoData(settings, db, get_truth(), env, port, first)
    finally:
        db.dispose()
