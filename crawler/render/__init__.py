"""Rendering single-page-app clinic websites in a headless browser (scrapy-playwright driving Debian chromium).

``config``: is rendering on, where is the browser, the Scrapy settings that install it. ``handler``: the download
handler, whose browser may only fetch what the crawler itself may (robots.txt, no images or trackers). ``page``:
the meta of a render request and how a rendered page is judged settled. ``clicks``: on a page rendered for its
menu, clicking the entries whose targets nothing shows, every navigation intercepted. Which pages need a browser
is decided by the pure extraction (``crawler.extract.appshell``, ``scriptnav``, ``clicktargets``); the site crawl
(``crawler.spiders._sitecrawl``) asks for it.
"""
