"""Cost of a browser-rendered page against a plainly fetched one, and peak memory with the browser.

    .venv/bin/python bench/render_bench.py [--copies 3]

Serves ``--copies`` copies of the sample web and runs two real crawls (Scrapy subprocesses, politeness off,
robots.txt obeyed, the default render settings): one of the static clinic sites with rendering off, one of the
single-page-app clinic sites (every page through Debian's chromium). For each it prints pages, wall time per
page, CPU time per page (the crawl process and everything it started: Playwright's driver and chromium) and the
peak proportional set size (PSS) of that whole process tree, sampled every 0.1 s -- PSS, not RSS, because
chromium's processes share most of their memory. Then the ratios rendered / plain.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def _by_kind(sizes: dict[int, int]) -> dict[str, int]:
    """PSS per kind of process: the crawl (python), Playwright's driver (node), chromium (all its processes)."""
    kinds: dict[str, int] = {}
    for pid, kb in sizes.items():
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            exe = Path(argv[0].decode(errors="replace")).name
            kind = "chromium" if "chrom" in exe else exe.split()[0]
            kinds[kind] = kinds.get(kind, 0) + kb
    return kinds


class PeakMemory(threading.Thread):
    """Samples the PSS of a process tree until stopped; ``peak_mb`` and the most processes seen."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.breakdown: dict[str, int] = {}  # process kind -> PSS in kB, at the peak
        self.max_processes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = _tree(self.pid)
            self.max_processes = max(self.max_processes, len(pids))
            sizes = {p: _pss_kb(p) for p in pids}
            if sum(sizes.values()) > self.peak_kb:
                self.peak_kb = sum(sizes.values())
                self.breakdown = _by_kind(sizes)
            self._halt.wait(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak_kb / 1024


def crawl(urls: list[str], tmp: Path, label: str, render: str) -> dict[str, Any]:
    from crawler.runner import run_status, spawn_spider
    from indexer.db import Database
    from indexer.db.models import CrawlRun
    from kdir.common.config import Settings

    settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": str(tmp / label), "KDIR_RENDER": render,
                                  "KDIR_DATABASE_URL": f"sqlite:///{tmp}/{label}.sqlite3"})
    seeds = tmp / f"{label}.txt"
    seeds.write_text("\n".join(urls))
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = spawn_spider("clinic_site", {"seeds": str(seeds)}, settings=settings, extra_settings={
        "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0, "KDIR_MAX_CRAWL_DELAY": 0, "LOG_LEVEL": "INFO"})
    sampler = PeakMemory(proc.process.pid)
    sampler.start()
    code = proc.wait(timeout=1800)
    peak_mb, processes, breakdown = sampler.stop(), sampler.max_processes, sampler.breakdown
    wall = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise RuntimeError(f"{label} crawl failed (exit {code}):\n" + "\n".join(proc.tail))
    db = Database.connect(settings.database_url)
    with db.session() as s:
        stats = dict(s.get(CrawlRun, proc.run_id).stats)  # type: ignore[union-attr]
    db.dispose()
    rendered = int(stats.get("kdir/render/pages", 0))
    plain = int(stats.get("kdir/fetch/pages", 0)) + 1 * len(urls)  # + each site's home page (its seed)
    pages = rendered or plain
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    elapsed = float(stats.get("elapsed_time_seconds") or wall)
    return {"label": label, "sites": len(urls), "pages": pages, "items": run_status(settings, proc.run_id)["items"],
            "elapsed": elapsed, "cpu": cpu, "peak_mb": peak_mb, "processes": processes, "breakdown": breakdown,
            "ms_per_page": elapsed / pages * 1000, "cpu_ms_per_page": cpu / pages * 1000,
            "render_failures": int(stats.get("kdir/render/failures", 0)),
            "mean_fetch_ms": 1000 * float(stats.get("kdir/fetch/seconds", 0)) / max(1, int(stats.get("kdir/fetch/pages", 0))),
            "mean_render_ms": 1000 * float(stats.get("kdir/render/seconds", 0)) / max(1, rendered)}


def main() -> None:
    from kdir.sampleweb import SampleWeb
    from kdir.sampleweb.server import app_names
    from kdir.sampleweb.sites import CLINIC_SITES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of the sample web to crawl")
    opts = parser.parse_args()
    apps = {s.name for s in CLINIC_SITES if s.app}
    step = len(app_names())
    with tempfile.TemporaryDirectory() as tmpdir, contextlib.ExitStack() as stack:
        tmp = Path(tmpdir)
        webs = [stack.enter_context(SampleWeb(first_octet=30 + i * step, port=0)) for i in range(opts.copies)]
        static = [url for web in webs for name, url in web.sites.items() if name not in apps]
        spa = [url for web in webs for name, url in web.sites.items() if name in apps]
        plain = crawl(static, tmp, "plain", "off")
        rendered = crawl(spa, tmp, "rendered", "on")
    for r in (plain, rendered):
        print(f"{r['label']:>8}: {r['sites']} sites, {r['pages']} pages, {r['items']} items in {r['elapsed']:.1f}s; "
              f"{r['ms_per_page']:.0f} ms wall and {r['cpu_ms_per_page']:.0f} ms CPU per page; peak PSS "
              f"{r['peak_mb']:.0f} MB over {r['processes']} processes")
    print(f"in-crawl mean time per page: plain fetch {plain['mean_fetch_ms']:.0f} ms, "
          f"render {rendered['mean_render_ms']:.0f} ms ({rendered['render_failures']} render failures)")
    print(f"ratio rendered/plain per page: wall {rendered['ms_per_page'] / plain['ms_per_page']:.1f}x, "
          f"CPU {rendered['cpu_ms_per_page'] / plain['cpu_ms_per_page']:.1f}x, "
          f"fetch time {rendered['mean_render_ms'] / plain['mean_fetch_ms']:.1f}x")
    print(f"peak memory with the browser: {rendered['peak_mb']:.0f} MB (without: {plain['peak_mb']:.0f} MB); at the "
          "peak: " + ", ".join(f"{k} {v / 1024:.0f} MB" for k, v in sorted(rendered["breakdown"].items(),
                                                                            key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
