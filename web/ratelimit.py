"""Where the rate limits count, and the budgets themselves.

Every gunicorn worker must see the same counters, or N workers allow N times the limit:

- ``KDIR_REDIS_URL`` set: the counters live in Redis (fast, expiring keys). If Redis fails, a worker falls
  back to counting in its own memory rather than refusing or failing requests.
- otherwise: the counters live in the database (table ``rate_counters``, one atomic upsert per counted
  request, :mod:`indexer.rate_counters`), so a multi-worker deployment without Redis still holds each limit.
- ``memory://`` only when a test or a single-process dev server sets ``RATELIMIT_STORAGE_URI`` itself.

Budgets (per client address): ONE shared budget ``KDIR_RATELIMIT`` (default 120/minute) for every public
page and API call together; on top of it the report form's :data:`REPORT_LIMIT` (POST only), and
:data:`LOGIN_FAILURES` failed logins (only failures count, see ``web.auth.views``).
"""

from __future__ import annotations

import weakref
from typing import Any

from flask import current_app
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from indexer.db import Database
from indexer.rate_counters import DbCounters
from kdir.common.config import Settings

REPORT_LIMIT = "10/hour"
LOGIN_FAILURES = "20 per 10 minutes"
PUBLIC_SCOPE = "public"  # the scope of the one budget shared by public pages and the API
PURGE_EVERY = 500  # increments between two purges of expired counters

_open: weakref.WeakValueDictionary[str, Database] = weakref.WeakValueDictionary()


def public_limit() -> str:
    return str(current_app.config["KDIR_SETTINGS"].ratelimit)


def report_limit() -> str:
    return str(current_app.config.get("KDIR_REPORT_LIMIT", REPORT_LIMIT))


def login_failure_limit() -> str:
    return str(current_app.config.get("KDIR_LOGIN_FAILURES", LOGIN_FAILURES))


def storage_config(settings: Settings, db: Database) -> dict[str, Any]:
    """Flask-Limiter settings for this deployment (see the module docstring)."""
    if settings.redis_url:
        uri = settings.redis_url
    else:
        _open[db.url] = db  # the storage reuses the app's engine rather than opening a second one
        uri = f"kdir+{db.url}"
    return {"RATELIMIT_STORAGE_URI": uri, "RATELIMIT_SWALLOW_ERRORS": True,
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True}


class DatabaseStorage(Storage):
    """A ``limits`` storage on the database's ``rate_counters`` table (fixed-window strategy only)."""

    STORAGE_SCHEME = ["kdir+sqlite", "kdir+postgresql", "kdir+postgresql+psycopg", "kdir+postgresql+psycopg2"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = (uri or "").removeprefix("kdir+")
        db = _open.get(url)
        self._db = db if db is not None else Database.connect(url, migrate=False)
        self._counters = DbCounters(self._db.factory)
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self._increments += 1
        if self._increments % PURGE_EVERY == 0:
            self._counters.purge_expired()
        return self._counters.incr(key, expiry, amount)

    def get(self, key: str) -> int:
        return self._counters.get(key)

    def get_expiry(self, key: str) -> float:
        return self._counters.get_expiry(key)

    def check(self) -> bool:
        try:
            with self._db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        return self._counters.reset()

    def clear(self, key: str) -> None:
        self._counters.clear(key)
