"""Extraction speed: extract_page vs a bare ``lxml.html.fromstring`` parse of the same page.

Budget: extraction of a page costs at most 4x the bare parse (median). Pages: generated, varied realistic
clinic pages plus, when present, the sample web's pages (kdir/sampleweb/sites/, rendered in process).

    .venv/bin/python bench/extract_bench.py [--repeat 7] [--generated 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract import extract_page, warm_up  # noqa: E402

_PROSE = [
    "Ketamine infusion therapy offers rapid relief for treatment-resistant depression, anxiety and PTSD.",
    "Our board-certified anesthesiologists monitor every infusion with pulse oximetry and vital signs.",
    "We do not offer at-home ketamine; all treatments take place in our calm clinic.",
    "Each infusion is $450 per session, and a series of six infusions costs $2,400.",
    "We are not currently accepting insurance but can provide a superbill for out-of-network reimbursement.",
    "Spravato (esketamine) nasal spray is covered by most insurance plans, including Aetna and Cigna.",
    "Integration therapy sessions with our licensed therapists help you make sense of the experience.",
    "Telehealth consultations are available for the initial psychiatric evaluation.",
    "Many patients notice improvement after the first two or three infusions.",
    "Please arrive fifteen minutes early and arrange a ride home after your session.",
]
_PEOPLE = ["Dr. Alan Reyes, DO, Medical Director", "Maria Chen, LCSW", "Sam Patel, PMHNP-BC",
           "José Núñez, M.D.", "Rachel Green, PhD, LMFT", "Kim Lee, CRNA"]
_CITIES = [("Austin", "TX", "78703"), ("Denver", "CO", "80202"), ("Portland", "OR", "97211"),
           ("Boston", "MA", "02116"), ("Phoenix", "AZ", "85004"), ("Seattle", "WA", "98101")]


def generated_page(rng: random.Random, i: int) -> tuple[str, str]:
    """A varied clinic page: nav, prose, optional JSON-LD/microdata, team list, footer with addresses."""
    name = f"{rng.choice(['Serenity', 'Harbor', 'Juniper', 'Lumina', 'Cedar'])} Ketamine {rng.choice(['Clinic', 'Center', 'Wellness'])}"
    city, state, zip5 = rng.choice(_CITIES)
    street = f"{rng.randint(1, 9999)} {rng.choice(['Main St', 'Elm Ave', 'W. Sixth Street', 'Pearl St'])}"
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name} | Ketamine therapy in {city}</title>",
             f"<meta property='og:site_name' content='{name}'>",
             "<link rel='stylesheet' href='/style.css'><style>"
             + "".join(f".c{k}{{color:#{k % 999:03d};margin:{k % 7}px}}" for k in range(rng.randint(200, 2500)))
             + "</style>"]
    if rng.random() < 0.5:
        parts.append(
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage",'
            '"@id":"#p","about":{"@id":"#o"}},{"@type":"MedicalClinic","@id":"#o","name":"' + name + '",'
            '"telephone":"(512) 555-0134","address":{"@type":"PostalAddress","streetAddress":"' + street + '",'
            '"addressLocality":"' + city + '","addressRegion":"' + state + '","postalCode":"' + zip5 + '"}}]}</script>')
    parts.append("<script>" + "".join(f"function f{k}(a){{return a+{k};}}" for k in range(rng.randint(50, 2500)))
                 + "</script></head><body class='page-template-default wp-theme'>")
    icon = "<svg viewBox='0 0 24 24' class='icon'><path d='M12 2L2 7l10 5 10-5-10-5z'/></svg>"
    parts.append("<header><div class='wrap'><nav><ul class='menu'>" + "".join(
        f"<li class='menu-item menu-item-{j}'><a href='/section-{j // 8}/page-{j}/'>{icon}<span>Menu item {j}</span></a></li>"
        for j in range(rng.randint(20, 120))) + "</ul></nav></div></header><main><div class='entry-content'>")
    if rng.random() < 0.3:
        parts.append(f'<div itemscope itemtype="https://schema.org/MedicalBusiness"><span itemprop="name">{name}'
                     f'</span><span itemprop="telephone">303-555-0101</span></div>')
    for _ in range(rng.randint(3, 40)):
        tag = rng.choice(["p", "li", "h2", "h3", "div"])
        parts.append(f"<div class='wp-block-group'><div class='wp-block-column'><{tag} class='has-text-align-left'>"
                     + " ".join(rng.choices(_PROSE, k=rng.randint(1, 4))) + f"</{tag}></div></div>")
    if rng.random() < 0.5:
        parts.append("<section><h2>Our team</h2>" + "".join(f"<h3>{p}</h3><p>Bio text.</p>"
                                                          for p in rng.sample(_PEOPLE, 3)) + "</section>")
    parts.append("</main><footer>")
    for _ in range(rng.randint(1, 3)):
        c, s, z = rng.choice(_CITIES)
        parts.append(f"<p>{rng.randint(1, 999)} Oak Rd, Suite {rng.randint(1, 500)}<br>{c}, {s} {z}</p>")
    parts.append("<p>Phone: (512) 555-0134 | info [at] clinic [dot] example</p></footer></body></html>")
    return "".join(parts), f"https://clinic{i}.example/{rng.choice(['', 'services/', 'team/', 'pricing/'])}"


def sample_web_pages() -> list[tuple[bytes, str]]:
    """Rendered pages of the sample web, if that package is present."""
    try:
        from kdir.sampleweb.http import Request
        from kdir.sampleweb.sites import CLINIC_SITES, StaticSite, page_paths
    except ImportError:
        return []
    urls = {spec.name: f"http://127.0.0.{i + 2}:8000" for i, spec in enumerate(CLINIC_SITES)}
    out: list[tuple[bytes, str]] = []
    for spec in CLINIC_SITES:
        site = StaticSite(spec, urls)
        for path in page_paths(spec.name):
            if not path.endswith("/"):
                continue
            resp = site(Request("GET", path, {}, b"", {}))
            if resp.status == 200 and resp.content_type.startswith("text/html"):
                out.append((resp.body, urls[spec.name] + path))
    return out


def _time(fn: Callable[[], object], repeat: int) -> float:
    best: list[float] = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def _p99(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--generated", type=int, default=60)
    args = ap.parse_args()
    rng = random.Random(20261125)
    pages: list[tuple[bytes, str]] = [(h.encode(), u) for h, u in (generated_page(rng, i) for i in range(args.generated))]
    sample = sample_web_pages()
    pages += sample
    warm_up()  # imports, ZIP table, compiled regexes
    parse_t: list[float] = []
    extract_t: list[float] = []
    for body, url in pages:
        parse_t.append(_time(lambda b=body: lxml.html.fromstring(b), args.repeat))
        extract_t.append(_time(lambda b=body, u=url: extract_page(b, u), args.repeat))
    sizes = [len(b) for b, _ in pages]
    print(f"pages: {len(pages)} ({args.generated} generated, {len(sample)} sample web); "
          f"size median {statistics.median(sizes) / 1024:.1f} KiB, max {max(sizes) / 1024:.1f} KiB")
    n = args.generated
    for label, lo, hi in (("all pages", 0, len(pages)), ("generated", 0, n), ("sample web", n, len(pages))):
        if hi <= lo:
            continue
        p, e = parse_t[lo:hi], extract_t[lo:hi]
        ratios = [x / y for x, y in zip(e, p, strict=True)]
        print(f"[{label}] bare lxml parse: median {statistics.median(p) * 1e3:.3f} ms, p99 {_p99(p) * 1e3:.3f} ms | "
              f"extract_page: median {statistics.median(e) * 1e3:.3f} ms, p99 {_p99(e) * 1e3:.3f} ms | "
              f"ratio of medians {statistics.median(e) / statistics.median(p):.1f}x, per-page ratio median "
              f"{statistics.median(ratios):.1f}x, p99 {_p99(ratios):.1f}x (budget 4x)")


if __name__ == "__main__":
    main()
