"""The fictional clinic websites: static files under ``sites/<name>/`` served with templated base URLs.

A page file is either a whole document (starts with ``<!DOCTYPE``) or a fragment wrapped in the site's
``_layout.html``; a fragment may start with ``<!--title: ...-->``. ``about.html`` is served at ``/about/``;
``robots.txt`` and ``sitemap.xml`` at their own path. Files starting with ``_`` are never served.
Every site also answers unlinked robustness traps: ``/trap/slow/?n=SECONDS``, ``/trap/huge/?n=KB`` and
``/trap/loop/`` (an endless redirect chain).

Single-page apps (``SiteSpec.app``) are an empty shell (``index.html``) plus script bundles under ``/assets/``
that render every view in the browser (aurora: Vue 3 + vue-router as Vite-style chunks, one route lazily loaded). A ``"history"`` app answers any extension-less GET path that is not a
file with the shell (the SPA fallback); the failure modes ``script_error`` and ``slow_script`` (see
``http.MODES``) break or delay every ``/assets/*.js`` script of an app, and nothing else. POSTs under ``/analytics/`` get a 204.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from kdir.sampleweb.http import Request, Response, render


@dataclass(frozen=True)
class SiteSpec:
    name: str
    style: str  # short description of the markup style
    encoding: str = "utf-8"
    #: Calendar pages that link to the next month forever (a crawler trap) under this path, if any.
    calendar_trap: str | None = None
    #: Single-page app routing: "hash" (``/#/team``) or "history" (``/providers``); None for static sites.
    app: str | None = None
    #: Client-side routes of a single-page app, as URL paths (``/#/team`` for hash routing).
    routes: tuple[str, ...] = ()
    #: The script that writes the site's menu and footer into every page (the HTML has none), if any.
    nav_script: str | None = None


#: Clinic sites in serving order (each gets the next loopback address).
CLINIC_SITES: tuple[SiteSpec, ...] = (
    SiteSpec("stillwater", "JSON-LD MedicalClinic in a Yoast-style @graph, AggregateRating, Review, Physician"),
    SiteSpec("milehigh", "microdata MedicalBusiness", calendar_trap="/events/"),
    SiteSpec("cascade", "no structured data: facts only in prose; a negation; robots disallows /private/"),
    SiteSpec("lumen", "data in a window.__STATE__ JS object literal, almost empty HTML shell"),
    SiteSpec("evergreen", "multi-location chain: /locations/ and one JSON-LD page per location; Crawl-delay"),
    SiteSpec("patel", "solo psychiatric nurse practitioner, KAP and at-home oral ketamine via telehealth"),
    SiteSpec("brightsmile", "dental office mentioning ketamine sedation in a blog post: not a provider"),
    SiteSpec("harborview", "Spravato-only psychiatry practice, REMS certified, accepts insurance"),
    SiteSpec("serenidad", "RDFa Lite and OpenGraph only, windows-1252 encoded, non-ASCII names", "cp1252"),
    SiteSpec("aurora", "hash-routed Vue 3 + vue-router app: empty shell, every fact rendered by its chunks",
             app="hash", routes=("/", "/#/treatments", "/#/team", "/#/pricing", "/#/contact")),
    SiteSpec("tidewater", "history-routed single-page app fetching /api/clinic.json; JSON-LD injected at runtime",
             app="history", routes=("/", "/treatments", "/providers", "/insurance", "/fees", "/contact")),
    SiteSpec("willowcreek", "WordPress-theme markup, facts as found in the wild: slogan title and 'Welcome' heading "
             "(the name is in the logo's alt text and the copyright line), IV hydration/vitamin/NAD+ drips of a med "
             "spa, research and comparison sentences, market sums, insurer logos, a credential badge, a role title, "
             "an office manager, a famous quote, a placeholder and the founder's own testimonial"),
    SiteSpec("sagebrush", "static pages whose nav bar and footer a small script writes in: menu entries are buttons "
             "and list items with onclick handlers and no <a href>; team, fees, FAQ and contact are reachable "
             "only through them, and the FAQ entry names a route its script resolves only when clicked",
             nav_script="/js/site-nav.js"),
)

_TYPES = {".html": "text/html", ".txt": "text/plain", ".xml": "application/xml", ".css": "text/css",
          ".js": "application/javascript", ".svg": "image/svg+xml", ".json": "application/json",
          ".jpg": "image/jpeg"}
_TEXT_TYPES = (".txt", ".xml", ".css", ".js", ".svg", ".json")
#: What the ``script_error`` mode prepends to each of a single-page app's scripts (every chunk, vendored too).
SCRIPT_ERROR = 'throw new Error("boom");\n'

_TITLE = re.compile(r"\A\s*<!--title:(.*?)-->\s*", re.S)
_MONTH = re.compile(r"\A(\d{4})-(\d{2})\Z")


def sites_root() -> Traversable:
    return files("kdir.sampleweb") / "sites"


class StaticSite:
    """Serves one clinic site; ``urls`` maps app names to live base URLs (filled in after binding)."""

    def __init__(self, spec: SiteSpec, urls: Mapping[str, str]) -> None:
        self.spec = spec
        self.urls = urls
        self.root = sites_root() / spec.name

    def _file(self, rel: str, internal: bool = False) -> Traversable | None:
        node = self.root
        for part in rel.split("/"):
            if not part or part.startswith(".") or (part.startswith("_") and not internal):
                return None
            node = node / part
        return node if node.is_file() else None

    def _resolve(self, path: str) -> tuple[Traversable | None, str | None]:
        """(file, None) to serve, (None, location) to redirect, (None, None) for 404."""
        norm = posixpath.normpath(path)
        if ".." in path.split("/") or not norm.startswith("/"):
            return None, None
        rel = norm.lstrip("/")
        if path.endswith("/"):
            if not rel:
                return self._file("index.html"), None
            return self._file(rel + ".html") or self._file(rel + "/index.html"), None
        found = self._file(rel)
        if found is not None and not rel.endswith(".html"):
            return found, None
        if self._file(rel + ".html") or self._file(rel + "/index.html"):
            return None, path + "/"
        return None, None

    def _encode(self, text: str) -> bytes:
        return text.encode(self.spec.encoding, errors="xmlcharrefreplace")

    def _page(self, text: str, status: int = 200) -> Response:
        text = render(text, self.urls, self.spec.name)
        if not text.lstrip().upper().startswith("<!DOCTYPE"):
            m = _TITLE.match(text)
            title = m.group(1).strip() if m else ""
            layout = self._file("_layout.html", internal=True)
            if layout is not None:
                body = text[m.end():] if m else text
                text = render(layout.read_text("utf-8"), self.urls, self.spec.name)
                text = text.replace("{{title}}", title).replace("{{content}}", body)
        charset = "windows-1252" if self.spec.encoding == "cp1252" else self.spec.encoding
        return Response(status, self._encode(text), f"text/html; charset={charset}")

    def _calendar(self, req: Request) -> Response:
        m = _MONTH.match(req.arg("month") or "2026-01")
        if not m:
            return self._page("<!--title:Events--><p>Unknown month.</p>", 404)
        y, mo = int(m.group(1)), int(m.group(2))
        ny, nm = (y + 1, 1) if mo == 12 else (y, mo + 1)
        py, pm = (y - 1, 12) if mo == 1 else (y, mo - 1)
        trap = self.spec.calendar_trap
        return self._page(
            f"<!--title:Events {y}-{mo:02d}--><h1>Community events, {y}-{mo:02d}</h1>"
            "<p>No events scheduled this month.</p>"
            f'<p><a href="{trap}?month={py}-{pm:02d}">&laquo; previous month</a> | '
            f'<a href="{trap}?month={ny}-{nm:02d}">next month &raquo;</a></p>')

    def _trap(self, req: Request) -> Response | None:
        """Unlinked endpoints for crawler robustness tests: /trap/slow/, /trap/huge/, /trap/loop/."""
        kind = req.path[len("/trap/"):].strip("/")
        number = req.arg("n") or ""
        n = int(number) if number.isdigit() else 0
        if kind == "slow":  # answers after n seconds (at most 30)
            time.sleep(min(n or 5, 30))
            return self._page("<!--title:Slow--><p>Sorry for the wait.</p>")
        if kind == "huge":  # an n-kilobyte page (default 5 MB, at most 50 MB)
            size = min(n or 5120, 51200) * 1024
            filler = ("<p>" + "ketamine " * 110 + "</p>\n").encode()
            body = b"<!DOCTYPE html><html><body>" + filler * (size // len(filler) + 1) + b"</body></html>"
            return Response(200, body, "text/html; charset=utf-8")
        if kind == "loop":  # redirects forever
            return Response(302, b"", "text/plain", [("Location", f"/trap/loop/?n={n + 1}")])
        return None

    def __call__(self, req: Request) -> Response:
        if req.method not in ("GET", "POST"):
            return Response(405, b"method not allowed", "text/plain")
        if req.path.startswith("/trap/"):
            trapped = self._trap(req)
            if trapped is not None:
                return trapped
        if self.spec.calendar_trap and req.path == self.spec.calendar_trap:
            return self._calendar(req)
        if self.spec.app and req.method == "POST" and req.path.startswith("/analytics/"):
            return Response(204, b"", "text/plain")  # a single-page app's analytics beacon
        found, location = self._resolve(req.path)
        if location is not None and self.spec.app != "history":
            return Response(301, b"", "text/plain", [("Location", location)])
        if found is None and self._spa_fallback(req):
            found = self._file("index.html")
        if found is None:
            missing = self._file("_404.html", internal=True)
            text = missing.read_text("utf-8") if missing else "<!--title:Not found--><h1>Page not found</h1>"
            return self._page(text, 404)
        name = found.name
        ext = name[name.rfind("."):] if "." in name else ""
        if ext == ".html":
            return self._page(found.read_text("utf-8"))
        if ext in _TEXT_TYPES:
            text = render(found.read_text("utf-8"), self.urls, self.spec.name)
            if ext == ".js" and self.spec.app and req.path.startswith("/assets/"):
                text = self._bundle(text, req)
            return Response(200, text.encode("utf-8"), _TYPES[ext] + "; charset=utf-8")
        return Response(200, found.read_bytes(), _TYPES.get(ext, "application/octet-stream"))

    def _spa_fallback(self, req: Request) -> bool:
        """A history-routed app answers extension-less GET paths with its shell (the SPA itself shows 404s)."""
        last = req.path.rstrip("/").rsplit("/", 1)[-1]
        return self.spec.app == "history" and req.method == "GET" and "." not in last

    @staticmethod
    def _bundle(text: str, req: Request) -> str:
        """A single-page app's script (bundle or chunk), broken or delayed by ``script_error`` / ``slow_script``."""
        if req.mode == "script_error":
            return SCRIPT_ERROR + text
        if req.mode == "slow_script":
            time.sleep(max(req.slow_seconds, 0.0))
        return text


def page_paths(site: str) -> list[str]:
    """URL paths of every servable file of a clinic site (including pages robots.txt disallows) and, for a
    single-page app, of its client-side routes (``/#/team`` for hash routing: fetched plainly, that is ``/``)."""
    paths: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            name = child.name
            if name.startswith(("_", ".")):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{name}/")
            elif name == "index.html":
                paths.append(f"/{prefix}")
            elif name.endswith(".html"):
                paths.append(f"/{prefix}{name[:-5]}/")
            else:
                paths.append(f"/{prefix}{name}")

    walk(sites_root() / site, "")
    spec = next((s for s in CLINIC_SITES if s.name == site), None)
    return sorted(set(paths) | set(spec.routes if spec else ()))


def spa_sites() -> list[SiteSpec]:
    """The clinic sites that are single-page apps (their facts appear only after a browser runs the script)."""
    return [s for s in CLINIC_SITES if s.app]
