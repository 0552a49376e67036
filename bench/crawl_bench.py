"""Crawl cost, said separately for what is fetched plainly and what goes through the browser.

    .venv/bin/python bench/crawl_bench.py [--copies 12] [--web-copies 3] [--bench-seconds 20] [--skip PART ...]

Every crawl is the ``clinic_site`` spider in its own process over copies of the sample web (each site on its own
127.0.0.N), with politeness off (no download delay, no AutoThrottle, Crawl-delay capped at 0 so evergreen's
deliberate ``Crawl-delay: 1`` is not measured; robots.txt still obeyed) and rendering as in production
(``KDIR_RENDER=auto``: on, since chromium is installed). It prints:

(a) **plain fetch**: ``--copies`` copies of the sample-web sites that need no browser (every site but the
    single-page apps and the script-built-menu site), pages/min, beside ``scrapy bench`` on the same machine
    (Scrapy's own link-following benchmark, no parsing; target ratio >= 50 %). The run's rendered pages are
    printed too: a static site must never reach the browser.
(b) **rendered sites' cost**, (c) **share of sites rendered** and (d) **crawl wall time**: ``--web-copies``
    copies of the whole sample web, rendering on. Rendered pages and seconds per rendered page, split into app
    sites (every page rendered) and sites rendered once for their script-built menu; the pages fetched from the
    sites that were rendered; the share of sites that met the browser; the crawl's time (Scrapy's elapsed time
    and the wall time including process start).

Run it from another checkout (``python /path/to/old/bench/crawl_bench.py``) to measure that version's crawler:
the crawler, runner and sample web are imported from the checkout the script sits in.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLITENESS_OFF = {"AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0, "KDIR_MAX_CRAWL_DELAY": 0, "CONCURRENT_REQUESTS": 32,
                  "LOG_LEVEL": "INFO", "MEMUSAGE_CHECK_INTERVAL_SECONDS": 0.5}


def _crawl(copies: int, keep: Callable[[Any], bool], first_octet: int) -> dict[str, Any]:
    """Crawl ``copies`` copies of the sample web's clinic sites for which ``keep(spec)`` holds."""
    from crawler.runner import run_spider, run_status
    from indexer.db import Database
    from indexer.db.models import CrawlRun
    from kdir.common.config import Settings
    from kdir.sampleweb import SampleWeb
    from kdir.sampleweb.server import app_names
    from kdir.sampleweb.sites import CLINIC_SITES

    names = [s.name for s in CLINIC_SITES if keep(s)]
    step = len(app_names())
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        webs = [stack.enter_context(SampleWeb(first_octet=first_octet + i * step, port=0)) for i in range(copies)]
        urls = [web.sites[name] for web in webs for name in names]
        settings = Settings.from_env({"KDIR_ENV": "test", "KDIR_VAR_DIR": tmp,
                                      "KDIR_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        seeds = Path(tmp) / "seeds.txt"
        seeds.write_text("\n".join(urls))
        started = time.monotonic()
        run_id = run_spider("clinic_site", {"seeds": str(seeds)}, settings=settings, timeout=1800,
                            extra_settings=POLITENESS_OFF)
        wall = time.monotonic() - started
        status = run_status(settings, run_id)
        db = Database.connect(settings.database_url)
        with db.session() as s:
            stats = dict(s.get(CrawlRun, run_id).stats)  # type: ignore[union-attr]
        db.dispose()
        # pages each site answered (robots.txt, sitemaps and scripts left out)
        site_pages = {(i, name): len([r for r in web.requests_to(name) if r.path not in ("/robots.txt", "/sitemap.xml")
                                      and not re.search(r"\.(?:js|json|css|jpg|svg)$", r.path.split("?")[0])])
                      for i, web in enumerate(webs) for name in names}
    elapsed = float(stats.get("elapsed_time_seconds") or wall)
    pages = int(stats.get("response_received_count", 0))
    return {"sites": len(urls), "pages": pages, "items": status["items"], "elapsed": elapsed, "wall": wall,
            "pages_per_min": pages / elapsed * 60, "rss_max_mb": int(stats.get("memusage/max", 0)) / 2**20,
            "stats": stats, "site_pages": site_pages, "names": names}


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


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def plain_part(copies: int, bench_seconds: int) -> None:
    print(f"(a) plain fetch -- load average {_load()}")
    plain = _crawl(copies, lambda s: not s.app and not getattr(s, "nav_script", None), first_octet=10)
    st = plain["stats"]
    print(f"    kdir clinic_site: {plain['sites']} static sites ({', '.join(plain['names'])}), {plain['pages']} "
          f"pages, {plain['items']} items in {plain['elapsed']:.1f}s (wall {plain['wall']:.1f}s): "
          f"{plain['pages_per_min']:.0f} pages/min; peak RSS {plain['rss_max_mb']:.0f} MB; "
          f"rendered pages: {int(st.get('kdir/render/pages', 0))}")
    bench = scrapy_bench(bench_seconds)
    print(f"    scrapy bench: {bench['pages']} pages in {bench['elapsed']:.1f}s: {bench['pages_per_min']:.0f} pages/min "
          f"-- load average {_load()}")
    print(f"    ratio kdir plain fetch / scrapy bench: {plain['pages_per_min'] / bench['pages_per_min']:.0%} "
          "(target >= 50%)")


def web_part(copies: int) -> None:
    print(f"(b-d) whole sample web, rendering on -- load average {_load()}")
    web = _crawl(copies, lambda s: True, first_octet=40)
    st = web["stats"]
    rendered = int(st.get("kdir/render/pages", 0))
    seconds = float(st.get("kdir/render/seconds", 0.0))
    nav_pages = int(st.get("kdir/render/nav_pages", 0))
    nav_seconds = float(st.get("kdir/render/nav_seconds", 0.0))
    app_sites, nav_sites = int(st.get("kdir/render/sites", 0)), int(st.get("kdir/render/nav_sites", 0))
    plain_pages = int(st.get("kdir/fetch/pages", 0))
    plain_seconds = float(st.get("kdir/fetch/seconds", 0.0))
    print(f"    {web['sites']} sites, {web['pages']} responses, {web['items']} items")
    print(f"(b) rendered pages: {rendered} in {seconds:.1f}s in-crawl time = {seconds / max(rendered, 1):.2f} s per "
          f"rendered page (plain fetch: {plain_seconds / max(plain_pages, 1) * 1000:.0f} ms per page over "
          f"{plain_pages} pages); app sites: {rendered - nav_pages} pages, "
          f"{(seconds - nav_seconds) / max(rendered - nav_pages, 1):.2f} s each; script-built menus: {nav_pages} pages, "
          f"{nav_seconds / max(nav_pages, 1):.2f} s each")
    apps = {n for n in web["names"] if _spec(n).app}
    menus = {n for n in web["names"] if getattr(_spec(n), "nav_script", None)}
    for label, group in (("app sites", apps), ("script-built-menu sites", menus)):
        counts = [c for (_i, n), c in web["site_pages"].items() if n in group]
        print(f"    pages fetched from the {label} ({', '.join(sorted(group)) or 'none'}): {sum(counts)} "
              f"({sum(counts) / max(len(counts), 1):.1f} per site)")
    print(f"(c) sites rendered: {app_sites} app sites + {nav_sites} for their menu = "
          f"{(app_sites + nav_sites) / web['sites']:.0%} of {web['sites']} sites")
    print(f"(d) crawl time of {copies} sample web(s), rendering on: {web['elapsed']:.1f}s "
          f"(wall {web['wall']:.1f}s incl. process start) -- load average {_load()}")


def _spec(name: str) -> Any:
    from kdir.sampleweb.sites import CLINIC_SITES

    return next(s for s in CLINIC_SITES if s.name == name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12, help="copies of the static sites for (a)")
    parser.add_argument("--web-copies", type=int, default=3, help="copies of the whole sample web for (b)-(d)")
    parser.add_argument("--bench-seconds", type=int, default=20, help="duration of `scrapy bench`")
    parser.add_argument("--skip", nargs="*", default=[], choices=["plain", "web"], help="parts not to run")
    opts = parser.parse_args()
    print(f"crawler from {ROOT}")
    if "plain" not in opts.skip:
        plain_part(opts.copies, opts.bench_seconds)
    if "web" not in opts.skip:
        web_part(opts.web_copies)


if __name__ == "__main__":
    main()
