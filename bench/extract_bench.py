"""Extraction speed: extract_page vs a bare ``lxml.html.fromstring`` parse of the same page.

Budget (issue): extraction of a page costs at most 4x the bare parse. Main corpus: generated pages shaped like
real clinic pages (WordPress + Elementor + Yoast, Squarespace, Wix; 20-200 KiB, of which a few KiB visible
text: head metadata, inline CSS/JS, JSON app state, deep wrapper markup, mega menus, SVG icons, footers).
Secondary figure: the sample web's pages (kdir/sampleweb/sites/, rendered in process; 1-10 KiB), with the
fixed per-page cost. Each page is timed ``--repeat`` times (parse and extract alternating, time.perf_counter);
a page's time is the median of its repetitions; figures are the median and p99 over pages.

    .venv/bin/python bench/extract_bench.py [--repeat 7] [--generated 80] [--code DIR] [--accuracy] [--cold]

``--code DIR`` times the ``crawler`` package found in DIR instead (a copy of an older version, for before/after).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

PROSE = [
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
    "Our team has helped hundreds of people in the community find a new path forward.",
    "Read what our patients say about their experience with us, and schedule a free consultation today.",
    "We treat depression, bipolar depression, postpartum depression, OCD and chronic pain.",
    "The clinic is wheelchair accessible and parking is free in the garage behind the building.",
]
PEOPLE = ["Dr. Alan Reyes, DO, Medical Director", "Maria Chen, LCSW", "Sam Patel, PMHNP-BC",
          "José Núñez, M.D.", "Rachel Green, PhD, LMFT", "Kim Lee, CRNA"]
CITIES = [("Austin", "TX", "78703"), ("Denver", "CO", "80202"), ("Portland", "OR", "97211"),
          ("Boston", "MA", "02116"), ("Phoenix", "AZ", "85004"), ("Seattle", "WA", "98101")]
_WORDS = ["wellness", "calm", "care", "clinic", "mind", "light", "path", "hope", "renew", "balance", "ketamine",
          "session", "team", "visit"]
_SVG = ("<svg aria-hidden='true' class='e-font-icon-svg e-fab-{n}' viewBox='0 0 448 512' "
        "xmlns='http://www.w3.org/2000/svg'><path d='M224.1 141c-63.6 0-114.9 51.3-114.9 114.9s51.3 114.9 "
        "114.9 114.9S339 319.5 339 255.9 287.7 141 224.1 141zm0 189.6c-41.1 0-74.7-33.5-74.7-74.7s33.5-74.7 "
        "74.7-74.7 74.7 33.5 74.7 74.7-33.6 74.7-74.7 74.7zm146.4-194.3c0 14.9-12 26.8-26.8 26.8-14.9 0-26.8-12-"
        "26.8-26.8s12-26.8 26.8-26.8 26.8 12 26.8 26.8z'></path></svg>")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(_WORDS, k=n))


def _css(rng: random.Random, rules: int) -> str:
    return "".join(f".elementor-{rng.randint(1, 9999)} .elementor-element.elementor-element-{rng.randbytes(4).hex()}"
                   f"{{--e-con-grid-template-columns:repeat(3,1fr);margin:{k % 40}px 0 0;color:#{k % 4096:03x};"
                   f"font-family:var(--e-global-typography-primary-font-family),Sans-serif}}" for k in range(rules))


def _js(rng: random.Random, funcs: int) -> str:
    return "".join(f"!function(e,t){{var n{k}=e.querySelectorAll('.w-{k}');for(var i=0;i<n{k}.length;i++)"
                   f"n{k}[i].addEventListener('click',function(){{t.dataLayer.push({{event:'c{k}'}})}})}}"
                   f"(document,window);" for k in range(funcs))


def _app_json(rng: random.Random, comps: int) -> str:
    return json.dumps({"siteId": rng.randbytes(8).hex(), "components": [
        {"id": f"comp-{rng.randbytes(4).hex()}", "type": rng.choice(["Container", "RichText", "Image", "Button"]),
         "layout": {"x": rng.randint(0, 980), "y": rng.randint(0, 9000), "width": rng.randint(10, 980)},
         "props": {"label": _words(rng, 3), "link": f"/page-{rng.randint(1, 40)}", "hidden": False}}
        for _ in range(comps)]})


class _Page:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.name = f"{rng.choice(['Serenity', 'Harbor', 'Juniper', 'Lumina', 'Cedar'])} Ketamine " \
                    f"{rng.choice(['Clinic', 'Center', 'Wellness'])}"
        self.city, self.state, self.zip5 = rng.choice(CITIES)
        self.street = f"{rng.randint(1, 9999)} {rng.choice(['Main St', 'Elm Ave', 'W. Sixth Street', 'Pearl St'])}"
        self.size = rng.choice([0.6, 1.0, 1.3, 1.6, 2.0, 2.6])  # scales the page from ~30 to ~250 KiB

    def n(self, lo: int, hi: int) -> int:
        return max(1, int(self.rng.randint(lo, hi) * self.size))

    def paragraphs(self) -> list[str]:
        return [" ".join(self.rng.choices(PROSE, k=self.rng.randint(1, 4))) for _ in range(self.rng.randint(3, 14))]

    def jsonld(self) -> str:
        return ('<script type="application/ld+json" class="yoast-schema-graph">{"@context":"https://schema.org",'
                '"@graph":[{"@type":"WebPage","@id":"#p","about":{"@id":"#o"},"breadcrumb":{"@id":"#b"}},'
                '{"@type":"BreadcrumbList","@id":"#b","itemListElement":[{"@type":"ListItem","position":1,'
                '"name":"Home"}]},{"@type":"MedicalClinic","@id":"#o","name":"' + self.name + '",'
                '"telephone":"(512) 555-0134","logo":{"@type":"ImageObject","url":"/logo.png"},"address":'
                '{"@type":"PostalAddress","streetAddress":"' + self.street + '","addressLocality":"' + self.city
                + '","addressRegion":"' + self.state + '","postalCode":"' + self.zip5 + '"}}]}</script>')

    def team(self, wrap: str) -> str:
        return "".join(wrap.format(f"<h3>{p}</h3><p>{_words(self.rng, 30)}.</p>")
                       for p in self.rng.sample(PEOPLE, self.rng.randint(2, 5)))

    def footer_addresses(self) -> str:
        out = []
        for _ in range(self.rng.randint(1, 3)):
            c, s, z = self.rng.choice(CITIES)
            out.append(f"<p>{self.rng.randint(1, 999)} Oak Rd, Suite {self.rng.randint(1, 500)}<br>{c}, {s} {z}</p>")
        return "".join(out) + "<p>Phone: (512) 555-0134 | info [at] clinic [dot] example</p>"


def wordpress(rng: random.Random) -> str:
    pg = _Page(rng)
    head = ["<!DOCTYPE html><html lang='en-US'><head><meta charset='UTF-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{pg.name} | Ketamine therapy in {pg.city}</title>",
            f"<meta property='og:site_name' content='{pg.name}'><meta property='og:type' content='website'>"]
    head += [f"<link rel='stylesheet' id='css-{k}' href='/wp-content/plugins/p{k}/style.min.css?ver=3.{k}.1' "
             f"media='all'>" for k in range(pg.n(8, 25))]
    if rng.random() < 0.8:
        head.append(pg.jsonld())
    head.append(f"<style id='global-styles-inline-css'>{_css(rng, pg.n(40, 160))}</style>")
    head.append(f"<script id='wp-util-js-extra'>var _wpUtilSettings = {_app_json(rng, pg.n(5, 30))};</script>")
    head.append(f"<script>{_js(rng, pg.n(10, 60))}</script></head>")
    body = ["<body class='home page-template-default page page-id-7 wp-custom-logo elementor-default "
            "elementor-kit-5 elementor-page elementor-page-7'><a class='skip-link screen-reader-text' "
            "href='#content'>Skip to content</a>"]
    menu = []
    for j in range(pg.n(8, 30)):
        subs = "".join(f"<li id='menu-item-{j}{k}' class='menu-item menu-item-type-post_type menu-item-object-page "
                       f"menu-item-{j}{k}'><a href='/services/item-{j}-{k}/' class='elementor-sub-item'>"
                       f"{_words(rng, 2).title()}</a></li>" for k in range(rng.randint(0, 6)))
        menu.append(f"<li class='menu-item menu-item-has-children menu-item-{j}'><a href='/section-{j}/' "
                    f"class='elementor-item has-submenu'>{_words(rng, 2).title()}<span class='sub-arrow'>"
                    f"{_SVG.format(n=j)}</span></a><ul class='sub-menu elementor-nav-menu--dropdown'>{subs}</ul></li>")
    body.append("<header data-elementor-type='header' class='elementor elementor-location-header'><nav "
                "class='elementor-nav-menu--main elementor-nav-menu__container'><ul id='menu-1' "
                f"class='elementor-nav-menu'>{''.join(menu)}</ul></nav></header><main id='content'>")
    sect = ("<section class='elementor-section elementor-top-section elementor-element elementor-element-{h} "
            "elementor-section-boxed elementor-section-height-default' data-id='{h}' data-element_type='section' "
            "data-settings='{{\"background_background\":\"classic\",\"shape_divider_bottom\":\"waves\"}}'>"
            "<div class='elementor-container elementor-column-gap-default'><div class='elementor-column "
            "elementor-col-100 elementor-top-column elementor-element' data-element_type='column'><div "
            "class='elementor-widget-wrap elementor-element-populated'><div class='elementor-element "
            "elementor-widget elementor-widget-text-editor' data-widget_type='text-editor.default'><div "
            "class='elementor-widget-container'>{body}</div></div></div></div></div></section>")
    for k, para in enumerate(pg.paragraphs()):
        tag = rng.choice(["p", "p", "h2", "h3", "li"])
        img = (f"<img width='800' height='533' src='/wp-content/uploads/2024/0{k % 9 + 1}/photo-{k}.jpg' "
               f"class='attachment-large size-large' alt='' srcset='/photo-{k}-300x200.jpg 300w, /photo-{k}-768x512.jpg "
               f"768w, /photo-{k}.jpg 800w' sizes='(max-width: 800px) 100vw, 800px' loading='lazy'>")
        body.append(sect.format(h=rng.randbytes(4).hex(), body=f"<{tag}>{para}</{tag}>" + (img if k % 2 else "")))
    if rng.random() < 0.5:
        body.append(sect.format(h="team", body="<h2>Our team</h2>" + pg.team("<div class='team-card'>{}</div>")))
    icons = "".join(f"<a class='elementor-icon elementor-social-icon' href='https://social{k}.example/x'>"
                    f"{_SVG.format(n=k)}</a>" for k in range(rng.randint(3, 6)))
    links = "".join(f"<li><a href='/page-{k}/'>{_words(rng, 2).title()}</a></li>" for k in range(pg.n(6, 20)))
    body.append(f"</main><footer class='elementor elementor-location-footer'><div class='footer-widgets'>"
                f"<div class='widget'>{pg.footer_addresses()}</div><div class='widget'><ul>{links}</ul></div>"
                f"<div class='widget'>{icons}</div></div><p>&copy; 2025 {pg.name}. All rights reserved.</p></footer>")
    body.append("<div id='cookie-notice' role='dialog' class='cookie-revoke-hidden cn-position-bottom'><div "
                "class='cookie-notice-container'><span id='cn-notice-text'>We use cookies to ensure that we give "
                "you the best experience on our website.</span><a href='#' class='cn-set-cookie cn-button'>Ok</a>"
                "</div></div>")
    body += [f"<script src='/wp-includes/js/dist/m{k}.min.js?ver=6.4.{k}' id='m{k}-js'></script>"
             for k in range(pg.n(8, 25))]
    body.append(f"<script>{_js(rng, pg.n(10, 80))}</script></body></html>")
    return "".join(head + body)


def squarespace(rng: random.Random) -> str:
    pg = _Page(rng)
    out = [f"<!doctype html><html><head><title>Services &mdash; {pg.name}</title>",
           f"<meta property='og:site_name' content='{pg.name}'>",
           f"<script>Static.SQUARESPACE_CONTEXT = {_app_json(rng, pg.n(60, 260))};</script>",
           f"<style>{_css(rng, pg.n(20, 80))}</style></head><body class='tweak-social-icons-style-regular "
           f"header-width-full'><header class='Header'><nav class='Header-nav'>"]
    out += [f"<div class='Header-nav-item'><a href='/p{k}' data-test='nav-{k}'>{_words(rng, 2).title()}</a></div>"
            for k in range(pg.n(6, 20))]
    out.append("</nav></header><main class='Index'><div class='sqs-layout sqs-grid-12 columns-12'>")
    for k, para in enumerate(pg.paragraphs()):
        block = json.dumps({"hSize": None, "floatDir": None, "html": "", "source": k}).replace('"', "&quot;")
        out.append(f"<div class='row sqs-row'><div class='col sqs-col-12 span-12'><div class='sqs-block html-block "
                   f"sqs-block-html' data-block-type='2' data-block-json='{block}' id='block-{rng.randbytes(6).hex()}'>"
                   f"<div class='sqs-block-content'><div class='sqs-html-content'><p style='white-space:pre-wrap;' "
                   f"class=''>{para}</p></div></div></div></div></div>")
    if rng.random() < 0.5:
        out.append("<h2>Our team</h2>" + pg.team("<div class='sqs-block'>{}</div>"))
    out.append(f"</div></main><footer class='Footer'><div class='sqs-block'>{pg.footer_addresses()}</div>"
               f"</footer><script>{_js(rng, pg.n(10, 60))}</script></body></html>")
    return "".join(out)


def wix(rng: random.Random) -> str:
    pg = _Page(rng)
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{pg.name} | {pg.city}</title>",
           f"<meta property='og:site_name' content='{pg.name}'>",
           f"<script id='wix-viewer-model' type='application/json'>{_app_json(rng, pg.n(80, 300))}</script>"]
    out += [f"<style id='css_{rng.randbytes(3).hex()}'>{_css(rng, pg.n(3, 10))}</style>" for _ in range(pg.n(5, 15))]
    if rng.random() < 0.5:
        out.append(pg.jsonld())
    out.append("</head><body><div id='SITE_CONTAINER'><div id='main_MF'><div id='SITE_ROOT'><header id='SITE_HEADER'>")
    out += [f"<div id='comp-{rng.randbytes(4).hex()}' class='wixui-horizontal-menu__item'><a data-testid='linkElement' "
            f"href='/p{k}'><div class='item-depth0'><div class='label'><p class='wixui-text'>{_words(rng, 2).title()}"
            f"</p></div></div></a></div>" for k in range(pg.n(5, 15))]
    out.append("</header><main id='PAGES_CONTAINER'>")
    for para in pg.paragraphs():
        cid = rng.randbytes(4).hex()
        out.append(f"<div id='comp-{cid}' class='comp-{cid} wixui-section'><div data-testid='columns' class='wixui-"
                   f"column-strip'><div data-mesh-id='comp-{cid}inlineContent' data-testid='inline-content'><div "
                   f"data-mesh-id='comp-{cid}inlineContent-gridContainer' data-testid='mesh-container-content'><div "
                   f"id='comp-{cid}1' class='wixui-rich-text' data-testid='richTextElement'><p class='font_8 "
                   f"wixui-rich-text__text'><span style='font-family:avenir-lt-w01_35-light1475496,sans-serif;' "
                   f"class='wixui-rich-text__text'>{para}</span></p></div></div></div></div></div>")
    if rng.random() < 0.4:
        out.append("<h2>Our team</h2>" + pg.team("<div class='wixui-rich-text'>{}</div>"))
    out.append(f"</main><footer id='SITE_FOOTER'><div class='wixui-rich-text'>{pg.footer_addresses()}</div></footer>"
               f"</div></div></div><script>{_js(rng, pg.n(5, 40))}</script></body></html>")
    return "".join(out)


def generated_pages(count: int, seed: int = 20261125) -> list[tuple[bytes, str, str]]:
    """``count`` pages as (body, url, style): half WordPress, a quarter each Squarespace and Wix."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        style = ("wordpress", "wordpress", "squarespace", "wix")[i % 4]
        html = {"wordpress": wordpress, "squarespace": squarespace, "wix": wix}[style](rng)
        path = rng.choice(["", "services/", "team/", "pricing/", "about/"])
        out.append((html.encode(), f"https://clinic{i}.example/{path}", style))
    return out


