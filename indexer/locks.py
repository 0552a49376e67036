"""Cross-process named leases: scheduled runs of one source never overlap, even across machines.

The default store is the ``locks`` table: a lease is a row (name, holder, expires_at). Taking it is one
atomic statement on SQLite and PostgreSQL alike -- an INSERT, or an UPDATE that only matches an expired row --
so two processes can never both win. A holder renews its lease from a heartbeat thread while it works; a
crashed holder's lease simply expires. With ``KDIR_REDIS_URL`` set, :class:`RedisLeases` does the same with
``SET NX PX`` and a compare-and-delete release.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from indexer.db.models import Lock, utcnow


class LockHeld(Exception):
    """Another process holds the lease; ``holder`` names it (looked up when first read, None if it just ended)."""

    def __init__(self, name: str, store: LeaseStore | None = None):
        super().__init__(name)
        self.name = name
        self._store = store

    @functools.cached_property
    def holder(self) -> str | None:
        return self._store.holder(self.name) if self._store is not None else None


def make_holder() -> str:
    """A unique, readable holder id: host, pid and a random part."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseStore(Protocol):
    def acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...

    def renew(self, name: str, holder: str, ttl_s: float) -> bool: ...

    def release(self, name: str, holder: str) -> bool: ...

    def holder(self, name: str) -> str | None: ...


class DbLeases:
    """Leases on the ``locks`` table."""

    def __init__(self, factory: sessionmaker[Session]):
        self._factory = factory

    def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        now = utcnow()
        expires = now + timedelta(seconds=ttl_s)
        with self._factory() as s:
            try:
                s.execute(insert(Lock).values(name=name, holder=holder, acquired_at=now, expires_at=expires))
                s.commit()
                return True
            except IntegrityError:
                s.rollback()
            # The row exists: take it over only if its lease has expired (one atomic conditional UPDATE).
            res = s.execute(update(Lock).where(Lock.name == name, Lock.expires_at < now)
                            .values(holder=holder, acquired_at=now, expires_at=expires))
            s.commit()
            return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    def renew(self, name: str, holder: str, ttl_s: float) -> bool:
        with self._factory() as s:
            res = s.execute(update(Lock).where(Lock.name == name, Lock.holder == holder)
                            .values(expires_at=utcnow() + timedelta(seconds=ttl_s)))
            s.commit()
            return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    def release(self, name: str, holder: str) -> bool:
        with self._factory() as s:
            res = s.execute(delete(Lock).where(Lock.name == name, Lock.holder == holder))
            s.commit()
            return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    def holder(self, name: str) -> str | None:
        """The current holder of an unexpired lease, or None."""
        with self._factory() as s:
            return s.scalar(select(Lock.holder).where(Lock.name == name, Lock.expires_at >= utcnow()))


_RELEASE_LUA = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW_LUA = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
              "else return 0 end")


class RedisLeases:
    """Leases as Redis keys ``kdir:lock:<name>`` holding the holder id, with a TTL."""

    def __init__(self, url: str, prefix: str = "kdir:lock:"):
        import redis

        self._r = redis.Redis.from_url(url, socket_timeout=10)
        self._prefix = prefix

    def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        return bool(self._r.set(self._prefix + name, holder, nx=True, px=max(1, int(ttl_s * 1000))))

    def renew(self, name: str, holder: str, ttl_s: float) -> bool:
        return bool(self._r.eval(_RENEW_LUA, 1, self._prefix + name, holder, max(1, int(ttl_s * 1000))))

    def release(self, name: str, holder: str) -> bool:
        return bool(self._r.eval(_RELEASE_LUA, 1, self._prefix + name, holder))

    def holder(self, name: str) -> str | None:
        value = self._r.get(self._prefix + name)
        return value.decode() if isinstance(value, bytes) else value


def lease_store(factory: sessionmaker[Session], redis_url: str | None = None) -> LeaseStore:
    """Redis leases when a Redis URL is configured, else the database table."""
    return RedisLeases(redis_url) if redis_url else DbLeases(factory)


@contextmanager
def lease(store: LeaseStore, name: str, *, ttl_s: float = 600.0, holder: str | None = None,
          wait_s: float = 0.0, on_wait: Callable[[str | None], None] | None = None) -> Iterator[str]:
    """Hold ``name`` for the duration of the block; if another holder has it, retry for up to ``wait_s``
    seconds (``on_wait`` is told once, with the holder), then raise :class:`LockHeld`.

    A daemon thread renews the lease every ``ttl_s / 3`` seconds, so work longer than the TTL keeps it; if
    the process dies the lease expires after at most ``ttl_s``. Yields the holder id.
    """
    holder = holder or make_holder()
    deadline = time.monotonic() + max(0.0, wait_s)
    told = False
    while not store.acquire(name, holder, ttl_s):
        if time.monotonic() >= deadline:
            raise LockHeld(name, store)
        if on_wait is not None and not told:
            on_wait(store.holder(name))
            told = True
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(ttl_s / 3):
            try:
                if not store.renew(name, holder, ttl_s):
                    return  # lost (expired and taken over): nothing more to do here
            except Exception:  # noqa: BLE001 - a transient database error; try again next beat
                continue

    beat = threading.Thread(target=heartbeat, name=f"lease:{name}", daemon=True)
    beat.start()
    try:
        yield holder
    finally:
        stop.set()
        beat.join(timeout=5)
        store.release(name, holder)
