"""Screenshots of the public site on the demo data, at desktop (1280 px) and phone (390 px) widths.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots] [--work DIR]

Builds the demo data the way ``kdir demo`` does (the bundled sample web served on loopback, crawled by the real
spiders, indexed, verified and published), serves the site on loopback and saves PNGs of the search page, a
list of results and a provider page with Debian's chromium. Offline: map tiles come from a local tile server
that draws a plain grid (the real site uses KDIR_TILE_URL). ``--work DIR`` keeps the data in DIR and reuses it
on the next run.
"""

from __future__ import annotations

import argparse
import dataclasses
import struct
import sys
import tempfile
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
MAX_HEIGHT = {"desktop": 2200, "phone": 3200}  # long pages are cut here (the PNGs stay small)


def _png(width: int, height: int, pixel: Any) -> bytes:
    """A minimal RGB PNG (no imaging library needed)."""
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _palette_png(width: int, height: int, palette: bytes, indices: bytes) -> bytes:
    """An 8-bit palette PNG (colour type 3) from one palette index per pixel."""
    rows = b"".join(b"\x00" + indices[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"PLTE", palette)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


#: Runs in the browser (fast): the screenshot's pixels reduced to the 256 most frequent colours (4 bits per
#: channel, then the nearest palette colour), returned as base64 palette + indices.
_QUANTISE_JS = """async (dataUrl) => {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const c = document.createElement("canvas");
  c.width = img.width; c.height = img.height;
  const ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, c.width, c.height).data;
  const n = c.width * c.height;
  const keys = new Uint16Array(n);
  const counts = new Map();
  for (let i = 0; i < n; i++) {
    const k = ((px[4*i] >> 4) << 8) | ((px[4*i+1] >> 4) << 4) | (px[4*i+2] >> 4);
    keys[i] = k;
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 256).map(e => e[0]);
  const rgb = k => [((k >> 8) & 15) * 17, ((k >> 4) & 15) * 17, (k & 15) * 17];
  const pal = top.map(rgb);
  const index = new Map();
  top.forEach((k, i) => index.set(k, i));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let j = index.get(keys[i]);
    if (j === undefined) {
      const [r, g, b] = rgb(keys[i]);
      let best = 0, bestD = Infinity;
      for (let p = 0; p < pal.length; p++) {
        const d = (pal[p][0]-r)**2 + (pal[p][1]-g)**2 + (pal[p][2]-b)**2;
        if (d < bestD) { bestD = d; best = p; }
      }
      index.set(keys[i], best);
      j = best;
    }
    out[i] = j;
  }
  const b64 = bytes => { let s = ""; for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)); } return btoa(s); };
  return {width: c.width, height: c.height, palette: b64(new Uint8Array(pal.flat())), indices: b64(out)};
}"""


def optimise(page: Any, png: bytes) -> bytes:
    """A screenshot as a small palette PNG (text stays sharp; gradients are rare on these pages)."""
    import base64

    page.goto("about:blank")
    q = page.evaluate(_QUANTISE_JS, "data:image/png;base64," + base64.b64encode(png).decode())
    return _palette_png(q["width"], q["height"], base64.b64decode(q["palette"]), base64.b64decode(q["indices"]))


# neutral greys, exact at 4 bits per channel (the screenshots' palette)
TILE = _png(256, 256, lambda x, y: (204, 204, 204) if x % 64 == 0 or y % 64 == 0 else (238, 238, 238))


class _Tiles(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args: Any) -> None:
        pass


def build(work: Path, tile_url: str) -> Any:
    """Settings of the demo data in ``work`` (built on the first run, reused afterwards)."""
    from indexer.db import Database
    from kdir.cli.demo import crawl_sample_web, index_and_publish
    from kdir.common.config import Settings
    from kdir.sampleweb import SampleWeb

    work.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env({"KDIR_ENV": "demo", "KDIR_VAR_DIR": str(work / "var"),
                                  "KDIR_DATABASE_URL": f"sqlite:///{work}/kdir.sqlite3",
                                  "KDIR_SEARCH_PATH": str(work / "search.sqlite3"),
                                  "KDIR_SECRET_KEY": "screenshots-only-secret-0123456789",
                                  "KDIR_TILE_URL": tile_url})
    if (work / "built").exists():
        return settings
    with SampleWeb(first_octet=180, port=0) as web:
        crawl = dataclasses.replace(settings, nppes_url=web.nppes_url, overpass_url=web.overpass_url)
        db = Database.connect(crawl.database_url, migrate=True)
        try:
            crawl_sample_web(crawl, db, web)
            print(index_and_publish(crawl, db))
        finally:
            db.dispose()
    (work / "built").write_text("ok\n")
    return settings


def _pick_provider(db: Any) -> int:
    """The published clinic with the most to show: verified clinicians, ratings, a location."""
    from sqlalchemy import select

    from indexer.db.models import Affiliation, Provider

    with db.session() as s:
        clinics = s.scalars(select(Provider).where(Provider.status == "published", Provider.kind == "clinic",
                                                   Provider.lat.is_not(None))).all()
        team = {c.id: len(s.scalars(select(Affiliation.id).where(Affiliation.clinic_id == c.id)).all())
                for c in clinics}
        best = max(clinics, key=lambda c: (team[c.id], bool((c.qualification or {}).get("verified")),
                                           c.rating_count or 0, -c.id))
        return int(best.id)


def shoot(out: Path, work: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer.db import Database
    from indexer.search import open_backend
    from web import create_app

    tiles = ThreadingHTTPServer(("127.0.0.178", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    tile_url = f"http://127.0.0.178:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    settings = build(work, tile_url)
    db = Database.connect(settings.database_url, migrate=True)
    backend = open_backend(settings)
    app = create_app(settings, db=db, search=backend)
    server = make_server("127.0.0.177", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.177:{server.server_port}"
    provider = _pick_provider(db)
    pages = {"search": "/search", "results": "/search?q=ketamine",
             "provider": f"/providers/{provider}"}
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    tool = browser.new_page()  # a blank page that reduces the screenshots' colours
    try:
        for size, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            page = context.new_page()
            for name, path in pages.items():
                if name == "provider":  # arrive from the search, as a patient does ("Back to search" returns)
                    page.goto(base + pages["results"])
                page.goto(base + path, referer=base + pages["results"])
                page.wait_for_load_state("networkidle")
                full = page.evaluate("() => document.documentElement.scrollHeight")
                target = out / f"{name}-{width}.png"
                png = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT[size])},
                                      full_page=True)
                target.write_bytes(optimise(tool, png))
                saved.append(target)
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                      f"{target.stat().st_size // 1024} KB")
            context.close()
    finally:
        browser.close()
        pw.stop()
        server.shutdown()
        tiles.shutdown()
        backend.close()
        db.dispose()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--work", type=Path, default=None, help="keep (and reuse) the demo data in this folder")
    args = parser.parse_args()
    if args.work is not None:
        shoot(args.out, args.work)
        return
    with tempfile.TemporaryDirectory() as tmp:
        shoot(args.out, Path(tmp))


if __name__ == "__main__":
    main()
