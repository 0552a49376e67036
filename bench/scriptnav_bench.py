"""What the script-built-navigation checks add to ``extract_page``, measured in one process (robust to load).

    .venv/bin/python bench/scriptnav_bench.py [--repeat 9] [--generated 80]

For each page of extract_bench's corpora (generated WordPress/Squarespace/Wix-shaped pages; the sample web), times
``extract_page`` and, on a fresh parse of the same page, the steps ``extract_page`` added for menus built by script
(the three attribute scans, ``script_links``, ``same_site_count`` and, on pages with few links, ``empty_parts``),
interleaved, ``--repeat`` times; a page's time is the median of its repetitions. Prints the added share per page
(median and p99 over pages) and how many pages took each branch. ``loaders`` is left out: it runs only on the rare
pages that have empty nav containers (none in these corpora).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _nav_steps(html: str, url: str) -> tuple[float, str]:
    from urllib.parse import urljoin

    from crawler.extract.page import _SCRIPT_NAV_MARKS
    from crawler.extract.scriptnav import FEW_LINKS, empty_parts, same_site_count, script_links
    from crawler.extract.text import parse_html

    tree = parse_html(html)
    assert tree is not None
    links = [urljoin(url, a.get("href") or "") for a in tree.iter("a") if a.get("href")]  # outside the timing
    started = time.perf_counter()
    branch = "scan"
    extra = []
    if any(m in html for m in _SCRIPT_NAV_MARKS):
        extra = script_links(tree, url, [])
        branch = "handlers"
    if same_site_count(url, links, stop=FEW_LINKS) + len(extra) < FEW_LINKS:
        empty_parts(tree)
        branch += "+containers"
    return time.perf_counter() - started, branch


def main() -> None:
    import extract_bench

    from crawler.extract import extract_page
    from crawler.extract.text import decode_body

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--generated", type=int, default=80)
    opts = ap.parse_args()
    corpora = {"generated": [(b, u) for b, u, _kind in extract_bench.generated_pages(opts.generated)],
               "sample web": extract_bench.sample_web_pages()}
    for name, pages in corpora.items():
        shares, branches = [], {}
        for body, url in pages:
            html = decode_body(body, None)
            full, part = [], []
            branch = ""
            for _ in range(opts.repeat):
                t0 = time.perf_counter()
                extract_page(body, url)
                full.append(time.perf_counter() - t0)
                took, branch = _nav_steps(html, url)
                part.append(took)
            branches[branch] = branches.get(branch, 0) + 1
            shares.append(statistics.median(part) / statistics.median(full))
        shares.sort()
        p99 = shares[min(len(shares) - 1, int(len(shares) * 0.99))]
        print(f"[{name}] {len(pages)} pages: the navigation checks are {statistics.median(shares):.1%} of extract_page "
              f"per page (median), p99 {p99:.1%}; branches: {branches}")


if __name__ == "__main__":
    main()
