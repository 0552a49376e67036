"""Navigation built by script: reading handlers without a browser, and telling when a page needs one."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extract import extract_page
from crawler.extract.scriptnav import NavSignals, empty_parts, loaders, same_site_count, script_links

URL = "https://sage.example/"
PROSE = "<p>" + "We offer IV ketamine infusions for depression with a nurse in the room and monitoring. " * 4 + "</p>"


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Sage</title>{head}</head><body>{body}</body></html>"


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


@pytest.mark.parametrize(("attrs", "want"), [
    ("""onclick="location.href='/team/'" """, "https://sage.example/team/"),
    ("""onclick="window.location = &quot;/fees/&quot;" """, "https://sage.example/fees/"),
    ("""onclick="window.location.href='contact.html'; return false;" """, "https://sage.example/contact.html"),
    ("""onclick="document.location.href=`/faq/`" """, "https://sage.example/faq/"),
    ("""onclick="location.assign('/about/')" """, "https://sage.example/about/"),
    ("""onclick="window.open('https://sage.example/book/', '_self')" """, "https://sage.example/book/"),
    ("""onclick="navigate('/providers/')" """, "https://sage.example/providers/"),
    ("""onclick="goPage('team.html')" """, "https://sage.example/team.html"),
    ('data-href="/pricing/"', "https://sage.example/pricing/"),
    ('data-url="/locations/reno/"', "https://sage.example/locations/reno/"),
])
def test_handlers_read_without_a_browser(attrs: str, want: str) -> None:
    tree = _tree(_page(f"<nav><button {attrs}>Go</button></nav>"))
    assert script_links(tree, URL) == [(want, "Go")]


@pytest.mark.parametrize("attrs", [
    'onclick="toggleMenu()"', 'onclick="openNav()"', 'onclick="window.print()"', 'onclick="location.reload()"',
    'onclick="history.back()"', "onclick=\"location.href='#top'\"", "onclick=\"location.href='javascript:void(0)'\"",
    "onclick=\"location.href='mailto:a@b.example'\"",
])
def test_handlers_that_lead_nowhere(attrs: str) -> None:
    unresolved: list[str] = []
    assert script_links(_tree(_page(f"<button {attrs}>x</button>")), URL, unresolved) == []


def test_unreadable_navigations_are_reported() -> None:
    unresolved: list[str] = []
    tree = _tree(_page("""<ul><li onclick="go('team')">Team</li><li role="menuitem">Fees</li>
        <li role="menuitem"><a href="/faq/">FAQ</a></li><a href="/x/" onclick="location.href='/y/'">x</a></ul>"""))
    assert script_links(tree, URL, unresolved) == []  # an anchor with an href is the ordinary reader's
    assert unresolved == ["go('team')", "menuitem"]


def test_data_url_only_on_clickable_elements_and_base_href() -> None:
    html = _page('<form data-url="/wp-admin/admin-ajax.php"></form><span data-url="team/">Team</span>',
                 head='<base href="https://sage.example/clinic/">')
    assert script_links(_tree(html), URL) == [("https://sage.example/clinic/team/", "Team")]


def test_same_site_count() -> None:
    urls = [URL, URL + "#x", "https://www.sage.example/team/", "https://sage.example/team", "https://other.example/"]
    assert same_site_count(URL, urls) == 2  # www. is the same site (two spellings of /team count twice)
    assert same_site_count(URL, [f"{URL}p{i}/" for i in range(50)], stop=5) == 5


def test_empty_parts_and_loaders() -> None:
    tree = _tree(_page('<header id="site-header"></header><div id="nav-placeholder"> </div>'
                       '<div class="navbar"><a href="/">Home</a></div><span class="nav-icon"></span>'
                       '<site-footer></site-footer><div id="content"></div><div w3-include-html="menu.html"></div>',
                       head='<script src="/js/site-nav.min.js?v=3"></script><script src="/js/app.js"></script>'
                            '<script>$("#nav").load("/partials/nav.html");</script>'))
    assert empty_parts(tree) == ["header", "div#nav-placeholder", "site-footer"]
    scripts = list(tree.iter("script"))
    assert loaders(tree, scripts) == ["site-nav.min.js", 'inline:.load("/partials/nav', "w3-include-html=menu.html"]


@pytest.mark.parametrize(("signals", "render"), [
    (NavSignals(site_links=0, script_links=0, empty_parts=("header", "footer"), loaders=("nav.js",)), True),
    (NavSignals(site_links=3, script_links=1, empty_parts=("nav",), loaders=("inline:.load('nav.html'",)), True),
    (NavSignals(site_links=9, script_links=0, empty_parts=("nav",), loaders=("navigation.js",)), False),
    (NavSignals(site_links=2, script_links=0, empty_parts=("nav",)), False),
    (NavSignals(site_links=0, script_links=0, empty_parts=("header", "footer"), scripts=1), True),
    (NavSignals(site_links=0, script_links=0, empty_parts=("header", "footer")), False),
    (NavSignals(site_links=30, script_links=0, unresolved=("go('team')", "go('fees')")), True),
    (NavSignals(site_links=30, script_links=0, unresolved=("go('team')",)), False),
])
def test_when_a_page_needs_a_browser_for_its_menu(signals: NavSignals, render: bool) -> None:
    assert signals.needs_render is render


def test_extract_page_flags_an_injected_menu() -> None:
    html = _page('<header id="site-header"></header><main><h1>Sage Ketamine</h1>' + PROSE +
                 '</main><footer id="site-footer"></footer>', head='<script src="/js/site-nav.js" defer></script>')
    facts = extract_page(html, URL)
    assert not facts.app_shell and facts.links == []
    assert facts.script_nav == "site-nav.js|footer|header"
    # the same page rendered: the menu is there, nothing to flag, its handlers are links
    rendered = html.replace('<header id="site-header"></header>', """<header id="site-header"><nav>
        <button onclick="location.href='/team/'">Team</button><li role="menuitem" data-href="/faq/">FAQ</li>
        </nav></header>""")
    facts = extract_page(rendered, URL, rendered=True)
    assert facts.script_nav is None
    assert [(link.url, link.text) for link in facts.links] == [(URL + "team/", "Team"), (URL + "faq/", "FAQ")]


def test_extract_page_leaves_ordinary_pages_alone() -> None:
    menu = "".join(f'<li><a href="/{p}/">{p}</a></li>' for p in ("team", "fees", "faq", "contact", "about"))
    html = _page(f'<header><nav><ul>{menu}</ul></nav></header><main>{PROSE}</main><footer></footer>'
                 '<div class="mobile-menu"></div>', head='<script src="/wp-content/themes/x/js/navigation.js"></script>')
    assert extract_page(html, URL).script_nav is None
    menu_of_handlers = "".join(f"<li onclick=\"go('{p}')\">{p}</li>" for p in ("team", "fees"))
    assert extract_page(_page(f"<nav><ul>{menu_of_handlers}</ul></nav>{menu}{PROSE}"), URL).script_nav == \
        "go('fees')|go('team')"
