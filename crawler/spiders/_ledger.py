"""Which clinic websites a crawl has claimed and finished: in memory + JOBDIR file, or shared in Redis.

A site is the unit of work of a clinic-site crawl: one process claims it, fetches its pages and yields its items.
The "done" list survives a killed process (a line appended and flushed per finished site), so a resumed crawl
skips finished sites and crawls unfinished ones again from their home page: nothing lost, nothing twice.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

DONE_FILE = "kdir_sites_done.txt"


class SiteLedger:
    """One process: claims in memory, finished sites in ``JOBDIR/kdir_sites_done.txt`` when a JOBDIR is set."""

    def __init__(self, jobdir: str | None = None):
        self._claimed: set[str] = set()
        self._done: set[str] = set()
        self._path = Path(jobdir) / DONE_FILE if jobdir else None
        if self._path is not None and self._path.exists():
            self._done = {line.strip() for line in self._path.read_text("utf-8").splitlines() if line.strip()}

    def is_done(self, key: str) -> bool:
        return key in self._done

    def claim(self, key: str) -> bool:
        if key in self._claimed or key in self._done:
            return False
        self._claimed.add(key)
        return True

    def mark_done(self, key: str) -> None:
        if key in self._done:
            return
        self._done.add(key)
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as fh:
                fh.write(key.replace("\n", " ") + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def close(self) -> None:
        pass


class RedisSiteLedger(SiteLedger):
    """Distributed mode: claims and finished sites live in Redis, shared by every process of one crawl.

    A claim names its process; each process keeps an ``alive`` key fresh (TTL ``claim_ttl``). A claim whose
    process stopped beating (killed) may be taken over, so resuming a killed distributed crawl -- running it
    again with the same crawl id -- finishes the sites the dead process left half-done.
    """

    _TAKE_OVER = ("if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then "
                  "redis.call('hset', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0")

    def __init__(self, redis_url: str, prefix: str, ttl: int = 7 * 24 * 3600, claim_ttl: float = 30.0):
        super().__init__(None)
        import redis

        self._redis: Any = redis.Redis.from_url(redis_url, decode_responses=True)
        self._prefix = prefix
        self._claims = f"{prefix}:sites:claims"
        self._finished = f"{prefix}:sites:done"
        self._ttl = ttl
        self._claim_ttl_ms = max(1, int(claim_ttl * 1000))
        self.token = uuid.uuid4().hex
        self._beating: Any = None
        self.beat()

    def _alive(self, token: str) -> str:
        return f"{self._prefix}:alive:{token}"

    def beat(self) -> None:
        """Refresh this process's alive key (called every claim_ttl / 3 seconds while crawling)."""
        self._redis.set(self._alive(self.token), "1", px=self._claim_ttl_ms)

    def start_beating(self) -> None:
        from twisted.internet import task

        if self._beating is None:
            self._beating = task.LoopingCall(self.beat)
            self._beating.start(self._claim_ttl_ms / 3000, now=True)

    def is_done(self, key: str) -> bool:
        return bool(self._redis.sismember(self._finished, key))

    def claim(self, key: str) -> bool:
        if self.is_done(key):
            return False
        if self._redis.hsetnx(self._claims, key, self.token):
            self._redis.expire(self._claims, self._ttl)
            return True
        owner = self._redis.hget(self._claims, key)
        if owner is None or owner == self.token or self._redis.exists(self._alive(owner)):
            return False
        return bool(self._redis.eval(self._TAKE_OVER, 1, self._claims, key, owner, self.token))

    def mark_done(self, key: str) -> None:
        self._redis.sadd(self._finished, key)
        self._redis.expire(self._finished, self._ttl)

    def close(self) -> None:
        if self._beating is not None and self._beating.running:
            self._beating.stop()
        self._redis.delete(self._alive(self.token))
        self._redis.close()
