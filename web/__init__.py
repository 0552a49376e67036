"""The Flask site: patient search, provider pages, guide, JSON API, moderation and operations.

Reads through the indexer (database + search backend) and never crawls.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kdir.config import Settings


def create_app(settings: Settings | None = None, *, db: Any = None, search: Any = None,
               config: dict[str, Any] | None = None) -> Flask:
    """Application factory. ``db`` (indexer.db.Database) and ``search`` (a SearchBackend) may be injected by
    tests and the demo; otherwise they are opened from ``settings``."""
    from web import extensions
    from web.blueprints import api, auth, moderation, ops, public

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        KDIR_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.is_local,
        REMEMBER_COOKIE_SECURE=not settings.is_local,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=256 * 1024,
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)
    extensions.init_app(app, settings, db=db, search=search)
    for bp in (public.bp, api.bp, auth.bp, moderation.bp, ops.bp):
        app.register_blueprint(bp)
    return app
