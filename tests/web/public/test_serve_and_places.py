"""``kdir serve`` end to end (subprocess on loopback) and offline place resolution."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.web.seed import publish, seed_directory
from web.public.search_params import ParamError, parse_search, resolve_place

ROOT = Path(__file__).resolve().parents[3]


def test_kdir_serve_serves_pages_and_logs_no_query(sqlite_db: Any, tmp_path: Path) -> None:
    from tests.conftest import IN_CI
    from tests.web.conftest import make_settings, open_search

    try:
        from indexer.search import open_backend  # noqa: F401 - what `kdir serve` uses
    except ImportError as exc:
        if IN_CI:
            raise
        pytest.skip(f"indexer.search.open_backend not available yet ({exc})")
    settings = make_settings(sqlite_db, tmp_path)
    backend = open_search(settings)
    seed_directory(sqlite_db)
    publish(sqlite_db, backend)
    backend.close()
    env = {**os.environ, "KDIR_ENV": "test", "KDIR_DATABASE_URL": sqlite_db.url,
           "KDIR_SEARCH_PATH": str(settings.search_path), "KDIR_VAR_DIR": str(tmp_path / "var"),
           "PYTHONPATH": str(ROOT)}
    env.pop("KDIR_MEILI_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "kdir.cli", "serve", "--host", "127.0.0.61", "--port", "0"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("kdir: serving on http://127.0.0.61:"), line
        base = line.split("serving on ", 1)[1].split()[0].rstrip("/")
        with urllib.request.urlopen(base + "/search?q=secret+diagnosis", timeout=10) as r:
            assert r.status == 200 and b"providers found" in r.read()
        with urllib.request.urlopen(base + "/api/v1/providers?q=sunrise", timeout=10) as r:
            assert b"Sunrise Ketamine Clinic" in r.read()
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert "GET /search" in err and "secret" not in err


def test_kdir_serve_reports_bad_port_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "KDIR_ENV": "test", "KDIR_DATABASE_URL": f"sqlite:///{tmp_path}/k.sqlite3",
           "PYTHONPATH": str(ROOT)}
    with __import__("socket").socket() as busy:
        busy.bind(("127.0.0.62", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "kdir.cli", "serve", "--host", "127.0.0.62", "--port",
                            str(port)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("kdir: error: cannot listen on 127.0.0.62"), r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("text", "label", "lat"), [
    ("78701", "78701 (Austin, TX)", 30.27), ("78701-1234", "78701 (Austin, TX)", 30.27),
    ("Austin, TX", "Austin, TX", 30.3), ("austin tx", "Austin, TX", 30.3), ("  Denver ,  co ", "Denver, CO", 39.7),
    ("St. Louis, MO", "St. Louis, MO", 38.6), ("Saint Paul, MN", "Saint Paul, MN", 44.9),
])
def test_resolve_place(text: str, label: str, lat: float) -> None:
    place = resolve_place(text)
    assert place is not None and place.label == label
    assert abs(place.lat - lat) < 0.5


@pytest.mark.parametrize("text", ["00000", "1234", "Atlantis, XX", "Austin", "Nowhere, TX", "<script>, TX",
                                  "7870", "787011", "", "Austin, TX, USA", "Denver, CO" * 20])
def test_resolve_place_unknown(text: str) -> None:
    assert resolve_place(text) is None


def test_page_defaults_and_radius_in_miles() -> None:
    p = parse_search({"near": "78701"}, api=False)
    assert p.radius_mi is None and round(p.query.radius_km or 0, 1) == 80.5
    p = parse_search({"near": "78701", "radius": "10", "sort": "distance"}, api=False)
    assert round(p.query.radius_km or 0, 2) == 16.09 and p.query.sort == "distance"
    assert parse_search({"sort": "distance"}, api=False).query.sort == "relevance"  # no place: best match
    with pytest.raises(ParamError) as exc:
        parse_search({"sort": "distance"}, api=True)
    assert exc.value.parameter == "sort"
    assert parse_search({"radius": "25"}, api=False).query.radius_km is None  # a radius needs a place
