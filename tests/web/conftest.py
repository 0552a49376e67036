"""Reusable web fixtures (also used by the moderation/ops browser tests -- keep them stable).

- ``web_db``: the database of the fixtures below: ``db`` (SQLite and PostgreSQL); override it in a module with
  ``@pytest.fixture def web_db(sqlite_db): return sqlite_db`` for SQLite only.
- ``web_settings``: Settings for a test (KDIR_ENV=test, database = ``web_db``, FTS5 search file in tmp_path).
- ``search_backend``: the real search backend at ``web_settings.search_path`` (embedded FTS5).
- ``seeded``: the standard data set (tests/web/seed.py) committed and published into ``search_backend``.
- ``app`` / ``client``: the real Flask app over those (``db`` runs on SQLite and PostgreSQL).
- ``live_server``: the real app served by werkzeug on 127.0.0.N:<free port> in a thread, over a seeded
  ``sqlite_db`` (attributes: url, app, db, backend, seeded, settings).
- ``browser`` (session) / ``page``: Playwright driving Debian /usr/bin/chromium. ``page.kdir_dialogs`` lists
  every JS dialog (alert/confirm/prompt) seen: hostile payloads must leave it empty; ``page.kdir_console_errors``
  the console errors (CSP violations show up there). Requests leaving loopback are aborted. Skipped with a
  reason when chromium is missing, failed under CI=true.

Helpers: ``make_settings(db, tmp_path, **overrides)``, ``make_app(settings, db, backend, **flask_config)``,
``open_search(settings)``, ``serve_in_thread(app, host) -> (server, thread)``, ``axe_violations(page)`` (axe-core
scan, serious/critical only). Data: tests/web/seed.py (``seed_directory``, ``add_provider``, ``publish``).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from indexer.db import Database
from kdir.common.config import Settings
from tests.web.seed import Seeded, publish, seed_directory

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
_hosts = itertools.count(10)


def make_settings(db: Database, tmp_path: Path, **overrides: object) -> Settings:
    env = {"KDIR_ENV": "test", "KDIR_DATABASE_URL": db.url, "KDIR_VAR_DIR": str(tmp_path / "var"),
           "KDIR_SEARCH_PATH": str(tmp_path / "search.sqlite3"), "KDIR_SECRET_KEY": "test-secret-key-0123456789",
           "KDIR_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"}
    return Settings.from_env(env, **overrides)


def open_search(settings: Settings) -> Any:
    """The configured backend: FTS5 in the test's tmp_path (make_settings never sets a Meilisearch URL)."""
    from indexer.search import open_backend

    return open_backend(settings)


def make_app(settings: Settings, db: Database, backend: Any, **config: object) -> Any:
    from web import create_app

    return create_app(settings, db=db, search=backend, config={"TESTING": True, **config})


@pytest.fixture
def web_db(db: Database) -> Database:
    """The database under the web fixtures: ``db`` (SQLite and PostgreSQL). A test module whose subject is not
    the database (search-only pages) overrides it with ``sqlite_db`` to keep the suite quick."""
    return db


@pytest.fixture
def web_settings(web_db: Database, tmp_path: Path) -> Settings:
    return make_settings(web_db, tmp_path)


@pytest.fixture
def search_backend(web_settings: Settings) -> Iterator[Any]:
    backend = open_search(web_settings)
    yield backend
    backend.close()


@pytest.fixture
def seeded(web_db: Database, search_backend: Any) -> Seeded:
    ids = seed_directory(web_db)
    publish(web_db, search_backend)
    return ids


@pytest.fixture
def app(web_settings: Settings, web_db: Database, search_backend: Any, seeded: Seeded) -> Any:
    return make_app(web_settings, web_db, search_backend)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@dataclass
class LiveServer:
    url: str
    app: Any
    db: Database
    backend: Any
    seeded: Seeded
    settings: Settings


def serve_in_thread(app: Any, host: str) -> tuple[Any, threading.Thread]:
    from werkzeug.serving import make_server

    from kdir.cli.serve import PrivateRequestHandler

    server = make_server(host, 0, app, threaded=True, request_handler=PrivateRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"live-{host}", daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def live_server(sqlite_db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    settings = make_settings(sqlite_db, tmp_path)
    backend = open_search(settings)
    ids = seed_directory(sqlite_db)
    publish(sqlite_db, backend)
    app = make_app(settings, sqlite_db, backend)
    host = f"127.0.0.{next(_hosts) % 240 + 10}"
    server, thread = serve_in_thread(app, host)
    try:
        yield LiveServer(f"http://{host}:{server.server_port}", app, sqlite_db, backend, ids, settings)
    finally:
        server.shutdown()
        thread.join(5)
        backend.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page; JS dialogs are recorded in ``page.kdir_dialogs`` and dismissed,
    console errors in ``page.kdir_console_errors``. Requests leaving loopback are aborted (tests never touch
    the internet)."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.route(re.compile(r"^https?://(?!127\.)"), lambda route: route.abort())
    pg = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.kdir_dialogs = dialogs
    pg.kdir_console_errors = errors
    try:
        yield pg
    finally:
        context.close()


def follow(page: Any, selector: str) -> None:
    """Click a link or submit button and wait until the page it leads to has loaded.

    A click only waits for the navigation to start; reading the page (evaluate, count, all) straight after it
    can see the old document or a new one that has no body yet."""
    with page.expect_navigation():
        page.click(selector)


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core (vendored, injected for tests only) on the current page; violations of these impacts.

    The script is served at a same-origin test-only URL (intercepted by Playwright, never by the app), so the
    page's CSP (script-src 'self') stays exactly as in production."""
    from urllib.parse import urlsplit

    parts = urlsplit(page.url)
    url = f"{parts.scheme}://{parts.netloc}/__tests__/axe.min.js"
    page.route(url, lambda route: route.fulfill(path=str(AXE_JS), content_type="application/javascript"))
    page.add_script_tag(url=url)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v.get("impact") in impacts]
