"""Rebuild aurora's Vite-style chunks after an edit (never served: the name starts with ``_``).

``assets/`` holds three ES-module chunks, each named ``<chunk>-<first 8 hex of sha256(content)>.js`` like
Vite's output: ``vendor`` (Vue's and vue-router's global production builds, verbatim, plus one ``export``),
``pricing`` (the ``#/pricing`` view, imported lazily) and ``index`` (the entry: every other view, the router,
the mount). They refer to each other, and the shell to them, by path, so after editing a chunk run::

    python kdir/sampleweb/sites/aurora/_build.py              # re-hash the edited chunks, fix every reference
    python kdir/sampleweb/sites/aurora/_build.py /tmp/vendor  # also rebuild the vendor chunk and its licences

where ``/tmp/vendor`` holds the unpacked npm tarballs (``npm pack vue@3 vue-router@4``, then
``tar xzf vue-3.*.tgz`` into ``/tmp/vendor/vue`` and ``vue-router-4.*.tgz`` into ``/tmp/vendor/vue-router``,
so that ``/tmp/vendor/vue/package/dist/vue.global.prod.js`` exists).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
ORDER = ("vendor", "pricing", "index")  # each chunk only refers to chunks before it
CHUNK = re.compile(r"/assets/(vendor|pricing|index)-[0-9a-f]{8}\.js")


def _vendor(npm: Path) -> None:
    """The vendor chunk and ``vendor-LICENSES.txt`` from the unpacked ``vue`` and ``vue-router`` packages."""
    parts, licences = [], []
    for name, dist in (("vue", "vue.global.prod.js"), ("vue-router", "vue-router.global.prod.js")):
        pkg = npm / name / "package"
        version = json.loads((pkg / "package.json").read_text("utf-8"))["version"]
        parts.append((name, version, (pkg / "dist" / dist).read_text("utf-8").rstrip()))
        licences.append(f"== {name} {version} (npm: {name}@{version}, dist/{dist}) ==\n\n"
                        + (pkg / "LICENSE").read_text("utf-8").strip() + "\n")
    banner = " + ".join(f"{n} {v} (dist/{n}.global.prod.js)" for n, v, _ in parts)
    text = (f"/* vendor chunk: {banner}, MIT licensed: see vendor-LICENSES.txt */\n"
            + "\n".join(code for _, _, code in parts) + "\nexport { Vue, VueRouter };\n")
    for old in ASSETS.glob("vendor-*.js"):
        old.unlink()
    (ASSETS / "vendor-00000000.js").write_text(text, "utf-8")  # named by its hash below
    (ASSETS / "vendor-LICENSES.txt").write_text(
        "Third-party code in vendor chunk /assets/vendor-00000000.js\n\n" + "\n".join(licences), "utf-8")


def rehash() -> dict[str, str]:
    """Rename every chunk to its content hash, in dependency order, rewriting the references to it."""
    referrers = [HERE / "index.html", ASSETS / "vendor-LICENSES.txt"]
    paths: dict[str, str] = {}
    for chunk in ORDER:
        [current] = ASSETS.glob(f"{chunk}-*.js")
        text = CHUNK.sub(lambda m: paths.get(m.group(1), m.group(0)), current.read_text("utf-8"))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        paths[chunk] = f"/assets/{chunk}-{digest}.js"
        current.unlink()
        (ASSETS / f"{chunk}-{digest}.js").write_text(text, "utf-8")
    for file in referrers:
        file.write_text(CHUNK.sub(lambda m: paths[m.group(1)], file.read_text("utf-8")), "utf-8")
    return paths


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _vendor(Path(sys.argv[1]))
    for path in rehash().values():
        print(path)
