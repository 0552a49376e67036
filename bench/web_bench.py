"""Web benchmark: search page and JSON API under concurrent load, over 100k providers in the FTS5 index.

    .venv/bin/python bench/web_bench.py                       # 100k documents, 10 s per scenario
    .venv/bin/python bench/web_bench.py --docs 10000 --seconds 5 --concurrency 8 --workers 2
    .venv/bin/python bench/web_bench.py --dir /tmp/webbench --cpu-only   # CPU per page, in process

Starts gunicorn (gthread workers, keep-alive) on 127.0.0.1 over a temporary SQLite database and FTS5 index
built from the search benchmark's deterministic synthetic documents, then drives it with a bounded thread
load generator (persistent HTTP/1.1 connections). Prints, per scenario, throughput and p50/p99 latency, and
for the API the time per query against the backend's own in-process ``search()`` time for the same queries.
Targets: >= 300 req/s with p99 <= 100 ms; API time <= 1.5x the backend's. The load generator shares the
machine with the server: on a small machine the figures are a floor.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.db import Database  # noqa: E402
from indexer.search.base import SearchQuery  # noqa: E402
from kdir.common.config import Settings  # noqa: E402
from web.public.search_params import parse_search  # noqa: E402


def _synthetic_documents(n: int):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("search_bench", ROOT / "bench" / "search_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_documents(n)


PAGE_QUERIES = [
    {}, {"q": "ketamine"}, {"q": "serenity wellness"}, {"q": "austin"}, {"q": "ptsd", "near": "78701"},
    {"near": "Denver, CO", "radius": "50", "modality": "iv_infusion", "verified": "1"},
    {"q": "clinic", "near": "10001", "sort": "distance"}, {"condition": "anxiety", "therapist": "1"},
    {"q": "garcia md"}, {"telehealth": "1", "sort": "rating"}, {"q": "ketam"}, {"near": "98101", "insurance": "1"},
]
API_QUERIES = [
    {"q": "ketamine"}, {"q": "serenity wellness"}, {"q": "austin", "per_page": "20"},
    {"near": "78701", "radius_km": "40", "modality": "iv_infusion", "verified": "true"},
    {"q": "clinic", "near": "10001", "radius_km": "80", "sort": "distance"},
    {"condition": "anxiety", "therapist": "true"}, {"q": "garcia md"}, {"telehealth": "true", "sort": "rating"},
    {"q": "ketam"}, {"near": "98101", "radius_km": "50", "insurance": "true"}, {"service": "integration_therapy"},
    {"q": "depression", "min_rating": "4"},
]


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


def build(tmp: Path, n: int) -> Settings:
    from indexer.search import open_backend

    env = {"KDIR_ENV": "demo", "KDIR_VAR_DIR": str(tmp), "KDIR_DATABASE_URL": f"sqlite:///{tmp}/kdir.sqlite3",
           "KDIR_SEARCH_PATH": str(tmp / "search.sqlite3"), "KDIR_SECRET_KEY": "bench-secret-key-0123456789",
           "KDIR_RATELIMIT": "100000000/minute"}
    settings = Settings.from_env(env)
    Database.connect(settings.database_url, migrate=True).dispose()
    backend = open_backend(settings)
    if backend.count() == n:
        print(f"reusing the FTS5 index of {n} documents in {tmp}")
    else:
        t0 = time.perf_counter()
        count = backend.rebuild(_synthetic_documents(n))
        print(f"indexed {count} documents into FTS5 in {time.perf_counter() - t0:.1f} s")
    backend.close()
    return settings


def start_gunicorn(settings: Settings, host: str, port: int, workers: int, threads: int,
                   redis_url: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KDIR_ENV": settings.env, "KDIR_VAR_DIR": str(settings.var_dir),
           "KDIR_DATABASE_URL": settings.database_url, "KDIR_SEARCH_PATH": str(settings.search_path),
           "KDIR_SECRET_KEY": settings.secret_key, "KDIR_RATELIMIT": settings.ratelimit, "PYTHONPATH": str(ROOT)}
    env.pop("KDIR_MEILI_URL", None)
    env.pop("KDIR_REDIS_URL", None)
    if redis_url:  # rate-limit counters shared by the workers, as in the documented compose stack
        env["KDIR_REDIS_URL"] = redis_url
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-k", "gthread", "-w", str(workers), "--threads", str(threads),
                             "-b", f"{host}:{port}", "--keep-alive", "30", "--log-level", "warning",
                             "web:create_app()"], cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/api/v1/providers?q=warmup")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not come up within 60 s")


def load(host: str, port: int, paths: list[str], seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    """Closed-loop load: ``concurrency`` threads, each on one keep-alive connection, for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        rnd = random.Random(k)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop:
            path = rnd.choice(paths)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0]


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _duration(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot parse wrk duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def load_wrk(host: str, port: int, paths: list[str], seconds: float, concurrency: int,
             tmp: Path) -> tuple[float, float, float, int]:
    """wrk (C, so the load generator takes little CPU): (req/s, p50 s, p99 s, non-2xx + socket errors)."""
    script = tmp / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join('"' + p.replace('"', '') + '"' for p in paths))
    out = subprocess.run(["wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency), "-d", f"{seconds:.0f}s",
                          "--latency", "-s", str(script), f"http://{host}:{port}"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _duration(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _duration(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, p50, p99, errors


def api_in_process(settings: Settings, rounds: int) -> None:
    """The API's own cost without HTTP: Flask test client vs the backend's search() for the same queries."""
    from indexer.search import open_backend
    from web import create_app

    backend = open_backend(settings)
    app = create_app(settings, search=backend, config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    api_t, be_t = [], []
    for q in API_QUERIES:
        query = parse_search(q, api=True).query
        path = "/api/v1/providers?" + urlencode(q)
        client.get(path)
        backend.search(query)
        be, api = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            backend.search(query)
            be.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.get(path)
            api.append(time.perf_counter() - t0)
        be_t.append(statistics.median(be))
        api_t.append(statistics.median(api))
    backend.close()
    print(f"API in-process (Flask, no HTTP) vs backend, {len(API_QUERIES)} queries x {rounds}: "
          f"{sum(api_t) * 1000 / len(api_t):.2f} ms vs {sum(be_t) * 1000 / len(be_t):.2f} ms per query = "
          f"{sum(api_t) / sum(be_t):.2f}x (target <= 1.5x)")


def api_vs_backend(settings: Settings, host: str, port: int, rounds: int) -> None:
    """Median API latency (one client, sequential) vs the backend's own search() for the same queries."""
    from indexer.search import open_backend

    backend = open_backend(settings)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    ratios: list[float] = []
    api_all: list[float] = []
    be_all: list[float] = []
    for q in API_QUERIES:
        query: SearchQuery = parse_search(q, api=True).query
        be, api = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            backend.search(query)
            be.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            conn.request("GET", "/api/v1/providers?" + urlencode(q))
            conn.getresponse().read()
            api.append(time.perf_counter() - t0)
        b, a = statistics.median(be), statistics.median(api)
        ratios.append(a / b if b else float("inf"))
        api_all.append(a)
        be_all.append(b)
    conn.close()
    backend.close()
    print(f"API over HTTP (gunicorn, one client) vs backend, {len(API_QUERIES)} queries x {rounds}: API median {statistics.median(api_all) * 1000:.1f} ms,"
          f" backend median {statistics.median(be_all) * 1000:.1f} ms, ratio of sums "
          f"{sum(api_all) / sum(be_all):.2f}x (median per-query ratio {statistics.median(ratios):.2f}x; target <= 1.5x)")


def page_cpu(settings: Settings, rounds: int) -> None:
    """CPU time per search page in process (Flask test client, rate limits off): the page's own cost, which
    other processes on a busy machine do not distort the way they distort req/s. Best of ``rounds`` per query,
    mean over the queries."""
    from web import create_app
    from web.extensions import limiter

    db = Database.connect(settings.database_url, migrate=False)
    app = create_app(settings, db=db)
    limiter.enabled = False
    client = app.test_client()
    paths = ["/search?" + urlencode(q) for q in PAGE_QUERIES]
    for path in paths * 2:
        client.get(path)
    best: dict[str, float] = {}
    for _ in range(rounds):
        for path in paths:
            t0 = time.process_time()
            for _ in range(3):
                client.get(path)
            best[path] = min(best.get(path, float("inf")), (time.process_time() - t0) / 3)
    print(f"search page in process: {statistics.mean(best.values()) * 1000:.2f} ms CPU per page (mean over "
          f"{len(paths)} queries of the best of {rounds}); slowest {max(best.values()) * 1000:.2f} ms")
    db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--warmup", type=float, default=8.0, help="seconds of mixed load before measuring")
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    ap.add_argument("--dir", help="keep the database and index in this folder (reused by the next run)")
    ap.add_argument("--cpu-only", action="store_true",
                    help="only the search page's CPU time per request, in process (robust on a busy machine)")
    ap.add_argument("--redis", default=os.environ.get("KDIR_REDIS_URL", "redis://127.0.0.1:6379/14"),
                    help="Redis for the rate-limit counters, as in production ('' = the database)")
    args = ap.parse_args()
    host = "127.0.0.1"
    if args.dir:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(args.dir) if args.dir else
          tempfile.TemporaryDirectory(prefix="kdir-webbench-")) as tmpdir:
        settings = build(Path(tmpdir), args.docs)
        if args.cpu_only:
            page_cpu(settings, 5)
            return
        port = free_port(host)
        proc = start_gunicorn(settings, host, port, args.workers, args.threads, args.redis or None)
        print(f"rate-limit counters: {'Redis ' + args.redis if args.redis else 'the database'}")
        try:
            scenarios = {
                "search page": ["/search?" + urlencode(q) for q in PAGE_QUERIES],
                "API": ["/api/v1/providers?" + urlencode(q) for q in API_QUERIES],
            }
            print(f"gunicorn gthread {args.workers} workers x {args.threads} threads; load {args.concurrency} "
                  f"connections, {args.seconds:.0f} s per scenario; {os.cpu_count()} CPUs shared with the load")
            use_wrk = shutil.which("wrk") is not None and not args.python_load
            print(f"load generator: {'wrk' if use_wrk else 'Python threads (install wrk for a lighter client)'}")
            # Warm-up: every worker thread opens its search snapshot (about 1 s each at 100k documents) and
            # the place indexes; a cold start is not what the steady-state figures are about.
            load(host, port, [p for paths in scenarios.values() for p in paths], args.warmup, args.concurrency)
            for name, paths in scenarios.items():
                if use_wrk:
                    rps, p50, p99, errors = load_wrk(host, port, paths, args.seconds, args.concurrency, Path(tmpdir))
                else:
                    n, lat, errors = load(host, port, paths, args.seconds, args.concurrency)
                    rps, p50, p99 = n / args.seconds, pct(lat, 50), pct(lat, 99)
                verdict = "OK" if rps >= 300 and p99 * 1000 <= 100 else "below target"
                print(f"{name:12} {rps:7.1f} req/s  p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"
                      f"  errors {errors}  ({verdict}: >= 300 req/s, p99 <= 100 ms)")
            api_vs_backend(settings, host, port, args.rounds)
            api_in_process(settings, args.rounds)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
