"""The web's Flask extensions, created once here and bound to each app by :func:`init_app` (called by
``create_app``), plus the per-app services: database and search backend.

Rate limits live in one shared store (see :mod:`web.ratelimit`) so they hold across gunicorn workers.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from indexer.db import Database
from indexer.search import open_backend
from kdir.common.config import Settings
from web import security
from web.ratelimit import storage_config


def client_key() -> str:
    """The rate-limit key: the client address, kept only as a short-lived counter key (never logged). The
    app's ``KDIR_RATELIMIT_PREFIX`` keeps apps that share a store (tests) apart."""
    return f"{current_app.config.get('KDIR_RATELIMIT_PREFIX', 'kdir')}:{request.remote_addr or 'unknown'}"


csrf = CSRFProtect()
limiter = Limiter(key_func=client_key, strategy="fixed-window", headers_enabled=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.session_protection = "basic"


def init_app(app: Flask, settings: Settings, *, db: Any = None, search: Any = None) -> None:
    if db is None:
        db = Database.connect(settings.database_url, migrate=False)
    app.extensions["kdir_db"] = db
    app.extensions["kdir_search"] = search  # opened lazily by get_search() when None
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)  # explicit per app: the limiter object is shared
    for key, value in storage_config(settings, db).items():
        app.config.setdefault(key, value)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app, settings.tile_url)


def get_db() -> Any:
    return current_app.extensions["kdir_db"]


def get_search() -> Any:
    backend = current_app.extensions.get("kdir_search")
    if backend is None:
        backend = open_backend(current_app.config["KDIR_SETTINGS"])
        current_app.extensions["kdir_search"] = backend
    return backend
