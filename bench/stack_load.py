"""Bounded load test of the compose-shaped stack: gunicorn (4 workers), PostgreSQL, Redis, while a crawl and
overlapping index runs work on the same database.

    .venv/bin/python bench/stack_load.py                      # 60 s of searches, 8 clients
    .venv/bin/python bench/stack_load.py --seconds 30 --concurrency 4

Loopback only: the sample web (kdir.sampleweb) is the crawled world, PostgreSQL is 127.0.0.1:5432 (a scratch
database ``kdir_stackbench``, dropped at the end), Redis 127.0.0.1:6379 db 13 (flushed). Search is the
embedded FTS5 index (compose runs Meilisearch; not installed here). Steps: crawl the sample directory and
clinic sites, index, publish; start ``kdir serve --production --workers 4``; then, while clients search the
site and the API, crawl both sources again (a second crawl of a running source must be refused) and start
``kdir index --full`` and ``kdir index`` side by side (the second must wait for the first). Checks at the end: no 5xx, no failed request, every
background command exited as expected, no provider lost or doubled (same live providers as before, one
provider per observation and mention). Prints the figures and PASS/FAIL; exits 1 on a failed check.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from indexer.db import Database  # noqa: E402
from indexer.db.models import MatchLink, Observation, Provider  # noqa: E402
from kdir.sampleweb.server import SampleWeb  # noqa: E402

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "kdir_stackbench"
REDIS_URL = "redis://127.0.0.1:6379/13"
KDIR = [sys.executable, "-m", "kdir.cli"]
QUERIES = [{"q": "ketamine"}, {"q": "clinic"}, {"near": "78701"}, {"q": "denver"}, {"modality": "iv_infusion"},
           {"q": "ptsd", "near": "80202"}, {"telehealth": "1"}, {"q": "ketam"}, {}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))] if ordered else 0.0


def run(env: dict[str, str], *args: str, timeout: float = 900) -> tuple[int, str, float, str]:
    """Run a kdir command; (exit code, last stderr/stdout line, seconds, stderr)."""
    t0 = time.monotonic()
    proc = subprocess.run([*KDIR, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
    return proc.returncode, (lines[-1] if lines else ""), time.monotonic() - t0, proc.stderr


def integrity(url: str) -> dict[str, int]:
    db = Database.connect(url)
    try:
        with db.session() as s:
            live = s.scalar(select(func.count()).select_from(Provider).where(Provider.status != "merged"))
            groups = s.execute(select(MatchLink.observation_id, MatchLink.mention_key,
                                      func.count(func.distinct(MatchLink.provider_id)))
                               .group_by(MatchLink.observation_id, MatchLink.mention_key)).all()
            observations = s.scalar(select(func.count()).select_from(Observation))
        return {"live providers": int(live or 0), "observations": int(observations or 0),
                "observation links to 2+ providers": sum(1 for g in groups if g[2] > 1)}
    finally:
        db.dispose()


class Load:
    """Closed-loop clients on keep-alive connections, alternating search pages and API queries."""

    def __init__(self, port: int, concurrency: int):
        self.port, self.concurrency = port, concurrency
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.failures = 0
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(k,)) for k in range(concurrency)]

    def _client(self, k: int) -> None:
        rnd = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        statuses: Counter[int] = Counter()
        lat: list[float] = []
        failures = 0
        while not self.stop.is_set():
            query = rnd.choice(QUERIES)
            path = ("/api/v1/providers?" if rnd.random() < 0.5 else "/search?") + urlencode(query)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                statuses[resp.status] += 1
                lat.append(time.perf_counter() - t0)
            except (OSError, http.client.HTTPException):
                failures += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()
        with self.lock:
            self.statuses.update(statuses)
            self.latencies.extend(lat)
            self.failures += failures

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def wait_for(port: int, deadline_s: float = 90) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/providers?q=warmup")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up within 90 s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="minimum length of the search load")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4)
    opts = ap.parse_args()

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {DB_NAME}"))
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    web = SampleWeb(first_octet=200, port=0).start()
    tmp = Path(tempfile.mkdtemp(prefix="kdir-stackbench-"))
    db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(KDIR_ENV="production", KDIR_SECRET_KEY="stack-bench-secret-0123456789abcdef", KDIR_DATABASE_URL=db_url,
               KDIR_REDIS_URL=REDIS_URL, KDIR_VAR_DIR=str(tmp), KDIR_SEARCH_PATH=str(tmp / "search.sqlite3"),
               KDIR_NPPES_URL=web.nppes_url, KDIR_OVERPASS_URL=web.overpass_url,
               KDIR_RATELIMIT="1000000/minute", PYTHONPATH=str(ROOT))
    crawls = {"directory": ["crawl", "directory", "-a", "source=sample", "-a", f"base_url={web.directory_url}"],
              "clinic_site": ["crawl", "clinic_site", "-a", "urls=" + ",".join(web.sites.values())]}
    checks: list[tuple[str, bool]] = []
    server = None
    try:
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; database {DB_NAME}")
        code, last, secs, _err = run(env, *crawls["directory"])  # also crawls the clinics' own websites
        print(f"seed crawl directory: exit {code} in {secs:.1f}s: {last[:140]}")
        code, last, secs, _err = run(env, "index")
        print(f"seed index: exit {code} in {secs:.1f}s")
        seed_db = Database.connect(db_url)
        from indexer.pipeline import publish_all_pending

        with seed_db.session() as s:
            published = publish_all_pending(s)
            s.commit()
        seed_db.dispose()
        code, last, secs, _err = run(env, "index")
        print(f"published {published} providers; search updates: {last[:100]}")
        before = integrity(db_url)
        print(f"before: {before}")

        port = free_port()
        server = subprocess.Popen([*KDIR, "serve", "--production", "--workers", str(opts.workers), "--threads", "2",
                                   "--port", str(port), "--no-migrate"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for(port)
        load = Load(port, opts.concurrency)
        started = time.monotonic()
        load.start()

        results: dict[str, tuple[int, str, float, str]] = {}

        def background(name: str, *args: str) -> threading.Thread:
            t = threading.Thread(target=lambda: results.__setitem__(name, run(env, *args)))
            t.start()
            return t

        first = background("crawl directory", *crawls["directory"])
        time.sleep(1.5)  # the first crawl holds the source's lease now
        work = [background("crawl directory again", *crawls["directory"]),
                background("index --full", "index", "--full", "--wait", "600")]
        time.sleep(1.5)
        work.append(background("index (waits)", "index", "--wait", "600"))
        first.join()
        work.append(background("crawl clinic_site", *crawls["clinic_site"]))
        for t in work:
            t.join()
        remaining = opts.seconds - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        load.finish()
        elapsed = time.monotonic() - started

        total = sum(load.statuses.values())
        print(f"search load: {total} requests in {elapsed:.1f}s ({total / elapsed:.0f} req/s), {opts.concurrency} clients,"
              f" p50 {pct(load.latencies, 50) * 1000:.0f} ms, p99 {pct(load.latencies, 99) * 1000:.0f} ms; "
              f"statuses {dict(sorted(load.statuses.items()))}, connection failures {load.failures}")
        for name, (code, last, secs, _err) in results.items():
            print(f"{name}: exit {code} in {secs:.1f}s: {last[:160]}")
        after = integrity(db_url)
        print(f"after:  {after}")
        checks += [
            ("no 5xx", sum(n for s, n in load.statuses.items() if s >= 500) == 0),
            ("no failed connection", load.failures == 0),
            ("searches served", load.statuses.get(200, 0) > 0),
            ("crawls ok", results["crawl clinic_site"][0] == 0
             and 0 in (results["crawl directory"][0], results["crawl directory again"][0])),
            ("second crawl of a running source refused (exit 3)",
             sorted((results["crawl directory"][0], results["crawl directory again"][0])) == [0, 3]),
            ("both index runs ok", results["index --full"][0] == 0 and results["index (waits)"][0] == 0),
            ("the overlapping index run waited", any("another index run is in progress" in results[k][3]
                                                     for k in ("index --full", "index (waits)"))),
            ("no provider lost or doubled", after["live providers"] == before["live providers"]),
            ("one provider per observation", after["observation links to 2+ providers"] == 0),
        ]
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        web.stop()
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        admin.dispose()
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if checks and all(ok for _n, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
