"""App-shell detection and client-side route links: pure functions on pages (no browser here)."""

from __future__ import annotations

import pytest

from crawler.extract.page import extract_page

VITE_SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Aurora Ketamine Institute</title>
<script type="module" crossorigin src="/assets/index-3f9a2c1b.js"></script>
<link rel="stylesheet" href="/assets/index-77aa.css"></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="app"></div></body></html>"""

RENDERED = VITE_SHELL.replace('<div id="app"></div>', """<div id="app"><nav><a href="#/">Home</a>
<a href="#/team">Our team</a> <a href="#top">Top</a> <button data-href="/fees">Fees</button>
<span data-to="javascript:alert(1)">x</span> <a href="#!/contact">Contact</a></nav>
<h1>Aurora Ketamine Institute</h1><p>IV ketamine infusions for treatment-resistant depression.</p>
<p>Call (612) 555-0111. 250 Marquette Ave, Suite 900, Minneapolis, MN 55401</p></div>""")


def test_a_vite_shell_is_an_app_shell() -> None:
    facts = extract_page(VITE_SHELL, "https://aurora.example/")
    assert facts.app_shell and not facts.phones and not facts.links


def test_the_rendered_app_is_not_a_shell_and_shows_its_routes() -> None:
    facts = extract_page(RENDERED, "https://aurora.example/", rendered=True)
    assert not facts.app_shell
    assert facts.phones == ["+16125550111"]
    urls = {link.url for link in facts.links}
    assert {"https://aurora.example/#/team", "https://aurora.example/#!/contact", "https://aurora.example/fees",
            "https://aurora.example/#/"} <= urls
    assert not any("#top" in u or "javascript" in u for u in urls)
    # a page read without a browser ignores hash routes (a static site's "#/" is not a page); a data-href button
    # is a link on any page (scriptnav.script_links)
    plain = {link.url for link in extract_page(RENDERED, "https://aurora.example/").links}
    assert not any("#" in u for u in plain) and "https://aurora.example/fees" in plain


@pytest.mark.parametrize("html", [
    # the data is in a script blob: read as is (lumen-style window.__STATE__)
    '<html><head><script src="/app.js"></script></head><body><div id="root"></div><script>window.__STATE__ = '
    '{"clinic": {"name": "Lumen", "telephone": "602-555-0104"}};</script></body></html>',
    # server-side rendered: the mount point already holds the content
    '<html><body><div id="__next"><h1>Stillwater Ketamine Clinic</h1><p>' + "IV ketamine infusions. " * 8
    + '</p></div><script src="/_next/static/chunks/main.js"></script></body></html>',
    # structured data in an otherwise empty page
    '<html><head><script type="application/ld+json">{"@type": "MedicalClinic", "name": "X", "telephone": '
    '"+1 512 555 0101"}</script><script src="/a.js"></script></head><body><div id="root"></div></body></html>',
    # a short static page without scripts
    "<html><body><h1>Closed</h1><p>We have moved.</p></body></html>",
    # plenty of static text and a script
    '<html><body><script src="/jquery.js"></script>' + "<p>Ketamine therapy for depression.</p>" * 30
    + "</body></html>",
])
def test_pages_that_are_not_shells(html: str) -> None:
    assert not extract_page(html, "https://x.example/").app_shell


def test_shell_without_mount_point_but_with_a_noscript_notice() -> None:
    html = ('<html><head><script defer src="/bundle.js"></script></head><body><noscript>This site requires '
            'JavaScript.</noscript></body></html>')
    assert extract_page(html, "https://x.example/").app_shell


def test_angular_root_element() -> None:
    html = '<html><body><app-root></app-root><script src="main.4f3a.js" type="module"></script></body></html>'
    assert extract_page(html, "https://x.example/").app_shell


def test_hostile_route_attributes_are_dropped() -> None:
    html = ('<html><body><div id="root"><button data-href="data:text/html,x">a</button><button routerlink="'
            + "/x" * 2000 + '">b</button><li data-route="//evil.example/p">c</li>'
            '<a href="#/ok">ok</a></div></body></html>')
    urls = [link.url for link in extract_page(html, "https://x.example/p", rendered=True).links]
    assert "https://x.example/p#/ok" in urls
    assert not any(u.startswith("data:") or len(u) > 2100 for u in urls)
    # a protocol-relative route leaves the site: the site crawl drops off-site links, extraction keeps the URL
    assert "https://evil.example/p" in urls
