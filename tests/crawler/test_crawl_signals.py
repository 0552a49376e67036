"""Ctrl-C (SIGINT) or SIGTERM on ``kdir crawl`` reaches the Scrapy child, which shuts down gracefully while the
parent waits; a second crawl of the same source refuses to start while one runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.conftest import FAST, crawl_settings
from tests.crawler.trapweb import TrapSite, answer_at_once, clinic_farm

ROOT = Path(__file__).resolve().parents[2]


#: Pages per farm site: enough (8 x 8 pages at 0.4 s, two at a time: ~13 s) that the crawl is still running after a
#: second ``kdir crawl`` has started and been refused, even on a busy machine.
PAGES = 8


@pytest.fixture
def slow_farm() -> Iterator[list[TrapSite]]:
    sites = [s.start() for s in clinic_farm(8, 170, pages=PAGES, delay=0.4)]
    yield sites
    for s in sites:
        s.stop()


def _hits(sites: list[TrapSite]) -> int:
    return sum(len(s.paths()) for s in sites)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(x) for x in (task / "children").read_text().split()]
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_stops_the_child_and_a_second_crawl_is_refused(slow_farm: list[TrapSite], tmp_path: Path,
                                                                sig: signal.Signals) -> None:
    settings = crawl_settings(tmp_path / "var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDIR_")} | settings.to_env()
    jobdir = tmp_path / "job"
    crawl = [sys.executable, "-m", "kdir.cli", "crawl", "clinic_site", "-a",
             "urls=" + ",".join(s.url for s in slow_farm)]
    for k, v in {**FAST, "CONCURRENT_REQUESTS": 2, "KDIR_MAX_ACTIVE_SITES": 2}.items():
        crawl += ["-s", f"{k}={v}"]
    first = subprocess.Popen([*crawl, "--jobdir", str(jobdir)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while _hits(slow_farm) < 2:
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)

    # While it runs, another crawl of the source (here: a resume of its job directory) refuses to start.
    second = subprocess.run([*crawl, "--resume", str(jobdir)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert second.returncode == 3, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kdir: error: a crawl of clinic_site is already running (held by ")
    assert lines[0].endswith("); wait for it to end or stop it")

    children = _children(first.pid)
    assert children, "the crawl runs in a child process"
    first.send_signal(sig)  # what a terminal's Ctrl-C (or a service manager) sends to the kdir process
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 128 + sig, err
    assert [ln for ln in err.splitlines() if ln.strip()] == [
        ln for ln in err.splitlines() if ln.startswith("kdir: error: crawl clinic_site (run ")]
    assert f"interrupted by {sig.name} and stopped; resume it with --resume {jobdir}" in err
    assert not any(_alive(pid) for pid in children), "the Scrapy child outlived kdir crawl"
    settled = _hits(slow_farm)
    time.sleep(1.5)
    assert _hits(slow_farm) == settled, "something is still crawling"
    assert settled < 8 * PAGES, "the crawl was not interrupted midway"

    answer_at_once(slow_farm)
    resumed = subprocess.run([*crawl, "--resume", str(jobdir)], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    assert "8 listings read" in resumed.stdout and "finished ok" in resumed.stdout