def sample_web_pages() -> list[tuple[bytes, str]]:
    """Rendered HTML pages of the sample web, if that package is present."""
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


def accuracy() -> None:
    """Every sample-web site (pages robots.txt allows) through extract_page + combine_site, against the truth:
    a listing counts when name (or alias), phones, street, modalities, conditions, practitioner names, kind and
    telehealth all match."""
    from datetime import UTC, datetime

    from crawler.extract import combine_site, extract_page
    from kdir.sampleweb import get_truth
    from kdir.sampleweb.http import Request
    from kdir.sampleweb.sites import CLINIC_SITES, StaticSite, page_paths

    urls = {spec.name: f"http://127.0.0.{i + 2}:8000" for i, spec in enumerate(CLINIC_SITES)}
    rendered = _rendered_apps()
    urls.update({name: base for name, (base, _doms) in rendered.items()})
    truth = get_truth(urls)

    def street(s: str | None) -> str:
        s = (s or "").lower().replace("suite", "ste").replace("#", "ste ").replace(".", "").replace(",", "")
        return " ".join(s.split())

    good = total = 0
    for spec in CLINIC_SITES:
        site, st = StaticSite(spec, urls), truth.sites[spec.name]
        pages = []
        if spec.app:  # a single-page app: its routes as rendered by chromium, through the same extraction
            if spec.name not in rendered:
                print(f"  {spec.name}: needs a browser (chromium is not installed) -> skipped")
                continue
            pages = [extract_page(dom, url, rendered=True) for url, dom in rendered[spec.name][1]]
        for path in page_paths(spec.name) if not spec.app else ():
            if any(path.startswith(d) for d in st.robots_disallow):
                continue
            resp = site(Request("GET", path, {}, b"", {}))
            if resp.status == 200 and resp.content_type.startswith("text/html"):
                pages.append(extract_page(resp.body, urls[spec.name] + path, encoding=spec.encoding))
        items = combine_site(pages, source="web", site_url=urls[spec.name], fetched_at=datetime.now(UTC))
        if not st.provider:
            print(f"  {spec.name}: not a provider -> {'ok' if not items else f'WRONG, {len(items)} items'}")
            continue
        for want in st.listings:
            total += 1
            got = next((i for i in items if i.address and i.address.postal_code == want.address.postal_code
                        and street(i.address.street)[:6] == street(want.address.street)[:6]), None)
            if got is None:
                print(f"  {spec.name}/{want.slug}: MISSING")
                continue
            bad = [k for k, ok in (
                ("name", got.name in (want.name, *want.aliases)), ("phones", set(got.phones) == set(want.phones)),
                ("street", street(got.address.street if got.address else None) == street(want.address.street)),
                ("modalities", set(got.modalities) == set(want.modalities)),
                ("conditions", set(got.conditions) == set(want.conditions)),
                ("practitioners", {p.name for p in got.practitioners} == {p.name for p in want.practitioners}),
                ("kind", got.kind == want.kind), ("telehealth", got.telehealth == want.telehealth)) if not ok]
            good += not bad
            print(f"  {spec.name}/{want.slug}: {'ok' if not bad else 'differs in ' + ', '.join(bad)}")
    print(f"[accuracy] sample web listings exactly right: {good}/{total}")
    pattern_accuracy()


