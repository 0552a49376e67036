"""Fixtures of the moderation tests: the real app with staff accounts over the standard seeded data set.

``staff_app`` needs no search backend (moderation writes the outbox; publishing is best effort), so the
workflow tests run on SQLite and PostgreSQL even where search is unavailable; tests that check public search
use the shared ``app``/``live_server`` fixtures of tests/web/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.db import Database
from tests.web.conftest import make_app, make_settings
from tests.web.moderation.staff import add_staff
from tests.web.seed import Seeded, seed_directory


def _open_search_or_none(settings: Any) -> Any:
    try:
        from indexer.search import open_backend
    except ImportError:
        return None
    return open_backend(settings)


def _staff_app(database: Database, tmp_path: Path) -> Iterator[Any]:
    settings = make_settings(database, tmp_path)
    backend = _open_search_or_none(settings)
    app = make_app(settings, database, backend)
    app.kdir_seeded = seed_directory(database)
    app.kdir_staff = add_staff(database)
    if backend is not None:
        from tests.web.seed import publish

        publish(database, backend)
    yield app
    if backend is not None:
        backend.close()


@pytest.fixture
def staff_app(db: Database, tmp_path: Path) -> Iterator[Any]:
    """On SQLite and PostgreSQL."""
    yield from _staff_app(db, tmp_path)


@pytest.fixture
def sqlite_staff_app(sqlite_db: Database, tmp_path: Path) -> Iterator[Any]:
    """On SQLite only, for tests whose subject is not the database (permissions, sessions)."""
    yield from _staff_app(sqlite_db, tmp_path)


@pytest.fixture
def seeded_ids(staff_app: Any) -> Seeded:
    return staff_app.kdir_seeded  # type: ignore[no-any-return]


@pytest.fixture
def staff_client(staff_app: Any) -> Any:
    return staff_app.test_client()


@pytest.fixture(autouse=True)
def _cheap_argon2() -> Any:
    """Real argon2id, with test-sized cost (production parameters take ~0.3 s per hash on this machine)."""
    from argon2 import PasswordHasher

    from web.auth.accounts import use_hasher

    previous = use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    use_hasher(previous)
