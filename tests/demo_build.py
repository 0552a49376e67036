"""The demo's data, built once per test run by ``kdir demo --no-serve`` itself, for every module that reads it.

The bundled sample web is served on loopback, crawled by the real spiders in subprocesses, indexed, verified
against the sample registry and published: about a minute of work. The end-to-end test checks that run (and
runs it a second time to prove it duplicates nothing); the public-page modules read its data. All of them carry
:data:`DEMO_GROUP`, so one worker runs them and the demo is built once.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.db import Database
from kdir.common.config import Settings
from kdir.sampleweb.server import app_names
from kdir.sampleweb.truth import Truth

ROOT = Path(__file__).resolve().parents[1]
#: The demo's sample web lives on 127.0.0.220 and up, clear of other fixtures.
FIRST_OCTET = 220
#: Mark of every module reading ``demo_data``: all their tests run in one worker, which builds the data once.
DEMO_GROUP = pytest.mark.xdist_group("demo")


@dataclasses.dataclass
class DemoData:
    settings: Settings  # map tiles point at a closed port: the map's fallback is what a test sees
    db: Database
    truth: Truth
    env: dict[str, str]  # the environment ``kdir demo`` ran with
    port: int  # the sample web's port (kept for a re-run: listing URLs include it)
    first_run: subprocess.CompletedProcess[str]


def free_port() -> int:
    """A port free on every address the sample web will use (fixed across demo runs)."""
    hosts = [f"127.0.0.{FIRST_OCTET + i}" for i in range(len(app_names()))]
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = int(probe.getsockname()[1])
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def run_demo(env: dict[str, str], port: int) -> subprocess.CompletedProcess[str]:
    """``kdir demo --no-serve`` in a subprocess, as a developer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "kdir.cli", "demo", "--no-serve", "--sampleweb-port", str(port),
         "--first-octet", str(FIRST_OCTET)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def demo_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(KDIR_ENV="test", KDIR_VAR_DIR=str(tmp / "var"), KDIR_DATABASE_URL=f"sqlite:///{tmp}/kdir.sqlite3",
               KDIR_SEARCH_PATH=str(tmp / "search.sqlite3"), KDIR_SECRET_KEY="test-secret-key-0123456789",
               KDIR_TILE_URL="http://127.0.0.1:9/tiles/{z}/{x}/{y}.png")
    return env
