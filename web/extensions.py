"""Per-app services: database, search backend, CSRF, rate limiter, security headers."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from kdir.common.config import Settings


def client_key() -> str:
    """The rate-limit key: the client address, kept only as a short-lived counter key (never logged)."""
    return request.remote_addr or "unknown"


def init_app(app: Flask, settings: Settings, *, db: Any = None, search: Any = None) -> None:
    from web import security

    if db is None:
        from indexer.db import Database

        db = Database.connect(settings.database_url, migrate=False)
    app.extensions["kdir_db"] = db
    app.extensions["kdir_search"] = search  # opened lazily by get_search() when None
    if "csrf" not in app.extensions:
        CSRFProtect(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis (shared by every gunicorn worker) when configured; if Redis fails, limits fall back to memory
    # rather than failing the request.
    limiter = Limiter(client_key, app=app, storage_uri=settings.redis_url or "memory://",
                      key_prefix=str(app.config.get("KDIR_RATELIMIT_PREFIX", "kdir")), strategy="moving-window",
                      swallow_errors=True, in_memory_fallback_enabled=bool(settings.redis_url))
    app.extensions["kdir_limiter"] = limiter
    security.init_app(app, settings.tile_url)


def get_db() -> Any:
    return current_app.extensions["kdir_db"]


def get_limiter() -> Limiter:
    return current_app.extensions["kdir_limiter"]  # type: ignore[no-any-return]


def get_search() -> Any:
    backend = current_app.extensions.get("kdir_search")
    if backend is None:
        from indexer.search import open_backend

        backend = open_backend(current_app.config["KDIR_SETTINGS"])
        current_app.extensions["kdir_search"] = backend
    return backend
