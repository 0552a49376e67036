"""Structured data: JSON-LD (@graph, lists, nesting, @id references), microdata, RDFa, OpenGraph and script
blobs (``__NEXT_DATA__``, ``window.__STATE__ = {...}``, JS object literals), gathered as plain dict nodes.

Mapping the nodes to facts lives in ``schema_map``. Extruct runs on the already parsed lxml tree, and only for
the syntaxes the page visibly contains.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import chompjs
import extruct
import lxml.html

_SCHEMA_PREFIX = re.compile(r"^https?://(?:www\.)?schema\.org/")
# an assignment's right-hand side: found first (a literal "=" makes the scan fast), its left side checked after
_RHS = re.compile(r"=\s*(?:[\[{]|JSON\.parse\()")
_LHS = re.compile(
    r"(?:(?:window|self|globalThis)\s*(?:\.\s*|\[\s*['\"])(?:__[A-Za-z0-9_$]+__|[A-Za-z_$][\w$]*)(?:['\"]\s*\])?"
    r"|(?P<var>\b(?:var|let|const)\s+[A-Za-z_$][\w$]*))\s*\Z"
)
#: keys the script-data walkers (schema_map) look for: a blob whose raw text has none of them as a word cannot
#: yield an entity, person or review, so it is parsed only if the page turns out to be an app shell. Stems
#: ending in "*" may continue ("address1", "phone_number"); the others must end there.
_BLOB_STEMS = ("address*", "street*", "city", "zip*", "postal*", "phone*", "telephone", "tel", "credential",
               "credentials", "creds", "suffix", "degree", "degrees", "jobtitle", "job_title", "role", "position",
               "npi", "specialty", "rating*", "stars", "score", "quote", "testimonial")

def _groups(stems: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """Stems grouped under a shared prefix ("tel": tel, telephone), so each group costs one scan of the text."""
    prefixes = ("cred", "degree", "job", "tel")
    out: dict[str, list[tuple[str, bool]]] = {}
    for raw in stems:
        stem = raw.rstrip("*")
        key = next((p for p in prefixes if stem.startswith(p)), stem)
        out.setdefault(key, []).append((stem, raw.endswith("*")))
    return tuple((k, tuple(v)) for k, v in out.items())


_STEM_GROUPS = _groups(_BLOB_STEMS)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def has_blob_keys(text: str) -> bool:
    """Whether ``text`` mentions, as a whole word (case-insensitive, leading underscores allowed), a key the
    script-data walkers use, or "@type". ``str.find`` per stem: a regex alternation costs 30x more."""
    low = text.lower()
    if "@type" in low:
        return True
    checks = 0
    n = len(low)
    for prefix, stems in _STEM_GROUPS:
        i = low.find(prefix)
        while i != -1:
            checks += 1
            if checks > 2000:
                return True  # too many near misses to check: treat as interesting
            j = i - 1
            while j >= 0 and low[j] == "_":
                j -= 1
            if j < 0 or not low[j].isalnum():
                for stem, open_end in stems:
                    end = i + len(stem)
                    if low.startswith(stem, i) and (open_end or end >= n or not _word(low[end])):
                        return True
            i = low.find(prefix, i + 1)
    return False


_MAX_BLOB = 2_000_000
_MAX_NODES = 5000


@dataclass
class Structured:
    nodes: list[dict[str, Any]] = field(default_factory=list)  # schema.org-like nodes, each with "@type"
    blobs: list[Any] = field(default_factory=list)  # parsed script-blob data (searched for clinic-like objects)
    #: script blobs without any key the walkers look for, parsed only on demand (:meth:`all_blobs`), as
    #: (position among all blobs, raw text, "json" | "js")
    lazy: list[tuple[int, str, str]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)

    def all_blobs(self) -> list[Any]:
        """Every script blob in page order, parsing the deferred ones (app-shell pages need their text)."""
        if not self.lazy:
            return list(self.blobs)
        slots: list[tuple[int, int, Any]] = [(pos, 0, b) for pos, b in zip(self.positions, self.blobs, strict=True)]
        for pos, text, kind in self.lazy:
            parsed = [d for d in [_loads(text)] if isinstance(d, dict | list)] if kind == "json" else \
                _assigned_objects(text)
            slots += [(pos, k, d) for k, d in enumerate(parsed)]
        slots.sort(key=lambda x: (x[0], x[1]))
        return [d for _pos, _k, d in slots]
    meta: dict[str, str] = field(default_factory=dict)  # OpenGraph / geo / description meta tags


def strip_type(value: Any) -> list[str]:
    """Plain type names of an "@type" value ("https://schema.org/MedicalClinic" -> "MedicalClinic")."""
    items = value if isinstance(value, list) else [value]
    out = []
    for t in items:
        if isinstance(t, str) and t:
            out.append(_SCHEMA_PREFIX.sub("", t.strip()).rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return out


def _loads(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    try:
        return chompjs.parse_js_object(text)
    except Exception:  # noqa: BLE001 - chompjs raises assorted errors on junk; junk is skipped
        return None


#: keys whose nested nodes are about other things (review authors, publishers): not collected as entities
_SKIP_KEYS = frozenset({"author", "creator", "editor", "contributor", "reviewedBy", "publisher", "review",
                        "reviews", "copyrightHolder", "sourceOrganization", "funder", "sponsor", "mentions"})


def _walk(value: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Collect every dict carrying an @type (top-level, @graph members, nested values) into ``out``."""
    if depth > 12 or len(out) >= _MAX_NODES:
        return
    if isinstance(value, list):
        for v in value[:2000]:
            _walk(v, out, depth + 1)
    elif isinstance(value, dict):
        if "@type" in value:
            out.append(value)
        for k, v in value.items():
            if isinstance(v, dict | list) and k != "@context" and k not in _SKIP_KEYS:
                _walk(v, out, depth + 1)


