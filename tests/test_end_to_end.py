"""The walking skeleton, end to end: `kdir demo --no-serve` serves the sample web on loopback, crawls it with
the real spiders in subprocesses, indexes, verifies and publishes it; the site then finds the listings. A second
run duplicates nothing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer.db import Database
from indexer.db.models import Observation, Provider
from kdir.common.config import Settings
from kdir.sampleweb import get_truth
from kdir.sampleweb.server import app_names

ROOT = Path(__file__).resolve().parents[1]
FIRST_OCTET = 220

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("end_to_end")]


def _free_port() -> int:
    """A port free on every address the sample web will use (fixed across both demo runs)."""
    hosts = [f"127.0.0.{FIRST_OCTET + i}" for i in range(len(app_names()))]
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def _demo(env: dict[str, str], port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kdir.cli", "demo", "--no-serve", "--sampleweb-port", str(port),
         "--first-octet", str(FIRST_OCTET)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("demo-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")}
    env.update(KDIR_ENV="demo", KDIR_VAR_DIR=str(var))
    return env


def _counts(settings: Settings) -> tuple[int, int, int]:
    db = Database.connect(settings.database_url)
    try:
        with db.session() as s:
            obs = s.scalar(select(func.count()).select_from(Observation))
            providers = s.scalar(select(func.count()).select_from(Provider))
            published = s.scalar(select(func.count()).select_from(Provider).where(Provider.status == "published"))
        return obs or 0, providers or 0, published or 0
    finally:
        db.dispose()


def test_demo_crawls_indexes_and_serves_searchable_listings_and_reruns_idempotently(demo_env) -> None:
    port = _free_port()
    first = _demo(demo_env, port)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    settings = Settings.from_env(demo_env)
    obs1, providers1, published1 = _counts(settings)
    truth = get_truth()
    assert published1 >= len(truth.listings()) - 2, first.stdout
    assert "left pending" in first.stdout
    if shutil.which("chromium"):  # the single-page-app clinics are read through the browser
        assert "single-page apps rendered in chromium (" in first.stdout, first.stdout
        db = Database.connect(settings.database_url)
        try:
            with db.session() as s:
                names = set(s.scalars(select(Provider.name)))
        finally:
            db.dispose()
        assert {"Aurora Ketamine Institute", "Tidewater Ketamine & Spravato Center"} <= names, names

    from web import create_app

    app = create_app(settings)
    client = app.test_client()
    resp = client.get("/api/v1/providers", query_string={"q": "Stillwater"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    names = [r["name"] for r in resp.get_json()["results"]]
    assert any("Stillwater" in n for n in names), names
    near = client.get("/api/v1/providers", query_string={"near": "80202", "radius_km": "50"}).get_json()
    assert near["total"] >= 1
    dentist = client.get("/api/v1/providers", query_string={"q": "Bright Smile"}).get_json()
    assert dentist["total"] == 0, dentist  # a dental office's blog post about sedation is not a listing
    page = client.get("/", query_string={"q": "ketamine"})
    assert page.status_code == 200 and b"Stillwater" in page.data

    second = _demo(demo_env, port)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert _counts(settings) == (obs1, providers1, published1)