def _fields(item: object) -> dict[str, frozenset[str]]:
    """The scored fields of a listing as sets of strings (see bench/patterns.py)."""
    price = getattr(item, "price", None)
    return {
        "modalities": frozenset(item.modalities), "conditions": frozenset(item.conditions),  # type: ignore[attr-defined]
        "services": frozenset(s for s in item.services if s == "accepts_insurance"),  # type: ignore[attr-defined]
        "insurance": frozenset(item.insurance),  # type: ignore[attr-defined]
        "practitioners": frozenset(p.name for p in item.practitioners),  # type: ignore[attr-defined]
        "practitioner_npis": frozenset(p.npi for p in item.practitioners if p.npi),  # type: ignore[attr-defined]
        "reviews": frozenset(r.author or "" for r in item.reviews),  # type: ignore[attr-defined]
        "name": frozenset([item.name] if item.name else []),  # type: ignore[attr-defined]
        "price": frozenset(f"{v:.0f}" for v in (price.min, price.max) if v is not None) if price else frozenset(),
    }


def pattern_accuracy() -> None:
    """Precision and recall per field on the pattern corpus (bench/patterns.py), per pattern and in total."""
    from datetime import UTC, datetime

    from crawler.extract import combine_site, extract_page

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from patterns import BASE, PATTERNS

    def pr(tp: int, fp: int, fn: int) -> str:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return f"P {p:4.0%} R {r:4.0%}"

    totals: dict[str, list[int]] = {}
    print("[accuracy] pattern corpus: precision / recall per field")
    for pat in PATTERNS:
        facts = [extract_page(body, BASE + path) for path, body in pat.pages]
        items = combine_site(facts, source="web", site_url=BASE, fetched_at=datetime.now(UTC))
        got = _fields(items[0]) if items else {}
        cells = []
        for fname, want in pat.expected.items():
            have = got.get(fname, frozenset())
            tp, fp, fn = len(have & want), len(have - want), len(want - have)
            t = totals.setdefault(fname, [0, 0, 0])
            t[0] += tp
            t[1] += fp
            t[2] += fn
            wrong = f" (extra {sorted(have - want)}, missed {sorted(want - have)})" if fp or fn else ""
            cells.append(f"{fname}: {pr(tp, fp, fn)}{wrong}")
        print(f"  {pat.name}: " + ("; ".join(cells) if items else "NO LISTING"))
    print("  total: " + "; ".join(f"{k}: {pr(*v)}" for k, v in totals.items()))


