"""Crawl throughput and memory: the clinic_site spider over a scaled-up sample web, beside `scrapy bench`.

    .venv/bin/python bench/crawl_bench.py [--copies 12] [--bench-seconds 20]

Serves ``--copies`` copies of the sample web (9 clinic sites each, every site on its own 127.0.0.N), crawls all
of them once with politeness off (no delays, no AutoThrottle; robots.txt still obeyed), then runs
``scrapy bench`` (Scrapy's own link-following benchmark, no parsing) for comparison. Prints pages/min of both,
their ratio (target >= 50 %) and the crawl's peak RSS (Scrapy's MemoryUsage extension, ``memusage/max``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def crawl_throughput(copies: int) -> dict[str, float]:
    from crawler.runner import run_spider, run_status
    from indexer.db import Database
    from indexer.db.models import CrawlRun
    from kdir.common.config import Settings
    from kdir.sampleweb import SampleWeb
    from kdir.sampleweb.server import app_names

    step = len(app_names())
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        webs = [stack.enter_context(SampleWeb(first_octet=10 + i * step, port=0)) for i in range(copies)]
        urls = [u for web in webs for u in web.sites.values()]
        settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": tmp,
                                      "KDIR_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        seeds = Path(tmp) / "seeds.txt"
        seeds.write_text("\n".join(urls))
        started = time.monotonic()
        run_id = run_spider("clinic_site", {"seeds": str(seeds)}, settings=settings, timeout=1800, extra_settings={
            "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0, "KDIR_MAX_CRAWL_DELAY": 0, "CONCURRENT_REQUESTS": 32,
            "LOG_LEVEL": "INFO", "MEMUSAGE_CHECK_INTERVAL_SECONDS": 0.5})
        wall = time.monotonic() - started
        status = run_status(settings, run_id)
        db = Database.connect(settings.database_url)
        with db.session() as s:
            stats = dict(s.get(CrawlRun, run_id).stats)  # type: ignore[union-attr]
        db.dispose()
    elapsed = float(stats.get("elapsed_time_seconds") or wall)
    pages = int(stats.get("response_received_count", 0))
    return {"sites": len(urls), "pages": pages, "items": status["items"], "elapsed": elapsed, "wall": wall,
            "pages_per_min": pages / elapsed * 60, "rss_max_mb": int(stats.get("memusage/max", 0)) / 2**20,
            "rss_startup_mb": int(stats.get("memusage/startup", 0)) / 2**20}


def scrapy_bench(seconds: int) -> dict[str, float]:
    """`scrapy bench` outside the project (its own settings), parsed from the stats it dumps."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
                              "-s", "LOG_LEVEL=INFO"], cwd=tmp, env=env, capture_output=True, text=True,
                             timeout=seconds + 120)
    text = out.stdout + out.stderr
    pages = re.search(r"'response_received_count': (\d+)", text)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", text)
    if not pages or not elapsed:
        raise RuntimeError("could not read the stats of `scrapy bench`:\n" + text[-2000:])
    return {"pages": int(pages.group(1)), "elapsed": float(elapsed.group(1)),
            "pages_per_min": int(pages.group(1)) / float(elapsed.group(1)) * 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12, help="copies of the sample web (9 sites each)")
    parser.add_argument("--bench-seconds", type=int, default=20, help="duration of `scrapy bench`")
    opts = parser.parse_args()
    ours = crawl_throughput(opts.copies)
    print(f"kdir clinic_site crawl: {ours['sites']} sites, {ours['pages']} pages, {ours['items']} items in "
          f"{ours['elapsed']:.1f}s (wall {ours['wall']:.1f}s incl. process start): "
          f"{ours['pages_per_min']:.0f} pages/min")
    print(f"kdir crawl peak RSS: {ours['rss_max_mb']:.0f} MB (at start {ours['rss_startup_mb']:.0f} MB)")
    bench = scrapy_bench(opts.bench_seconds)
    print(f"scrapy bench: {bench['pages']} pages in {bench['elapsed']:.1f}s: {bench['pages_per_min']:.0f} pages/min")
    ratio = ours["pages_per_min"] / bench["pages_per_min"]
    print(f"ratio kdir/scrapy bench: {ratio:.0%} (target >= 50%)")


if __name__ == "__main__":
    main()
