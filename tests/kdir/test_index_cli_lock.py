"""``kdir index`` while another index run holds the run lock: one line and exit code 3, or a bounded wait."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from indexer.db import Database
from indexer.locks import DbLeases, lease
from indexer.pipeline import INDEX_LOCK

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(KDIR_ENV="test", KDIR_DATABASE_URL=url, KDIR_VAR_DIR=str(tmp_path / "var"),
               KDIR_SEARCH_PATH=str(tmp_path / "var" / "search.sqlite3"))
    return env


def _kdir(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kdir.cli", *args], cwd=ROOT, env=_env(tmp_path, url),
                          capture_output=True, text=True, timeout=120)


def test_kdir_index_says_in_one_line_that_a_run_is_in_progress(db: Database, tmp_path: Path) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    store = DbLeases(db.factory)
    with lease(store, INDEX_LOCK, ttl_s=60, holder="ops-host:77:beef"):
        proc = _kdir(tmp_path, url, "index", "--no-verify")
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "kdir: error: another index run is in progress (held by ops-host:77:beef); try again when it ends"]

    # With --wait it waits (saying so once), and runs as soon as the other run ends.
    with lease(store, INDEX_LOCK, ttl_s=60, holder="ops-host:77:beef"):
        proc2 = subprocess.Popen([sys.executable, "-m", "kdir.cli", "index", "--no-verify", "--wait", "60"],
                                 cwd=ROOT, env=_env(tmp_path, url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        assert proc2.stderr is not None
        first = proc2.stderr.readline()
        assert first.strip() == "kdir: another index run is in progress (ops-host:77:beef); waiting up to 60s"
        time.sleep(1)
        assert proc2.poll() is None
    out, err = proc2.communicate(timeout=60)
    assert proc2.returncode == 0, err
    assert out.startswith("Nothing new to index")
