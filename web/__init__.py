"""The Flask site: patient search, provider pages, guide, JSON API, moderation and operations.

Reads through the indexer (database + search backend) and never crawls. One package per feature
(``web.public``, ``web.api``, ``web.moderation``, ``web.ops``, ``web.auth``); the shared pieces (extensions,
rate-limit storage, security headers and Jinja helpers, warm-up) live at this level.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kdir.common.config import Settings
from web import extensions, ids
from web.api import views as api
from web.auth import views as auth
from web.auth.accounts import dummy_hash
from web.json_provider import OrjsonProvider
from web.moderation import views as moderation
from web.ops import views as ops
from web.public import views as public
from web.warmup import warm_up


def create_app(settings: Settings | None = None, *, db: Any = None, search: Any = None,
               config: dict[str, Any] | None = None) -> Flask:
    """Application factory. ``db`` (indexer.db.Database) and ``search`` (a SearchBackend) may be injected by
    tests and the demo; otherwise they are opened from ``settings``."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.config.update(
        SECRET_KEY=settings.require_secret(),
        KDIR_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.is_local,
        REMEMBER_COOKIE_SECURE=not settings.is_local,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if config:
        app.config.update(config)
    if settings.trusted_proxies:
        n = settings.trusted_proxies  # client address and scheme from the proxies' X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    extensions.init_app(app, settings, db=db, search=search)
    ids.init_app(app)
    dummy_hash()
    for bp in (public.bp, api.bp, auth.bp, moderation.bp, ops.bp):
        app.register_blueprint(bp)
    public.init_app(app)
    if not app.config.get("TESTING"):
        threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()
    return app
