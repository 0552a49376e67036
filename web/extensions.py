"""Per-app services: database, search backend, CSRF, login manager, rate limiter, security headers."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from kdir.config import Settings


def init_app(app: Flask, settings: Settings, *, db: Any = None, search: Any = None) -> None:
    if db is None:
        from indexer.db import Database

        db = Database.connect(settings.database_url, migrate=False)
    app.extensions["kdir_db"] = db
    app.extensions["kdir_search"] = search  # opened lazily by get_search() when None


def get_db() -> Any:
    return current_app.extensions["kdir_db"]


def get_search() -> Any:
    backend = current_app.extensions.get("kdir_search")
    if backend is None:
        from indexer.search import open_backend

        backend = open_backend(current_app.config["KDIR_SETTINGS"])
        current_app.extensions["kdir_search"] = backend
    return backend
