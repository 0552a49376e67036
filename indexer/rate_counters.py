"""Fixed-window counters in the database (``rate_counters``), shared by every process that uses it.

The web's rate limits use them when no Redis is configured, so a multi-worker deployment still holds one
budget per client. Each increment is one upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) that
restarts an expired window in the same statement: atomic on SQLite (3.35+) and PostgreSQL alike.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from indexer.db.models import RateCounter

_UPSERT = text("""
INSERT INTO rate_counters (key, hits, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN rate_counters.expires_at <= :now THEN :amount ELSE rate_counters.hits + :amount END,
  expires_at = CASE WHEN rate_counters.expires_at <= :now THEN :now + :expiry ELSE rate_counters.expires_at END
RETURNING hits
""")


class DbCounters:
    def __init__(self, factory: sessionmaker[Session]):
        self._factory = factory

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s window (a new window of ``expiry`` seconds if none is open); the count."""
        with self._factory() as s:
            hits = s.execute(_UPSERT, {"key": key[:255], "amount": amount, "now": time.time(),
                                       "expiry": float(expiry)}).scalar_one()
            s.commit()
            return int(hits)

    def get(self, key: str) -> int:
        with self._factory() as s:
            hits = s.scalar(select(RateCounter.hits).where(RateCounter.key == key[:255],
                                                           RateCounter.expires_at > time.time()))
            return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (epoch seconds; now when there is none)."""
        with self._factory() as s:
            expires = s.scalar(select(RateCounter.expires_at).where(RateCounter.key == key[:255]))
            return float(expires) if expires is not None and expires > time.time() else time.time()

    def clear(self, key: str) -> None:
        with self._factory() as s:
            s.execute(delete(RateCounter).where(RateCounter.key == key[:255]))
            s.commit()

    def purge_expired(self) -> int:
        with self._factory() as s:
            n = s.execute(delete(RateCounter).where(RateCounter.expires_at <= time.time())).rowcount  # type: ignore[attr-defined]
            s.commit()
            return int(n or 0)

    def reset(self) -> int:
        with self._factory() as s:
            n = s.execute(delete(RateCounter)).rowcount  # type: ignore[attr-defined]
            s.commit()
            return int(n or 0)
