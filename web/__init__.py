"""The Flask site: patient search, provider pages, guide, JSON API, moderation and operations.

Reads through the indexer (database + search backend) and never crawls.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kdir.common.config import Settings

#: Rate limit of the "Report a problem" form, on top of Settings.ratelimit.
REPORT_LIMIT = "10/hour"


def create_app(settings: Settings | None = None, *, db: Any = None, search: Any = None,
               config: dict[str, Any] | None = None) -> Flask:
    """Application factory. ``db`` (indexer.db.Database) and ``search`` (a SearchBackend) may be injected by
    tests and the demo; otherwise they are opened from ``settings``."""
    from web import accounts, extensions, ids
    from web.blueprints import api, auth, moderation, ops, public

    settings = settings or Settings.from_env()
    app = Flask(__name__)
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
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies  # client address and scheme from the proxies' X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    extensions.init_app(app, settings, db=db, search=search)
    accounts.init_app(app)
    ids.init_app(app)
    for bp in (public.bp, api.bp, auth.bp, moderation.bp, ops.bp):
        app.register_blueprint(bp)
    limiter = app.extensions["kdir_limiter"]
    limiter.limit(settings.ratelimit)(public.bp)
    limiter.limit(settings.ratelimit)(api.bp)
    # A decorated limit only runs inside its wrapper: install the wrapped view.
    app.view_functions["public.report"] = limiter.limit(REPORT_LIMIT, methods=["POST"])(public.report)
    limiter.exempt(api.openapi_document_view)
    public.init_app(app)
    if not app.config.get("TESTING"):
        import threading

        from web.warmup import warm_up

        threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()
    return app
