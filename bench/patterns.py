"""Pattern corpus for ``extract_bench.py --accuracy``: small clinic sites, each reproducing one way real sites
are built (written for this bench, no real clinic's text), with the facts a perfect extraction yields.

Each pattern is a site (pages) and the expected values of some fields of its one listing; the bench scores
precision and recall per field and pattern: a field's values are sets (codes, insurers, practitioner names,
patient reviews' authors, the name, the price's ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASE = "https://pattern.example"
_ADDR = "<p>90 Main St, Suite 4, Bend, OR 97701 &middot; (541) 555-0150</p>"


@dataclass(frozen=True)
class Pattern:
    name: str
    pages: tuple[tuple[str, str], ...]  # (path, body html)
    expected: dict[str, frozenset[str]] = field(default_factory=dict)


def _doc(title: str, body: str, head: str = "", header: str = "", footer: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
            f"<header>{header}</header><main>{body}</main><footer>{_ADDR}{footer}</footer></body></html>")


def _set(*values: str) -> frozenset[str]:
    return frozenset(values)


_COPY = "<p class='site-info'>\u00a9 2026 Cedar Path Ketamine, PLLC. All rights reserved.</p>"
_HOME = "<h1>Ketamine care</h1><p>We offer IV ketamine infusions for treatment-resistant depression.</p>"

PATTERNS: tuple[Pattern, ...] = (
    Pattern("other drips are not IV ketamine", (
        ("/", _doc("Bend Ketamine Clinic", _HOME + "<p>Our wellness bar offers IV hydration, vitamin drips and "
                   "NAD+ IV therapy.</p><p>Myers cocktail infusions and IM injections of B12 are popular.</p>")),),
        {"modalities": _set("iv_infusion")}),
    Pattern("research is not a condition treated", (
        ("/", _doc("Bend Ketamine Clinic", _HOME + "<p>We also treat PTSD.</p><p>Early trials suggest ketamine "
                   "may help bipolar depression.</p><p>Studies have found ketamine may ease OCD symptoms.</p>"
                   "<p>Ketamine is being studied for eating disorders.</p>")),),
        {"conditions": _set("treatment_resistant_depression", "ptsd")}),
    Pattern("comparison and negation are not offers", (
        ("/", _doc("Bend Ketamine Clinic", _HOME + "<p>Infusions often cost less than Spravato.</p>"
                   "<p>We do not offer at-home ketamine.</p><p>We also offer intramuscular ketamine.</p>")),),
        {"modalities": _set("iv_infusion", "im_injection")}),
    Pattern("sums of money are not prices", (
        ("/", _doc("Bend Ketamine Clinic", _HOME + "<p>The ketamine market was worth $3.1 billion in 2023.</p>"
                   "<p>Our patients saved $2 million in hospital costs.</p>")),
        ("/fees/", _doc("Fees | Bend Ketamine Clinic", "<h1>Fees</h1><h2>Single infusion</h2><p>$450</p>"
                        "<p>A series of six infusions is $2,400.</p>"))),
        {"price": _set("450", "2400")}),
    Pattern("out of network denies insurance", (
        ("/", _doc("Bend Ketamine Clinic", _HOME + "<p>We are out of network with all insurers, including Aetna "
                   "and Cigna.</p>")),),
        {"insurance": _set(), "services": _set()}),
    Pattern("insurers as a row of logos", (
        ("/", _doc("Bend Ketamine Clinic", _HOME)),
        ("/insurance/", _doc("Insurance | Bend Ketamine Clinic", "<h1>Insurance</h1><p>We accept these insurance "
                             "plans:</p><div class='logos'><img src='/a.png' alt='Aetna logo'><img src='/c.png' "
                             "alt='Cigna'><img src='/t.png' alt='Tricare'><img src='/x.jpg' alt='Our lobby'></div>"))),
        {"insurance": _set("Aetna", "Cigna", "Tricare")}),
    Pattern("testimonials that are not patient reviews", (
        ("/", _doc("Bend Ketamine Clinic", _HOME)),
        ("/testimonials/", _doc("Testimonials | Bend Ketamine Clinic", "<h1>Testimonials</h1>"
         "<blockquote>“The infusions gave me my mornings back. The staff were gentle.” — Sam T.</blockquote>"
         "<blockquote>“I finally feel like myself again.” — K.</blockquote>"
         "<blockquote>“Out of difficulties grow miracles.” — Jean de la Bruyère</blockquote>"
         "<blockquote>“Lorem ipsum dolor sit amet, consectetur adipiscing elit.” — Client Name</blockquote>"
         "<blockquote>“I founded this clinic to make care easy to reach.” — Dr. Ana Ortiz, Founder</blockquote>"))),
        {"reviews": _set("Sam T.", "K.")}),
    Pattern("people: credentials, labels, roles, staff", (
        ("/", _doc("Bend Ketamine Clinic", _HOME)),
        ("/team/", _doc("Our team | Bend Ketamine Clinic", "<h1>Our team</h1>"
         "<p>Our provider: Jane Roe, LMHC</p><p>Lee Park, LPC-A, Integration Therapist</p>"
         "<p>Kim Ray, LCADC, LISW-S</p><p>Ana Diaz, NP-C</p><h3>Bo Li</h3><p>PsyD</p>"
         "<h3>Nurse Coordinator</h3><p>RN</p><h3>Rita Gomez</h3><p>Office Manager</p>"
         "<p>Tom Hale, MBA, Marketing Director</p><h3>Ida Moss</h3>"
         "<img src='/b.png' alt='APRN, PMHNP-BC badge'><p>Practice NPI: 1234567893</p>"))),
        {"practitioners": _set("Jane Roe", "Lee Park", "Kim Ray", "Ana Diaz", "Bo Li", "Ida Moss"),
         "practitioner_npis": _set()}),
    Pattern("generic titles are not the name", (
        ("/", _doc("Safe, supervised care", _HOME.replace("Ketamine care", "Welcome"),
                   header="<a class='custom-logo-link' rel='home' href='/'><img alt='Juniper Ketamine logo' "
                          "src='/l.png'></a>")),
        ("/fees/", _doc("Fees", "<h1>Fees</h1><p>$450 per infusion.</p>",
                        header="<a class='custom-logo-link' rel='home' href='/'><img alt='Juniper Ketamine logo' "
                               "src='/l.png'></a>"))),
        {"name": _set("Juniper Ketamine")}),
    Pattern("copyright holder names the site", (
        ("/", _doc("Home", _HOME.replace("Ketamine care", "Feel like yourself again"), footer=_COPY)),
        ("/fees/", _doc("Fees", "<h1>Fees</h1><p>$450 per infusion.</p>", footer=_COPY))),
        {"name": _set("Cedar Path Ketamine")}),
)