def _rendered_apps() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Single-page-app sites of the sample web: site -> (live base URL, [(route URL, rendered DOM)]), rendered
    by Debian's chromium (empty when it is not installed)."""
    import shutil

    from playwright.sync_api import sync_playwright

    from crawler.render.config import BROWSER_ARGS
    from kdir.sampleweb import SampleWeb
    from kdir.sampleweb.sites import CLINIC_SITES

    browser_path = shutil.which("chromium")
    if browser_path is None:
        return {}
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    with SampleWeb(first_octet=200, port=0) as web, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=BROWSER_ARGS)
        for spec in (s for s in CLINIC_SITES if s.app):
            base, doms = web.sites[spec.name], []
            for route in spec.routes:
                page = browser.new_page()
                page.goto(base + route, wait_until="networkidle")
                doms.append((page.url, page.content()))
                page.close()
            out[spec.name] = (base, doms)
        browser.close()
    return out


def _caches() -> list[object]:
    """The per-process caches extraction keeps (a crawl hits them for every page after a site's first)."""
    from crawler.extract import addresses, phones

    return [getattr(addresses, "_parse_cached", None), getattr(phones, "_normalize", None)]


def _p99(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


def _time_pages(pages: list[tuple[bytes, str]], extract: Callable[[bytes, str], object],
                repeat: int) -> tuple[list[float], list[float]]:
    """Per page: median over ``repeat`` alternating runs of a bare parse and of ``extract``."""
    parse_t: list[float] = []
    extract_t: list[float] = []
    clock = time.perf_counter
    for body, url in pages:
        p: list[float] = []
        e: list[float] = []
        for _ in range(repeat):
            t0 = clock()
            lxml.html.fromstring(body)
            t1 = clock()
            extract(body, url)
            t2 = clock()
            p.append(t1 - t0)
            e.append(t2 - t1)
        parse_t.append(statistics.median(p))
        extract_t.append(statistics.median(e))
    return parse_t, extract_t


def _report(label: str, pages: list[tuple[bytes, str]], parse_t: list[float], extract_t: list[float]) -> None:
    sizes = sorted(len(b) / 1024 for b, _ in pages)
    ratios = [x / y for x, y in zip(extract_t, parse_t, strict=True)]
    pm, pp = statistics.median(parse_t) * 1e3, _p99(parse_t) * 1e3
    em, ep = statistics.median(extract_t) * 1e3, _p99(extract_t) * 1e3
    print(f"[{label}] {len(pages)} pages, {sizes[0]:.1f}-{sizes[-1]:.1f} KiB (median {statistics.median(sizes):.1f})")
    print(f"  bare lxml parse   median {pm:7.3f} ms   p99 {pp:7.3f} ms")
    print(f"  extract_page      median {em:7.3f} ms   p99 {ep:7.3f} ms")
    print(f"  ratio             median {em / pm:5.1f}x  p99 {ep / pp:5.1f}x  (of the medians / p99s); per page: "
          f"median {statistics.median(ratios):.1f}x, p99 {_p99(ratios):.1f}x  -- budget 4x")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--generated", type=int, default=80)
    ap.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1],
                    help="directory holding the crawler package to time")
    ap.add_argument("--accuracy", action="store_true",
                    help="also check the sample web against its truth and score the pattern corpus")
    ap.add_argument("--cold", action="store_true",
                    help="clear the phone/address caches before every extraction (a site's first page)")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(args.code.resolve()))
    from crawler.extract import extract_page, warm_up

    caches = [f for f in _caches() if hasattr(f, "cache_clear")] if args.cold else []

    def extract(body: bytes, url: str) -> object:
        for f in caches:
            f.cache_clear()
        return extract_page(body, url)

    warm_up()  # imports, ZIP table, compiled regexes
    gen = [(b, u) for b, u, _style in generated_pages(args.generated)]
    sample = sample_web_pages()
    print(f"code: {args.code}, repeat {args.repeat}{', caches cleared before every page' if args.cold else ''}")
    _report("generated WordPress/Squarespace/Wix-like pages", gen, *_time_pages(gen, extract, args.repeat))
    if sample:
        _report("sample web pages", sample, *_time_pages(sample, extract, args.repeat))
    tiny = [(b"<html><head><title>Hi</title></head><body><p>Hello.</p></body></html>", "https://tiny.example/")]
    p, e = _time_pages(tiny * 50, extract, 3)
    print(f"[fixed per-page cost] extract_page of a one-paragraph page: {statistics.median(e) * 1e3:.3f} ms "
          f"(bare parse {statistics.median(p) * 1e3:.3f} ms)")
    if args.accuracy and sample:
        accuracy()


if __name__ == "__main__":
    main()
