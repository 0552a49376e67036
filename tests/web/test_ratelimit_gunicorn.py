"""The limits hold across gunicorn workers: ``kdir serve --production`` with 3 workers on a temporary SQLite
database (no Redis, so the counters live in the database) refuses the N+1th request of a client whichever
worker answers it -- for the public/API budget, the report form and failed logins.

Requests are mostly sent several at a time (sync workers: a busy worker leaves the next connection to another
one), and each budget is spent from its own client address (127.0.1.x), since limits are per client address.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from indexer.db.models import Flag
from tests.web.conftest import make_settings, open_search
from tests.web.seed import publish, seed_directory

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.63"
BUDGET = 30  # KDIR_RATELIMIT for this server: the public pages and API together, per client per minute
REPORTS = 10  # web.ratelimit.REPORT_LIMIT (per hour)
LOGIN_FAILURES = 20  # web.ratelimit.LOGIN_FAILURES (per 10 minutes)
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class Client:
    """HTTP from one client address, with the session cookie a browser would keep."""

    def __init__(self, port: int, source: str):
        self.port, self.source, self.cookie = port, source, ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30, source_address=(self.source, 0))
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            text = res.read().decode("utf-8", "replace")
            cookie = res.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return res.status, text
        finally:
            conn.close()

    def token(self, path: str) -> str:
        status, html = self.request("GET", path)
        m = _TOKEN.search(html)
        assert status == 200 and m, f"no CSRF token on {path} ({status})"
        return m.group(1) or m.group(2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _in_parallel(calls: list[Any], width: int = 3) -> list[int]:
    with ThreadPoolExecutor(width) as pool:
        return [status for status, _ in pool.map(lambda call: call(), calls)]


def test_limits_hold_across_gunicorn_workers(sqlite_db: Any, tmp_path: Path) -> None:
    settings = make_settings(sqlite_db, tmp_path)
    backend = open_search(settings)
    ids = seed_directory(sqlite_db)
    publish(sqlite_db, backend)
    backend.close()
    port = _free_port()
    env = {**os.environ, "KDIR_ENV": "test", "KDIR_DATABASE_URL": sqlite_db.url,
           "KDIR_SEARCH_PATH": str(settings.search_path), "KDIR_VAR_DIR": str(tmp_path / "var"),
           "KDIR_SECRET_KEY": "test-secret-key-0123456789", "KDIR_RATELIMIT": f"{BUDGET}/minute",
           "PYTHONPATH": str(ROOT)}
    for name in ("KDIR_REDIS_URL", "KDIR_MEILI_URL"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "kdir.cli", "serve", "--production", "--host", HOST,
                             "--port", str(port), "--workers", "3", "--threads", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        probe = Client(port, "127.0.1.9")
        deadline = time.time() + 60
        while True:
            try:
                if probe.request("GET", "/api/v1/openapi.json")[0] == 200:  # outside the budget
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.time() < deadline, "gunicorn did not start"
            time.sleep(0.3)

        # 1. one budget for pages and API: BUDGET requests pass, whichever worker serves them; then 429
        api = Client(port, "127.0.1.1")
        paths = ["/api/v1/providers?q=ketamine", "/", "/api/v1/providers", "/guide"]
        codes = _in_parallel([lambda p=paths[i % 4]: api.request("GET", p) for i in range(BUDGET)])
        assert codes == [200] * BUDGET
        assert _in_parallel([lambda: api.request("GET", "/api/v1/providers")] * 6) == [429] * 6
        assert api.request("GET", "/")[0] == 429

        # 2. the report form: REPORTS posts an hour per client, then 429 (the page and posts fit the budget)
        reporter = Client(port, "127.0.1.2")
        pid = ids["sunrise"]
        token = reporter.token(f"/providers/{pid}")
        form = {"csrf_token": token, "category": "other", "message": "phone number is wrong"}
        codes = _in_parallel([lambda: reporter.request("POST", f"/providers/{pid}/report", form)] * (REPORTS + 2))
        assert sorted(codes) == [303] * REPORTS + [429, 429]

        # 3. failed logins: LOGIN_FAILURES per client, then 429 even for the right password
        guesser = Client(port, "127.0.1.3")
        token = guesser.token("/login")
        bad = {"csrf_token": token, "username": "nobody", "password": "guess-guess-guess"}
        # (a failure is counted when its answer is known: near the limit, send one at a time)
        codes = _in_parallel([lambda: guesser.request("POST", "/login", bad)] * (LOGIN_FAILURES - 3))
        codes += [guesser.request("POST", "/login", bad)[0] for _ in range(5)]
        assert codes == [401] * LOGIN_FAILURES + [429, 429]
        status, html = guesser.request("POST", "/login", bad)
        assert status == 429 and "Too many failed logins from your address" in html
        assert Client(port, "127.0.1.4").token("/login")  # another address is not affected
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            _out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _out, err = proc.communicate()
    assert "Rate limit storage unreachable" not in err  # the database held every count; no per-worker fallback
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Flag)) == REPORTS