def resolve_refs(nodes: list[dict[str, Any]]) -> None:
    """Replace {"@id": x} stubs by the full node with that @id (Yoast @graph style), one level deep."""
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    if not by_id:
        return
    for n in nodes:
        for k, v in list(n.items()):
            if isinstance(v, dict) and set(v) == {"@id"} and v["@id"] in by_id and by_id[v["@id"]] is not n:
                n[k] = by_id[v["@id"]]
            elif isinstance(v, list):
                n[k] = [
                    by_id[x["@id"]] if isinstance(x, dict) and set(x) == {"@id"} and x["@id"] in by_id else x
                    for x in v
                ]


def _author_ids(nodes: list[dict[str, Any]]) -> set[str]:
    """@ids referenced as authors/publishers (Yoast lists a post's author as a Person graph node)."""
    ids: set[str] = set()
    for n in nodes:
        for k in _SKIP_KEYS:
            value = n.get(k)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, dict) and isinstance(v.get("@id"), str):
                    ids.add(v["@id"])
    return ids


def rdfa_items(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """RDFa Lite items (``vocab``/``typeof``/``property``) as nested dicts, read straight off the lxml tree.

    Much faster than a full RDFa processor and enough for the schema.org markup clinic sites carry."""
    top: list[dict[str, Any]] = []
    stack: list[tuple[Any, dict[str, Any] | None]] = [(tree, None)]
    count = 0
    while stack and count < 20000:
        el, item = stack.pop()
        count += 1
        pushes: list[tuple[Any, dict[str, Any] | None]] = []
        for child in el:
            if not isinstance(child.tag, str):
                continue
            props = (child.get("property") or "").split()
            typeof = child.get("typeof")
            if typeof is not None:
                new: dict[str, Any] = {"@type": [t.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for t in typeof.split()]
                                       or ["Thing"]}
                if props and item is not None:
                    for prop in props:
                        _add_prop(item, prop, new)
                else:
                    top.append(new)
                pushes.append((child, new))
                continue
            if props and item is not None:
                value = child.get("content") or child.get("href") or child.get("src") or child.get("resource")
                if value is None:
                    value = " ".join(child.text_content().split())
                for prop in props:
                    _add_prop(item, prop, value)
            pushes.append((child, item))
        stack.extend(reversed(pushes))
    return top


def _add_prop(item: dict[str, Any], prop: str, value: Any) -> None:
    key = prop.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if not key:
        return
    have = item.get(key)
    if have is None:
        item[key] = value
    elif isinstance(have, list):
        have.append(value)
    else:
        item[key] = [have, value]


def extract_structured(tree: lxml.html.HtmlElement, html: str, base_url: str) -> Structured:
    """All structured data of one page. ``html`` is only used for cheap "does it contain X" checks and RDFa."""
    st = Structured()
    found: list[dict[str, Any]] = []
    pos = 0
    for script in tree.iter("script"):
        stype = (script.get("type") or "").strip().lower()
        text = script.text or ""
        if not text.strip() or len(text) > _MAX_BLOB:
            continue
        if stype == "application/ld+json":
            data = _loads(text)
            if data is not None:
                _walk(data, found)
            continue
        if stype in ("application/json", "text/json") or script.get("id") == "__NEXT_DATA__":
            kind = "json"
        elif stype in ("", "text/javascript", "application/javascript", "module") and "=" in text:
            kind = "js"
        else:
            continue
        if kind == "js" and not _assignments(text):
            continue  # no object literal is assigned: nothing to read (most inline JS)
        pos += 1
        if not has_blob_keys(text):
            st.lazy.append((pos, text, kind))
            continue
        blobs = [d for d in [_loads(text)] if isinstance(d, dict | list)] if kind == "json" else _assigned_objects(text)
        has_type = "@type" in text
        for data in blobs:
            st.blobs.append(data)
            st.positions.append(pos)
            if has_type:
                _walk(data, found)
    if "itemscope" in html:
        try:
            md = extruct.extract(tree, base_url, syntaxes=["microdata"], uniform=True, errors="ignore")
            _walk(md.get("microdata") or [], found)
        except Exception:  # noqa: BLE001 - malformed microdata is skipped, the rest of the page still counts
            pass
    if "typeof=" in html:
        _walk(rdfa_items(tree), found)
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content and (key.startswith(("og:", "place:", "geo.", "business:", "twitter:")) or key in (
            "icbm", "description", "application-name"
        )) and key not in st.meta:
            st.meta[key] = " ".join(content.split())[:1000]
    authors = _author_ids(found)
    resolve_refs(found)
    st.nodes = [n for n in found if not (isinstance(n.get("@id"), str) and n["@id"] in authors
                                         and set(strip_type(n.get("@type"))) <= {"Person"})]
    return st


def _assignments(text: str) -> list[tuple[int, bool]]:
    """Offsets of the "=" of object assignments in inline JS, each with whether it is a var/let/const."""
    out: list[tuple[int, bool]] = []
    for m in _RHS.finditer(text):
        lhs = _LHS.search(text, max(0, m.start() - 200), m.start())
        if lhs is not None:
            out.append((m.start(), bool(lhs.group("var"))))
    return out


def _assigned_objects(text: str) -> list[Any]:
    """Objects assigned in inline JS (``window.__STATE__ = {...}``, ``var clinic = {...}``)."""
    out: list[Any] = []
    for start, is_var in _assignments(text):
        rest = text[start + 1: start + 1 + _MAX_BLOB].lstrip()
        if rest.startswith("JSON.parse("):
            if is_var:
                continue  # only window.X = JSON.parse(...) is read
            inner = _loads(rest[len("JSON.parse("):].split(")", 1)[0])
            data = _loads(inner) if isinstance(inner, str) else None
        elif rest[:1] in "{[":
            try:
                data = chompjs.parse_js_object(rest)
            except Exception:  # noqa: BLE001 - not an object literal after all
                data = None
        else:
            continue
        if isinstance(data, dict | list) and data:
            out.append(data)
        if len(out) >= 10:
            break
    return out


_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")


def blob_texts(blobs: list[Any], *, limit: int = 60_000) -> list[str]:
    """Human-readable strings inside script data (for app-shell pages whose content lives in JS), with
    slugs turned into words ("iv-infusion" -> "iv infusion"). URLs, markup and code-like strings are skipped."""
    out: list[str] = []
    total = 0
    stack: list[Any] = list(reversed(blobs))
    while stack and total < limit:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v[:1000]))
        elif isinstance(v, str):
            t = v.strip()
            if len(t) < 3 or t.startswith(("http:", "https:", "/", "#", "{", "[", "data:")) or "<" in t or "{{" in t:
                continue
            if _SLUG.match(t):
                t = re.sub(r"[-_]", " ", t)
            elif " " not in t and not any(c.isalpha() for c in t):
                continue
            out.append(t[:2000])
            total += len(t)
    return out
